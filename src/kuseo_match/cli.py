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
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from . import io, report
from ._version import __version__
from .errors import KuseoError, ValidationError
from .matcher import match
from .policy import Policy
from .result import PAIR_COLUMNS, UNMATCHED_COLUMNS, Result
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
#: Files a matching run writes into its output folder, besides the input copies.
OUTPUT_FILES = (
    "pairs.csv",
    "unmatched.csv",
    "pairs.xlsx",
    "pairs.geojson",
    "summary.json",
    "map.png",
    "report.html",
)
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
class _Progress:
    """Stage lines on stderr: a live rich status on a terminal, INFO log lines always."""

    def __init__(self, args: argparse.Namespace) -> None:
        # the console of the log handler, so log lines and the live status do not collide
        self.console = getattr(args, "console", None) or Console(file=sys.stderr, highlight=False)
        self.live = self.console.is_terminal and not getattr(args, "quiet", False)

    @contextlib.contextmanager
    def stage(self, text: str) -> Iterator[Callable[[str], None]]:
        """Show ``text`` while the block runs; yield a callable for sub-steps."""
        log.info("%s ...", text)
        start = time.perf_counter()
        status = None
        if self.live:
            status = self.console.status(text)
            status.start()

        def update(step: str) -> None:
            log.debug("%s: %s", text, step)
            if status is not None:
                status.update(f"{text}: {step}")

        try:
            yield update
        finally:
            if status is not None:
                status.stop()
        seconds = time.perf_counter() - start
        log.info("%s: done in %.2f s", text, seconds)
        if self.live:
            self.console.print(f"[green]✓[/green] {escape(text)} [dim]({seconds:.1f} s)[/dim]")


