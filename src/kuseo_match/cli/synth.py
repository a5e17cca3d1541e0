"""``kuseo-match synth``: synthetic tables for any province."""

from __future__ import annotations

import argparse
import os

from .. import io
from ..synth import synthetic_province
from .command import ExitCode, Subcommand, out_option
from .lang import _
from .outputs import write_inputs
from .progress import Progress


def _synth_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--province",
        required=True,
        metavar="NAME",
        help=_("province by English or Thai name or code, e.g. 'Khon Kaen', 'ขอนแก่น', TH40"),
    )
    parser.add_argument(
        "--households",
        type=int,
        default=1174,
        metavar="N",
        help=_("households (default: 1174)"),
    )
    parser.add_argument(
        "--officers", type=int, default=740, metavar="N", help=_("officers (default: 740)")
    )
    parser.add_argument(
        "--developable",
        type=int,
        metavar="N",
        help=_("developable households, the rest are welfare (default: Khon Kaen's share)"),
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help=_("random seed (default: 0)")
    )
    out_option(parser, "synth-output")


def _run_synth(args: argparse.Namespace) -> int:
    progress = Progress(args)
    with progress.stage(_("generating {province}").format(province=args.province)):
        officers, households = synthetic_province(
            args.province,
            officers=args.officers,
            households=args.households,
            developable=args.developable,
            seed=args.seed,
        )
    with io.OutputFolder(args.out, "synth") as out:
        write_inputs(progress, out, (("officers.csv", officers), ("households.csv", households)))
    if not args.quiet:
        print(
            f"{len(officers):,} officers and {len(households):,} households of "
            f"{args.province} written to {args.out}{os.sep} (officers.csv, households.csv)"
        )
    return ExitCode.OK


COMMAND = Subcommand(
    "synth",
    "write synthetic officers.csv and households.csv for a province",
    "Write synthetic officers.csv and households.csv (UTF-8 with BOM) for any of "
    "Thailand's 77 provinces.",
    _synth_arguments,
    _run_synth,
)
