"""``kuseo-match diagnose``: why households stay unmatched, and verified fixes."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..diagnose import diagnose
from .command import ExitCode, Subcommand, add_match_options, executor_of, read_policy
from .inputs import FORMATS, header_rows, per_table, read_input
from .progress import Progress

#: The optional pair tables, as ``solve`` reads them.
_RULES = (
    ("costs", "allowed pairs and their costs (officer_id, household_id, cost)"),
    ("locked", "pairs kept in the answer (officer_id, household_id)"),
    ("forbidden", "pairs never used (officer_id, household_id)"),
)


def _diagnose_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("officers", type=Path, help=f"officers table ({FORMATS})")
    parser.add_argument("households", type=Path, help=f"households table ({FORMATS})")
    for name, what in _RULES:
        parser.add_argument(
            f"--{name}", type=Path, metavar="F", help=f"table of {what}, as in solve"
        )
    parser.add_argument(
        "--encoding",
        metavar="ENC",
        help="text encoding of the CSV inputs (e.g. cp874), as in solve; default: detected",
    )
    parser.add_argument(
        "--header-row",
        action="append",
        metavar="[TABLE=]N",
        help="row number (from 1) of the header, for every input or, as officers=N, "
        "households=N ..., for one (repeatable), as in solve; default: the first of rows "
        "1-21 that names the id column",
    )
    parser.add_argument(
        "--sheet",
        action="append",
        metavar="[TABLE=]NAME",
        help="worksheet of the .xlsx inputs, for every one or, as officers=NAME ..., for "
        "one (repeatable), as in solve; default: the first sheet that has the id column",
    )
    add_match_options(parser, time_limit=False)  # each fix is a solve to a proof


def _run_diagnose(args: argparse.Namespace) -> int:
    progress = Progress(args)
    policy = read_policy(args.policy, args.coordinate_check)
    files = {"officers": args.officers, "households": args.households}
    files |= {name: getattr(args, name) for name, _ in _RULES if getattr(args, name) is not None}
    names = list(files)
    encodings = per_table(
        None if args.encoding is None else [args.encoding], "--encoding", names, files
    )
    rows = header_rows(args.header_row, names, files)
    sheets = per_table(args.sheet, "--sheet", names, files)
    tables = {
        name: read_input(
            progress,
            name,
            path,
            encoding=encodings.get(name),
            header_row=rows.get(name),
            sheet=sheets.get(name),
        )
        for name, path in files.items()
    }
    with (
        executor_of(args) as executor,
        progress.stage("diagnosing (each fix is verified by solving again)"),
    ):
        found = diagnose(
            tables["officers"],
            tables["households"],
            policy,
            costs=tables.get("costs"),
            locked=tables.get("locked"),
            forbidden=tables.get("forbidden"),
            executor=executor,
        )
    if not args.quiet:
        print(found)
    return ExitCode.OK if found.deficit == 0 else ExitCode.UNMATCHED


COMMAND = Subcommand(
    "diagnose",
    "why households stay unmatched, and changes that fix it (each verified)",
    "Match the tables and, when some households stay unmatched, print the groups of "
    "households whose reachable officers lack slots and the changes that pair them "
    "(officers added, capacities raised, a longer max_distance_km, pairs across "
    "districts), each verified by solving again. It reads its inputs as solve does "
    "(--sheet, --header-row, --encoding) and follows the same rules (--costs, --locked, "
    "--forbidden), so it diagnoses exactly the problem of a solve run. Exit status 0 "
    "when nothing is short, 1 otherwise.",
    _diagnose_arguments,
    _run_diagnose,
)
