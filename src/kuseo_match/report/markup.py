"""Small HTML pieces of the page: escaped text, numbers with their raw value, cards."""

from __future__ import annotations

import html
import math
from typing import Any

from ..errors import printable


def esc(value: Any) -> str:
    return html.escape("" if value is None else printable(str(value)), quote=True)


def data_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if not math.isfinite(value) else repr(round(value, 6))
    return str(value)


def num(ident: str, value: Any, text: str) -> str:
    return (
        f'<span class="num" id="{esc(ident)}" data-value="{esc(data_value(value))}">'
        f"{esc(text)}</span>"
    )


def cell(ident: str, value: Any, text: str) -> str:
    return f'<td class="n">{num(ident, value, text)}</td>'


def card(th: str, en: str, body: str, extra: str = "", *, bad: bool = False) -> str:
    css = "card bad" if bad else "card"
    return (
        f'<div class="{css}"><div class="label">{esc(th)}<br><small>{esc(en)}</small></div>'
        f'<div class="value">{body}</div>{extra}</div>'
    )
