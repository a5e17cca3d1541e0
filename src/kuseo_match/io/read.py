"""``read_table``: a ``.csv``/``.txt``, ``.xlsx`` or ``.parquet`` file as a DataFrame,
values unchanged; the reader of each format is in :mod:`.read_csv`, :mod:`.read_xlsx`
and :mod:`.read_parquet`."""

from __future__ import annotations

import functools
import logging
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import ValidationError, shown
from ..schema import (
    SOURCE_ATTR,
    blank_cells,
)
from .formats import CSV_SUFFIXES, ID_COLUMNS, MAX_ROWS, XLSX_SUFFIXES, PathLike
from .read_csv import read_csv_table
from .read_parquet import PARQUET_SUFFIXES, read_parquet_table
from .read_xlsx import read_xlsx_table

if TYPE_CHECKING:
    pass

logger = logging.getLogger("kuseo_match.io")


@dataclass(frozen=True)
class Reader:
    """How one file format is read: a new format is one more module with a
    function of this shape and one more entry in :data:`READERS`.

    Attributes
    ----------
    kind : str
        The format in messages ("a text file").
    suffixes : tuple of str
        The file name endings it reads, lower case.
    option : str or None
        Its one format-specific option of :func:`read_table`: ``"encoding"``,
        ``"sheet"``, or None (Parquet).
    read : callable
        ``read(path, name, option, header_row, ids, required, max_rows)`` ->
        ``(frame, first data row number, sheet or None)``.
    header_row : bool
        Whether ``header_row=`` applies: False for a format whose file names
        its columns (Parquet).
    """

    kind: str
    suffixes: tuple[str, ...]
    option: str | None
    read: Callable[..., tuple[pd.DataFrame, int, str | None]]
    header_row: bool = True

    @property
    def options(self) -> tuple[str, ...]:
        """The format-specific options of :func:`read_table` this format takes."""
        named = () if self.option is None else (self.option,)
        return named + (("header_row",) if self.header_row else ())


#: The readers, by format.
READERS: tuple[Reader, ...] = (
    Reader("a text file", CSV_SUFFIXES, "encoding", read_csv_table),
    Reader("an Excel workbook", XLSX_SUFFIXES, "sheet", read_xlsx_table),
    Reader("a Parquet file", PARQUET_SUFFIXES, None, read_parquet_table, header_row=False),
)
_READERS = {suffix: r for r in READERS for suffix in r.suffixes}
#: Which files each format-specific option is for, in messages.
_FOR = {
    "encoding": "CSV files",
    "sheet": "Excel workbooks",
    "header_row": "CSV files and Excel workbooks",
}


def reader_of(path: PathLike) -> Reader | None:
    """The reader of ``path``, by its suffix (None for an unknown one).

    Examples
    --------
    >>> reader_of("households.PQ").kind, reader_of("officers.csv").options
    ('a Parquet file', ('encoding', 'header_row'))
    """
    return _READERS.get(Path(path).suffix.lower())


