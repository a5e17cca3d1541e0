"""Progress on stderr: a live status on a terminal, plain log lines otherwise."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import time
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from ..errors import printable
from .lang import LOG_TEMPLATES, _, translated

log = logging.getLogger("kuseo_match.cli")


class Stage:
    """One stage of :class:`Progress`: call it with a sub-step (a solver round,
    shown in the command's language when :data:`~kuseo_match.cli.lang.LOG_TEMPLATES`
    has it); ``note`` is added to the line that says the stage is done."""

    def __init__(self, text: str, status: Any, plain: bool) -> None:
        self.text = text
        self.status = status
        self.plain = plain
        self.note = ""

    def __call__(self, step: str) -> None:
        step = translated(step, LOG_TEMPLATES)
        (log.info if self.plain else log.debug)("%s: %s", self.text, step)
        if self.status is not None:
            self.status.update(f"{self.text}: {step}")


class Progress:
    """Stage lines on stderr: a live rich status when both stdout and stderr are
    terminals; otherwise (logs, scheduled jobs) one plain log line as each stage
    starts and ends and per solver round.  ``--quiet`` silences both."""

    def __init__(self, args: argparse.Namespace) -> None:
        # the console of the log handler, so log lines and the live status do not collide
        self.console = getattr(args, "console", None) or Console(file=sys.stderr, highlight=False)
        quiet = getattr(args, "quiet", False)
        self.live = interactive(self.console) and not quiet
        self.plain = not self.live and not quiet

    @contextlib.contextmanager
    def stage(self, text: str) -> Iterator[Stage]:
        """Show ``text`` (in the command's language: the caller translates it) while
        the block runs; yield a callable for sub-steps."""
        log.info("%s ...", text)
        start = time.perf_counter()
        status = None
        if self.live:
            status = self.console.status(text)
            status.start()
        stage = Stage(text, status, self.plain)
        try:
            yield stage
        finally:
            if status is not None:
                status.stop()
        seconds = time.perf_counter() - start
        note = f" ({stage.note})" if stage.note else ""
        if not self.plain or note or seconds >= 1.0:  # plain logs: no line for quick stages
            done = _("{stage}: done in {seconds} s")
            log.info("%s", done.format(stage=text + note, seconds=f"{seconds:.2f}"))
        if self.live:
            self.console.print(
                f"[green]✓[/green] {escape(text + note)} [dim]({seconds:.1f} s)[/dim]"
            )


def interactive(console: Console) -> bool:
    """Whether a person watches: stdout and stderr are terminals."""
    try:
        stdout = sys.stdout.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        stdout = False
    return stdout and console.is_terminal


def _printable(record: logging.LogRecord) -> bool:
    """Show a log line in the command's language (a message of
    :data:`~kuseo_match.cli.lang.LOG_TEMPLATES`, its values kept) and the data it
    quotes with its control characters escaped."""
    message = translated(record.getMessage(), LOG_TEMPLATES)
    record.msg, record.args = printable(message), None
    return True


@contextlib.contextmanager
def command_logging(args: argparse.Namespace) -> Iterator[Console]:
    """Show the ``kuseo_match`` logs on stderr for the length of one command.

    Yields the stderr console the logs go to on a terminal.
    """
    console = Console(file=sys.stderr, highlight=False)
    level = logging.WARNING if interactive(console) else logging.INFO  # plain progress lines
    if getattr(args, "quiet", False):
        level = logging.ERROR
    elif getattr(args, "verbose", False):
        level = logging.DEBUG
    handler: logging.Handler
    if console.is_terminal:
        handler = RichHandler(console=console, show_time=False, show_path=False, markup=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    handler.addFilter(_printable)
    root = logging.getLogger("kuseo_match")
    saved = root.level
    root.setLevel(level)
    root.addHandler(handler)
    try:
        yield console
    finally:
        root.removeHandler(handler)
        root.setLevel(saved)
