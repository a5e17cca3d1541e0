"""What the input files are: the suffixes read, the id columns kept as text, the
markers read as missing, and how a header row is recognised."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from ..schema import (
    contract_column,
)

if TYPE_CHECKING:
    pass


#: Columns read as text exactly as written (leading zeros kept).
ID_COLUMNS = ("officer_id", "household_id")


_CSV_SUFFIXES = (".csv", ".txt")


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


PathLike = str | os.PathLike[str]


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


def _is_id(column: Any) -> bool:
    return contract_column(column) in ID_COLUMNS


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
