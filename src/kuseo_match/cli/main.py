"""The ``kuseo-match`` parser and entry point."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from .._version import __version__
from ..errors import KuseoError, printable, shown
from . import demo, diagnose, plan, report, solve, synth
from .command import EPILOG, PROG, ExitCode, Subcommand
from .progress import command_logging

log = logging.getLogger("kuseo_match.cli")


#: The subcommands, in ``--help`` order.  New capabilities add an entry here.
SUBCOMMANDS: tuple[Subcommand, ...] = (
    demo.COMMAND,
    solve.SOLVE,
    solve.REMATCH,
    diagnose.COMMAND,
    plan.COMMAND,
    synth.COMMAND,
    report.COMMAND,
)


def _output_options(default: Any) -> argparse.ArgumentParser:
    """A parent parser with ``--quiet`` and ``--verbose`` (new actions on every call)."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("output")
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help="no progress and no summary, only errors",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help="debug logging (stage lines, solver rounds)",
    )
    return parent


def build_parser(commands: Sequence[Subcommand] = SUBCOMMANDS) -> argparse.ArgumentParser:
    """The argument parser of ``kuseo-match`` with ``commands`` as subcommands.

    ``--quiet`` and ``--verbose`` are accepted before or after the subcommand.
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Pair government officers with poor households: near, with a fitting "
        "agency, never overloaded (certified-optimal min-cost flow).",
        epilog=EPILOG,
        parents=[_output_options(False)],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # The subcommands' copies default to SUPPRESS so they never undo a flag given before them.
    after = _output_options(argparse.SUPPRESS)
    for command in commands:
        command.add_parser(subparsers, parents=[after])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kuseo-match`` with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    Examples
    --------
    >>> main(["--version"])  # doctest: +ELLIPSIS
    kuseo-match ...
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else int(ExitCode.BAD_INPUT)
    if args.quiet and args.verbose:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: --quiet and --verbose exclude each other", file=sys.stderr)
        return int(ExitCode.BAD_INPUT)
    with command_logging(args) as console, _terminate_as_interrupt():
        args.console = console
        try:
            return int(args.run(args))
        except KuseoError as exc:
            log.debug("bad input", exc_info=True)
            print(f"{PROG}: error: {printable(str(exc))}", file=sys.stderr)
            return int(ExitCode.BAD_INPUT)
        except OSError as exc:
            log.debug("cannot read or write a file", exc_info=True)
            where = f" ({exc.filename})" if exc.filename else ""
            print(f"{PROG}: error{printable(where)}: {exc.strerror or exc}", file=sys.stderr)
            return int(ExitCode.BAD_INPUT)
        except KeyboardInterrupt:
            print(f"{PROG}: interrupted", file=sys.stderr)
            return 130
        except Exception as exc:  # a bug, not the input: never exit 1 ("unmatched")
            log.debug("internal error", exc_info=True)
            print(
                f"{PROG}: internal error: {type(exc).__name__}: {shown(str(exc), 300)}; "
                "this is a bug in kuseo-match, please report it with the output of --verbose",
                file=sys.stderr,
            )
            return int(ExitCode.INTERNAL_ERROR)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a scheduler stopping the job) ends the run as Ctrl-C does: the
    output folder is left as it was."""

    def interrupt(number: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        saved = signal.signal(signal.SIGTERM, interrupt)
    except (ValueError, AttributeError):  # not the main thread, or no SIGTERM
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, saved)
