"""``kuseo-match diagnose``: why households stay unmatched, and verified fixes."""

from __future__ import annotations

import argparse

from ..diagnose import diagnose
from .command import (
    ExitCode,
    Subcommand,
    add_match_options,
    executor_of,
    read_policy,
    solve_options,
)
from .inputs import add_input_options, input_files
from .lang import _
from .progress import Progress


def _diagnose_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_options(parser, "officers", "households")
    add_match_options(parser, time_limit=False)  # each fix is a solve to a proof


def _run_diagnose(args: argparse.Namespace) -> int:
    progress = Progress(args)
    policy = read_policy(args.policy, args.coordinate_check)
    options = solve_options(args)
    tables = input_files(args).read(progress)
    with (
        executor_of(args) as executor,
        progress.stage(_("diagnosing (each fix is verified by solving again)")),
    ):
        found = diagnose(
            tables["officers"],
            tables["households"],
            policy,
            costs=tables.get("costs"),
            locked=tables.get("locked"),
            forbidden=tables.get("forbidden"),
            executor=executor,
            options=options,
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
