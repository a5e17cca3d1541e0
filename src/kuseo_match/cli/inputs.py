"""A command's input tables (``.csv``/``.txt``, ``.xlsx`` or ``.parquet``): their
arguments and options (:func:`add_input_options`, one definition for ``solve``,
``rematch``, ``diagnose`` and ``plan``), the per-table reading options checked
before any work (:func:`input_files`) and the reading, one stage line per file
(:meth:`InputFiles.read`)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .. import io
from ..errors import ValidationError
from ..io.formats import CSV_SUFFIXES
from ..io.read import reader_of
from ..schema import source_of
from .lang import _
from .progress import Progress

__all__ = [
    "CSV_SUFFIXES",
    "ID_OF",
    "TABLES",
    "InputFiles",
    "add_input_options",
    "header_rows",
    "input_files",
    "per_table",
    "read_input",
    "takes",
]

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
#: Every input table a command may read, in the order it reads them; the
#: ``TABLE`` of ``--header-row TABLE=N`` and ``--sheet TABLE=NAME``.
TABLES = ("previous", "officers", "households", "sites", "costs", "locked", "forbidden")


def add_input_options(parser: argparse.ArgumentParser, *tables: str) -> None:
    """The input tables of a command that matches: ``tables`` as positional
    arguments (of ``"previous"``, ``"officers"``, ``"households"``, in that
    order), the pair tables ``--costs``, ``--locked``, ``--forbidden``, and how
    to read every input: ``--encoding``, ``--header-row``, ``--sheet``.
    :func:`input_files` reads them back.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_input_options(parser, "officers", "households")
    >>> args = parser.parse_args(["o.csv", "h.xlsx", "--sheet", "households=2567"])
    >>> args.households.name, args.costs, args.sheet
    ('h.xlsx', None, ['households=2567'])
    """
    positional = {
        "previous": _(
            "the previous pairs (officer_id, household_id), e.g. pairs.csv, pairs.xlsx or "
            "pairs.parquet"
        ),
        "officers": _(
            "officers table ({formats}): officer_id, agency, district, lat, lon, optional capacity"
        ),
        "households": _(
            "households table ({formats}): household_id, kind, district, lat, lon, "
            "optional need_* flags"
        ),
    }
    for table in tables:
        parser.add_argument(table, type=Path, help=positional[table].format(formats=FORMATS))
    rules = {
        "costs": _(
            "table of allowed pairs and their costs (officer_id, household_id, cost), e.g. "
            "road minutes; replaces the built-in distance-and-fit cost"
        ),
        "locked": _(
            "table of pairs kept in the answer (officer_id, household_id), e.g. pairs that "
            "already work"
        ),
        "forbidden": _(
            "table of pairs never used (officer_id, household_id), e.g. conflicts of interest"
        ),
    }
    for table, text in rules.items():
        parser.add_argument(f"--{table}", type=Path, metavar="F", help=text)
    parser.add_argument(
        "--encoding",
        metavar="ENC",
        help=_("text encoding of the CSV inputs (e.g. cp874); default: detected"),
    )
    parser.add_argument(
        "--header-row",
        action="append",
        metavar="[TABLE=]N",
        help=_(
            "row number (from 1) of the header, for every input or, as officers=N, "
            "households=N or costs=N, for one (repeatable); default: the first of rows 1-21 "
            "that names the id column (of two such rows in a row, the lower)"
        ),
    )
    parser.add_argument(
        "--sheet",
        action="append",
        metavar="[TABLE=]NAME",
        help=_(
            "worksheet of the .xlsx inputs, for every one or, as officers=NAME, "
            "households=NAME or costs=NAME, for one (repeatable); default: the first sheet "
            "that has the id column"
        ),
    )


@dataclass(frozen=True)
class InputFiles:
    """The tables a command reads and how, checked before any work.

    Attributes
    ----------
    files : mapping of str to Path
        Each table's file, in the order of :data:`TABLES`.
    options : mapping of str to mapping
        Each table's options of :func:`kuseo_match.io.read_table` (``encoding``,
        ``header_row``, ``sheet``; None: detected).
    """

    files: Mapping[str, Path]
    options: Mapping[str, Mapping[str, Any]]

    def read(self, progress: Progress) -> dict[str, pd.DataFrame]:
        """Every table, read in order (:func:`read_input`), by name."""
        return {
            table: read_input(progress, table, path, **self.options[table])
            for table, path in self.files.items()
        }


def input_files(args: argparse.Namespace) -> InputFiles:
    """The tables of :data:`TABLES` that ``args`` names, with the options of
    ``--encoding``, ``--header-row`` and ``--sheet`` (of :func:`add_input_options`)
    each of them takes.

    Raises
    ------
    ValidationError
        For an option that names a table this run does not read, or that
        applies to none of its files (``--encoding`` with workbooks only), or a
        header row that is not a number.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_input_options(parser, "officers", "households")
    >>> inputs = input_files(parser.parse_args(["o.xlsx", "h.csv", "--sheet", "2567"]))
    >>> inputs.options["officers"]["sheet"], inputs.options["households"]["sheet"]
    ('2567', None)
    """
    files = {t: getattr(args, t) for t in TABLES if getattr(args, t, None) is not None}
    names = list(files)
    encoding = None if args.encoding is None else [args.encoding]
    encodings = per_table(encoding, "--encoding", names, files)
    rows = header_rows(args.header_row, names, files)
    sheets = per_table(args.sheet, "--sheet", names, files)
    options = {
        table: {
            "encoding": encodings.get(table),
            "header_row": rows.get(table),
            "sheet": sheets.get(table),
        }
        for table in names
    }
    return InputFiles(files, options)


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
        if sep and table in TABLES:
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
    """The input ``table`` from ``path`` (:func:`kuseo_match.io.read_table` with
    ``options``), with a stage line that says its sheet, rows and header row."""
    with progress.stage(_("reading {path}").format(path=path)) as stage:
        frame = io.read_table(path, id_column=ID_OF.get(table), **options)
        source = source_of(frame)
        notes = [_("{rows} rows").format(rows=f"{len(frame):,}")]
        if source is not None and source.sheet is not None:
            notes.insert(0, _("sheet {sheet}").format(sheet=repr(source.sheet)))
        if source is not None and len(source.rows) and source.rows[0] > 2:
            notes.append(_("header in row {row}").format(row=source.rows[0] - 1))
        stage.note = ", ".join(notes)
    if table in ("officers", "households") and len(frame) == 0:
        raise ValidationError(f"has a header but no data rows; fill in the {table}", file=path.name)
    return frame
