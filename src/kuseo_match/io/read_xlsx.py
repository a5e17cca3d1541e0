"""Excel workbooks: the sheet and header row found, values unchanged."""

from __future__ import annotations

import datetime
import logging
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import ValidationError, shown
from .formats import (
    TITLE_ROWS,
    check_header,
    check_ids,
    finds_id,
    header_at,
    is_id,
    missing_id,
    na_values,
)
from .read_xlsx_scan import SheetScan, scan_sheet

if TYPE_CHECKING:
    pass

logger = logging.getLogger("kuseo_match.io")


def read_xlsx_table(
    path: Path,
    name: str,
    sheet: str | int | None,
    header_row: int | None,
    ids: tuple[str, ...],
    required: bool,
    max_rows: int | None = None,
) -> tuple[pd.DataFrame, int, str]:
    """The frame of a worksheet, the row number of its first data row and the sheet.

    ``required``: refuse a sheet whose header does not name one of ``ids``;
    ``max_rows``: refuse more data rows than this.  A workbook damaged inside
    (cut XML, a broken zip member) is refused as one that cannot be opened.
    """
    try:
        return _read_book(path, name, sheet, header_row, ids, required, max_rows)
    except (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError) as exc:
        raise ValidationError(  # SyntaxError: the XML parser's ParseError
            f"{path} is a damaged Excel workbook ({shown(str(exc), 120)}); open it in Excel, "
            "repair it if Excel offers to, and save it as .xlsx",
            file=name,
        ) from exc


def _read_book(
    path: Path,
    name: str,
    sheet: str | int | None,
    header_row: int | None,
    ids: tuple[str, ...],
    required: bool,
    max_rows: int | None = None,
) -> tuple[pd.DataFrame, int, str]:
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
        SyntaxError,
    ) as exc:  # ParseError of broken XML is a SyntaxError
        raise ValidationError(
            f"{path} is not a readable Excel workbook (damaged, password-protected, or an "
            "old .xls renamed); open it in Excel and save it as .xlsx",
            file=name,
        ) from exc
    with book:
        names = [str(s) for s in book.sheet_names]
        chosen, found = _choose_sheet(book, names, sheet, path, name, ids, required)
        where = f"{name}, sheet {shown(chosen)}"
        given = header_row is not None
        if header_row is None:
            header_row = found or 1
            if found and found > 1:
                logger.info("%s: the header is row %d (rows above it skipped)", where, found)
        worksheet = book.book[chosen]
        rows = list(worksheet.iter_rows(min_row=header_row, max_row=header_row, values_only=True))
        cells = rows[0] if rows else ()
        header = ["" if v is None else str(v) for v in cells]
        if not any(h.strip() for h in header):
            at = "its first row" if header_row == 1 else f"its row {header_row}"
            raise ValidationError(
                f"sheet {shown(chosen)} of {path} is empty (or {at} is blank); put the header "
                "in row 1, or give its row as header_row (--header-row)",
                file=name,
            )
        if required and not finds_id(cells, ids):
            looked = header_row if given else min(TITLE_ROWS + 1, worksheet.max_row or 1)
            raise missing_id(ids, where, looked, cells, header_row if given else None)
        check_header(header, path, where)
        scan = _scan(path, worksheet, header_row, max_rows)
        nrows = None
        if scan is not None:
            _check_scan(scan, path, where, header, header_row, max_rows)
            nrows = max(scan.last_row - header_row, 0)
        columns = pd.read_excel(book, sheet_name=chosen, nrows=0, header=header_row - 1).columns
        frame = pd.read_excel(
            book,
            sheet_name=chosen,
            header=header_row - 1,
            nrows=nrows,
            # ids as the cells hold them: a date is refused, anything else becomes text
            dtype={c: object for c in columns if is_id(c)},
            keep_default_na=False,
            na_values=na_values(columns),
        )
    first = header_row + 1
    if max_rows is not None and len(frame) > max_rows:  # only when the sheet was not scanned
        raise _too_many(path, where, f"{len(frame):,} data rows", header_row, max_rows, None)
    frame = _ids_as_text(frame, first, where)
    check_ids(frame, first, where, cell=_cell)
    logger.debug("read %s: header row %d, %d rows, %d columns", where, header_row, *frame.shape)
    return frame, first, chosen


def _cell(column: int, row: int) -> str:
    """The cell of 0-based ``column`` in ``row``, as Excel names it (``"D2"``)."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column + 1)}{row}"


def _scan(path: Path, worksheet: Any, header_row: int, max_rows: int | None) -> SheetScan | None:
    """A quick look at the sheet's XML (None when it cannot be found)."""
    member = getattr(worksheet, "_worksheet_path", None)
    if not isinstance(member, str):
        return None
    stop = None if max_rows is None else header_row + max_rows
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as source:
            return scan_sheet(source, start_row=header_row, stop_row=stop)
    except (KeyError, zipfile.BadZipFile, zlib.error, EOFError):
        return None  # pandas will read it, or say what is wrong


