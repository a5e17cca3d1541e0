"""The ``kuseo-match`` command: synthetic data, matching runs and their reports.

Subcommands
-----------
``demo``
    Synthetic Khon Kaen (740 officers, 1,174 households), matched, with every
    output written and a short summary printed.
``solve OFFICERS HOUSEHOLDS``
    Match your own tables (CSV in any encoding, or XLSX) and write the outputs.
``synth --province NAME``
    Write synthetic ``officers.csv`` and ``households.csv`` for a province.
``report DIR``
    Rebuild ``map.png`` and ``report.html`` from a folder of results.

A matching run writes, into its output folder, ``pairs.csv`` and
``unmatched.csv`` (every household is in one of them; the input tables' other
columns -- names, phones, villages -- come along, see
:func:`kuseo_match.io.with_details`), ``pairs.xlsx``,
``pairs.geojson``, ``summary.json``, ``map.png`` and ``report.html``, plus
the ``officers.csv`` and ``households.csv`` it matched (so ``report`` can
rebuild the pictures later).

Exit status
-----------
0 done; 1 done, but some households have no officer; 2 bad input (the
message says what to change); 3 the time limit stopped the optimality proof
(the pairs are valid but not proven best; this wins over 1).

Adding a command
----------------
Every subcommand is a :class:`Subcommand`: a name, a help line, a function
adding its options to an :class:`argparse.ArgumentParser` and a function
``run(args) -> int``.  A new capability (rematch, diagnose, ...) is one more
entry in :data:`SUBCOMMANDS`; options shared by the matching commands live in
:func:`add_match_options`.

The command prints (results on stdout, errors on stderr); the library only
logs, to the ``kuseo_match`` logger, shown here at WARNING (``--verbose``:
DEBUG, including the INFO stage lines; ``--quiet``: errors only).
"""

from __future__ import annotations

import argparse
import contextlib
import enum
import functools
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from . import io, report
from ._version import __version__
from .diagnose import diagnose
from .errors import KuseoError, ValidationError
from .matcher import match
from .plan import plan_capacity
from .policy import Policy
from .rematch import rematch
from .result import OFFICER_LOAD_COLUMNS, PAIR_COLUMNS, UNMATCHED_COLUMNS, Result
from .schema import source_of, validate_tables
from .synth import synthetic_province

__all__ = [
    "SUBCOMMANDS",
    "ExitCode",
    "Subcommand",
    "add_match_options",
    "build_parser",
    "load_result",
    "main",
]

log = logging.getLogger("kuseo_match.cli")

PROG = "kuseo-match"
#: ``demo`` follows the programme's rules unless given a policy: capacity 2 (the
#: default) and every officer carries at least one household (1,174 >= 740).
PROGRAMME_MIN_LOAD = 1
#: Files ``report`` writes (and a matching run too).
PICTURE_FILES = ("map.png", "report.html")
#: Files a matching run writes into its output folder, besides the input copies.
OUTPUT_FILES = (
    "pairs.csv",
    "unmatched.csv",
    "officer_load.csv",
    "pairs.xlsx",
    "pairs.geojson",
    "summary.json",
    *PICTURE_FILES,
)
#: Written by ``rematch`` only (and removed by a later ``solve`` into the same folder).
REMATCH_FILES = ("changes.csv",)
_CSV_SUFFIXES = (".csv", ".txt")


class ExitCode(enum.IntEnum):
    """Exit status of the ``kuseo-match`` command."""

    #: Done: every household has an officer (or the command made no pairs).
    OK = 0
    #: Done, but some households have no officer (see ``unmatched.csv``).
    UNMATCHED = 1
    #: Bad input: a missing file or column, a bad setting; nothing was matched.
    BAD_INPUT = 2
    #: The time limit stopped the optimality proof (status ``"feasible"``).
    TIME_LIMIT = 3


_EPILOG = """\
exit status: 0 done; 1 done, some households unmatched; 2 bad input;
3 time limit reached before optimality was proven (wins over 1)"""


# --------------------------------------------------------------------------- progress
class _Stage:
    """One stage of :class:`_Progress`: call it with a sub-step (a solver round);
    ``note`` is added to the line that says the stage is done."""

    def __init__(self, text: str, status: Any, plain: bool) -> None:
        self.text = text
        self.status = status
        self.plain = plain
        self.note = ""

    def __call__(self, step: str) -> None:
        (log.info if self.plain else log.debug)("%s: %s", self.text, step)
        if self.status is not None:
            self.status.update(f"{self.text}: {step}")


