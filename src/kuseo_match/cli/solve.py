"""``kuseo-match solve`` and ``rematch``: your own tables, matched (again)."""

from __future__ import annotations

import argparse
import functools
import time
from pathlib import Path
from typing import Any

from .. import io
from ..io.read_parquet import parquet_modules
from ..policy import Policy
from ..result import Result
from ..solve import SolveOptions
from .command import (
    Subcommand,
    add_match_options,
    executor_of,
    exit_code,
    out_option,
    read_policy,
    run_match,
    run_record,
    solve_options,
)
from .inputs import InputFiles, add_input_options, input_files
from .lang import _
from .outputs import listed, write_inputs, write_outputs
from .progress import Progress
from .summary import print_summary

#: The table outputs, which --output-format writes as .csv or .parquet.
_TABLES = ", ".join(n.removesuffix(".csv") for n in io.outputs_of("rematch") if n.endswith(".csv"))


def solve_arguments(
    parser: argparse.ArgumentParser, tables: tuple[str, ...] = ("officers", "households")
) -> None:
    """The options of ``solve`` and, with ``tables`` naming ``"previous"`` too, of
    ``rematch``."""
    add_input_options(parser, *tables)
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
    add_match_options(parser)


def run_solve(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    progress = Progress(args)
    policy = read_policy(args.policy, args.coordinate_check)
    options = solve_options(args)
    inputs = input_files(args)
    if args.output_format == "parquet":  # before any work, not after the solve
        parquet_modules("--output-format", "--output-format parquet")
    run = "rematch" if "previous" in inputs.files else "match"
    with (
        io.OutputFolder(args.out, run) as out,  # locked and writable before any work
        executor_of(args) as executor,  # a Dask scheduler that does not answer: now
    ):
        result, written = _solve(args, progress, policy, out, inputs, executor, options)
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
    inputs: InputFiles,
    executor: Any = None,
    options: SolveOptions | None = None,
) -> tuple[Result, list[Path]]:
    tables = inputs.read(progress)
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
        options=options,
    )
    copies = (("officers.csv", officers), ("households.csv", households))
    table_format = args.output_format
    files = list(inputs.files.values())
    written = write_inputs(progress, out, copies, files, table_format=table_format)
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
            {name: (str(path), len(tables[name])) for name, path in inputs.files.items()},
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
    functools.partial(solve_arguments, tables=("previous", "officers", "households")),
    run_solve,
)
