"""``read_table``: a ``.csv``/``.txt`` or ``.xlsx`` file as a DataFrame, values unchanged;
the reader of each format is in :mod:`.read_csv` and :mod:`.read_xlsx`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..schema import (
    SOURCE_ATTR,
    blank_cells,
)
from .formats import _CSV_SUFFIXES, _XLSX_SUFFIXES, ID_COLUMNS, PathLike
from .read_csv import _read_csv
from .read_xlsx import _read_xlsx

if TYPE_CHECKING:
    pass

logger = logging.getLogger("kuseo_match.io")


def read_table(
    path: PathLike,
    *,
    table: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    id_column: str | None = None,
) -> pd.DataFrame:
    """Read a ``.csv``/``.txt`` or ``.xlsx`` table without changing its values.

    Parameters
    ----------
    path : str or os.PathLike
        The file.  ``.csv`` and ``.txt`` are read as delimited text: comma,
        semicolon or tab, whichever splits the header into the most fields
        (ties go to the comma); ``.xlsx`` and ``.xlsm`` as Excel workbooks.
        The suffix is case-insensitive.
    table : str, optional
        The name errors use for the file (``ValidationError.file``); default
        the file name, e.g. ``"officers.csv"``.
    encoding : str, optional
        Text encoding of a CSV file.  ``None`` (default) detects it: UTF-8
        with a byte-order mark (``"utf-8-sig"``), UTF-16 with a byte-order
        mark (Excel's "Unicode Text"), plain UTF-8, else Thai Windows
        ``"cp874"`` (a superset of TIS-620).  The encoding used is logged at
        debug level on the ``kuseo_match.io`` logger.  Only for CSV files.
    sheet : str or int, optional
        Worksheet of a workbook, by name or 0-based position.  Default: the
        first sheet whose first 21 rows hold the id column (``id_column``,
        or any of ``officer_id``/``household_id`` and their aliases), else
        the first sheet.  Only for workbooks.
    header_row : int, optional
        Row number (from 1, as Excel shows it) of the header; the rows above
        it, such as a title, are skipped.  Default: detected, the first of
        rows 1-21 that names the id column (a title above the header is
        skipped, and the row used is logged), else row 1.
    id_column : str, optional
        The id column the table must have (``"officer_id"``,
        ``"household_id"``): it chooses the sheet and the header row, and a
        workbook in which no sheet has it is refused with a message listing
        the sheets.

    Returns
    -------
    pandas.DataFrame
        One row per data row, headers from the header row.  Id columns (by
        name or alias) are strings exactly as written (``"007"`` stays
        ``"007"``; only an empty cell is missing); other columns are
        inferred as pandas does.  Rows whose cells are all empty are left
        out (a warning says how many).  A header-only file gives an empty
        frame with those columns.  ``frame.attrs`` notes the file, sheet and
        each row's spreadsheet row number (:class:`kuseo_match.schema.Source`),
        so that validation messages can name them.

    Raises
    ------
    ValidationError
        Missing, empty, undecodable or malformed file, unknown suffix,
        repeated column names, missing sheet, or an option that does not
        apply to the file type.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> text = "officer_id;agency;capacity\\n007;สำนักงานเกษตรอำเภอ;2\\n;;\\n"
    >>> _ = (folder / "officers.csv").write_bytes(text.encode("cp874"))
    >>> officers = read_table(folder / "officers.csv")
    >>> officers["officer_id"].tolist(), officers["agency"].tolist()
    (['007'], ['สำนักงานเกษตรอำเภอ'])
    >>> int(officers["capacity"].iloc[0])
    2
    >>> read_table(folder / "households.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kuseo_match.errors.ValidationError: households.csv: no such file: ...
    """
    path = Path(path)
    name = table if table is not None else path.name
    if header_row is not None and (
        isinstance(header_row, bool) or not isinstance(header_row, int | np.integer)
    ):
        raise ValidationError(
            f"header_row must be a whole row number (1 for the first row), not "
            f"{type(header_row).__name__}",
            file=name,
            value=header_row,
        )
    if header_row is not None and header_row < 1:
        raise ValidationError(
            "header_row counts from 1 (the first row), as Excel numbers rows",
            file=name,
            value=header_row,
        )
    ids = (id_column,) if id_column is not None else ID_COLUMNS
    suffix = path.suffix.lower()
    if suffix not in _CSV_SUFFIXES + _XLSX_SUFFIXES:
        hint = " (old Excel format: open it in Excel and save as .xlsx)" if suffix == ".xls" else ""
        raise ValidationError(
            f"cannot read {path}: unknown file type {path.suffix or '(none)'!r}{hint}; "
            f"use one of {', '.join(_CSV_SUFFIXES + _XLSX_SUFFIXES)}",
            file=name,
        )
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "no such file"
        raise ValidationError(f"{what}: {path}; check the path", file=name)
    given = None if header_row is None else int(header_row)
    if suffix in _CSV_SUFFIXES:
        if sheet is not None:
            raise ValidationError(
                f"sheet= applies to Excel workbooks only, and {path} is a text file; "
                "drop the sheet option",
                file=name,
            )
        frame, first, chosen = _read_csv(path, name, encoding, given, ids)
    else:
        if encoding is not None:
            raise ValidationError(
                f"encoding= applies to CSV files only, and {path} is an Excel workbook; "
                "drop the encoding option",
                file=name,
            )
        frame, first, chosen = _read_xlsx(path, name, sheet, given, ids, id_column is not None)
    return _without_empty_rows(frame, name, chosen, first)


def _without_empty_rows(
    frame: pd.DataFrame, name: str, sheet: str | None, first: int
) -> pd.DataFrame:
    """``frame`` without rows whose cells are all empty, noting the file, sheet and
    spreadsheet row of every row left (``first``: the row number of the first)."""
    rows = np.arange(first, first + len(frame), dtype=np.int64)
    blank = np.ones(len(frame), dtype=bool) if frame.shape[1] else np.zeros(len(frame), bool)
    for i in range(frame.shape[1]):
        blank &= blank_cells(frame.iloc[:, i])
    if blank.any():
        where = f"{name}, sheet {sheet!r}" if sheet is not None else name
        shown = ", ".join(str(r) for r in rows[blank][:5]) + (" ..." if blank.sum() > 5 else "")
        logger.warning("%s: %d empty row(s) skipped (row %s)", where, int(blank.sum()), shown)
        frame = frame.loc[~blank].reset_index(drop=True)
        rows = rows[~blank]
    frame.attrs[SOURCE_ATTR] = {"file": name, "sheet": sheet, "rows": rows}
    return frame