class _Progress:
    """Stage lines on stderr: a live rich status when both stdout and stderr are
    terminals; otherwise (logs, scheduled jobs) one plain log line as each stage
    starts and ends and per solver round.  ``--quiet`` silences both."""

    def __init__(self, args: argparse.Namespace) -> None:
        # the console of the log handler, so log lines and the live status do not collide
        self.console = getattr(args, "console", None) or Console(file=sys.stderr, highlight=False)
        quiet = getattr(args, "quiet", False)
        self.live = _interactive(self.console) and not quiet
        self.plain = not self.live and not quiet

    @contextlib.contextmanager
    def stage(self, text: str) -> Iterator[_Stage]:
        """Show ``text`` while the block runs; yield a callable for sub-steps."""
        log.info("%s ...", text)
        start = time.perf_counter()
        status = None
        if self.live:
            status = self.console.status(text)
            status.start()
        stage = _Stage(text, status, self.plain)
        try:
            yield stage
        finally:
            if status is not None:
                status.stop()
        seconds = time.perf_counter() - start
        note = f" ({stage.note})" if stage.note else ""
        if not self.plain or note or seconds >= 1.0:  # plain logs: no line for quick stages
            log.info("%s%s: done in %.2f s", text, note, seconds)
        if self.live:
            self.console.print(
                f"[green]✓[/green] {escape(text + note)} [dim]({seconds:.1f} s)[/dim]"
            )


def _interactive(console: Console) -> bool:
    """Whether a person watches: stdout and stderr are terminals."""
    try:
        stdout = sys.stdout.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        stdout = False
    return stdout and console.is_terminal


@contextlib.contextmanager
def _logging(args: argparse.Namespace) -> Iterator[Console]:
    """Show the ``kuseo_match`` logs on stderr for the length of one command.

    Yields the stderr console the logs go to on a terminal.
    """
    console = Console(file=sys.stderr, highlight=False)
    level = logging.WARNING if _interactive(console) else logging.INFO  # plain progress lines
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
    root = logging.getLogger("kuseo_match")
    saved = root.level
    root.setLevel(level)
    root.addHandler(handler)
    try:
        yield console
    finally:
        root.removeHandler(handler)
        root.setLevel(saved)


# ------------------------------------------------------------------------ subcommands
@dataclass(frozen=True)
class Subcommand:
    """One ``kuseo-match`` subcommand.

    Attributes
    ----------
    name : str
        The word on the command line.
    help : str
        One line for ``kuseo-match --help``.
    description : str
        The paragraph of ``kuseo-match NAME --help``.
    add_arguments : callable
        ``add_arguments(parser)`` adds the command's options.
    run : callable
        ``run(args) -> int``: does the work and returns an :class:`ExitCode`;
        raises :class:`~kuseo_match.errors.KuseoError` for bad input.
    """

    name: str
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]

    def add_parser(
        self, subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()
    ) -> argparse.ArgumentParser:
        """Add this command to ``subparsers`` (of :func:`build_parser`)."""
        parser = subparsers.add_parser(
            self.name,
            help=self.help,
            description=self.description,
            epilog=_EPILOG,
            parents=list(parents),
        )
        self.add_arguments(parser)
        parser.set_defaults(run=self.run)
        return parser


def add_match_options(parser: argparse.ArgumentParser) -> None:
    """Options of every command that matches: ``--policy``, ``--time-limit`` and
    ``--coordinate-check``."""
    parser.add_argument(
        "--policy",
        type=Path,
        metavar="TOML",
        help="policy file (capacity, max_distance_km, fit_weight, cross_district_penalty, "
        "neutral_fit, fit_table, candidate_k, objective, min_load, same_district, "
        "coordinate_check, pair_distance_weight, [[quotas]]); unknown keys are errors",
    )
    parser.add_argument(
        "--coordinate-check",
        choices=("refuse", "warn"),
        help="positions that cannot be right (lat = lon = 0, outside Thailand's districts, "
        "far from their district): refuse them (the default) or only warn; overrides "
        "the policy file",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        metavar="S",
        help="stop the optimality proof (or CP-SAT's search) after S seconds (exit status 3 "
        "when stopped)",
    )


def _out_option(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(default),
        metavar="DIR",
        help=f"output folder, created when missing (default: {default})",
    )


# -- demo ---------------------------------------------------------------------------------
def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    _out_option(parser, "demo-output")
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help="seed of the synthetic data (default: 0)"
    )
    add_match_options(parser)


