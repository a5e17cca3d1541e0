"""A matching run's output files, written into its output folder."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .. import io, report
from ..errors import ValidationError
from ..result import Result
from .lang import _
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
    table_format: str = "csv",
    geojson: bool = False,
    pair_sheets: bool = False,
    aggregate_above: int = report.AGGREGATE_HOUSEHOLDS,
    run: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Every output of a matching run (not the input copies), into ``out``.

    The pair tables and the workbook carry the input tables' other columns;
    ``officer_load.csv`` and ``pairs.geojson`` only with ``details``
    (``--with-details``): phones or national ids are personal data, and a
    GeoJSON file is made to be published on web maps.  Above
    ``aggregate_above`` households (:data:`kuseo_match.report.AGGREGATE_HOUSEHOLDS`)
    the map and the report show districts (:func:`write_pictures`) and
    ``pairs.geojson`` is written only with ``geojson`` (``--geojson``); else
    a warning and ``summary.json``'s ``not_written`` say why
    (:func:`not_written`), and an earlier run's file is removed; likewise
    ``pairs.xlsx`` holds its pair and district sheets only with ``pair_sheets``
    (``--pair-sheets``).  ``run`` (:func:`~kuseo_match.cli.command.run_record`)
    goes into ``summary.json``.  ``table_format``
    (``--output-format``): the tables as ``.csv`` or ``.parquet``
    (:func:`kuseo_match.io.in_format`).
    """
    written = []
    pairs = io.with_district_names(io.with_details(result.pairs, officers, households))
    written.append(_write_table(progress, out, "pairs.csv", pairs, table_format))
    unmatched = io.with_district_names(io.with_details(result.unmatched, None, households))
    written.append(_write_table(progress, out, "unmatched.csv", unmatched, table_format))
    load = result.officer_load
    if details:
        load = io.with_details(load, officers, None)
    load = io.with_district_names(load)
    written.append(_write_table(progress, out, "officer_load.csv", load, table_format))
    left_out = not_written(
        result,
        geojson=geojson,
        pair_sheets=pair_sheets,
        table_format=table_format,
        aggregate_above=aggregate_above,
    )
    for name, why in left_out.items():
        log.warning("not written: %s: %s", name, why)
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
                pair_sheets="pairs.xlsx pair and district sheets" not in left_out,
            ),
        )
    )
    if "pairs.geojson" not in left_out:
        written.append(
            _write(
                progress,
                out,
                "pairs.geojson",
                lambda p: io.write_geojson(result, officers, households, p, details=details),
            )
        )
    written.append(
        _write(
            progress,
            out,
            "summary.json",
            lambda p: io.write_summary_json(result, p, not_written=left_out or None, run=run),
        )
    )
    if result.changes is not None:
        written.append(_write_table(progress, out, "changes.csv", result.changes, table_format))
    written += write_pictures(progress, result, officers, households, out, aggregate_above)
    return written


def not_written(
    result: Result,
    *,
    geojson: bool = False,
    pair_sheets: bool = False,
    table_format: str = "csv",
    aggregate_above: int = report.AGGREGATE_HOUSEHOLDS,
) -> dict[str, str]:
    """What a matching run leaves out, and why: above ``aggregate_above`` households
    (:data:`kuseo_match.report.AGGREGATE_HOUSEHOLDS`) ``pairs.geojson`` (a point per
    household and a line per pair make a file too large for QGIS or a web map: 76 MB
    for a million) unless ``geojson`` (``--geojson``), and the pair and district
    sheets of ``pairs.xlsx`` (a million pairs take minutes to write as cells) unless
    ``pair_sheets`` (``--pair-sheets``).

    Examples
    --------
    >>> from kuseo_match.result import PAIR_COLUMNS, Result
    >>> lost = pd.DataFrame({"household_id": range(20_001), "kind": "welfare",
    ...                      "household_district": "TH4001", "reason": "no officer"})
    >>> big = Result(pd.DataFrame(columns=list(PAIR_COLUMNS)), lost, "optimal", 0.0)
    >>> print(not_written(big, pair_sheets=True)["pairs.geojson"])
    ... # doctest: +NORMALIZE_WHITESPACE
    20,001 households, above 20,000 (kuseo_match.report.AGGREGATE_HOUSEHOLDS);
    run again with --geojson to write it
    >>> not_written(big, geojson=True, pair_sheets=True)
    {}
    """
    if result.n_households <= aggregate_above:
        return {}
    why = (
        f"{result.n_households:,} households, above {aggregate_above:,} "
        "(kuseo_match.report.AGGREGATE_HOUSEHOLDS); run again with {} to write it"
    )
    out = {}
    if not geojson:
        out["pairs.geojson"] = why.format("--geojson")
    if not pair_sheets:
        pairs = io.in_format("pairs.csv", table_format)
        out["pairs.xlsx pair and district sheets"] = (
            f"{why.format('--pair-sheets')} (the pairs are in {pairs})"
        )
    return out


def write_inputs(
    progress: Progress,
    out: io.OutputFolder,
    tables: Sequence[tuple[str, pd.DataFrame]],
    sources: Sequence[Path] = (),
    *,
    table_format: str = "csv",
) -> list[Path]:
    """Copies of the tables that were matched (``officers.csv``,
    ``households.csv``, or ``.parquet`` in that ``table_format``); an input
    file that is already there, in either format, is kept, never written over
    or removed."""
    written = []
    for name, frame in tables:
        there = [io.in_format(name, f) for f in io.TABLE_FORMATS]
        kept = next((n for n in there if any(same_file(out.final(n), p) for p in sources)), None)
        if kept is not None:
            written.append(out.keep(kept))
        else:
            written.append(_write_table(progress, out, name, frame, table_format))
    return written


def _write_table(
    progress: Progress, out: io.OutputFolder, name: str, frame: pd.DataFrame, table_format: str
) -> Path:
    """The table output ``name`` (its ``.csv`` name) in ``table_format``."""
    named = io.in_format(name, table_format)
    return _write(progress, out, named, functools.partial(io.write_table, frame))


def _write(
    progress: Progress, out: io.OutputFolder, name: str, writer: Callable[[Path], object]
) -> Path:
    with progress.stage(_("writing {path}").format(path=out.final(name))):
        return out.write(name, writer)


def write_pictures(
    progress: Progress,
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    out: io.OutputFolder,
    aggregate_above: int = report.AGGREGATE_HOUSEHOLDS,
) -> list[Path]:
    """map.png (when the tables have coordinates) and report.html; districts instead
    of households above ``aggregate_above`` households."""
    written = []
    map_png = None
    with progress.stage(_("drawing {path}").format(path=out.final("map.png"))):
        try:
            written.append(
                out.write(
                    "map.png",
                    lambda p: report.write_map(
                        result, officers, households, p, aggregate_above=aggregate_above
                    ),
                )
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
            lambda p: report.write_report(
                result,
                officers,
                households,
                p,
                map_png=map_png,
                aggregate_above=aggregate_above,
            ),
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
