"""What the input files are: the suffixes read, the id columns kept as text, the
markers read as missing, and how a header row is recognised."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import ValidationError, shown
from ..schema import (
    COLUMN_ALIASES,
    contract_column,
)

if TYPE_CHECKING:
    pass


#: Columns read as text exactly as written (leading zeros kept).
ID_COLUMNS = ("officer_id", "household_id")


CSV_SUFFIXES = (".csv", ".txt")


#: A header is looked for in the first ``TITLE_ROWS + 1`` rows of a file.
TITLE_ROWS = 20


XLSX_SUFFIXES = (".xlsx", ".xlsm")


#: Default of ``read_table(max_rows=)``: the largest province has about 50,000
#: households and the whole country about 650,000, so more rows than this are
#: not a table of officers or households (an export gone wrong, a wrong file).
MAX_ROWS = 2_000_000


#: A number as Excel shows a long one in a narrow column and saves it so in CSV
#: ("1.40990E+12"): the digits after the fifth are lost.
_SCIENTIFIC = re.compile(r"\s*[+-]?\d+(?:[.,]\d+)?[eE]\+\d{1,3}\s*")

_SCIENTIFIC_ANY = re.compile(r"(?<![^\x00])" + _SCIENTIFIC.pattern + r"(?![^\x00])")

_SCIENTIFIC_HINT = (
    "Excel showed a long number in scientific notation and saved it so: the digits are "
    "lost; format the column as Text in Excel and re-enter or re-export the ids"
)


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


PathLike = str | os.PathLike[str]


def finds_id(cells: Iterable[Any], ids: tuple[str, ...]) -> list[str]:
    """The id columns (of ``ids``) that a row of cells names, by name or alias."""
    named = {contract_column(v) for v in cells if v is not None and str(v).strip()}
    return [c for c in ids if c in named]


def header_at(rows: Iterable[Sequence[Any]], ids: tuple[str, ...]) -> int | None:
    """The number (from 1) of the header among ``rows``: the first row that names an
    id column or, when the rows right below it name one too (a header in two
    languages, such as the Thai labels above the column names in ``pairs.xlsx``),
    the last of them, the row just above the data.  None when no row names one.

    Examples
    --------
    >>> title = ["รายชื่อครัวเรือน"]
    >>> thai, names, data = ["รหัสครัวเรือน", "อำเภอ"], ["household_id", "district"], ["H1", "TH4001"]
    >>> header_at([title, names, data], ("household_id",))
    2
    >>> header_at([title, thai, names, data], ("household_id",))
    3
    >>> print(header_at([title, data], ("household_id",)))
    None
    """
    found = None
    for number, row in enumerate(rows, start=1):
        if finds_id(row, ids):
            found = number
        elif found is not None:
            break
    return found


def is_id(column: Any) -> bool:
    return contract_column(column) in ID_COLUMNS


def check_header(header: list[str], path: Path, name: str) -> None:
    seen: set[str] = set()
    for h in header:
        if h.strip() and h in seen:
            raise ValidationError(
                f"column {shown(h)} appears more than once in the header of {path}; "
                "rename or remove the copy",
                file=name,
                column=h,
            )
        seen.add(h)


def na_values(columns: Iterable[Any]) -> dict[Any, list[str]]:
    return {c: [""] if is_id(c) else list(_DEFAULT_NA) for c in columns}


def _ids_wanted(ids: tuple[str, ...]) -> str:
    """The id columns as a message names them, with a few aliases."""
    names = []
    for column in ids:
        aliases = ", ".join(repr(a) for a in COLUMN_ALIASES.get(column, ())[:3])
        names.append(f"{column!r}" + (f" (or {aliases})" if aliases else ""))
    return " or ".join(names)


def missing_id(
    ids: tuple[str, ...],
    where: str,
    rows: int,
    header: Sequence[Any] | None,
    header_row: int | None,
    within: str = "",
) -> ValidationError:
    """The refusal of a table whose header does not name its id column.

    ``rows``: how many rows were looked at (``within``: in what part of the
    file); ``header``: the cells of the header row, ``header_row``, when it
    was given, else of the first row.
    """
    if header_row is not None:
        looked = f"the header (row {header_row}) does not name"
    elif rows > 1:
        looked = f"none of the first {rows} rows{within} names"
    else:
        looked = f"the first row{within} does not name"
    found = ""
    if header:
        cells = [str(v) for v in header if v is not None and str(v).strip()]
        listed = ", ".join(shown(c, limit=40) for c in cells[:12])
        more = f" and {len(cells) - 12} more" if len(cells) > 12 else ""
        at = f"row {header_row}" if header_row is not None else "row 1"
        found = f"; {at} has {listed}{more}" if cells else f"; {at} is blank"
    return ValidationError(
        f"no id column: {looked} {_ids_wanted(ids)}{found}; write the id column's name in "
        "the header row, or give the header's row with header_row (--header-row)",
        file=where,
    )


def check_ids(
    frame: pd.DataFrame,
    first: int,
    where: str,
    cell: Callable[[int, int], str] | None = None,
) -> None:
    """Refuse ids that Excel saved in scientific notation (``1.40990E+12``).

    ``first``: the spreadsheet row of the frame's first row; ``cell(j, row)``
    names the cell of column ``j`` (workbooks).
    """
    for j, column in enumerate(frame.columns):
        if not is_id(column):
            continue
        values = frame.iloc[:, j]
        i = _first_scientific(values)
        if i is None:
            continue
        row = first + i
        place = f"cell {cell(j, row)}: " if cell is not None else ""
        raise ValidationError(
            f"{place}{_SCIENTIFIC_HINT}",
            file=where,
            column=str(column),
            row=row,
            value=values.iloc[i],
        )


def _first_scientific(values: pd.Series) -> int | None:
    """The position of the first text in ``values`` that looks like a number
    in scientific notation (``1.4099E+12``), or None."""
    present = np.flatnonzero(values.notna().to_numpy())
    texts = values.to_numpy(dtype=object)[present]
    try:
        # One search over all the ids at once: far faster than a match per id.
        joined = "\x00".join(texts)
    except TypeError:  # not all text
        joined = "\x00".join(str(v) for v in texts)
    if "+" not in joined:
        return None
    hit = _SCIENTIFIC_ANY.search(joined)
    if hit is None:
        return None
    k = joined.count("\x00", 0, hit.start())
    if k < len(texts) and _SCIENTIFIC.fullmatch(str(texts[k])):
        return int(present[k])
    # an id holding "\x00" shifted the count: look at each one
    return next(
        (int(present[k]) for k, v in enumerate(texts) if _SCIENTIFIC.fullmatch(str(v))), None
    )