def _run_demo(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    progress = _Progress(args)
    policy = _read_policy(args.policy, args.coordinate_check)
    if args.policy is None:  # the programme's own rules: 1 officer : 2 households, none idle
        policy = (policy or Policy()).replace(min_load=PROGRAMME_MIN_LOAD)
    with progress.stage("generating synthetic Khon Kaen"):
        officers, households = synthetic_province("Khon Kaen", seed=args.seed)
    out = _folder(args.out)
    written = []
    for name, frame in (("officers.csv", officers), ("households.csv", households)):
        with progress.stage(f"writing {out / name}"):
            written.append(io.write_csv(frame, out / name))
    result = _match(progress, officers, households, policy, None, args.time_limit)
    written += _write_outputs(progress, result, officers, households, out)
    _print_summary(args, result, "Synthetic Khon Kaen", out, time.perf_counter() - start, written)
    return _exit_code(result)


# -- solve --------------------------------------------------------------------------------
def _solve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "officers",
        type=Path,
        help="officers table (.csv or .xlsx): officer_id, agency, "
        "district, lat, lon, optional capacity",
    )
    parser.add_argument(
        "households",
        type=Path,
        help="households table (.csv or .xlsx): household_id, kind, "
        "district, lat, lon, optional need_* flags",
    )
    parser.add_argument(
        "--costs",
        type=Path,
        metavar="F",
        help="table of allowed pairs and their costs (officer_id, household_id, cost), e.g. "
        "road minutes; replaces the built-in distance-and-fit cost",
    )
    parser.add_argument(
        "--locked",
        type=Path,
        metavar="F",
        help="table of pairs kept in the answer (officer_id, household_id), e.g. pairs that "
        "already work",
    )
    parser.add_argument(
        "--forbidden",
        type=Path,
        metavar="F",
        help="table of pairs never used (officer_id, household_id), e.g. conflicts of interest",
    )
    _out_option(parser, "kuseo-output")
    parser.add_argument(
        "--encoding",
        metavar="ENC",
        help="text encoding of the CSV inputs (e.g. cp874); default: detected",
    )
    parser.add_argument(
        "--header-row",
        action="append",
        metavar="[TABLE=]N",
        help="row number (from 1) of the header, for every input or, as officers=N, "
        "households=N or costs=N, for one (repeatable); default: the first of rows 1-21 "
        "that names the id column",
    )
    parser.add_argument(
        "--sheet",
        action="append",
        metavar="[TABLE=]NAME",
        help="worksheet of the .xlsx inputs, for every one or, as officers=NAME, "
        "households=NAME or costs=NAME, for one (repeatable); default: the first sheet "
        "that has the id column",
    )
    add_match_options(parser)


#: The id column each input of ``solve`` must have.
_ID_OF = {
    "officers": "officer_id",
    "households": "household_id",
    "costs": "officer_id",
    "locked": "officer_id",
    "forbidden": "officer_id",
    "previous": "officer_id",
}


def _rematch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "previous", type=Path, help="the previous pairs (officer_id, household_id), e.g. pairs.csv"
    )
    _solve_arguments(parser)


def _per_table(values: Sequence[str] | None, option: str, tables: Sequence[str]) -> dict:
    """``--option V`` (every table) and ``--option TABLE=V`` (one) as ``{table: V}``."""
    out: dict[str, str] = {}
    for value in values or ():
        table, sep, rest = value.partition("=")
        if sep and table in _ID_OF:
            if table not in tables:
                raise ValidationError(
                    f"names {table}, but this run reads no {table} table", table=option, value=value
                )
            out[table] = rest
        else:
            out.update(dict.fromkeys(tables, value))
    return out


def _header_rows(values: Sequence[str] | None, tables: Sequence[str]) -> dict[str, int]:
    rows = {}
    for table, text in _per_table(values, "--header-row", tables).items():
        try:
            rows[table] = int(text)
        except ValueError:
            raise ValidationError(
                "must be a row number, or TABLE=N (officers=3)", table="--header-row", value=text
            ) from None
    return rows


def _read_input(progress: _Progress, table: str, path: Path, **options: Any) -> pd.DataFrame:
    with progress.stage(f"reading {path}") as stage:
        frame = io.read_table(path, id_column=_ID_OF[table], **options)
        source = source_of(frame)
        notes = [f"{len(frame):,} rows"]
        if source is not None and source.sheet is not None:
            notes.insert(0, f"sheet {source.sheet!r}")
        if source is not None and len(source.rows) and source.rows[0] > 2:
            notes.append(f"header in row {source.rows[0] - 1}")
        stage.note = ", ".join(notes)
    if table in ("officers", "households") and len(frame) == 0:
        raise ValidationError(f"has a header but no data rows; fill in the {table}", file=path.name)
    return frame


