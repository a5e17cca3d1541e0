"""Reading and writing the spreadsheets, maps and summaries provincial offices use.

Provincial offices keep officers and households in Excel, in Thai, and save
CSV files in whatever encoding their Windows machine uses.  This module reads
those files without changing a value (ids such as ``"007"`` stay strings; rows
whose cells are all empty are left out, with a warning; the header row, the
sheet and the delimiter are found) and writes results that open correctly in
Excel: CSV in UTF-8 with a byte-order mark, where text that could run as a
formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return)
gets a leading ``'``, and workbooks whose text cells keep their exact text
(Excel never evaluates a text cell).

Readers and writers raise :class:`~kuseo_match.errors.ValidationError` naming
the file (``file="officers.csv"``) and saying what to do.  Checking the
*content* of the tables is the job of :mod:`kuseo_match.schema`, not of this
module.

Functions
---------
read_table
    A ``.csv``/``.txt`` or ``.xlsx`` file as a DataFrame.
neutralise_formulas
    A copy of a frame that spreadsheet programs will not evaluate.
with_details, with_district_names
    Pair lists with the input tables' other columns, and district names.
write_csv
    A frame as UTF-8-with-BOM CSV.
write_pairs_xlsx
    A :class:`~kuseo_match.result.Result` as a workbook (summary, pairs,
    unmatched, one sheet per district).
write_geojson
    Households, officers and pairs as a GeoJSON map layer.
write_summary_json
    The headline numbers and the policy as JSON.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import math
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import ValidationError
from .schema import (
    SOURCE_ATTR,
    blank_cells,
    canonical_columns,
    contract_column,
    contract_names,
    coordinates,
)

if TYPE_CHECKING:
    from .result import Result

__all__ = [
    "neutralise_formulas",
    "read_table",
    "with_details",
    "with_district_names",
    "write_csv",
    "write_geojson",
    "write_pairs_xlsx",
    "write_summary_json",
]

logger = logging.getLogger(__name__)

#: Columns read as text exactly as written (leading zeros kept).
ID_COLUMNS = ("officer_id", "household_id")
#: Text cells starting with one of these are prefixed with ``'`` on output.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_CSV_SUFFIXES = (".csv", ".txt")
#: Delimiters of text tables, in order of preference on a tie.
_DELIMITERS = (",", ";", "\t")
#: A header is looked for in the first ``_TITLE_ROWS + 1`` rows of a file.
_TITLE_ROWS = 20
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
# What pandas treats as missing by default (its documented list); id columns
# only treat an empty cell as missing, so an id such as "NA" survives.
_DEFAULT_NA = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)
_ENCODING_HINT = (
    "save it from Excel as 'CSV UTF-8', or pass the encoding it was saved in "
    "(encoding= / --encoding, e.g. 'cp874' for Thai Windows files)"
)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31
_NO_DISTRICT = "no district"

PathLike = str | os.PathLike[str]


# -- reading ---------------------------------------------------------------------------------


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


def _finds_id(cells: Iterable[Any], ids: tuple[str, ...]) -> list[str]:
    """The id columns (of ``ids``) that a row of cells names, by name or alias."""
    named = {contract_column(v) for v in cells if v is not None and str(v).strip()}
    return [c for c in ids if c in named]


def _header_at(rows: Iterable[Sequence[Any]], ids: tuple[str, ...]) -> int | None:
    """The number (from 1) of the first of ``rows`` that names an id column."""
    for number, row in enumerate(rows, start=1):
        if _finds_id(row, ids):
            return number
    return None


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


def _decode(raw: bytes, path: Path, name: str, encoding: str | None) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was decoded with."""
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise ValidationError(
                f"unknown encoding {encoding!r} for {path}; use e.g. 'utf-8', 'utf-8-sig' "
                "or 'cp874'",
                file=name,
            ) from exc
        _check_mark(raw, path, name, codecs.lookup(encoding).name)
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"{path} cannot be decoded as {encoding!r} (byte 0x{raw[exc.start]:02x} "
                f"at position {exc.start}); {_ENCODING_HINT}",
                file=name,
            ) from exc
        # A byte-order mark is never data, whichever UTF-8 spelling was passed.
        return text.removeprefix("\ufeff"), encoding
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    for candidate in ("utf-8", "cp874"):
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        f"{path} is neither UTF-8 nor Thai Windows (cp874) text; {_ENCODING_HINT}",
        file=name,
    )