def _too_many(
    path: Path, where: str, count: str, header_row: int, max_rows: int, declared: str | None
) -> ValidationError:
    """``count``: how many rows there are, as the message says it."""
    size = f" (the sheet declares the range {shown(declared)})" if declared else ""
    return ValidationError(
        f"{path} has {count} below the header (row {header_row}){size}, more than "
        f"max_rows={max_rows:,}; check that this is the right sheet, delete the rows below "
        "the table, or pass a larger max_rows to read_table (max_rows=None: no limit; the "
        "default, 2,000,000, is three times the households of the whole country)",
        file=where,
    )


def _check_scan(
    scan: SheetScan,
    path: Path,
    where: str,
    header: list[str],
    header_row: int,
    max_rows: int | None,
) -> None:
    """Refuse a sheet with too many rows or with formulas no program computed;
    warn about hidden rows."""
    if scan.over and max_rows is not None:
        count = f"data in row {scan.last_row:,}, {scan.last_row - header_row:,} rows"
        raise _too_many(path, where, count, header_row, max_rows, scan.declared)
    if scan.formula_count:
        cell = scan.formulas[0]
        letters = cell.ref.rstrip("0123456789")
        column = None
        if letters and cell.row > header_row:
            from openpyxl.utils import column_index_from_string

            j = column_index_from_string(letters) - 1
            column = header[j] if j < len(header) and header[j].strip() else None
        others = ""
        if scan.formula_count > 1:
            listed = ", ".join(f.ref for f in scan.formulas[1:])
            more = ", ..." if scan.formula_count > len(scan.formulas) else ""
            others = f" ({scan.formula_count - 1:,} more such cell(s): {listed}{more})"
        raise ValidationError(
            f"cell {cell.ref} holds a formula without a saved value{others}: the "
            "workbook was written by a program and never saved in Excel, so the cell would "
            "read as empty; open and save it in Excel (so the value is stored), or type the "
            "value",
            file=where,
            column=column,
            row=cell.row,
            value=f"={cell.formula}" if cell.formula else None,
        )
    hidden = [r for r in scan.hidden_through(scan.last_row) if r > header_row]
    if hidden:
        listed = ", ".join(str(r) for r in hidden[:5]) + (", ..." if len(hidden) > 5 else "")
        logger.warning(
            "%s: %d hidden row(s) read as usual (row %s); unhide them in Excel to check them",
            where,
            len(hidden),
            listed,
        )


def _ids_as_text(frame: pd.DataFrame, first: int, where: str) -> pd.DataFrame:
    """Id columns as text, exactly as written; a date in one is refused (Excel turns
    ids such as ``1-2`` or ``2024-01-02`` into dates)."""
    for j, column in enumerate(frame.columns):
        if not is_id(column):
            continue
        values = frame.iloc[:, j]
        if values.dtype.kind == "M":
            dates = values.notna().to_numpy()
        elif values.dtype == object:
            dates = np.fromiter(
                (isinstance(v, _DATE_TYPES) for v in values.to_numpy()), bool, len(values)
            )
        else:
            dates = np.zeros(len(values), bool)
        if dates.any():
            i = int(dates.argmax())
            row = first + i
            value = values.iloc[i]
            raise ValidationError(
                f"cell {_cell(j, row)} holds a date ({shown(str(value))}), not an id: Excel "
                "took the id for a date; format the id column as Text in Excel and retype "
                "the ids",
                file=where,
                column=str(column),
                row=row,
            )
        frame.isetitem(j, values.astype(str).where(values.notna()))  # NaN stays missing
    return frame


#: What openpyxl gives for a cell Excel shows as a date or time.
_DATE_TYPES = (datetime.date, datetime.time, datetime.timedelta)


def _choose_sheet(
    book: pd.ExcelFile,
    names: list[str],
    sheet: str | int | None,
    path: Path,
    name: str,
    ids: tuple[str, ...],
    required: bool,
) -> tuple[str, int | None]:
    """The worksheet to read and its header row (None: no id column found in it)."""
    available = ", ".join(shown(s, limit=40) for s in names[:30])
    if len(names) > 30:
        available += f" and {len(names) - 30} more"

    def header_of(title: str) -> int | None:
        top = book.book[title].iter_rows(max_row=TITLE_ROWS + 1, values_only=True)
        return header_at(top, ids)

    if sheet is None:
        for title in names:
            found = header_of(title)
            if found is not None:
                return title, found
        if required and len(names) > 1:
            what = " or ".join(map(repr, ids))
            raise ValidationError(
                f"no sheet of {path} has a {what} column in its first {TITLE_ROWS + 1} rows; "
                f"sheets: {available}; name the one to read with sheet= (--sheet)",
                file=name,
            )
        return names[0], header_of(names[0])
    if isinstance(sheet, bool) or not isinstance(sheet, str | int):
        raise ValidationError(
            f"sheet must be a sheet name or a 0-based position, not "
            f"{type(sheet).__name__}; sheets in {path}: {available}",
            file=name,
        )
    if isinstance(sheet, int):
        if not -len(names) <= sheet < len(names):
            raise ValidationError(
                f"{path} has {len(names)} sheet(s), so there is no sheet at position "
                f"{sheet}; sheets: {available}",
                file=name,
            )
        title = names[sheet]
    elif sheet in names:
        title = sheet
    else:
        raise ValidationError(f"{path} has no sheet {shown(sheet)}; sheets: {available}", file=name)
    return title, header_of(title)