def _run_solve(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    progress = _Progress(args)
    policy = _read_policy(args.policy, args.coordinate_check)
    inputs = [("officers", args.officers), ("households", args.households)]
    if getattr(args, "previous", None) is not None:
        inputs.insert(0, ("previous", args.previous))
    for name in ("costs", "locked", "forbidden"):
        if getattr(args, name) is not None:
            inputs.append((name, getattr(args, name)))
    if args.encoding is not None and not any(p.suffix.lower() in _CSV_SUFFIXES for _, p in inputs):
        raise ValidationError(
            "applies to CSV inputs only, and every input is a workbook; drop --encoding",
            table="--encoding",
            value=args.encoding,
        )
    names = [t for t, _ in inputs]
    header_rows = _header_rows(args.header_row, names)
    workbooks = [t for t, p in inputs if p.suffix.lower() not in _CSV_SUFFIXES]
    sheets = _per_table(args.sheet, "--sheet", workbooks if args.sheet else names)
    for table in sheets:
        if table not in workbooks:
            raise ValidationError(
                f"names a sheet of the {table} table, which is not a workbook; drop it",
                table="--sheet",
                value=sheets[table],
            )
    tables: dict[str, pd.DataFrame] = {}
    for name, path in inputs:
        encoding = args.encoding if path.suffix.lower() in _CSV_SUFFIXES else None
        tables[name] = _read_input(
            progress,
            name,
            path,
            encoding=encoding,
            header_row=header_rows.get(name),
            sheet=sheets.get(name),
        )
    officers, households = tables["officers"], tables["households"]
    result = _match(
        progress,
        officers,
        households,
        policy,
        tables.get("costs"),
        args.time_limit,
        locked=tables.get("locked"),
        forbidden=tables.get("forbidden"),
        previous=tables.get("previous"),
    )
    out = _folder(args.out)
    sources = [p for _, p in inputs]
    written = []
    for name, frame in (("officers.csv", officers), ("households.csv", households)):
        target = out / name
        if any(_same_file(target, p) for p in sources):
            written.append(target)  # never overwrite an input; it is already where `report` looks
            continue
        with progress.stage(f"writing {target}"):
            written.append(io.write_csv(frame, target))
    written += _write_outputs(progress, result, officers, households, out)
    _print_summary(
        args,
        result,
        f"{args.officers} + {args.households}",
        out,
        time.perf_counter() - start,
        written,
    )
    return _exit_code(result)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


# -- synth --------------------------------------------------------------------------------
def _diagnose_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("officers", type=Path, help="officers table (.csv or .xlsx)")
    parser.add_argument("households", type=Path, help="households table (.csv or .xlsx)")
    parser.add_argument(
        "--costs", type=Path, metavar="F", help="table of allowed pairs and their costs"
    )
    add_match_options(parser)


def _run_diagnose(args: argparse.Namespace) -> int:
    progress = _Progress(args)
    policy = _read_policy(args.policy, args.coordinate_check)
    officers = _read_input(progress, "officers", args.officers)
    households = _read_input(progress, "households", args.households)
    costs = None if args.costs is None else _read_input(progress, "costs", args.costs)
    with progress.stage("diagnosing (each fix is verified by solving again)"):
        found = diagnose(officers, households, policy, costs=costs)
    if not args.quiet:
        print(found)
    return ExitCode.OK if found.deficit == 0 else ExitCode.UNMATCHED


def _plan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("households", type=Path, help="households table (.csv or .xlsx)")
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
    _out_option(parser, "plan-output")
    add_match_options(parser)


def _run_plan(args: argparse.Namespace) -> int:
    progress = _Progress(args)
    policy = _read_policy(args.policy, args.coordinate_check)
    households = _read_input(progress, "households", args.households)
    officers = None if args.officers is None else _read_input(progress, "officers", args.officers)
    sites = None if args.sites is None else io.read_table(args.sites)
    with progress.stage("planning"):
        plan = plan_capacity(
            households,
            officers=officers,
            policy=policy,
            capacity=args.capacity,
            sites=sites,
            time_limit=args.time_limit if args.time_limit is not None else 60.0,
        )
    out = _folder(args.out)
    written = io.write_csv(plan, out / "plan.csv")
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


def _synth_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--province",
        required=True,
        metavar="NAME",
        help="province by English or Thai name or code, e.g. 'Khon Kaen', 'ขอนแก่น', TH40",
    )
    parser.add_argument(
        "--households", type=int, default=1174, metavar="N", help="households (default: 1174)"
    )
    parser.add_argument(
        "--officers", type=int, default=740, metavar="N", help="officers (default: 740)"
    )
    parser.add_argument(
        "--developable",
        type=int,
        metavar="N",
        help="developable households, the rest are welfare (default: Khon Kaen's share)",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default: 0)")
    _out_option(parser, "synth-output")


