"""The ``kuseo-match`` parser and entry point."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import textwrap
from collections.abc import Iterator, Sequence
from typing import Any

from .._version import __version__
from ..errors import KuseoError, ValidationError, printable, shown
from . import demo, diagnose, plan, report, solve, synth
from .command import EPILOG, PROG, ExitCode, Subcommand
from .lang import LANGUAGES, _, default_language, translated, using
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


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter with its "usage: " in the current language, wrapping
    lines between words only: Thai writes no spaces between words, so a Thai phrase
    is one long "word" that must not be cut in two."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)

    def _split_lines(self, text: str, width: int) -> list[str]:
        text = " ".join(text.split())
        return textwrap.wrap(text, width, break_long_words=False)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        text = " ".join(text.split())
        return textwrap.fill(
            text, width, initial_indent=indent, subsequent_indent=indent, break_long_words=False
        )


class _Parser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose own words (section titles,
    ``--help``, "usage:", "error:" and its common errors) are in the current
    language; its subcommands' parsers are of the same class."""

    def __init__(
        self,
        *,
        add_help: bool = True,
        parents: Sequence[argparse.ArgumentParser] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(add_help=False, **kwargs)
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        if add_help:
            self.add_argument(
                "-h",
                "--help",
                action="help",
                default=argparse.SUPPRESS,
                help=_("show this help message and exit"),
            )
        for parent in parents:  # after --help, as argparse does
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)

    def error(self, message: str) -> Any:  # argparse's signature: NoReturn
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {_('error')}: {translated(message)}\n")


def _output_options(default: Any) -> argparse.ArgumentParser:
    """A parent parser with ``--quiet`` and ``--verbose`` (new actions on every call)."""
    parent = _Parser(add_help=False)
    group = parent.add_argument_group(_("output"))
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help=_("no progress and no summary, only errors"),
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help=_("debug logging (stage lines, solver rounds)"),
    )
    return parent


def build_parser(commands: Sequence[Subcommand] = SUBCOMMANDS) -> argparse.ArgumentParser:
    """The argument parser of ``kuseo-match`` with ``commands`` as subcommands.

    ``--quiet`` and ``--verbose`` are accepted before or after the subcommand.  The
    help is in the current language (:func:`kuseo_match.cli.lang.set_language`).
    """
    parser = _Parser(
        prog=PROG,
        description=_(
            "Pair government officers with poor households: near, with a fitting "
            "agency, never overloaded (certified-optimal min-cost flow)."
        ),
        epilog=_(EPILOG),
        parents=[_output_options(False)],
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help=_("show program's version number and exit"),
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=default_language(),
        help=_(
            "language of the help and the messages: th (Thai) or en (English); default: "
            "th when the locale (LC_ALL, LC_MESSAGES or LANG) is Thai, else en"
        ),
    )
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
    argv = sys.argv[1:] if argv is None else list(argv)
    with using(_language_of(argv)):
        return _main(argv)


def _language_of(argv: Sequence[str]) -> str:
    """The language ``--lang`` (an option of ``kuseo-match``, before the command)
    asks for in ``argv``, read before the parser (whose help it translates) is
    built; the locale's without it (or with a bad value, which the parser then
    refuses).

    Examples
    --------
    >>> _language_of(["--lang", "th", "solve", "--help"])
    'th'
    >>> _language_of(["--lang=en", "demo"])
    'en'
    """
    commands = {command.name for command in SUBCOMMANDS}
    for i, arg in enumerate(argv):
        if arg == "--" or arg in commands:
            break
        if arg.startswith("--lang="):
            value: str | None = arg.removeprefix("--lang=")
        elif arg == "--lang":
            value = argv[i + 1] if i + 1 < len(argv) else None
        else:
            continue
        if value in LANGUAGES:
            return value
    return default_language()


def _message(exc: KuseoError) -> str:
    """The message of ``exc`` in the current language (its known templates)."""
    if not isinstance(exc, ValidationError):
        return translated(str(exc))
    words = {word: _(word) for word in ("column", "field", "row", "id", "value")}
    return exc.located(translated(exc.reason), words)


def _main(argv: Sequence[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else int(ExitCode.BAD_INPUT)
    if args.quiet and args.verbose:
        parser.print_usage(sys.stderr)
        print(
            f"{PROG}: {_('error')}: {_('--quiet and --verbose exclude each other')}",
            file=sys.stderr,
        )
        return int(ExitCode.BAD_INPUT)
    with command_logging(args) as console, _terminate_as_interrupt():
        args.console = console
        try:
            return int(args.run(args))
        except KuseoError as exc:
            log.debug("bad input", exc_info=True)
            print(f"{PROG}: {_('error')}: {printable(_message(exc))}", file=sys.stderr)
            return int(ExitCode.BAD_INPUT)
        except OSError as exc:
            log.debug("cannot read or write a file", exc_info=True)
            where = f" ({exc.filename})" if exc.filename else ""
            print(f"{PROG}: {_('error')}{printable(where)}: {exc.strerror or exc}", file=sys.stderr)
            return int(ExitCode.BAD_INPUT)
        except KeyboardInterrupt:
            print(f"{PROG}: {_('interrupted')}", file=sys.stderr)
            return 130
        except Exception as exc:  # a bug, not the input: never exit 1 ("unmatched")
            log.debug("internal error", exc_info=True)
            error = f"{type(exc).__name__}: {shown(str(exc), 300)}"
            text = _(
                "internal error: {error}; this is a bug in kuseo-match, please report it "
                "with the output of --verbose"
            )
            print(f"{PROG}: {text.format(error=error)}", file=sys.stderr)
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
