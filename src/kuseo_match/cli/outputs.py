"""A matching run's output files, written into its output folder."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .. import io, report
from ..errors import ValidationError
from ..result import Result
from .progress import Progress

log = logging.getLogger("kuseo_match.cli")


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


def output_folder(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(
            f"cannot create the output folder {path}: {exc.strerror or exc}; choose another --out",
            table="--out",
        ) from exc
    return path


def write_outputs(
    progress: Progress,
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
                district_names=district_names(),
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
    written += write_pictures(progress, result, officers, households, out)
    remove_stale(out, (*OUTPUT_FILES, *REMATCH_FILES), written)
    return written


def remove_stale(folder: Path, names: Sequence[str], written: Sequence[Path]) -> None:
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


def write_pictures(
    progress: Progress,
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


def district_names() -> dict[str, str]:
    from ..reference import districts

    table = districts()
    return dict(zip(table["district_code"], table["district_th"], strict=True))
