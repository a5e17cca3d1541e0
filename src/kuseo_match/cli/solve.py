"""``kuseo-match solve`` and ``rematch``: your own tables, matched (again)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import pandas as pd

from .. import io
from ..errors import ValidationError
from ..io.read_parquet import parquet_modules
from ..policy import Policy
from ..result import Result
from .command import (
    Subcommand,
    add_match_options,
    executor_of,
    exit_code,
    out_option,
    read_policy,
    run_match,
    run_record,
)
from .inputs import FORMATS, header_rows, per_table, read_input, takes
from .lang import _
from .outputs import listed, write_inputs, write_outputs
from .progress import Progress
from .summary import print_summary

#: The table outputs, which --output-format writes as .csv or .parquet.
_TABLES = ", ".join(n.removesuffix(".csv") for n in io.outputs_of("rematch") if n.endswith(".csv"))


def solve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "officers",
        type=Path,
        help=_(
            "officers table ({formats}): officer_id, agency, district, lat, lon, optional capacity"
        ).format(formats=FORMATS),
    )
    parser.add_argument(
        "households",
        type=Path,
        help=_(
            "households table ({formats}): household_id, kind, district, lat, lon, "
            "optional need_* flags"
        ).format(formats=FORMATS),
    )
    parser.add_argument(
        "--costs",
        type=Path,
        metavar="F",
        help=_(
            "table of allowed pairs and their costs (officer_id, household_id, cost), e.g. "
            "road minutes; replaces the built-in distance-and-fit cost"
        ),
    )
    parser.add_argument(
        "--locked",
        type=Path,
        metavar="F",
        help=_(
            "table of pairs kept in the answer (officer_id, household_id), e.g. pairs that "
            "already work"
        ),
    )
    parser.add_argument(
        "--forbidden",
        type=Path,
        metavar="F",
        help=_("table of pairs never used (officer_id, household_id), e.g. conflicts of interest"),
    )
    out_option(parser, "kuseo-output", details=True)
    parser.add_argument(
        "--output-format",
        choices=io.TABLE_FORMATS,
        default="csv",
        help=_(
            "format of the tables written ({tables}): csv (UTF-8 with a byte-order mark, "
            "for Excel; the default) or parquet (for programs and country-sized tables; needs "
            'pyarrow: pip install "kuseo-match[parquet]"); an earlier run\'s tables in the '
            "other format are removed"
        ).format(tables=_TABLES),
    )
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
            "that names the id column"
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
    add_match_options(parser)


def _rematch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "previous",
        type=Path,
        help=_("the previous pairs (officer_id, household_id), e.g. pairs.csv or pairs.parquet"),
    )
    solve_arguments(parser)


def run_solve(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    progress = Progress(args)
    policy = read_policy(args.policy, args.coordinate_check)
    inputs = [("officers", args.officers), ("households", args.households)]
    if getattr(args, "previous", None) is not None:
        inputs.insert(0, ("previous", args.previous))
    for name in ("costs", "locked", "forbidden"):
        if getattr(args, name) is not None:
            inputs.append((name, getattr(args, name)))
    if args.encoding is not None and not any(takes(p, "encoding") for _, p in inputs):
        raise ValidationError(
            "applies to CSV inputs only, and every input is a workbook or a Parquet file; "
            "drop --encoding",
            table="--encoding",
            value=args.encoding,
        )
    if args.output_format == "parquet":  # before any work, not after the solve
        parquet_modules("--output-format", "--output-format parquet")
    names = [t for t, _ in inputs]
    files = dict(inputs)
    rows = header_rows(args.header_row, names, files)
    sheets = per_table(args.sheet, "--sheet", names, files)
    run = "rematch" if "previous" in names else "match"
    with (
        io.OutputFolder(args.out, run) as out,  # locked and writable before any work
        executor_of(args) as executor,  # a Dask scheduler that does not answer: now
    ):
        result, written = _solve(args, progress, policy, out, inputs, rows, sheets, executor)
    print_summary(
        args,
        result,
        f"{args.officers} + {args.households}",
        args.out,
        time.perf_counter() - start,
        written,
    )
    return exit_code(result)


def _solve(
    args: argparse.Namespace,
    progress: Progress,
    policy: Policy | None,
    out: io.OutputFolder,
    inputs: list[tuple[str, Path]],
    rows: dict[str, int],
    sheets: dict[str, str],
    executor: Any = None,
) -> tuple[Result, list[Path]]:
    tables: dict[str, pd.DataFrame] = {}
    for name, path in inputs:
        encoding = args.encoding if takes(path, "encoding") else None
        tables[name] = read_input(
            progress,
            name,
            path,
            encoding=encoding,
            header_row=rows.get(name),
            sheet=sheets.get(name),
        )
    officers, households = tables["officers"], tables["households"]
    result = run_match(
        progress,
        officers,
        households,
        policy,
        tables.get("costs"),
        args.time_limit,
        locked=tables.get("locked"),
        forbidden=tables.get("forbidden"),
        previous=tables.get("previous"),
        executor=executor,
    )
    copies = (("officers.csv", officers), ("households.csv", households))
    table_format = args.output_format
    written = write_inputs(progress, out, copies, [p for _, p in inputs], table_format=table_format)
    written += write_outputs(
        progress,
        result,
        officers,
        households,
        out,
        details=args.with_details,
        table_format=table_format,
        geojson=args.geojson,
        pair_sheets=args.pair_sheets,
        run=run_record(
            "rematch" if "previous" in tables else "solve",
            args,
            {name: (str(path), len(tables[name])) for name, path in inputs},
        ),
    )
    return result, written


SOLVE = Subcommand(
    "solve",
    "match your own officers and households tables",
    "Read the officers and households tables (CSV in any encoding, XLSX or Parquet), match "
    f"them and write {listed('match')} (the tables matched; an input is never written "
    "over; the tables as .parquet with --output-format parquet) into --out.",
    solve_arguments,
    run_solve,
)


REMATCH = Subcommand(
    "rematch",
    "pair again, keeping the previous pairs that still work",
    "Read the previous pairs (a pairs.csv of an earlier run works) and today's officers "
    "and households tables, keep every previous pair whose officer and household are "
    "still there and still allowed (unless covering more households needs it to move), "
    f"pair the rest at least cost, and write {listed('rematch')} (changes.csv: each "
    "household whose officer changed, entered or left, with the reason).",
    _rematch_arguments,
    run_solve,
)
