"""A matching run's output files, written into its output folder."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from .. import io, report
from ..errors import ValidationError
from ..result import Result
from .progress import Progress

log = logging.getLogger("kuseo_match.cli")


#: Files a matching run writes into its output folder, besides the input copies.
OUTPUT_FILES = tuple(
    name for name in io.outputs_of("match") if name not in ("officers.csv", "households.csv")
)


def listed(run: str, *, skip: tuple[str, ...] = ()) -> str:
    """The outputs of ``run`` as the help text lists them ("a, b and c").

    Examples
    --------
    >>> listed("report")
    'map.png and report.html'
    """
    names = [n for n in io.outputs_of(run) if n not in skip]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def write_outputs(
    progress: Progress,
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    out: io.OutputFolder,
    *,
    details: bool = False,
) -> list[Path]:
    """Every output of a matching run (not the input copies), into ``out``.

    The pair tables and the workbook carry the input tables' other columns;
    ``officer_load.csv`` and ``pairs.geojson`` only with ``details``
    (``--with-details``): phones or national ids are personal data, and a
    GeoJSON file is made to be published on web maps.
    """
    written = []
    pairs = io.with_district_names(io.with_details(result.pairs, officers, households))
    written.append(_write(progress, out, "pairs.csv", lambda p: io.write_csv(pairs, p)))
    unmatched = io.with_district_names(io.with_details(result.unmatched, None, households))
    written.append(_write(progress, out, "unmatched.csv", lambda p: io.write_csv(unmatched, p)))
    load = result.officer_load
    if details:
        load = io.with_details(load, officers, None)
    load = io.with_district_names(load)
    written.append(_write(progress, out, "officer_load.csv", lambda p: io.write_csv(load, p)))
    written.append(
        _write(
            progress,
            out,
            "pairs.xlsx",
            lambda p: io.write_pairs_xlsx(
                result,
                p,
                district_names=district_names(),
                officers=officers,
                households=households,
            ),
        )
    )
    written.append(
        _write(
            progress,
            out,
            "pairs.geojson",
            lambda p: io.write_geojson(result, officers, households, p, details=details),
        )
    )
    written.append(
        _write(progress, out, "summary.json", lambda p: io.write_summary_json(result, p))
    )
    if result.changes is not None:
        changes = result.changes
        written.append(_write(progress, out, "changes.csv", lambda p: io.write_csv(changes, p)))
    written += write_pictures(progress, result, officers, households, out)
    return written


def write_inputs(
    progress: Progress,
    out: io.OutputFolder,
    tables: Sequence[tuple[str, pd.DataFrame]],
    sources: Sequence[Path] = (),
) -> list[Path]:
    """Copies of the tables that were matched (``officers.csv``,
    ``households.csv``); an input file that is already there is kept, never
    written over."""
    written = []
    for name, frame in tables:
        if any(same_file(out.final(name), p) for p in sources):
            written.append(out.keep(name))
        else:
            written.append(_write(progress, out, name, functools.partial(io.write_csv, frame)))
    return written


def _write(
    progress: Progress, out: io.OutputFolder, name: str, writer: Callable[[Path], object]
) -> Path:
    with progress.stage(f"writing {out.final(name)}"):
        return out.write(name, writer)


def write_pictures(
    progress: Progress,
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    out: io.OutputFolder,
) -> list[Path]:
    """map.png (when the tables have coordinates) and report.html."""
    written = []
    map_png = None
    with progress.stage(f"drawing {out.final('map.png')}"):
        try:
            written.append(
                out.write("map.png", lambda p: report.write_map(result, officers, households, p))
            )
        except ValidationError as exc:
            if "cannot write" in exc.reason:
                raise
            log.warning("no map.png: %s", exc)
        else:
            map_png = out.path("map.png").read_bytes()
    written.append(
        _write(
            progress,
            out,
            "report.html",
            lambda p: report.write_report(result, officers, households, p, map_png=map_png),
        )
    )
    return written


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are the same existing file."""
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def district_names() -> dict[str, str]:
    from ..reference import districts

    table = districts()
    return dict(zip(table["district_code"], table["district_th"], strict=True))
