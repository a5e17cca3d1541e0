"""``kuseo-match plan``: the fewest new officers so every household is covered."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from .. import io
from ..plan import plan_capacity
from ..policy import Policy
from ..solve import SolveOptions
from .command import (
    ExitCode,
    Subcommand,
    add_match_options,
    executor_of,
    out_option,
    read_policy,
    solve_options,
)
from .inputs import InputFiles, add_input_options, input_files
from .lang import _
from .progress import Progress


def _plan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--officers", type=Path, metavar="F", help="the officers already there (default: none)"
    )
    parser.add_argument(
        "--capacity", type=int, default=2, metavar="N", help="households per new officer (2)"
    )
    parser.add_argument(
        "--sites",
        type=Path,
        metavar="F",
        help="where new officers may be based: site_id, district, lat, lon (default: each "
        "district's centroid)",
    )
    add_input_options(parser, "households")
    out_option(parser, "plan-output")
    add_match_options(parser)


def _run_plan(args: argparse.Namespace) -> int:
    progress = Progress(args)
    policy = read_policy(args.policy, args.coordinate_check)
    options = solve_options(args)
    inputs = input_files(args)
    with io.OutputFolder(args.out, "plan") as out:  # locked and writable before any work
        plan = _plan(args, progress, policy, inputs, options)
        named = io.with_district_names(plan)  # Thai and English names beside the codes
        written = out.write("plan.csv", lambda p: io.write_csv(named, p))
    return _report_plan(args, plan, written)


def _plan(
    args: argparse.Namespace,
    progress: Progress,
    policy: Policy | None,
    inputs: InputFiles,
    options: SolveOptions | None,
) -> pd.DataFrame:
    tables = inputs.read(progress)
    with executor_of(args) as executor, progress.stage(_("planning")):
        plan = plan_capacity(
            tables["households"],
            officers=tables.get("officers"),
            policy=policy,
            capacity=args.capacity,
            sites=tables.get("sites"),
            time_limit=args.time_limit if args.time_limit is not None else 60.0,
            executor=executor,
            costs=tables.get("costs"),
            locked=tables.get("locked"),
            forbidden=tables.get("forbidden"),
            options=options,
        )
    return plan


def _report_plan(args: argparse.Namespace, plan: pd.DataFrame, written: Path) -> int:
    if not args.quiet:
        shown = plan[plan["new_officers"] > 0][
            ["site_id", "district", "households", "uncovered", "new_officers"]
        ]
        print(
            f"{plan.attrs['total']:,} new officer(s) ({plan.attrs['method']}; "
            f"{plan.attrs['status']})"
        )
        if len(shown):
            print(shown.to_string(index=False))
        if plan.attrs["unreachable"]:
            print(f"{len(plan.attrs['unreachable']):,} household(s) no site can reach")
        print(f"written to {written}")
    return ExitCode.OK if plan.attrs["status"] == "optimal" else ExitCode.TIME_LIMIT


COMMAND = Subcommand(
    "plan",
    "how many officers each district must send so every household is covered",
    "Plan the fewest additional officers per district (or per --sites) so that every "
    "household can be paired within the policy's reach, given --officers already "
    "there (whom --costs, --locked and --forbidden bind, as in solve); print the plan "
    "and write plan.csv (with each district's Thai and English names) into --out.",
    _plan_arguments,
    _run_plan,
)
