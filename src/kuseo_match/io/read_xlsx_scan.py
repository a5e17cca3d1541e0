"""A quick pass over a worksheet's XML, before pandas reads it cell by cell.

A sheet can declare (and hold, as formatted empty rows) a million rows while
its data ends at row 40; a script can write formulas that no program has
computed; rows can be hidden.  :func:`scan_sheet` finds these in the raw XML of
the sheet, a chunk at a time (memory stays bounded), at a small fraction of the
time openpyxl takes for the same sheet: it looks for a few tags with
``bytes.find``, not for every cell.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO
from xml.sax.saxutils import unescape

__all__ = ["FormulaCell", "SheetScan", "scan_sheet"]

#: Bytes of the sheet's XML decompressed at a time.
_CHUNK = 1 << 20

#: How many examples (rows, cells) a scan keeps for messages.
_EXAMPLES = 5

_PREFIX = re.compile(rb"<([A-Za-z_][\w.\-]*:)?sheetData[\s>/]")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?dimension\s[^>]*?\bref=\"([^\"]*)\"")
_ROW_NUMBER = re.compile(rb"\br=\"(\d+)\"")
_CELL_REF = re.compile(rb"\br=\"([A-Za-z]{1,3}\d+)\"")
_CELL_TYPE = re.compile(rb"\bt=\"(\w+)\"")
_HIDDEN = re.compile(rb"\bhidden=\"(?:1|true)\"")
_LAST_ROW = re.compile(rb"[A-Za-z]*(\d+)$")


@dataclass(frozen=True)
class FormulaCell:
    """A formula cell without a saved value.

    Attributes
    ----------
    ref : str
        The cell as Excel names it (``"D2"``), or ``"row N"`` when the file
        does not say.
    row : int
        Its row number (from 1).
    formula : str
        The formula without its ``=`` (empty for the copies of a shared
        formula, which only point to the first cell's).
    """

    ref: str
    row: int
    formula: str


@dataclass
class SheetScan:
    """What :func:`scan_sheet` found in a worksheet.

    Attributes
    ----------
    declared : str or None
        The range the sheet declares it uses (``"A1:J1000000"``), if any.
    last_row : int
        The last row holding a value, a formula or text (0: none).
    over : bool
        The scan stopped early: a row after ``stop_row`` holds data.
    formulas : list of FormulaCell
        The first few formula cells without a saved value, from ``start_row`` on.
    formula_count : int
        How many such cells there are.
    hidden : array of int
        The numbers of the rows marked hidden, from ``start_row`` on.
    """

    declared: str | None = None
    last_row: int = 0
    over: bool = False
    formulas: list[FormulaCell] = field(default_factory=list)
    formula_count: int = 0
    hidden: array = field(default_factory=lambda: array("q"))

    @property
    def declared_rows(self) -> int | None:
        """The last row of the declared range, if it names one."""
        if not self.declared:
            return None
        match = _LAST_ROW.search(self.declared.encode())
        return int(match.group(1)) if match else None

    def hidden_through(self, last: int) -> list[int]:
        """The hidden rows up to and including row ``last``."""
        return list(self.hidden[: bisect_right(self.hidden, last)])


def scan_sheet(source: IO[bytes], *, start_row: int = 1, stop_row: int | None = None) -> SheetScan:
    """Scan the XML of a worksheet (``xl/worksheets/sheetN.xml``).

    Parameters
    ----------
    source : binary file
        The sheet's XML, e.g. ``zipfile.ZipFile(path).open(member)``.
    start_row : int, default 1
        Formula cells and hidden rows are noted from this row on (the header).
    stop_row : int, optional
        Stop as soon as a row after this one holds data (``over`` is set).

    Returns
    -------
    SheetScan

    Examples
    --------
    >>> import io
    >>> xml = (b'<worksheet><dimension ref="A1:B9"/><sheetData>'
    ...        b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
    ...        b'<row r="2" hidden="1"><c r="A2"><v>7</v></c><c r="B2"><f>1+2</f><v/></c></row>'
    ...        b'<row r="9"><c r="A9" s="1"/></row></sheetData></worksheet>')
    >>> scan = scan_sheet(io.BytesIO(xml))
    >>> scan.declared_rows, scan.last_row, list(scan.hidden), scan.formulas
    (9, 2, [2], [FormulaCell(ref='B2', row=2, formula='1+2')])
    """
    scan = SheetScan()
    pieces = _rows_of(source, scan)
    prefix = next(pieces, None)
    if prefix is None:
        return scan
    tags = _Tags(prefix)
    row = 0  # the number of the last row tag before the piece
    for piece in pieces:
        rows = _Rows(piece, tags, row)
        if b"hidden=" in piece:
            for at, number in zip(*rows.all(), strict=True):
                end = piece.find(b">", at)
                if number >= start_row and _HIDDEN.search(piece, at, end):
                    scan.hidden.append(number)
        last = tags.last_data(piece)
        if last >= 0:
            scan.last_row = max(scan.last_row, rows.at(last))
        if tags.formula in piece:
            _formulas(piece, tags, rows, start_row, scan)
        if stop_row is not None and scan.last_row > stop_row:
            scan.over = True
            break
        row = rows.at(len(piece))
    return scan


class _Tags:
    """The literal tags of a sheet, with its namespace prefix (``x:`` or none)."""

    def __init__(self, prefix: bytes) -> None:
        self.row = b"<" + prefix + b"row"
        self.cell = b"<" + prefix + b"c"
        self.cell_end = b"</" + prefix + b"c>"
        self.value = b"<" + prefix + b"v"
        self.inline = b"<" + prefix + b"is"
        self.formula = b"<" + prefix + b"f"
        self.formula_end = b"</" + prefix + b"f>"

    def last_data(self, piece: bytes) -> int:
        """Where the last tag of ``piece`` holding data starts (-1: none).

        Data is a non-empty value (``<v>``), inline text (``<is>``) or a
        formula (``<f>``, computed or not)."""
        last = max(_rfind_tag(piece, self.inline, len(piece)), _rfind_tag(piece, self.formula))
        end = len(piece)
        while True:
            at = _rfind_tag(piece, self.value, end)
            if at <= last:
                return last
            if not _empty_element(piece, at):
                return at
            end = at


def _find_tag(piece: bytes, tag: bytes, start: int) -> int:
    """The next start of element ``tag`` (not of a longer name) from ``start``."""
    at = piece.find(tag, start)
    while at >= 0 and piece[at + len(tag) : at + len(tag) + 1] not in (b" ", b">", b"/", b""):
        at = piece.find(tag, at + 1)
    return at


def _rfind_tag(piece: bytes | bytearray, tag: bytes, end: int | None = None, start: int = 0) -> int:
    """The last start of element ``tag`` between ``start`` and ``end``."""
    at = piece.rfind(tag, start, len(piece) if end is None else end)
    while at >= 0 and piece[at + len(tag) : at + len(tag) + 1] not in (b" ", b">", b"/", b""):
        at = piece.rfind(tag, start, at)
    return at


def _empty_element(piece: bytes, at: int) -> bool:
    """Whether the element starting at ``at`` (``<v>``) has no text."""
    end = piece.find(b">", at)
    if end < 0 or piece[end - 1 : end] == b"/":
        return True
    return piece[end + 1 : end + 2] in (b"<", b"")


class _Rows:
    """The row numbers of a piece: from the ``r`` of the row tag before a
    position, or by counting the row tags when a file leaves ``r`` out."""

    def __init__(self, piece: bytes, tags: _Tags, before: int) -> None:
        self.piece = piece
        self.tag = tags.row
        self.before = before  # the number of the last row before the piece
        self._all: tuple[list[int], list[int]] | None = None

    def at(self, position: int) -> int:
        """The number of the row that ``position`` is in."""
        tag = _rfind_tag(self.piece, self.tag, position)
        if tag < 0:
            return self.before
        match = _ROW_NUMBER.search(self.piece, tag, self.piece.find(b">", tag))
        if match:
            return int(match.group(1))
        starts, numbers = self.all()
        return numbers[bisect_right(starts, position) - 1]

    def all(self) -> tuple[list[int], list[int]]:
        """Where each row tag starts and the number of the row it opens."""
        if self._all is None:
            starts: list[int] = []
            numbers: list[int] = []
            number = self.before
            at = _find_tag(self.piece, self.tag, 0)
            while at >= 0:
                end = self.piece.find(b">", at)
                match = _ROW_NUMBER.search(self.piece, at, end)
                number = int(match.group(1)) if match else number + 1
                starts.append(at)
                numbers.append(number)
                at = _find_tag(self.piece, self.tag, end)
            self._all = (starts, numbers)
        return self._all


def _formulas(piece: bytes, tags: _Tags, rows: _Rows, start_row: int, scan: SheetScan) -> None:
    """Note the formula cells of ``piece`` that have no saved value."""
    at = _find_tag(piece, tags.formula, 0)
    while at >= 0:
        cell = _rfind_tag(piece, tags.cell, at)
        end = piece.find(tags.cell_end, at)
        end = len(piece) if end < 0 else end
        row = rows.at(at)
        if row >= start_row and not _has_value(piece, tags, at, end):
            head = piece[cell : piece.find(b">", cell)] if cell >= 0 else b""
            kind = _CELL_TYPE.search(head)
            # A formula giving empty text has an empty value and t="str": Excel saved it.
            if not (kind and kind.group(1) == b"str"):
                scan.formula_count += 1
                if len(scan.formulas) < _EXAMPLES:
                    ref = _CELL_REF.search(head)
                    name = ref.group(1).decode() if ref else f"row {row}"
                    scan.formulas.append(FormulaCell(name, row, _formula_text(piece, tags, at)))
        at = _find_tag(piece, tags.formula, end)


def _has_value(piece: bytes, tags: _Tags, start: int, end: int) -> bool:
    at = _find_tag(piece, tags.value, start)
    while 0 <= at < end:
        if not _empty_element(piece, at):
            return True
        at = _find_tag(piece, tags.value, at + 1)
    return False


def _formula_text(piece: bytes, tags: _Tags, at: int) -> str:
    """The text of the formula element at ``at`` (at most a few hundred characters)."""
    close = piece.find(b">", at)
    if close < 0 or piece[close - 1 : close] == b"/":
        return ""
    end = piece.find(tags.formula_end, close)
    text = piece[close + 1 : end if end >= 0 else close + 1][:400]
    return unescape(text.decode("utf-8", errors="replace"))


def _rows_of(source: IO[bytes], scan: SheetScan) -> Iterator[bytes]:
    """The sheet's namespace prefix, then pieces of its ``sheetData`` that each
    start at a row tag and end before one (a piece holds whole rows)."""
    buffer = bytearray()
    prefix: bytes | None = None
    row_tag = close = b""
    searched = 0  # the buffer before this was searched for a row tag and the end
    while True:
        data = source.read(_CHUNK)
        buffer += data
        if prefix is None:
            match = _PREFIX.search(buffer)
            if match is None:
                if not data:
                    return
                continue
            prefix = match.group(1) or b""
            dimension = _DIMENSION.search(buffer, 0, match.start())
            if dimension is not None:
                scan.declared = dimension.group(1).decode("ascii", errors="replace")
            yield prefix
            del buffer[: match.start()]
            row_tag = b"<" + prefix + b"row"
            close = b"</" + prefix + b"sheetData>"
            searched = 0
        end = buffer.find(close, max(0, searched - len(close)))
        if end >= 0:
            yield bytes(buffer[:end])
            return
        if not data:
            yield bytes(buffer)
            return
        cut = _rfind_tag(buffer, row_tag, start=max(0, searched - len(row_tag)))
        searched = len(buffer)
        if cut > 0:
            yield bytes(buffer[:cut])
            del buffer[:cut]
            searched = len(buffer)
