"""Reading a command's input tables: per-table options, one stage line per file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .. import io
from ..errors import ValidationError
from ..io.formats import CSV_SUFFIXES
from ..schema import source_of
from .progress import Progress

__all__ = ["CSV_SUFFIXES", "ID_OF", "header_rows", "per_table", "read_input"]


#: The id column each input of ``solve`` must have.
ID_OF = {
    "officers": "officer_id",
    "households": "household_id",
    "costs": "officer_id",
    "locked": "officer_id",
    "forbidden": "officer_id",
    "previous": "officer_id",
}


def per_table(values: Sequence[str] | None, option: str, tables: Sequence[str]) -> dict:
    """``--option V`` (every table) and ``--option TABLE=V`` (one) as ``{table: V}``."""
    out: dict[str, str] = {}
    for value in values or ():
        table, sep, rest = value.partition("=")
        if sep and table in ID_OF:
            if table not in tables:
                raise ValidationError(
                    f"names {table}, but this run reads no {table} table", table=option, value=value
                )
            out[table] = rest
        else:
            out.update(dict.fromkeys(tables, value))
    return out


def header_rows(values: Sequence[str] | None, tables: Sequence[str]) -> dict[str, int]:
    rows = {}
    for table, text in per_table(values, "--header-row", tables).items():
        try:
            rows[table] = int(text)
        except ValueError:
            raise ValidationError(
                "must be a row number, or TABLE=N (officers=3)", table="--header-row", value=text
            ) from None
    return rows


def read_input(progress: Progress, table: str, path: Path, **options: Any) -> pd.DataFrame:
    with progress.stage(f"reading {path}") as stage:
        frame = io.read_table(path, id_column=ID_OF.get(table), **options)
        source = source_of(frame)
        notes = [f"{len(frame):,} rows"]
        if source is not None and source.sheet is not None:
            notes.insert(0, f"sheet {source.sheet!r}")
        if source is not None and len(source.rows) and source.rows[0] > 2:
            notes.append(f"header in row {source.rows[0] - 1}")
        stage.note = ", ".join(notes)
    if table in ("officers", "households") and len(frame) == 0:
        raise ValidationError(f"has a header but no data rows; fill in the {table}", file=path.name)
    return frame
