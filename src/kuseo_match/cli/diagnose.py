"""``kuseo-match diagnose``: why households stay unmatched, and verified fixes."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..diagnose import diagnose
from .command import ExitCode, Subcommand, add_match_options, executor_of, read_policy
from .inputs import read_input
from .progress import Progress


def _diagnose_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("officers", type=Path, help="officers table (.csv, .xlsx or .parquet)")
    parser.add_argument("households", type=Path, help="households table (.csv, .xlsx or .parquet)")
    parser.add_argument(
        "--costs", type=Path, metavar="F", help="table of allowed pairs and their costs"
    )
    add_match_options(parser, time_limit=False)  # each fix is a solve to a proof


def _run_diagnose(args: argparse.Namespace) -> int:
    progress = Progress(args)
    policy = read_policy(args.policy, args.coordinate_check)
    officers = read_input(progress, "officers", args.officers)
    households = read_input(progress, "households", args.households)
    costs = None if args.costs is None else read_input(progress, "costs", args.costs)
    with (
        executor_of(args) as executor,
        progress.stage("diagnosing (each fix is verified by solving again)"),
    ):
        found = diagnose(officers, households, policy, costs=costs, executor=executor)
    if not args.quiet:
        print(found)
    return ExitCode.OK if found.deficit == 0 else ExitCode.UNMATCHED


COMMAND = Subcommand(
    "diagnose",
    "why households stay unmatched, and changes that fix it (each verified)",
    "Match the tables and, when some households stay unmatched, print the groups of "
    "households whose reachable officers lack slots and the changes that pair them "
    "(officers added, capacities raised, a longer max_distance_km, pairs across "
    "districts), each verified by solving again. Exit status 0 when nothing is short, "
    "1 otherwise.",
    _diagnose_arguments,
    _run_diagnose,
)
