"""Small HTML pieces of the page: escaped text, numbers with their raw value, cards."""

from __future__ import annotations

import html
import math
from typing import Any

from ..errors import printable
from ..labels import REASONS


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


def reason_cell(reason: Any, code: Any = None) -> str:
    """A table cell for an unmatched household's reason: the Thai text of its
    ``reason_code``, then the full English sentence (with its counts) in small
    type; the sentence alone when the code is unknown or missing.

    Examples
    --------
    >>> print(reason_cell("no officer within 20 km", "no_officer_within_reach"))
    ... # doctest: +NORMALIZE_WHITESPACE
    <td data-value="no_officer_within_reach">ไม่มีเจ้าหน้าที่ในระยะทางที่กำหนด<br><small>no
    officer within 20 km</small></td>
    >>> reason_cell("made by hand")
    '<td>made by hand</td>'
    """
    text = "" if reason is None or (isinstance(reason, float) and math.isnan(reason)) else reason
    known = REASONS.get(str(code)) if code is not None else None
    if known is None:
        return f"<td>{esc(text)}</td>"
    return f'<td data-value="{esc(code)}">{esc(known[0])}<br><small>{esc(text)}</small></td>'