def _run_synth(args: argparse.Namespace) -> int:
    progress = _Progress(args)
    with progress.stage(f"generating {args.province}"):
        officers, households = synthetic_province(
            args.province,
            officers=args.officers,
            households=args.households,
            developable=args.developable,
            seed=args.seed,
        )
    out = _folder(args.out)
    for name, frame in (("officers.csv", officers), ("households.csv", households)):
        with progress.stage(f"writing {out / name}"):
            io.write_csv(frame, out / name)
    if not args.quiet:
        print(
            f"{len(officers):,} officers and {len(households):,} households of "
            f"{args.province} written to {out}{os.sep} (officers.csv, households.csv)"
        )
    return ExitCode.OK


# -- report -------------------------------------------------------------------------------
def _report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "folder",
        type=Path,
        metavar="DIR",
        help="folder of a run: officers.csv, households.csv, pairs.csv, unmatched.csv, "
        "summary.json; map.png and report.html are written there",
    )
    parser.add_argument(
        "--policy",
        type=Path,
        metavar="TOML",
        help="policy to show in the report (default: the settings in summary.json; a custom "
        "fit table is not stored there)",
    )


def _run_report(args: argparse.Namespace) -> int:
    progress = _Progress(args)
    folder: Path = args.folder
    if not folder.is_dir():
        raise ValidationError(
            f"no such folder: {folder}; give the --out folder of a run", table="DIR"
        )
    policy = _read_policy(args.policy)
    with progress.stage(f"reading {folder}"):
        result, officers, households = load_result(folder, policy=policy)
    written = _write_pictures(progress, result, officers, households, folder)
    _remove_stale(folder, PICTURE_FILES, written)
    if not args.quiet:
        print(f"written to {folder}{os.sep}: {', '.join(p.name for p in written)}")
    return ExitCode.OK


#: The subcommands, in ``--help`` order.  New capabilities add an entry here.
SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        "demo",
        "synthetic Khon Kaen: generate, match, write every output, print a summary",
        "Generate synthetic Khon Kaen (740 officers, 1,174 households), write "
        "officers.csv and households.csv, match them under the programme's rules (capacity "
        "2, every officer at least 1 household; --policy replaces them) and write pairs.csv, "
        "unmatched.csv, "
        "pairs.xlsx, pairs.geojson, summary.json, map.png and report.html.",
        _demo_arguments,
        _run_demo,
    ),
    Subcommand(
        "solve",
        "match your own officers and households tables",
        "Read the officers and households tables (CSV in any encoding, or XLSX), match "
        "them and write pairs.csv, unmatched.csv, pairs.xlsx, pairs.geojson, summary.json, "
        "map.png and report.html (plus copies of the inputs as officers.csv and "
        "households.csv) into --out.",
        _solve_arguments,
        _run_solve,
    ),
    Subcommand(
        "rematch",
        "pair again, keeping the previous pairs that still work",
        "Read the previous pairs (a pairs.csv of an earlier run works) and today's officers "
        "and households tables, keep every previous pair whose officer and household are "
        "still there and still allowed (unless covering more households needs it to move), "
        "pair the rest at least cost, and write the outputs of solve plus changes.csv: each "
        "household whose officer changed, entered or left, with the reason.",
        _rematch_arguments,
        _run_solve,
    ),
    Subcommand(
        "diagnose",
        "why households stay unmatched, and changes that fix it (each verified)",
        "Match the tables and, when some households stay unmatched, print the groups of "
        "households whose reachable officers lack slots and the changes that pair them "
        "(officers added, capacities raised, a longer max_distance_km, pairs across "
        "districts), each verified by solving again. Exit status 0 when nothing is short, "
        "1 otherwise.",
        _diagnose_arguments,
        _run_diagnose,
    ),
    Subcommand(
        "plan",
        "how many officers each district must send so every household is covered",
        "Plan the fewest additional officers per district (or per --sites) so that every "
        "household can be paired within the policy's reach, given --officers already "
        "there; print the plan and write plan.csv into --out.",
        _plan_arguments,
        _run_plan,
    ),
    Subcommand(
        "synth",
        "write synthetic officers.csv and households.csv for a province",
        "Write synthetic officers.csv and households.csv (UTF-8 with BOM) for any of "
        "Thailand's 77 provinces.",
        _synth_arguments,
        _run_synth,
    ),
    Subcommand(
        "report",
        "rebuild map.png and report.html from a folder of results",
        "Rebuild map.png and report.html from the officers.csv, households.csv, pairs.csv, "
        "unmatched.csv and summary.json of a demo or solve run.",
        _report_arguments,
        _run_report,
    ),
)


