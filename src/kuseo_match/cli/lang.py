"""The language of the ``kuseo-match`` command: its help and its messages.

The English text is the message id and the fallback; other languages come from
the gettext catalogue ``locale/LANG/LC_MESSAGES/kuseo_match.mo`` (compiled from
the ``.po`` beside it with ``pybabel compile -d src/kuseo_match/locale -D
kuseo_match``).  :func:`set_language` chooses the language for what follows (the
command sets it from ``--lang`` for one run, see :func:`using`), :func:`_`
translates a text, :func:`translated` a message whose template is in
:data:`TEMPLATES` (a library error, an argparse error), with its values kept.

Examples
--------
>>> with using("th"):
...     print(_("options"))
ตัวเลือก
>>> print(_("options"))
options
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

__all__ = [
    "LANGUAGES",
    "LOCALE_DIR",
    "TEMPLATES",
    "_",
    "default_language",
    "language",
    "set_language",
    "translated",
    "using",
]

#: The gettext domain: ``locale/*/LC_MESSAGES/kuseo_match.mo``.
DOMAIN = "kuseo_match"
#: The folder of the catalogues, shipped with the package.
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
#: The languages of ``--lang``; English needs no catalogue.
LANGUAGES = ("th", "en")

_state: dict[str, str] = {"language": "en"}


@functools.cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


def set_language(lang: str) -> None:
    """Translate what follows into ``lang`` (``"th"`` or ``"en"``).

    Raises
    ------
    ValueError
        For a language other than those of :data:`LANGUAGES`.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    _catalogue(lang)  # a missing catalogue fails here, not at the first message
    _state["language"] = lang


def language() -> str:
    """The language :func:`_` translates into now."""
    return _state["language"]


@contextlib.contextmanager
def using(lang: str) -> Iterator[None]:
    """Translate into ``lang`` inside the ``with`` block; the language before it
    comes back after it."""
    before = language()
    set_language(lang)
    try:
        yield
    finally:
        set_language(before)


def _(message: str) -> str:
    """``message`` in the current language (itself when the catalogue lacks it)."""
    return _catalogue(language()).gettext(message)


def default_language(environ: Mapping[str, str] | None = None) -> str:
    """``"th"`` when the locale's language is Thai (the first of ``LC_ALL``,
    ``LC_MESSAGES`` and ``LANG`` that is set starts with ``th``), else ``"en"``.

    Examples
    --------
    >>> default_language({"LANG": "th_TH.UTF-8"})
    'th'
    >>> default_language({"LC_ALL": "C.UTF-8", "LANG": "th_TH.UTF-8"})
    'en'
    """
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "th" if value.lower().startswith("th") else "en"
    return "en"


#: Message templates translated with their values kept: ``{name}`` stands for a
#: value (a path, a column, a list) copied as it is.  The first template that
#: matches the whole message wins, so a longer one comes before its prefix.
TEMPLATES: tuple[str, ...] = (
    # the library's errors (ValidationError's message, after its location)
    "no such file: {path}; check the path",
    "no such file: {path}",
    "missing column(s) {missing}; found {found}",
    "missing column(s) {missing}; a fit table needs {needed}",
    "unknown setting; did you mean {close}? Known: {known}",
    "unknown setting; Known: {known}",
    "give --workers or --scheduler, not both",
    "must be a whole number >= 1",
    # argparse's errors
    "the following arguments are required: {arguments}",
    "unrecognized arguments: {arguments}",
    "argument {argument}: invalid choice: {value} (choose from {choices})",
    "argument {argument}: invalid {kind} value: {value}",
    "argument {argument}: expected one argument",
)


@functools.cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)


def translated(message: str, templates: tuple[str, ...] = TEMPLATES) -> str:
    """``message`` in the current language when one of ``templates`` matches
    all of it (its values copied into the translation), else ``message``.

    Examples
    --------
    >>> with using("th"):
    ...     print(translated("no such file: x.csv"))
    ไม่พบไฟล์: x.csv
    >>> translated("no such file: x.csv")
    'no such file: x.csv'
    """
    if language() == "en":
        return message
    for template in templates:
        found = _pattern(template).fullmatch(message)
        if found:
            return _(template).format(**found.groupdict())
    return message
