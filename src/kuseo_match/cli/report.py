"""``kuseo-match report``: map.png and report.html rebuilt from a run's folder."""

from __future__ import annotations

import argparse
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import io
from ..errors import ValidationError
from ..labels import reason_code_of
from ..policy import Policy
from ..result import OFFICER_LOAD_COLUMNS, PAIR_COLUMNS, UNMATCHED_COLUMNS, Result
from ..schema import validate_tables
from .command import ExitCode, Subcommand, read_policy
from .lang import _
from .outputs import listed, write_pictures
from .progress import Progress

log = logging.getLogger("kuseo_match.cli")


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
    progress = Progress(args)
    folder: Path = args.folder
    if not folder.is_dir():
        raise ValidationError(
            f"no such folder: {folder}; give the --out folder of a run", table="DIR"
        )
    policy = read_policy(args.policy)
    with io.OutputFolder(folder, "report", option="DIR") as out:  # after a stopped run's moves
        with progress.stage(_("reading {path}").format(path=folder)):
            result, officers, households = load_result(folder, policy=policy)
        written = write_pictures(progress, result, officers, households, out)
    if not args.quiet:
        print(f"written to {folder}{os.sep}: {', '.join(p.name for p in written)}")
    return ExitCode.OK


def _table(folder: Path, name: str) -> Path:
    """A table output of ``folder`` in whichever format the run wrote it (``.csv``
    when neither is there, so that the error names the usual file)."""
    for table_format in io.TABLE_FORMATS:
        path = folder / io.in_format(name, table_format)
        if path.is_file():
            return path
    return folder / name


def load_result(
    folder: Path, *, policy: Policy | None = None
) -> tuple[Result, pd.DataFrame, pd.DataFrame]:
    """A :class:`Result` and its input tables, read back from a run's output folder.

    Parameters
    ----------
    folder : pathlib.Path
        Holds ``officers.csv``, ``households.csv``, ``pairs.csv``,
        ``unmatched.csv`` and ``summary.json`` (as ``demo`` and ``solve``
        write them; the tables as ``.parquet`` after ``--output-format parquet``).
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
        is empty when the file has none).  An ``unmatched.csv`` of an older
        version, without ``reason_code``, gets the codes from its ``reason``
        texts (:func:`kuseo_match.labels.reason_code_of`; missing for a text of
        no known kind).
    officers, households : pandas.DataFrame
        The tables as read.

    Raises
    ------
    ValidationError
        A file is missing or unreadable, a column is missing, or
        ``summary.json`` is not a summary.
    """
    officers = io.read_table(_table(folder, "officers.csv"))
    households = io.read_table(_table(folder, "households.csv"))
    pairs = _columns(io.read_table(_table(folder, "pairs.csv")), PAIR_COLUMNS, "pairs.csv")
    unmatched = io.read_table(_table(folder, "unmatched.csv"))
    if "reason_code" not in unmatched.columns and "reason" in unmatched.columns:  # older version
        unmatched = unmatched.assign(reason_code=unmatched["reason"].map(reason_code_of))
    unmatched = _columns(unmatched, UNMATCHED_COLUMNS, "unmatched.csv")
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
    if _table(folder, "officer_load.csv").is_file():
        officer_load = _columns(
            io.read_table(_table(folder, "officer_load.csv")),
            OFFICER_LOAD_COLUMNS,
            "officer_load.csv",
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


COMMAND = Subcommand(
    "report",
    f"rebuild {listed('report')} from a folder of results",
    f"Rebuild {listed('report')} from the officers.csv, households.csv, pairs.csv, "
    "unmatched.csv and summary.json of a demo or solve run.",
    _report_arguments,
    _run_report,
)