# ----------------------------------------------------------------------- shared steps
def _read_policy(path: Path | None, coordinate_check: str | None = None) -> Policy | None:
    policy = None if path is None else Policy.from_toml(path)
    if coordinate_check is not None:
        policy = (policy or Policy()).replace(coordinate_check=coordinate_check)
    return policy


def _folder(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(
            f"cannot create the output folder {path}: {exc.strerror or exc}; choose another --out",
            table="--out",
        ) from exc
    return path


def _match(
    progress: _Progress,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    policy: Policy | None,
    costs: pd.DataFrame | None,
    time_limit: float | None,
    *,
    locked: pd.DataFrame | None = None,
    forbidden: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
) -> Result:
    text = f"matching {len(households):,} households with {len(officers):,} officers"
    solver = match if previous is None else functools.partial(rematch, previous)
    with progress.stage(text) as stage:
        return solver(
            officers,
            households,
            policy,
            costs=costs,
            locked=locked,
            forbidden=forbidden,
            time_limit=time_limit,
            progress=stage,
        )


def _write_outputs(
    progress: _Progress,
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    out: Path,
) -> list[Path]:
    """Every output of a matching run (not the input copies); outputs of an earlier
    run into the same folder that this one does not write are removed."""
    written = []
    pairs = io.with_district_names(io.with_details(result.pairs, officers, households))
    with progress.stage(f"writing {out / 'pairs.csv'}"):
        written.append(io.write_csv(pairs, out / "pairs.csv"))
    unmatched = io.with_district_names(io.with_details(result.unmatched, None, households))
    with progress.stage(f"writing {out / 'unmatched.csv'}"):
        written.append(io.write_csv(unmatched, out / "unmatched.csv"))
    load = io.with_district_names(io.with_details(result.officer_load, officers, None))
    with progress.stage(f"writing {out / 'officer_load.csv'}"):
        written.append(io.write_csv(load, out / "officer_load.csv"))
    with progress.stage(f"writing {out / 'pairs.xlsx'}"):
        written.append(
            io.write_pairs_xlsx(
                result,
                out / "pairs.xlsx",
                district_names=_district_names(),
                officers=officers,
                households=households,
            )
        )
    with progress.stage(f"writing {out / 'pairs.geojson'}"):
        written.append(io.write_geojson(result, officers, households, out / "pairs.geojson"))
    with progress.stage(f"writing {out / 'summary.json'}"):
        written.append(io.write_summary_json(result, out / "summary.json"))
    if result.changes is not None:
        with progress.stage(f"writing {out / 'changes.csv'}"):
            written.append(io.write_csv(result.changes, out / "changes.csv"))
    written += _write_pictures(progress, result, officers, households, out)
    _remove_stale(out, (*OUTPUT_FILES, *REMATCH_FILES), written)
    return written


def _remove_stale(folder: Path, names: Sequence[str], written: Sequence[Path]) -> None:
    """Remove the files of ``names`` in ``folder`` that this run did not write: an
    earlier run's, which would no longer match (never any other file)."""
    kept = {p.name for p in written}
    for name in names:
        path = folder / name
        if name not in kept and path.is_file():
            try:
                path.unlink()
            except OSError as exc:
                raise ValidationError(
                    f"cannot remove {path}, left by an earlier run: {exc.strerror or exc}; "
                    "close it if it is open, or choose another --out",
                    table="--out",
                ) from exc
            log.info("removed %s: an earlier run's, which this run does not replace", path)


def _write_pictures(
    progress: _Progress,
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    out: Path,
) -> list[Path]:
    """map.png (when the tables have coordinates) and report.html."""
    written = []
    map_png = None
    with progress.stage(f"drawing {out / 'map.png'}"):
        try:
            written.append(report.write_map(result, officers, households, out / "map.png"))
        except ValidationError as exc:
            log.warning("no map.png: %s", exc)
        else:
            map_png = written[-1].read_bytes()
    with progress.stage(f"writing {out / 'report.html'}"):
        written.append(
            report.write_report(result, officers, households, out / "report.html", map_png=map_png)
        )
    return written


def _district_names() -> dict[str, str]:
    from .reference import districts

    table = districts()
    return dict(zip(table["district_code"], table["district_th"], strict=True))


def _exit_code(result: Result) -> int:
    if result.status == "feasible":
        return ExitCode.TIME_LIMIT
    if len(result.unmatched):
        return ExitCode.UNMATCHED
    return ExitCode.OK


def _print_summary(
    args: argparse.Namespace,
    result: Result,
    title: str,
    out: Path,
    seconds: float,
    written: Sequence[Path],
) -> None:
    if args.quiet:
        return
    s = result.summary()
    n = s["households"]
    share = s["paired"] / n if n else 1.0
    loads = s["officers_by_load"]
    top = max(loads, default=0)
    counts = [loads.get(k, 0) for k in range(top + 1)]
    status = {
        "optimal": "optimal (proven over every allowed pair)",
        "feasible": "feasible (time limit reached before optimality was proven)",
        "approximate": "approximate (optimal for rounded costs; within "
        f"{result.stats.get('objective_tolerance', float('nan')):.3g} of the optimum)",
    }.get(s["status"], s["status"])
    rows = [
        ("Households paired", f"{s['paired']:,} of {n:,} ({share:.1%})"),
        ("Mean distance", _km(s["mean_distance_km"], s["paired"])),
        ("Longest distance", _km(s["max_distance_km"], s["paired"])),
        ("Agency fits kind", _share(s["kind_fit_share"], "of pairs")),
        (
            f"Officers with {'/'.join(map(str, range(top + 1)))} households",
            " / ".join(f"{c:,}" for c in counts),
        ),
        ("Policy", _policy_line(result.policy)),
        ("Status", status),
        ("Time", f"matching {result.stats.get('seconds', 0.0):.2f} s, total {seconds:.1f} s"),
    ]
    dearest = result.prices_by_district()
    dearest = dearest[dearest["top_price"] > 0].head(3)
    if len(dearest):
        rows.append(
            (
                "One more officer saves most",
                ", ".join(
                    f"{r.district} (up to {r.top_price:.1f}, mean {r.mean_price:.1f})"
                    for r in dearest.itertuples(index=False)
                ),
            )
        )
    if s["unmatched"]:
        reasons = sorted(s["unmatched_reasons"].items(), key=lambda kv: -kv[1])
        for reason, count in reasons[:3]:
            rows.append(("Unmatched", f"{count:,}: {reason}"))
        if len(reasons) > 3:
            rows.append(("Unmatched", f"... {len(reasons) - 3} more reasons in unmatched.csv"))
    rows.append(("Outputs", f"{out}{os.sep} ({', '.join(p.name for p in written)})"))
    width = max(len(label) for label, _ in rows)
    print(title)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def _policy_line(policy: Policy) -> str:
    """The policy's settings that differ from the defaults, capacity always."""
    default = Policy().to_dict()
    shown = {"capacity": policy.capacity} | {
        k: v for k, v in policy.to_dict().items() if v != default[k] and k != "capacity"
    }
    text = ", ".join(f"{k} {v}" for k, v in shown.items())
    if policy.min_load:
        text += (
            f" (every officer of capacity >= {policy.min_load} carries at least {policy.min_load})"
        )
    return text


def _km(value: float | None, paired: int) -> str:
    if value is None:
        return "n/a (no pairs)" if paired == 0 else "n/a (no coordinates)"
    return f"{value:.1f} km"


def _share(value: float | None, what: str) -> str:
    return "n/a" if value is None else f"{value:.1%} {what}"


# ------------------------------------------------------------------ result from files
def load_result(
    folder: Path, *, policy: Policy | None = None
) -> tuple[Result, pd.DataFrame, pd.DataFrame]:
    """A :class:`Result` and its input tables, read back from a run's output folder.

    Parameters
    ----------
    folder : pathlib.Path
        Holds ``officers.csv``, ``households.csv``, ``pairs.csv``,
        ``unmatched.csv`` and ``summary.json`` (as ``demo`` and ``solve``
        write them).
    policy : Policy, optional
        The policy to attach; default the settings stored in
        ``summary.json`` (with the shipped fit table: a custom one is not
        stored there).

    Returns
    -------
    result : Result
        ``pairs``, ``unmatched`` and ``officer_load`` (with the prices) from
        the CSV files (``officer_load`` from ``officers.csv`` and the pairs,
        without prices, for a folder that has no ``officer_load.csv``),
        ``status``, ``objective``,
        ``unknown_agencies`` and ``stats`` from ``summary.json`` (``stats``
        is empty when the file has none).
    officers, households : pandas.DataFrame
        The tables as read.

    Raises
    ------
    ValidationError
        A file is missing or unreadable, a column is missing, or
        ``summary.json`` is not a summary.
    """
    officers = io.read_table(folder / "officers.csv")
    households = io.read_table(folder / "households.csv")
    pairs = _columns(io.read_table(folder / "pairs.csv"), PAIR_COLUMNS, "pairs.csv")
    unmatched = _columns(
        io.read_table(folder / "unmatched.csv"), UNMATCHED_COLUMNS, "unmatched.csv"
    )
    summary = _read_summary(folder / "summary.json")
    if policy is None:
        settings = dict(summary.get("policy") or {})
        if settings.pop("fit_table", "default") != "default":
            log.warning(
                "summary.json says the run used a custom fit table, which it does not "
                "store; the report shows the shipped one (pass --policy to use yours)"
            )
        policy = Policy.from_dict(settings)
    valid_o, valid_h = validate_tables(
        officers,
        households,
        default_capacity=policy.capacity,
        need_coordinates=False,
        coordinate_check="warn",  # the run that wrote them decided
        capacity_by=policy.capacity_by,
    )
    if (folder / "officer_load.csv").is_file():
        officer_load = _columns(
            io.read_table(folder / "officer_load.csv"), OFFICER_LOAD_COLUMNS, "officer_load.csv"
        )
    else:  # a run of an older version: loads from the pairs, prices unknown
        counts = pairs["officer_id"].astype(str).value_counts()
        keys = valid_o["officer_id"].astype(str)
        officer_load = pd.DataFrame(
            {
                "officer_id": valid_o["officer_id"].to_numpy(),
                "agency": valid_o["agency"].to_numpy(),
                "district": valid_o["district"].to_numpy(),
                "capacity": valid_o["capacity"].to_numpy(),
                "load": keys.map(counts).fillna(0).astype(int).to_numpy(),
                "price": np.nan,
            }
        )
    if "household_id" in households.columns:
        known = set(pairs["household_id"].astype(str)) | set(unmatched["household_id"].astype(str))
        missing = (~households["household_id"].astype(str).isin(known)).sum()
        if missing:
            log.warning(
                "%d households of households.csv are in neither pairs.csv nor unmatched.csv",
                missing,
            )
    status = summary.get("status")
    if status not in ("optimal", "feasible", "approximate"):
        raise ValidationError(
            "must be 'optimal', 'feasible' or 'approximate'",
            table="summary.json",
            column="status",
            value=status,
        )
    objective = summary.get("objective")
    if isinstance(objective, bool) or not isinstance(objective, int | float):
        objective = float(pd.to_numeric(pairs["cost"], errors="coerce").sum())
    result = Result(
        pairs=pairs,
        unmatched=unmatched,
        status=status,
        objective=float(objective),
        policy=policy,
        unknown_agencies=tuple(str(a) for a in summary.get("unknown_agencies") or ()),
        officer_load=officer_load,
        stats=stats if isinstance(stats := summary.get("stats"), dict) else {},
        officers=valid_o,
        households=valid_h,
    )
    return result, officers, households


def _columns(frame: pd.DataFrame, columns: Sequence[str], table: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError(
            f"missing column(s) {', '.join(map(repr, missing))}; is this the output of "
            "kuseo-match demo or solve?",
            table=table,
        )
    return frame[list(columns)]


def _read_summary(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValidationError(f"no such file: {path}", table="summary.json") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"{path} is not readable JSON: {exc}", table="summary.json") from exc
    if not isinstance(data, dict):
        raise ValidationError(
            f"{path} is not a summary (expected a JSON object)", table="summary.json"
        )
    return data


# ------------------------------------------------------------------------------ main
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
        epilog=_EPILOG,
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
    with _logging(args) as console:
        args.console = console
        try:
            return int(args.run(args))
        except KuseoError as exc:
            log.debug("bad input", exc_info=True)
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            return int(ExitCode.BAD_INPUT)
        except OSError as exc:
            log.debug("cannot read or write a file", exc_info=True)
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            return int(ExitCode.BAD_INPUT)
        except KeyboardInterrupt:
            print(f"{PROG}: interrupted", file=sys.stderr)
            return 130
