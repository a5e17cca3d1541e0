"""``kuseo-match demo``: synthetic Khon Kaen, matched, every output written."""

from __future__ import annotations

import argparse
import time

from .. import io
from ..policy import Policy
from ..synth import synthetic_province
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
from .lang import _
from .outputs import listed, write_inputs, write_outputs
from .progress import Progress
from .summary import print_summary

#: ``demo`` follows the programme's rules unless given a policy: capacity 2 (the
#: default) and every officer carries at least one household (1,174 >= 740).
PROGRAMME_MIN_LOAD = 1


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    out_option(parser, "demo-output", details=True)
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="S",
        help=_("seed of the synthetic data (default: 0)"),
    )
    add_match_options(parser)


def _run_demo(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    progress = Progress(args)
    policy = read_policy(args.policy, args.coordinate_check)
    options = solve_options(args)
    if args.policy is None:  # the programme's own rules: 1 officer : 2 households, none idle
        policy = (policy or Policy()).replace(min_load=PROGRAMME_MIN_LOAD)
    with progress.stage(_("generating synthetic Khon Kaen")):
        officers, households = synthetic_province("Khon Kaen", seed=args.seed)
    with io.OutputFolder(args.out, "match") as out:
        tables = (("officers.csv", officers), ("households.csv", households))
        written = write_inputs(progress, out, tables)
        with executor_of(args) as executor:
            result = run_match(
                progress,
                officers,
                households,
                policy,
                None,
                args.time_limit,
                executor=executor,
                options=options,
            )
        written += write_outputs(
            progress,
            result,
            officers,
            households,
            out,
            details=args.with_details,
            geojson=args.geojson,
            pair_sheets=args.pair_sheets,
            run=run_record(
                "demo",
                args,
                {
                    "officers": (f"synthetic Khon Kaen, seed {args.seed}", len(officers)),
                    "households": (f"synthetic Khon Kaen, seed {args.seed}", len(households)),
                },
            ),
        )
    title = "Synthetic Khon Kaen"
    print_summary(args, result, title, args.out, time.perf_counter() - start, written)
    return exit_code(result)


COMMAND = Subcommand(
    "demo",
    "synthetic Khon Kaen: generate, match, write every output, print a summary",
    "Generate synthetic Khon Kaen (740 officers, 1,174 households), match them under the "
    "programme's rules (capacity 2, every officer at least 1 household; --policy replaces "
    f"them) and write {listed('match')} into --out.",
    _demo_arguments,
    _run_demo,
)
