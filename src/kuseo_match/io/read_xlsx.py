"""Excel workbooks: the sheet and header row found, values unchanged."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import ValidationError
from .formats import _TITLE_ROWS, _check_header, _header_at, _is_id, _na_values

if TYPE_CHECKING:
    pass

logger = logging.getLogger("kuseo_match.io")


def _read_xlsx(
    path: Path,
    name: str,
    sheet: str | int | None,
    header_row: int | None,
    ids: tuple[str, ...],
    required: bool,
) -> tuple[pd.DataFrame, int, str]:
    """The frame of a worksheet, the row number of its first data row and the sheet."""
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise ValidationError(
            f"{path} is not a readable Excel workbook (damaged, password-protected, or an "
            "old .xls renamed); open it in Excel and save it as .xlsx",
            file=name,
        ) from exc
    with book:
        names = [str(s) for s in book.sheet_names]
        chosen, found = _choose_sheet(book, names, sheet, path, name, ids, required)
        where = f"{name}, sheet {chosen!r}"
        if header_row is None:
            header_row = found or 1
            if found and found > 1:
                logger.info("%s: the header is row %d (rows above it skipped)", where, found)
        rows = list(
            book.book[chosen].iter_rows(min_row=header_row, max_row=header_row, values_only=True)
        )
        header = ["" if v is None else str(v) for v in (rows[0] if rows else ())]
        if not any(h.strip() for h in header):
            at = "its first row" if header_row == 1 else f"its row {header_row}"
            raise ValidationError(
                f"sheet {chosen!r} of {path} is empty (or {at} is blank); put the header "
                "in row 1, or give its row as header_row (--header-row)",
                file=name,
            )
        _check_header(header, path, where)
        columns = pd.read_excel(book, sheet_name=chosen, nrows=0, header=header_row - 1).columns
        frame = pd.read_excel(
            book,
            sheet_name=chosen,
            header=header_row - 1,
            dtype={c: str for c in columns if _is_id(c)},
            keep_default_na=False,
            na_values=_na_values(columns),
        )
    logger.debug("read %s: header row %d, %d rows, %d columns", where, header_row, *frame.shape)
    return frame, header_row + 1, chosen


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
    available = ", ".join(repr(s) for s in names)

    def header_of(title: str) -> int | None:
        top = book.book[title].iter_rows(max_row=_TITLE_ROWS + 1, values_only=True)
        return _header_at(top, ids)

    if sheet is None:
        for title in names:
            found = header_of(title)
            if found is not None:
                return title, found
        if required and len(names) > 1:
            what = " or ".join(map(repr, ids))
            raise ValidationError(
                f"no sheet of {path} has a {what} column in its first {_TITLE_ROWS + 1} rows; "
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
        raise ValidationError(f"{path} has no sheet {sheet!r}; sheets: {available}", file=name)
    return title, header_of(title)