def _check_mark(raw: bytes, path: Path, name: str, codec: str) -> None:
    """A byte-order mark says which Unicode encoding a file is in; another one given
    by the caller would turn the mark into junk in the first column's name."""
    marks = (
        (codecs.BOM_UTF8, "UTF-8", ("utf-8", "utf-8-sig"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "UTF-16", ("utf-16", "utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE, "UTF-16", ("utf-16", "utf-16-be"), "utf-16"),
    )
    for mark, label, codecs_ok, spelling in marks:
        if raw.startswith(mark) and codec not in codecs_ok:
            raise ValidationError(
                f"{path} starts with a {label} byte-order mark, so it is {label} text, not "
                f"{codec!r}; leave the encoding out (the mark is recognised) or give "
                f"{spelling!r}",
                file=name,
            )


def _read_csv(
    path: Path, name: str, encoding: str | None, header_row: int | None, ids: tuple[str, ...]
) -> tuple[pd.DataFrame, int, None]:
    """The frame of a delimited text file and the row number of its first data row."""
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise ValidationError(
            f"{path} is an Excel workbook (or another zip file), not text; "
            "rename it to .xlsx, or save it from Excel as 'CSV UTF-8'",
            file=name,
        )
    try:
        text, used = _decode(raw, path, name, encoding)
    except UnicodeDecodeError as exc:  # a BOM followed by bytes that are not UTF-8
        raise ValidationError(
            f"{path} starts with a UTF-8 byte-order mark but is not UTF-8; {_ENCODING_HINT}",
            file=name,
        ) from exc
    if not text.strip():
        raise ValidationError(
            f"{path} is empty; it needs a header row (e.g. officer_id,...) and data rows",
            file=name,
        )
    lines = text.splitlines(keepends=True)
    head = lines[: _TITLE_ROWS + 1]
    if header_row is None:
        sep, found = _sniff(head, ids)
        header_row = found or 1
        if found and found > 1:
            logger.info("%s: the header is row %d (the rows above it are skipped)", name, found)
    else:
        if header_row > len(lines):
            raise ValidationError(
                f"{path} has {len(lines)} row(s), so row {header_row} cannot be the header; "
                "check header_row (--header-row)",
                file=name,
            )
        sep, _ = _sniff(lines[header_row - 1 : header_row], ids)
    text = "".join(lines[header_row - 1 :])
    header = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    _check_header(header, path, name)
    columns = [c for c in header]
    try:
        with warnings.catch_warnings():
            # pandas only warns (and drops values) when the first data row is longer
            # than the header; a file like that has to be fixed, not guessed at.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                index_col=False,
                low_memory=False,  # infer each column's type from all of it, not chunks
                dtype={c: str for c in columns if _is_id(c)},
                keep_default_na=False,
                na_values=_na_values(columns),
                skip_blank_lines=False,  # a blank line is a row: row numbers stay true
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise ValidationError(
            f"{path} is not a well-formed table ({exc}); every row needs as many "
            "fields as the header: check for stray commas or unclosed quotes",
            file=name,
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise ValidationError(
            f"{path} is empty; it needs a header row and data rows", file=name
        ) from exc
    logger.debug(
        "read %s: encoding %s, separator %r, header row %d, %d rows, %d columns",
        path,
        used,
        sep,
        header_row,
        len(frame),
        frame.shape[1],
    )
    return frame, header_row + 1, None


def _sniff(lines: Sequence[str], ids: tuple[str, ...]) -> tuple[str, int | None]:
    """The delimiter of a text table and the number of the header row among
    ``lines`` (the first that names an id column; None when none does).

    The delimiter is the one of ``,``, ``;`` and tab that finds the header
    earliest, then splits it into the most fields (ties: comma first).
    """
    best: tuple[int, int, int] | None = None
    choice: tuple[str, int | None] = (",", None)
    for rank, sep in enumerate(_DELIMITERS):
        rows = list(csv.reader(io.StringIO("".join(lines)), delimiter=sep))
        found = _header_at(rows, ids)
        header = rows[(found or 1) - 1] if rows else []
        key = (found if found is not None else len(lines) + 1, -len(header), rank)
        if best is None or key < best:
            best, choice = key, (sep, found)
    return choice


def _is_id(column: Any) -> bool:
    return contract_column(column) in ID_COLUMNS


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


def _check_header(header: list[str], path: Path, name: str) -> None:
    seen: set[str] = set()
    for h in header:
        if h.strip() and h in seen:
            raise ValidationError(
                f"column {h!r} appears more than once in the header of {path}; "
                "rename or remove the copy",
                file=name,
                column=h,
            )
        seen.add(h)


def _na_values(columns: Iterable[Any]) -> dict[Any, list[str]]:
    return {c: [""] if _is_id(c) else list(_DEFAULT_NA) for c in columns}


# -- formula neutralisation ------------------------------------------------------------------


def _neutral(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cannot run as a spreadsheet formula.

    Every text cell, and every text column header, that starts with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single
    quote ``'`` (the OWASP advice against CSV injection).  Numbers, missing
    values, other text and the index are left as they are; a negative number
    stays a number.

    Parameters
    ----------
    df : pandas.DataFrame
        Any frame; not changed.

    Returns
    -------
    pandas.DataFrame
        A new frame with the same shape, index and column dtypes (a
        categorical column becomes ``object`` when a category is changed).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"note": ["=HYPERLINK(\\"http://x\\")", "-2+3", "บ้านเลขที่ 5"],
    ...                    "delta": [-5.0, 1.0, 2.0]})
    >>> out = neutralise_formulas(df)
    >>> out["note"].tolist()
    ['\\'=HYPERLINK("http://x")', "'-2+3", 'บ้านเลขที่ 5']
    >>> out["delta"].tolist()
    [-5.0, 1.0, 2.0]
    >>> df["note"].iloc[1]  # the input is unchanged
    '-2+3'
    """
    out = df.copy()
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        dtype = col.dtype
        if not (
            pd.api.types.is_object_dtype(dtype)
            or isinstance(dtype, pd.StringDtype | pd.CategoricalDtype)
        ):
            continue
        values = col.to_numpy(dtype=object, copy=True)
        hit = np.fromiter(
            (isinstance(v, str) and v.startswith(FORMULA_TRIGGERS) for v in values),
            dtype=bool,
            count=len(values),
        )
        if not hit.any():
            continue
        values[hit] = ["'" + v for v in values[hit]]
        keep = dtype if isinstance(dtype, pd.StringDtype) else object
        out.isetitem(i, pd.Series(values, index=out.index, dtype=keep))
    if any(_neutral(c) is not c for c in out.columns):
        out.columns = out.columns.map(_neutral)
    return out


# -- writing helpers -------------------------------------------------------------------------


def _prepare(path: PathLike) -> Path:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(
            f"cannot create the folder {path.parent}: {exc.strerror or exc}; "
            "choose another output path",
            file=path.name,
        ) from exc
    return path


def _write_failed(path: Path, exc: OSError) -> ValidationError:
    return ValidationError(
        f"cannot write {path}: {exc.strerror or exc}; close it if it is open in Excel, "
        "or choose another output path",
        file=path.name,
    )


def _plain(value: Any) -> Any:
    """A value as plain Python for JSON: numpy scalars unwrapped, NaN/NA as None."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


# -- CSV -------------------------------------------------------------------------------------


def write_csv(df: pd.DataFrame, path: PathLike) -> Path:
    """Write a frame as CSV that Excel opens with Thai intact.

    UTF-8 with a byte-order mark (``"utf-8-sig"``), ``\\n`` line ends, no
    index column, text neutralised by :func:`neutralise_formulas`.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; not changed.
    path : str or os.PathLike
        Output file; missing parent folders are created.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> df = pd.DataFrame({"household_id": ["0041"], "district": ["เมืองขอนแก่น"]})
    >>> out = write_csv(df, folder / "out" / "households.csv")
    >>> out.read_bytes()[:3] == b"\\xef\\xbb\\xbf"
    True
    >>> read_table(out).equals(df)
    True
    """
    path = _prepare(path)
    try:
        neutralise_formulas(df).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    except OSError as exc:
        raise _write_failed(path, exc) from exc
    logger.debug("wrote %s: %d rows", path, len(df))
    return path


# -- XLSX ------------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A value openpyxl can store: plain Python, no control characters, NaN as empty."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = _plain(value)
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _display_width(text: str) -> int:
    # Thai vowel and tone marks above/below a letter take no width of their own.
    return sum(1 for ch in text if unicodedata.category(ch) != "Mn")


def _write_sheet(book: Any, title: str, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    header = [_cell(c) for c in frame.columns]
    widths = []
    for i, name in enumerate(header):
        sample = frame.iloc[:1000, i].dropna().map(str)
        longest = max((_display_width(s) for s in sample), default=0)
        widths.append(min(max(_display_width(str(name)), longest, 6) + 2, 60))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(frame) + 1}"
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = _text_cell(sheet, name)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    columns = [_column_cells(frame.iloc[:, i]) for i in range(frame.shape[1])]
    for i, values in enumerate(columns):
        for j in np.flatnonzero([_looks_special(v) for v in values]):
            values[j] = _text_cell(sheet, values[j])
        columns[i] = values
    for row in zip(*columns, strict=True):
        sheet.append(row)


def _looks_special(value: Any) -> bool:
    """Text that openpyxl would store as a formula (``=...``) or an error (``#N/A``)."""
    from openpyxl.cell.cell import ERROR_CODES

    return isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES)


def _text_cell(sheet: Any, value: Any) -> Any:
    """A cell that holds ``value`` as text, whatever it starts with: Excel never
    evaluates a text cell, so the exact text (``=A1``, ``+66 81``, ``-2+3``) stays."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _column_cells(column: pd.Series) -> list[Any]:
    """The cells of one column as plain Python values (numbers converted in bulk)."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or (
        pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype)
    ):
        values = column.to_numpy(dtype=object, na_value=None, copy=True)
        if values.size and pd.api.types.is_float_dtype(dtype):
            finite = np.isfinite(column.to_numpy(dtype=float, na_value=np.nan))
            values[~finite] = None  # NaN and +-inf: an empty cell
        return values.tolist()
    return [_cell(v) for v in column.tolist()]


def with_details(
    frame: pd.DataFrame,
    officers: pd.DataFrame | None = None,
    households: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``frame`` (pairs or unmatched households) with the input tables' other columns.

    Every column of ``officers`` outside the data contract is joined by
    ``officer_id`` as ``officer_<column>``, and every such column of
    ``households`` by ``household_id`` as ``household_<column>`` (a column
    already named ``officer_...``/``household_...`` keeps its name), so that
    a pair list shows, say, the officer's name and phone next to the
    household's village.  Ids are matched as text; a name already taken gets
    a number (``officer_name_2``).  Rows whose id is not in the table get
    empty cells.  ``frame`` is not changed.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"officer_id": ["O1"], "household_id": [7], "cost": [1.5]})
    >>> officers = pd.DataFrame({"officer_id": ["O1"], "agency": ["interior"],
    ...                          "district": ["TH4001"], "name": ["Somchai"]})
    >>> households = pd.DataFrame({"household_id": ["7"], "kind": ["welfare"],
    ...                            "village": ["Ban Non"]})
    >>> with_details(pairs, officers, households).columns.tolist()
    ['officer_id', 'household_id', 'cost', 'officer_name', 'household_village']
    >>> with_details(pairs, officers, households)["household_village"].tolist()
    ['Ban Non']
    """
    out = frame.copy()
    for role, table in (("officer", officers), ("household", households)):
        key = f"{role}_id"
        if table is not None:
            table = canonical_columns(table, f"{role}s")  # alias headers, as validation reads them
        if table is None or key not in table.columns or key not in out.columns:
            continue
        names = _detail_names(table, role, set(out.columns))
        if not names:
            continue
        table = table.drop_duplicates(subset=key).reset_index(drop=True)
        rows = pd.Index(table[key].astype(str)).get_indexer(out[key].astype(str))
        for name, column in names:
            out[name] = table[column].reindex(rows).to_numpy()
    return out


#: Columns of pair lists that hold districts.
_DISTRICT_COLUMNS = ("officer_district", "household_district", "district")


def with_district_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the Thai and English names of its districts beside the codes.

    After each of the columns ``officer_district``, ``household_district``
    and ``district`` that holds codes of the shipped district table, the
    columns ``<column>_th`` and ``<column>_en`` give the names (empty for a
    label that is not a code).  ``frame`` is not changed.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"household_id": ["H1", "H2"],
    ...                       "household_district": ["TH4002", "my zone"]})
    >>> with_district_names(pairs).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'household_id': ['H1', 'H2'], 'household_district': ['TH4002', 'my zone'],
     'household_district_th': ['บ้านฝาง', nan], 'household_district_en': ['Ban Fang', nan]}
    """
    from .reference import districts

    out = frame.copy()
    table = districts().set_index("district_code")
    for column in _DISTRICT_COLUMNS:
        if column not in out.columns or f"{column}_th" in out.columns:
            continue
        codes = out[column].astype(str)
        known = codes.isin(table.index)
        if not known.any():
            continue
        at = out.columns.get_loc(column) + 1
        for suffix, source in (("th", "district_th"), ("en", "district_en")):
            names = codes.map(table[source]).where(known)
            out.insert(at, f"{column}_{suffix}", names.to_numpy(dtype=object))
            at += 1
    return out


def _detail_names(table: pd.DataFrame, role: str, taken: set[str]) -> list[tuple[str, Any]]:
    """``(output name, column)`` of the columns of an input table outside the data
    contract, named as :func:`with_details` names them (avoiding ``taken``)."""
    names = []
    read = contract_names(table, f"{role}s")
    for column in table.columns:
        if read.get(column, "province") != "province":
            continue  # validation reads it (by name or alias); the province is shown
        name = str(column) if str(column).startswith(f"{role}_") else f"{role}_{column}"
        base, n = name, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        names.append((name, column))
    return names


def _details_by_id(table: pd.DataFrame | None, role: str, taken: set[str]) -> dict[str, dict]:
    """``str(id) -> {output name: value}`` of the detail columns (first row per id)."""
    if table is not None:
        table = canonical_columns(table, f"{role}s")
    names = [] if table is None else _detail_names(table, role, set(taken))
    return {
        key: {name: _plain(record[column]) for name, column in names}
        for key, record in (_first_by_id(table, f"{role}_id") if names else {}).items()
    }


def _summary_rows(result: Result) -> pd.DataFrame:
    rows: list[tuple[str, Any, Any]] = []
    for key, value in result.summary().items():
        if isinstance(value, Mapping):
            rows.extend((key, str(k), v) for k, v in value.items())
        elif isinstance(value, list | tuple):
            rows.append(("summary", key, ", ".join(str(v) for v in value)))
        else:
            rows.append(("summary", key, value))
    rows.extend(("policy", key, value) for key, value in result.policy.to_dict().items())
    return pd.DataFrame(rows, columns=["section", "key", "value"])


def _sheet_title(label: str, taken: set[str]) -> str:
    """An Excel-legal sheet name, unique (case-insensitively) among ``taken``."""
    base = " ".join(_SHEET_FORBIDDEN.sub(" ", label).split()).strip("'").strip() or "district"

    def fit(text: str, room: int) -> str:
        while len(text.encode("utf-16-le")) // 2 > room:
            text = text[:-1]
        return text.rstrip()

    title = fit(base, _SHEET_MAX)
    n = 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title = fit(base, _SHEET_MAX - len(suffix)) + suffix
        n += 1
    taken.add(title.casefold())
    return title


def _district_frame(pairs: pd.DataFrame, unmatched: pd.DataFrame) -> pd.DataFrame:
    parts = []
    if len(pairs):
        parts.append(pairs.assign(status="paired"))
    if len(unmatched):
        parts.append(unmatched.assign(status="unmatched"))
    if not parts:
        return pd.DataFrame()
    front = ["status", "household_id", "kind", "household_district"]
    rest = [c for p in parts for c in p.columns if c not in front and c != "reason"]
    order = front + list(dict.fromkeys(rest)) + ["reason"]
    combined = pd.concat(parts, ignore_index=True)
    return combined.reindex(columns=[c for c in order if c in combined.columns or c == "reason"])


def write_pairs_xlsx(
    result: Result,
    path: PathLike,
    *,
    district_names: Mapping[Any, str] | None = None,
    officers: pd.DataFrame | None = None,
    households: pd.DataFrame | None = None,
) -> Path:
    """Write a matching result as an Excel workbook for the provincial office.

    Sheets, in order:

    ``summary``
        Columns ``section``, ``key``, ``value``: the headline numbers of
        :meth:`Result.summary` (section ``summary``; the per-load and
        per-reason counts under sections ``officers_by_load`` and
        ``unmatched_reasons``) and the policy settings (section ``policy``).
    ``pairs``
        ``result.pairs``, with the other columns of ``officers`` and
        ``households`` when given (:func:`with_details`).
    ``unmatched``
        ``result.unmatched``, with the other columns of ``households``.
    one sheet per household district, sorted by district code
        That district's paired and unmatched households in one table
        (``status`` ``"paired"``/``"unmatched"``, household columns, the
        pair columns, ``reason``).  Named by the district code, or
        ``"<code> <name>"`` when ``district_names`` has the code; characters
        Excel forbids (``[]:*?/\\``) are removed, names are cut to 31
        characters and made unique; households without a district go to a
        ``no district`` sheet.

    Every sheet has a bold, frozen, filterable header row and column widths
    fitted to the content (up to 60 characters).  Text is stored as text
    cells, which Excel never evaluates, so it keeps its exact text (a phone
    ``+66 81 ...``, a ``-`` placeholder, ``=A1``; the CSV files neutralise
    such text instead, see :func:`neutralise_formulas`); control characters Excel cannot store are
    dropped; NaN is an empty cell.

    Parameters
    ----------
    result : Result
        The matching result; not changed.
    path : str or os.PathLike
        Output ``.xlsx`` file; missing parent folders are created.
    district_names : Mapping, optional
        District code -> name, e.g. ``{"TH4001": "เมืองขอนแก่น"}``, for the
        sheet names.
    officers, households : pandas.DataFrame, optional
        The input tables, whose columns outside the data contract (names,
        phone numbers, villages) join the pair lists.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> from kuseo_match.result import Result
    >>> pairs = pd.DataFrame({"officer_id": ["O1"], "household_id": ["H1"], "cost": [1.5],
    ...     "distance_km": [1.5], "fit": [1.0], "kind_affinity": [1.0],
    ...     "agency": ["สำนักงานเกษตรอำเภอ"],
    ...     "officer_district": ["TH4001"], "kind": ["พัฒนาได้"],
    ...     "household_district": ["TH4001"]})
    >>> unmatched = pd.DataFrame({"household_id": ["H2"], "kind": ["สงเคราะห์"],
    ...     "household_district": ["TH4002"], "reason": ["no officer within 30 km"]})
    >>> result = Result(pairs, unmatched, status="optimal", objective=1.5)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> out = write_pairs_xlsx(result, folder / "pairs.xlsx",
    ...                        district_names={"TH4001": "เมืองขอนแก่น"})
    >>> import openpyxl
    >>> openpyxl.load_workbook(out).sheetnames
    ['summary', 'pairs', 'unmatched', 'TH4001 เมืองขอนแก่น', 'TH4002']
    >>> read_table(out, sheet="pairs")["agency"].tolist()
    ['สำนักงานเกษตรอำเภอ']
    """
    from openpyxl import Workbook

    path = _prepare(path)
    names = dict(district_names or {})
    book = Workbook(write_only=True)
    taken = {"history"}  # Excel reserves it; the fixed sheets are added below
    pairs = with_district_names(with_details(result.pairs, officers, households))
    unmatched = with_district_names(with_details(result.unmatched, None, households))
    for title, frame in (
        ("summary", _summary_rows(result)),
        ("pairs", pairs),
        ("unmatched", unmatched),
    ):
        _write_sheet(book, _sheet_title(title, taken), frame)

    combined = _district_frame(pairs, unmatched)
    if len(combined):
        labels = pd.Series(
            [_NO_DISTRICT if pd.isna(c) else str(c) for c in combined["household_district"]]
        )
        groups = labels.groupby(labels).indices
        names_by_text = {str(k): v for k, v in names.items()}
        for label in sorted(groups, key=lambda s: (s == _NO_DISTRICT, s)):
            name = names_by_text.get(label)
            ok = isinstance(name, str) and bool(name.strip())
            title = _sheet_title(f"{label} {name}" if ok else label, taken)
            _write_sheet(book, title, combined.iloc[groups[label]].reset_index(drop=True))
    buffer = io.BytesIO()  # a failed write must not leave openpyxl's streams half-open
    book.save(buffer)
    try:
        path.write_bytes(buffer.getvalue())
    except OSError as exc:
        raise _write_failed(path, exc) from exc
    logger.debug("wrote %s: %d sheets", path, len(book.worksheets))
    return path


# -- GeoJSON ---------------------------------------------------------------------------------


def _coordinates(frame: pd.DataFrame | None, id_column: str) -> dict[str, list[float] | None]:
    """``str(id) -> [lon, lat]`` (``None`` when a coordinate is missing or not finite)."""
    if frame is None or id_column not in frame.columns:
        return {}
    ids = [str(v) for v in frame[id_column].tolist()]
    table = "officers" if id_column == "officer_id" else "households"
    try:
        xy = coordinates(frame, table, strict=False)
    except ValidationError:  # ids the schema cannot read: no geometry, as documented
        return dict.fromkeys(ids)
    lat, lon = xy["lat"].to_numpy(dtype=float), xy["lon"].to_numpy(dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    out: dict[str, list[float] | None] = {}
    for key, x, y, good in zip(ids, lon.tolist(), lat.tolist(), ok.tolist(), strict=True):
        out.setdefault(key, [x, y] if good else None)
    return out


def _feature(geometry: dict[str, Any] | None, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": _plain(properties)}


def _point(xy: list[float] | None) -> dict[str, Any] | None:
    return None if xy is None else {"type": "Point", "coordinates": xy}


def _first_by_id(frame: pd.DataFrame | None, id_column: str) -> dict[str, dict[str, Any]]:
    if frame is None or id_column not in frame.columns or not len(frame):
        return {}
    records = frame.drop_duplicates(subset=id_column).to_dict("records")
    return {str(r[id_column]): r for r in records}


def write_geojson(
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    path: PathLike,
) -> Path:
    """Write households, officers and pairs as a GeoJSON FeatureCollection.

    An RFC 7946 file (coordinates ``[lon, lat]`` in WGS 84 degrees, UTF-8
    without a byte-order mark, Thai written as is, not as ``\\u`` escapes)
    for web maps and QGIS.  Every feature has a ``layer`` property saying
    what it is:

    ``"household"`` (Point), one per household in the result
        ``household_id``, ``kind``, ``district``, ``status``
        (``"paired"``/``"unmatched"``), ``officer_id`` (or null),
        ``reason`` (or null), and the household table's other columns as
        ``household_<column>`` (as :func:`with_details` names them).
    ``"officer"`` (Point), one per officer
        ``officer_id``, ``agency``, ``district``, ``capacity``, ``load``,
        and the officer table's other columns as ``officer_<column>``.
        Officers are those of ``result.officer_load``, then any others in
        ``officers`` or ``result.pairs``; missing values come from the
        ``officers`` frame (``agency``, ``district``, ``capacity``) and the
        pairs (``load``).
    ``"pair"`` (LineString officer -> household), one per pair
        ``officer_id``, ``household_id``, ``distance_km``, ``cost``,
        ``fit``, ``kind_affinity``.

    A feature whose coordinates are missing or not numbers gets a null
    geometry instead of failing.  NaN is written as null.

    Parameters
    ----------
    result : Result
        The matching result; not changed.
    officers, households : pandas.DataFrame
        The input tables with ``officer_id`` / ``household_id``, ``lat`` and
        ``lon`` (degrees) columns; not changed.  Ids are matched as text.
    path : str or os.PathLike
        Output file (``.geojson``); missing parent folders are created.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> import pandas as pd
    >>> from kuseo_match.result import Result
    >>> pairs = pd.DataFrame({"officer_id": ["O1"], "household_id": ["H1"], "cost": [1.5],
    ...     "distance_km": [1.5], "fit": [1.0], "kind_affinity": [1.0],
    ...     "agency": ["สำนักงานเกษตรอำเภอ"],
    ...     "officer_district": ["TH4001"], "kind": ["พัฒนาได้"],
    ...     "household_district": ["TH4001"]})
    >>> unmatched = pd.DataFrame(columns=["household_id", "kind", "household_district",
    ...                                   "reason"])
    >>> result = Result(pairs, unmatched, status="optimal", objective=1.5)
    >>> officers = pd.DataFrame({"officer_id": ["O1"], "lat": [16.43], "lon": [102.83]})
    >>> households = pd.DataFrame({"household_id": ["H1"], "lat": [16.44], "lon": [102.84]})
    >>> out = write_geojson(result, officers, households,
    ...                     pathlib.Path(tempfile.mkdtemp()) / "map.geojson")
    >>> features = json.loads(out.read_text(encoding="utf-8"))["features"]
    >>> [(f["properties"]["layer"], f["geometry"]["type"]) for f in features]
    [('household', 'Point'), ('officer', 'Point'), ('pair', 'LineString')]
    >>> features[0]["geometry"]["coordinates"]
    [102.84, 16.44]
    """
    path = _prepare(path)
    officers = canonical_columns(officers, "officers")  # alias headers, as validation reads them
    households = canonical_columns(households, "households")
    pairs, unmatched = result.pairs, result.unmatched
    house_xy = _coordinates(households, "household_id")
    officer_xy = _coordinates(officers, "officer_id")
    fixed = {"layer", "household_id", "kind", "district", "status", "officer_id", "reason"}
    house_more = _details_by_id(households, "household", fixed)
    fixed = {"layer", "officer_id", "agency", "district", "capacity", "load"}
    officer_more = _details_by_id(officers, "officer", fixed)
    features: list[dict[str, Any]] = []

    for r in pairs.to_dict("records"):
        features.append(
            _feature(
                _point(house_xy.get(str(r["household_id"]))),
                {
                    "layer": "household",
                    "household_id": r["household_id"],
                    "kind": r.get("kind"),
                    "district": r.get("household_district"),
                    "status": "paired",
                    "officer_id": r["officer_id"],
                    "reason": None,
                    **house_more.get(str(r["household_id"]), {}),
                },
            )
        )
    for r in unmatched.to_dict("records"):
        features.append(
            _feature(
                _point(house_xy.get(str(r["household_id"]))),
                {
                    "layer": "household",
                    "household_id": r["household_id"],
                    "kind": r.get("kind"),
                    "district": r.get("household_district"),
                    "status": "unmatched",
                    "officer_id": None,
                    "reason": r.get("reason"),
                    **house_more.get(str(r["household_id"]), {}),
                },
            )
        )

    loads = _first_by_id(result.officer_load, "officer_id")
    given = _first_by_id(officers, "officer_id")
    from_pairs = _first_by_id(pairs, "officer_id")
    counts = pairs["officer_id"].map(str).value_counts().to_dict() if len(pairs) else {}
    ids: dict[str, Any] = {}
    for source in (loads, given, from_pairs):
        for key in source:
            # the id as the result spells it, the user's spelling only for unpaired officers
            record = loads.get(key) or from_pairs.get(key) or given[key]
            ids.setdefault(key, record["officer_id"])

    def pick(key: str, *candidates: tuple[dict[str, dict[str, Any]], str]) -> Any:
        for source, column in candidates:
            value = _plain(source.get(key, {}).get(column))
            if value is not None:
                return value
        return None

    for key, officer_id in ids.items():
        load = pick(key, (loads, "load"))
        features.append(
            _feature(
                _point(officer_xy.get(key)),
                {
                    "layer": "officer",
                    "officer_id": officer_id,
                    "agency": pick(
                        key, (loads, "agency"), (given, "agency"), (from_pairs, "agency")
                    ),
                    "district": pick(
                        key,
                        (loads, "district"),
                        (given, "district"),
                        (from_pairs, "officer_district"),
                    ),
                    "capacity": pick(key, (loads, "capacity"), (given, "capacity")),
                    "load": load if load is not None else int(counts.get(key, 0)),
                    **officer_more.get(key, {}),
                },
            )
        )

    for r in pairs.to_dict("records"):
        a = officer_xy.get(str(r["officer_id"]))
        b = house_xy.get(str(r["household_id"]))
        line = None if a is None or b is None else {"type": "LineString", "coordinates": [a, b]}
        features.append(
            _feature(
                line,
                {
                    "layer": "pair",
                    "officer_id": r["officer_id"],
                    "household_id": r["household_id"],
                    "distance_km": r.get("distance_km"),
                    "cost": r.get("cost"),
                    "fit": r.get("fit"),
                    "kind_affinity": r.get("kind_affinity"),
                },
            )
        )

    missing = sum(f["geometry"] is None for f in features)
    if missing:
        logger.info("%s: %d of %d features have no coordinates", path, missing, len(features))
    collection = {"type": "FeatureCollection", "features": features}
    text = json.dumps(collection, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise _write_failed(path, exc) from exc
    logger.debug("wrote %s: %d features", path, len(features))
    return path


# -- summary JSON ----------------------------------------------------------------------------


def write_summary_json(result: Result, path: PathLike) -> Path:
    """Write the headline numbers and the policy as pretty UTF-8 JSON.

    The object is :meth:`Result.summary` with two more keys, ``policy``
    (:meth:`Policy.to_dict`) and ``stats`` (:attr:`Result.stats`: candidate
    pairs, rounds, seconds); indented by 2, Thai written as is, NaN as null.

    Parameters
    ----------
    result : Result
        The matching result; not changed.
    path : str or os.PathLike
        Output file; missing parent folders are created.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> import pandas as pd
    >>> from kuseo_match.result import PAIR_COLUMNS, Result
    >>> unmatched = pd.DataFrame({"household_id": ["H1"], "kind": ["สงเคราะห์"],
    ...     "household_district": ["TH4001"], "reason": ["ไม่มีเจ้าหน้าที่ว่าง"]})
    >>> result = Result(pd.DataFrame(columns=list(PAIR_COLUMNS)), unmatched,
    ...                 status="optimal", objective=0.0)
    >>> out = write_summary_json(result, pathlib.Path(tempfile.mkdtemp()) / "summary.json")
    >>> data = json.loads(out.read_text(encoding="utf-8"))
    >>> data["unmatched"], data["unmatched_reasons"], data["policy"]["capacity"]
    (1, {'ไม่มีเจ้าหน้าที่ว่าง': 1}, 2)
    """
    path = _prepare(path)
    data = dict(result.summary())
    data["policy"] = result.policy.to_dict()
    data["stats"] = dict(result.stats)
    text = json.dumps(_plain(data), ensure_ascii=False, allow_nan=False, indent=2)
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise _write_failed(path, exc) from exc
    logger.debug("wrote %s", path)
    return path
