"""Reading a command's input tables (``.csv``/``.txt``, ``.xlsx`` or ``.parquet``):
per-table options, one stage line per file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .. import io
from ..errors import ValidationError
from ..io.formats import CSV_SUFFIXES
from ..io.read import reader_of
from ..schema import source_of
from .progress import Progress

__all__ = ["CSV_SUFFIXES", "ID_OF", "header_rows", "per_table", "read_input", "takes"]

#: What an input file may be, in the help of the commands.
FORMATS = ".csv, .xlsx or .parquet"


#: The id column each input of ``solve`` must have.
ID_OF = {
    "officers": "officer_id",
    "households": "household_id",
    "costs": "officer_id",
    "locked": "officer_id",
    "forbidden": "officer_id",
    "previous": "officer_id",
}


def takes(path: Path, option: str) -> bool:
    """Whether :func:`kuseo_match.io.read_table` takes ``option`` (``"encoding"``,
    ``"sheet"``, ``"header_row"``) for the file ``path``, by its suffix; a file of
    an unknown type takes any (``read_table`` refuses the file itself).

    Examples
    --------
    >>> takes(Path("h.xlsx"), "sheet"), takes(Path("h.parquet"), "header_row")
    (True, False)
    """
    reader = reader_of(path)
    return reader is None or option in reader.options


def per_table(
    values: Sequence[str] | None,
    option: str,
    tables: Sequence[str],
    files: Mapping[str, Path] | None = None,
) -> dict:
    """``--option V`` (every table) and ``--option TABLE=V`` (one) as ``{table: V}``.

    ``files``: each table's file, when only some formats take the option
    (``--sheet``: workbooks; ``--header-row``: not Parquet): ``V`` goes to the
    tables whose file takes it, and is refused when none does; ``TABLE=V``
    naming a table whose file does not take it is refused.
    """
    key = option.removeprefix("--").replace("-", "_")  # read_table's name of it

    def applies(table: str) -> bool:
        return files is None or takes(files[table], key)

    out: dict[str, str] = {}
    for value in values or ():
        table, sep, rest = value.partition("=")
        if sep and table in ID_OF:
            if table not in tables:
                raise ValidationError(
                    f"names {table}, but this run reads no {table} table", table=option, value=value
                )
            if files is not None and not applies(table):
                reader = reader_of(files[table])
                raise ValidationError(
                    f"names the {table} table, and {files[table].name} is "
                    f"{reader.kind if reader else 'a file'}, which {option} does not apply to; "
                    "drop it",
                    table=option,
                    value=value,
                )
            out[table] = rest
        else:
            chosen = [t for t in tables if applies(t)]
            if not chosen:
                raise ValidationError(
                    f"applies to none of the inputs ({_kinds(files or {})}); drop {option}",
                    table=option,
                    value=value,
                )
            out.update(dict.fromkeys(chosen, value))
    return out


def _kinds(files: Mapping[str, Path]) -> str:
    kinds = [f"{p.name}: {r.kind}" for p in files.values() if (r := reader_of(p)) is not None]
    return ", ".join(kinds)


def header_rows(
    values: Sequence[str] | None, tables: Sequence[str], files: Mapping[str, Path] | None = None
) -> dict[str, int]:
    rows = {}
    for table, text in per_table(values, "--header-row", tables, files).items():
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