@contextlib.contextmanager
def _logging(args: argparse.Namespace) -> Iterator[Console]:
    """Show the ``kuseo_match`` logs on stderr for the length of one command.

    Yields the stderr console the logs go to on a terminal.
    """
    level = logging.WARNING
    if getattr(args, "quiet", False):
        level = logging.ERROR
    elif getattr(args, "verbose", False):
        level = logging.DEBUG
    console = Console(file=sys.stderr, highlight=False)
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
    """Options of every command that matches: ``--policy`` and ``--time-limit``."""
    parser.add_argument(
        "--policy",
        type=Path,
        metavar="TOML",
        help="policy file (capacity, max_distance_km, fit_weight, cross_district_penalty, "
        "neutral_fit, fit_table, candidate_k); unknown keys are errors",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        metavar="S",
        help="stop the optimality proof after S seconds (exit status 3 when stopped)",
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
    policy = _read_policy(args.policy)
    with progress.stage("generating synthetic Khon Kaen"):
        officers, households = synthetic_province("Khon Kaen", seed=args.seed)
    out = _folder(args.out)
    for name, frame in (("officers.csv", officers), ("households.csv", households)):
        with progress.stage(f"writing {out / name}"):
            io.write_csv(frame, out / name)
    result = _match(progress, officers, households, policy, None, args.time_limit)
    _write_outputs(progress, result, officers, households, out)
    _print_summary(args, result, "Synthetic Khon Kaen", out, time.perf_counter() - start)
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
    _out_option(parser, "kuseo-output")
    parser.add_argument(
        "--encoding",
        metavar="ENC",
        help="text encoding of the CSV inputs (e.g. cp874); default: detected",
    )
    parser.add_argument(
        "--header-row",
        type=int,
        metavar="N",
        help="row number (from 1) of the header in every input, when titles sit above it; "
        "default 1 (a title row above the header is detected and reported)",
    )
    add_match_options(parser)


def _run_solve(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    progress = _Progress(args)
    policy = _read_policy(args.policy)
    inputs = [("officers", args.officers), ("households", args.households)]
    if args.costs is not None:
        inputs.append(("costs", args.costs))
    if args.encoding is not None and not any(p.suffix.lower() in _CSV_SUFFIXES for _, p in inputs):
        raise ValidationError(
            "applies to CSV inputs only, and every input is a workbook; drop --encoding",
            table="--encoding",
            value=args.encoding,
        )
    tables: dict[str, pd.DataFrame] = {}
    for name, path in inputs:
        encoding = args.encoding if path.suffix.lower() in _CSV_SUFFIXES else None
        with progress.stage(f"reading {path}"):
            tables[name] = io.read_table(path, encoding=encoding, header_row=args.header_row)
    officers, households = tables["officers"], tables["households"]
    result = _match(progress, officers, households, policy, tables.get("costs"), args.time_limit)
    out = _folder(args.out)
    sources = [p for _, p in inputs]
    for name, frame in (("officers.csv", officers), ("households.csv", households)):
        target = out / name
        if any(_same_file(target, p) for p in sources):
            continue  # never overwrite an input; it is already where `report` looks
        with progress.stage(f"writing {target}"):
            io.write_csv(frame, target)
    _write_outputs(progress, result, officers, households, out)
    _print_summary(
        args,
        result,
        f"{args.officers} + {args.households}",
        out,
        time.perf_counter() - start,
    )
    return _exit_code(result)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


# -- synth --------------------------------------------------------------------------------
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
    if not args.quiet:
        print(f"written to {folder}{os.sep}: {', '.join(p.name for p in written)}")
    return ExitCode.OK


#: The subcommands, in ``--help`` order.  New capabilities add an entry here.
SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        "demo",
        "synthetic Khon Kaen: generate, match, write every output, print a summary",
        "Generate synthetic Khon Kaen (740 officers, 1,174 households), write "
        "officers.csv and households.csv, match them and write pairs.csv, unmatched.csv, "
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
def _read_policy(path: Path | None) -> Policy | None:
    return None if path is None else Policy.from_toml(path)


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
) -> Result:
    text = f"matching {len(households):,} households with {len(officers):,} officers"
    with progress.stage(text) as update:
        return match(
            officers, households, policy, costs=costs, time_limit=time_limit, progress=update
        )


def _write_outputs(
    progress: _Progress,
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    out: Path,
) -> list[Path]:
    written = []
    pairs = io.with_details(result.pairs, officers, households)
    with progress.stage(f"writing {out / 'pairs.csv'}"):
        written.append(io.write_csv(pairs, out / "pairs.csv"))
    unmatched = io.with_details(result.unmatched, None, households)
    with progress.stage(f"writing {out / 'unmatched.csv'}"):
        written.append(io.write_csv(unmatched, out / "unmatched.csv"))
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
    written += _write_pictures(progress, result, officers, households, out)
    return written


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
    if result.status != "optimal":
        return ExitCode.TIME_LIMIT
    if len(result.unmatched):
        return ExitCode.UNMATCHED
    return ExitCode.OK


def _print_summary(
    args: argparse.Namespace, result: Result, title: str, out: Path, seconds: float
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
    }.get(s["status"], s["status"])
    rows = [
        ("Households paired", f"{s['paired']:,} of {n:,} ({share:.1%})"),
        ("Mean distance", _km(s["mean_distance_km"])),
        ("Longest distance", _km(s["max_distance_km"])),
        ("Agency fits kind", _share(s["kind_fit_share"], "of pairs")),
        (
            f"Officers with {'/'.join(map(str, range(top + 1)))} households",
            " / ".join(f"{c:,}" for c in counts),
        ),
        ("Status", status),
        ("Time", f"matching {result.stats.get('seconds', 0.0):.2f} s, total {seconds:.1f} s"),
    ]
    if s["unmatched"]:
        reasons = sorted(s["unmatched_reasons"].items(), key=lambda kv: -kv[1])
        for reason, count in reasons[:3]:
            rows.append(("Unmatched", f"{count:,}: {reason}"))
        if len(reasons) > 3:
            rows.append(("Unmatched", f"... {len(reasons) - 3} more reasons in unmatched.csv"))
    written = [name for name in OUTPUT_FILES if (out / name).exists()]
    rows.append(("Outputs", f"{out}{os.sep} ({', '.join(written)})"))
    width = max(len(label) for label, _ in rows)
    print(title)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def _km(value: float | None) -> str:
    return "n/a (no coordinates)" if value is None else f"{value:.1f} km"


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
        ``pairs`` and ``unmatched`` from the CSV files, ``officer_load``
        from ``officers.csv`` and the pairs, ``status``, ``objective``,
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
    for column in ("officer_id", "agency", "district"):
        if column not in officers.columns:
            raise ValidationError(
                "missing column; the report needs it", table="officers.csv", column=column
            )
    capacity = (
        pd.to_numeric(officers["capacity"], errors="coerce")
        if "capacity" in officers.columns
        else pd.Series(float("nan"), index=officers.index)
    )
    counts = pairs["officer_id"].astype(str).value_counts()
    officer_load = pd.DataFrame(
        {
            "officer_id": officers["officer_id"].to_numpy(),
            "agency": officers["agency"].to_numpy(),
            "district": officers["district"].to_numpy(),
            "capacity": capacity.fillna(policy.capacity).astype(int).to_numpy(),
            "load": officers["officer_id"].astype(str).map(counts).fillna(0).astype(int).to_numpy(),
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
    if status not in ("optimal", "feasible"):
        raise ValidationError(
            "must be 'optimal' or 'feasible'", table="summary.json", column="status", value=status
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
