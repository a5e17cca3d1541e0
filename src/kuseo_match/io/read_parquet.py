"""Parquet files (read with pyarrow, an optional dependency): values unchanged.

A Parquet file names its columns and types them, so there is no encoding,
delimiter, sheet or header row to find.  A file is read in two steps, so that
a wrong file is refused after little work:

1. its footer gives the columns and the number of rows: a file without the id
   column, with a column named twice, or with more than ``max_rows`` rows is
   refused here, before any data is read;
2. pyarrow reads the columns, which become pandas columns as close to what
   :mod:`.read_csv` gives for the same table as the types allow.

Text stays text exactly (``"0012"`` stays ``"0012"``, Thai as written); typed
columns keep their type (a whole-number id column comes back as whole
numbers: validation reads ids).  As in a CSV file, an empty text cell is
missing; unlike one, a text ``"NA"`` stays text (Parquet has real nulls).
Row numbers in messages are those of the table saved as CSV: the header is
row 1, the first data row row 2.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ValidationError, shown
from .formats import _ids_wanted, check_header, check_ids, finds_id

logger = logging.getLogger("kuseo_match.io")

#: The suffixes of Parquet files.
PARQUET_SUFFIXES = (".parquet", ".pq")

#: The row number of a Parquet file's first data row in messages: as in the
#: table saved as CSV, where the header is row 1.
FIRST_ROW = 2

#: The columns pandas adds for an index that is not a plain range
#: (``df.to_parquet()`` after a filter): not data.
_INDEX_COLUMN = re.compile(r"__index_level_\d+__")

_MAGIC = b"PAR1"


def parquet_modules(name: str, doing: str) -> tuple[ModuleType, ModuleType]:
    """``pyarrow`` and ``pyarrow.parquet``, or a :class:`ValidationError` naming
    the file (``name``) and saying how to install them (``doing``: "reading x")."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:
        raise ValidationError(
            f'{doing} needs pyarrow, which is not installed: pip install "kuseo-match[parquet]"',
            file=name,
        ) from exc
    return pyarrow, pyarrow.parquet


def read_parquet_table(
    path: Path,
    name: str,
    option: None,
    header_row: None,
    ids: tuple[str, ...],
    required: bool = False,
    max_rows: int | None = None,
) -> tuple[pd.DataFrame, int, None]:
    """The frame of a Parquet file and the row number of its first data row.

    ``option`` and ``header_row`` are always None (:func:`~.read.read_table`
    refuses them for Parquet); ``required``: refuse the file, from its footer,
    when no column is one of ``ids``; ``max_rows``: refuse more rows than this.
    """
    pa, pq = parquet_modules(name, f"reading {path}")
    _check_magic(path, name)
    try:
        with pq.ParquetFile(path) as parquet:
            schema = parquet.schema_arrow
            rows = parquet.metadata.num_rows
            columns = [f.name for f in schema if not _INDEX_COLUMN.fullmatch(f.name)]
            _check_columns(columns, ids, required, path, name)
            if max_rows is not None and rows > max_rows:
                raise ValidationError(
                    f"{path} has {rows:,} data rows, more than max_rows={max_rows:,}; check that "
                    "this is the right file, or pass a larger max_rows to read_table "
                    "(max_rows=None: no limit; the default, 2,000,000, is three times the "
                    "households of the whole country)",
                    file=name,
                )
            table = parquet.read(columns=columns)
        frame = _frame(pa, table, path, name)
    except (pa.ArrowException, OSError) as exc:
        raise ValidationError(
            f"{path} cannot be read as Parquet ({shown(str(exc).strip(), limit=160)}); the file "
            "is damaged or cut short: write it again (e.g. DataFrame.to_parquet), or save the "
            "table as .csv or .xlsx",
            file=name,
        ) from exc
    check_ids(frame, FIRST_ROW, name)
    logger.debug("read %s: %d rows, %d columns", path, len(frame), frame.shape[1])
    return frame, FIRST_ROW, None


def _check_magic(path: Path, name: str) -> None:
    """Refuse, with a hint, a file that does not start as Parquet files do."""
    with open(path, "rb") as raw:
        head = raw.read(len(_MAGIC))
    if head == _MAGIC:
        return
    if not head:
        raise ValidationError(f"{path} is empty (0 bytes), not a Parquet file", file=name)
    if head.startswith(b"PK"):
        hint = "it is an Excel workbook (or another zip file): rename it to .xlsx"
    else:
        hint = "if it is a CSV file, rename it to .csv"
    raise ValidationError(
        f"{path} is not a Parquet file (it does not start with {_MAGIC.decode()}); {hint}",
        file=name,
    )


def _check_columns(
    columns: list[str], ids: tuple[str, ...], required: bool, path: Path, name: str
) -> None:
    if not columns:
        raise ValidationError(f"{path} has no columns; it needs an id column", file=name)
    check_header(columns, path, name)
    if required and not finds_id(columns, ids):
        raise ValidationError(
            f"no id column: no column of {path} is {_ids_wanted(ids)}; its columns are "
            f"{_listed(columns)}; rename the id column and write the file again",
            file=name,
        )


def _listed(columns: list[str]) -> str:
    listed = ", ".join(shown(c, limit=40) for c in columns[:12])
    return listed + (f" and {len(columns) - 12} more" if len(columns) > 12 else "")


def _frame(pa: Any, table: Any, path: Path, name: str) -> pd.DataFrame:
    """``table`` as a frame like the CSV reader's: text as text (an empty text
    cell missing), categories as their values, NaN for a missing cell."""
    import pyarrow.compute as pc

    is_view = getattr(pa.types, "is_string_view", lambda kind: False)  # pyarrow >= 16
    for i, field in enumerate(table.schema):
        column = before = table.column(i)
        kind = field.type
        if pa.types.is_dictionary(kind):  # pandas categoricals: their values, as CSV gives
            kind = kind.value_type
            column = column.cast(kind)
        if is_view(kind):
            column = column.cast(pa.large_string())
            kind = column.type
        if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            try:  # text written without its UTF-8 annotation (some Spark versions)
                column = column.cast(pa.large_string())
            except pa.ArrowInvalid as exc:
                raise ValidationError(
                    f"{path}: column {shown(field.name)} holds bytes that are not UTF-8 text; "
                    "write it as text (a string column)",
                    file=name,
                    column=field.name,
                ) from exc
            kind = column.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            empty = pc.equal(column, "")
            if pc.any(empty).as_py():  # an empty text cell is missing, as in a CSV file
                column = pc.if_else(empty, pa.scalar(None, kind), column)
        if column is not before:
            table = table.set_column(i, field.name, column)
    # ignore_metadata: no index restored from pandas' notes; a plain frame as CSV gives
    frame: pd.DataFrame = table.to_pandas(ignore_metadata=True)
    for j in range(frame.shape[1]):
        values = frame.iloc[:, j]
        if values.dtype == object and values.hasnans:  # None (a null bool, date ...) -> NaN
            frame.isetitem(j, values.where(values.notna(), np.nan))
    return frame
