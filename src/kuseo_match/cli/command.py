"""What every subcommand shares: the exit status, the :class:`Subcommand` record,
the matching options and the match itself."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import enum
import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ValidationError, shown
from ..matcher import match
from ..policy import Policy
from ..rematch import rematch
from ..report import AGGREGATE_HOUSEHOLDS
from ..result import Result
from ..solve import SolveOptions
from .lang import _
from .progress import Progress

PROG = "kuseo-match"
#: Seconds ``--scheduler`` waits for the Dask scheduler to answer.
SCHEDULER_TIMEOUT = 10


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
    #: A bug in kuseo-match (not your input): please report it.
    INTERNAL_ERROR = 4


EPILOG = """\
exit status: 0 done; 1 done, some households unmatched; 2 bad input;
3 time limit reached before optimality was proven (wins over 1); 4 a bug in
kuseo-match (please report it); 130 interrupted (the output folder is left as it was)"""


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
            help=_(self.help),
            description=_(self.description),
            epilog=_(EPILOG),
            parents=list(parents),
        )
        self.add_arguments(parser)
        parser.set_defaults(run=self.run)
        return parser


def add_match_options(parser: argparse.ArgumentParser, *, time_limit: bool = True) -> None:
    """Options of every command that matches: ``--policy``, ``--coordinate-check``
    and (unless the command has no use for it) ``--time-limit``."""
    parser.add_argument(
        "--policy",
        type=Path,
        metavar="TOML",
        help=_(
            "policy file (capacity, max_distance_km, fit_weight, cross_district_penalty, "
            "neutral_fit, fit_table, candidate_k, objective, min_load, same_district, "
            "same_province, coordinate_check, pair_distance_weight, [[quotas]]); "
            "unknown keys are errors"
        ),
    )
    parser.add_argument(
        "--coordinate-check",
        choices=("refuse", "warn"),
        help=_(
            "positions that cannot be right (lat = lon = 0, outside Thailand's districts, "
            "far from their district): refuse them (the default) or only warn; overrides "
            "the policy file"
        ),
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help=_(
            "solve the parts of a large run (provinces under same_province, components "
            "under a distance limit) in N local processes (default: one after another in "
            "this process); the answer is the same"
        ),
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=_(
            "solve the parts on a running Dask cluster (dask-scheduler's address, such as "
            "tcp://10.0.0.5:8786; needs kuseo-match[dask])"
        ),
    )
    parser.add_argument(
        "--memory",
        type=float,
        metavar="GB",
        help=_(
            "with --workers or --scheduler: the parts solved at the same time are estimated "
            "to need at most GB gigabytes together, and a larger part runs alone (default: "
            "no limit; on a laptop, about half its memory)"
        ),
    )
    if not time_limit:
        return
    parser.add_argument(
        "--time-limit",
        type=float,
        metavar="S",
        help=_(
            "stop the optimality proof (or CP-SAT's search) after S seconds (exit status 3 "
            "when stopped)"
        ),
    )


def out_option(parser: argparse.ArgumentParser, default: str, *, details: bool = False) -> None:
    """``--out DIR`` and, for matching commands (``details``), ``--with-details`` and
    ``--geojson``."""
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(default),
        metavar="DIR",
        help=_(
            "output folder, created when missing (default: {default}); a run that stops "
            "leaves the earlier run's files as they were, and a second run into it at the "
            "same time is refused"
        ).format(default=default),
    )
    if details:
        parser.add_argument(
            "--with-details",
            action="store_true",
            help=_(
                "also copy your tables' other columns (names, phones, ids) into "
                "officer_load.csv and pairs.geojson; pairs.csv, unmatched.csv and pairs.xlsx "
                "always carry them"
            ),
        )
        parser.add_argument(
            "--geojson",
            action="store_true",
            help=_(
                "write pairs.geojson even above {households} households "
                "(kuseo_match.report.AGGREGATE_HOUSEHOLDS), where it is left out: a point per "
                "household and a line per pair make it too large for QGIS or web maps"
            ).format(households=f"{AGGREGATE_HOUSEHOLDS:,}"),
        )
        parser.add_argument(
            "--pair-sheets",
            action="store_true",
            help=_(
                "write the pair and district sheets of pairs.xlsx even above "
                "{households} households, where they are left out (a million "
                "pairs take minutes to write as cells; the pairs are in pairs.csv)"
            ).format(households=f"{AGGREGATE_HOUSEHOLDS:,}"),
        )


def read_policy(path: Path | None, coordinate_check: str | None = None) -> Policy | None:
    policy = None if path is None else Policy.from_toml(path)
    if coordinate_check is not None:
        policy = (policy or Policy()).replace(coordinate_check=coordinate_check)
    return policy


@contextlib.contextmanager
def executor_of(args: argparse.Namespace) -> Iterator[Any]:
    """The executor ``--workers`` or ``--scheduler`` asks for (None: neither), the
    Dask client closed at the end."""
    workers, address = getattr(args, "workers", None), getattr(args, "scheduler", None)
    if workers is not None and address is not None:
        raise ValidationError("give --workers or --scheduler, not both", table="--workers")
    if workers is not None and workers < 1:
        raise ValidationError("must be a whole number >= 1", table="--workers", value=workers)
    if address is None:
        yield workers
        return
    try:
        from distributed import Client
    except ImportError:
        raise ValidationError(
            'needs Dask: pip install "kuseo-match[dask]"', table="--scheduler"
        ) from None
    try:
        client = Client(address, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ValidationError(
            f"no Dask scheduler answered at {shown(address)} within "
            f"{SCHEDULER_TIMEOUT} s ({exc}); start one with 'dask-scheduler' and workers "
            "with 'dask-worker ADDRESS'",
            table="--scheduler",
        ) from None
    with client:
        yield client.get_executor()


def solve_options(args: argparse.Namespace) -> SolveOptions | None:
    """The solver options ``--memory`` asks for (None: the defaults)."""
    memory = getattr(args, "memory", None)
    if memory is None:
        return None
    if not 0 < memory < float("inf"):  # NaN too
        raise ValidationError("must be a number > 0", table="--memory", value=memory)
    return SolveOptions(parts_memory_gb=memory)


def run_record(
    command: str, args: argparse.Namespace, inputs: dict[str, tuple[str, int]]
) -> dict[str, Any]:
    """What a run did, for ``summary.json`` and the report: the command, its date
    (UTC, ISO 8601), each input's file and rows read, and the policy file."""
    policy = getattr(args, "policy", None)
    return {
        "command": command,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "inputs": {name: {"file": file, "rows": rows} for name, (file, rows) in inputs.items()},
        "policy_file": None if policy is None else str(policy),
    }


def run_match(
    progress: Progress,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    policy: Policy | None,
    costs: pd.DataFrame | None,
    time_limit: float | None,
    *,
    locked: pd.DataFrame | None = None,
    forbidden: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
    executor: Any = None,
    options: SolveOptions | None = None,
) -> Result:
    text = _("matching {households} households with {officers} officers").format(
        households=f"{len(households):,}", officers=f"{len(officers):,}"
    )
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
            executor=executor,
            options=options,
        )


def exit_code(result: Result) -> int:
    if result.status == "feasible":
        return ExitCode.TIME_LIMIT
    if len(result.unmatched):
        return ExitCode.UNMATCHED
    return ExitCode.OK