def read_table(
    path: PathLike,
    *,
    table: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    id_column: str | None = None,
    max_rows: int | None = MAX_ROWS,
) -> pd.DataFrame:
    """Read a ``.csv``/``.txt``, ``.xlsx`` or ``.parquet`` table without changing its values.

    Parameters
    ----------
    path : str or os.PathLike
        The file.  ``.csv`` and ``.txt`` are read as delimited text: comma,
        semicolon or tab, whichever splits the header into the most fields
        (ties go to the comma), with LF, CRLF or CR-only ("CSV (Macintosh)")
        line ends and fields of any length; ``.xlsx`` and ``.xlsm`` as Excel
        workbooks (formula cells give the value Excel saved; hidden rows are
        read, with a warning); ``.parquet`` and ``.pq`` as Parquet files, with
        pyarrow (``pip install "kuseo-match[parquet]"``): typed columns keep
        their type, text stays text, and an empty text cell is missing, as in
        a CSV file.  The suffix is case-insensitive.
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
        rows 1-21 that names the id column or, when the rows right below it
        name it too (a header in two languages, such as the Thai labels above
        the column names in ``pairs.xlsx``), the last of them, just above the
        data (a title above the header is skipped, and the row used is
        logged), else row 1.  Not for Parquet files, which name their columns.
    id_column : str, optional
        The id column the table must have (``"officer_id"``,
        ``"household_id"``): it chooses the sheet and the header row, and a
        file whose header (in its first 21 rows, or at ``header_row``) does
        not name it, by name or alias, is refused from its head, before the
        rest is read or decoded; a workbook in which no sheet has it is
        refused with a message listing the sheets; a Parquet file without it,
        from its footer, before its data is read.
    max_rows : int or None, default 2,000,000
        Most data rows (below the header) accepted; a file with more is
        refused before its table is built (for a workbook, from the rows that
        hold data, so that a sheet formatted down to row 1,048,576 is still
        read).  The largest province has about 50,000 households and the
        whole country about 650,000, so more rows than the default are a
        wrong file or an export gone wrong, which would otherwise take
        minutes and gigabytes to read (a Parquet file's row count is in its
        footer).  ``None``: no limit.

    Returns
    -------
    pandas.DataFrame
        One row per data row, headers from the header row.  Id columns (by
        name or alias) are strings exactly as written (``"007"`` stays
        ``"007"``; only an empty cell is missing); other columns are
        inferred as pandas does.  Rows whose cells are all empty are left
        out (a warning says how many).  A header-only file gives an empty
        frame with those columns.  ``frame.attrs`` notes the file, sheet and
        each row's spreadsheet row number (:class:`kuseo_match.schema.Source`;
        for Parquet, the row number of the table saved as CSV, from 2), so
        that validation messages can name them.

    Raises
    ------
    ValidationError
        Missing, unreadable, empty, undecodable or malformed file (a damaged
        Parquet file; pyarrow missing for one), unknown suffix, repeated
        column names, missing sheet or id column, more than ``max_rows``
        rows, an id that Excel turned into a date or saved in scientific
        notation (``1.40990E+12``: its digits are lost), a formula
        cell without a saved value, or an option that does not apply to the
        file type.

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
    if max_rows is not None and (
        isinstance(max_rows, bool) or not isinstance(max_rows, int | np.integer) or max_rows < 0
    ):
        raise ValidationError(
            "max_rows must be a whole number of rows (>= 0), or None for no limit",
            file=name,
            value=max_rows,
        )
    ids = (id_column,) if id_column is not None else ID_COLUMNS
    reader = reader_of(path)
    if reader is None:
        old = path.suffix.lower() == ".xls"
        hint = " (old Excel format: open it in Excel and save as .xlsx)" if old else ""
        raise ValidationError(
            f"cannot read {path}: unknown file type {path.suffix or '(none)'!r}{hint}; "
            f"use one of {', '.join(_READERS)}",
            file=name,
        )
    chosen_options = {"encoding": encoding, "sheet": sheet, "header_row": header_row}
    for option, value in chosen_options.items():
        if value is not None and option not in reader.options:
            raise ValidationError(
                f"{option}= applies to {_FOR[option]} only, and {path} is {reader.kind}; "
                f"drop the {option} option",
                file=name,
            )
    _check_readable(path, name)
    given = None if header_row is None else int(header_row)
    limit = None if max_rows is None else int(max_rows)
    read = functools.partial(
        reader.read,
        path,
        name,
        None if reader.option is None else chosen_options[reader.option],
        given,
        ids,
        id_column is not None,
        limit,
    )
    try:
        frame, first, chosen = read()
    except OSError as exc:  # a disk or network error half-way through the file
        raise ValidationError(f"cannot read {path}: {_reason(exc)}", file=name) from exc
    return _without_empty_rows(frame, name, chosen, first)


def _reason(exc: OSError) -> str:
    """What went wrong, as the system says it (without repeating the path)."""
    return exc.strerror or shown(str(exc), limit=200)


def _check_readable(path: Path, name: str) -> None:
    """Refuse a path that is not a file this process may read, saying why."""
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise ValidationError(f"is a folder, not a file: {path}; check the path", file=name)
        if not stat.S_ISREG(mode):
            raise ValidationError(
                f"is not a regular file (a device or a pipe): {path}; check the path", file=name
            )
        with open(path, "rb"):
            pass
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise ValidationError(f"no such file: {path}; check the path", file=name) from exc
    except PermissionError as exc:
        raise ValidationError(
            f"cannot read {path}: {_reason(exc)}; check that you may read it (and close it "
            "if another program, such as Excel, has it open)",
            file=name,
        ) from exc
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {_reason(exc)}", file=name) from exc


def _without_empty_rows(
    frame: pd.DataFrame, name: str, sheet: str | None, first: int
) -> pd.DataFrame:
    """``frame`` without rows whose cells are all empty, noting the file, sheet and
    spreadsheet row of every row left (``first``: the row number of the first)."""
    rows = np.arange(first, first + len(frame), dtype=np.int64)
    blank = np.ones(len(frame), dtype=bool) if frame.shape[1] else np.zeros(len(frame), bool)
    for i in range(frame.shape[1]):
        maybe = np.flatnonzero(blank)  # only rows blank so far can still be empty
        if not len(maybe):
            break
        column = frame.iloc[:, i]
        blank[maybe] = blank_cells(column if len(maybe) == len(frame) else column.iloc[maybe])
    if blank.any():
        where = f"{name}, sheet {shown(sheet)}" if sheet is not None else name
        listed = ", ".join(str(r) for r in rows[blank][:5]) + (" ..." if blank.sum() > 5 else "")
        logger.warning("%s: %d empty row(s) skipped (row %s)", where, int(blank.sum()), listed)
        frame = frame.loc[~blank].reset_index(drop=True)
        rows = rows[~blank]
    frame.attrs[SOURCE_ATTR] = {"file": name, "sheet": sheet, "rows": rows}
    return frame
