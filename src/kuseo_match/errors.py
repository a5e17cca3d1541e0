"""The one error family of kuseo_match.

Every error the library raises for bad input or an impossible request derives
from :class:`KuseoError`, itself a :class:`ValueError`, so callers can catch
one class.  :class:`ValidationError` names *where* the problem is (table,
column, row or id, value) and says what to change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["InfeasibleError", "KuseoError", "ValidationError", "printable", "shown"]

#: Longest quoted value in a message, in characters of its ``repr``.
SHOWN_MAX = 80


def shown(value: Any, limit: int = SHOWN_MAX) -> str:
    r"""``value`` as a message quotes it: its ``repr``, so that control and
    invisible characters show escaped (a terminal never runs them; a zero-width
    space shows as ``\u200b``), cut to about ``limit`` characters with the
    full length given.

    Examples
    --------
    >>> print(shown("HH\u200b01"))
    'HH\u200b01'
    >>> print(shown("x" * 1000, limit=12))
    'xxxxxxx...' (1,000 characters)
    >>> print(shown(7))
    7
    """
    if hasattr(value, "dtype") and hasattr(value, "item"):  # a numpy scalar, as Python
        value = value.item()
    text = repr(value)
    if len(text) <= limit:
        return text
    if isinstance(value, str):
        return f"{text[: limit - 4]}...{text[0]} ({len(value):,} characters)"
    return text[: limit - 3] + "..."


_CONTROLS = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


def printable(text: str) -> str:
    r"""``text`` with control, bidirectional and invisible characters shown
    as escapes (``\x1b``, ``\u200b``), tabs and line breaks kept: safe to
    print on a terminal or to put in a report.

    Examples
    --------
    >>> print(printable("agency \x1b]0;pwned\x07"))
    agency \x1b]0;pwned\x07
    """
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class KuseoError(ValueError):
    """Base class of every error raised by kuseo_match."""


class ValidationError(KuseoError):
    """Bad input: a table, a column, a row or a setting that cannot be used.

    Parameters
    ----------
    message : str
        What is wrong and what to change.
    table : str, optional
        The input the problem is in: ``"officers"``, ``"households"``,
        ``"costs"``, ``"policy"``, ``"fit_table"``, or an argument name.
    column : str, optional
        The column (or, for ``"policy"``, the field) at fault.
    row : object, optional
        Where the first offending row is.  For a table read from a file
        (:func:`kuseo_match.read_table`), the row number as a spreadsheet
        shows it (the header is row 1); otherwise the row's id, or its index
        label in the frame.
    value : object, optional
        The offending value.
    file : str, optional
        The file the table was read from (``"officers.xlsx"``, with the sheet
        when it is a workbook); it opens the message instead of ``table``.
    id : object, optional
        The id of the offending row, when ``row`` is a file's row number.

    Examples
    --------
    >>> err = ValidationError("must be >= 0", table="officers", column="capacity",
    ...                       row="OF-7", value=-1)
    >>> str(err)
    "officers: column 'capacity', row 'OF-7', value -1: must be >= 0"
    >>> str(ValidationError("must be >= 0", table="officers", column="capacity", row=5,
    ...                     value=-1, file="officers.csv", id="OF-7"))
    "officers.csv: column 'capacity', row 5 (id 'OF-7'), value -1: must be >= 0"
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        column: str | None = None,
        row: Any = None,
        value: Any = None,
        file: str | None = None,
        id: Any = None,
    ) -> None:
        row, value, id = (
            v.item() if hasattr(v, "item") and hasattr(v, "dtype") else v for v in (row, value, id)
        )
        self.table = table
        self.column = column
        self.row = row
        self.value = value
        self.file = file
        self.id = id
        self.reason = message
        super().__init__(self.located(message))

    def located(self, message: str, words: Mapping[str, str] | None = None) -> str:
        """``message`` opened by where the problem is, as ``str(self)`` opens the
        reason; ``words`` replaces the words ``"column"``, ``"field"``, ``"row"``,
        ``"id"`` and ``"value"`` (a translation)."""
        word = {} if words is None else words
        where = []
        if self.column is not None:
            kind = "field" if self.table in ("policy", "options") else "column"
            where.append(f"{word.get(kind, kind)} {shown(self.column)}")
        if self.row is not None:
            key = f" ({word.get('id', 'id')} {shown(self.id)})" if self.id is not None else ""
            where.append(f"{word.get('row', 'row')} {shown(self.row)}{key}")
        if self.value is not None:
            where.append(f"{word.get('value', 'value')} {shown(self.value)}")
        prefix = self.file or self.table or ""
        if where:
            prefix = f"{prefix}: {', '.join(where)}" if prefix else ", ".join(where)
        return f"{prefix}: {message}" if prefix else message


class InfeasibleError(KuseoError):
    """A request that no pairing can satisfy (raised only where the caller
    asked for a guarantee, never for a plain capacity shortfall, which is
    reported in ``Result.unmatched``)."""
