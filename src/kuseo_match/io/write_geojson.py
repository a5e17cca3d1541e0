"""Households, officers and pairs as one GeoJSON map layer."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..schema import (
    canonical_columns,
    coordinates,
    id_keys,
)
from .details import details_by_id, first_by_id
from .formats import PathLike
from .write import plain_value, prepare_path, replace_file

if TYPE_CHECKING:
    from ..result import Result

logger = logging.getLogger("kuseo_match.io")


def _coordinates(frame: pd.DataFrame | None, id_column: str) -> dict[str, list[float] | None]:
    """``str(id) -> [lon, lat]`` (``None`` when a coordinate is missing or not finite)."""
    if frame is None or id_column not in frame.columns:
        return {}
    ids = id_keys(frame[id_column]).tolist()
    table = "officers" if id_column == "officer_id" else "households"
    try:
        xy = coordinates(frame, table, strict=False)
    except ValidationError:  # ids the schema cannot read: no geometry, as documented
        return dict.fromkeys(ids)
    lat, lon = xy["lat"].to_numpy(dtype=float), xy["lon"].to_numpy(dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    out: dict[str, list[float] | None] = {}
    for key, x, y, good in zip(ids, lon.tolist(), lat.tolist(), ok.tolist(), strict=True):
        out.setdefault(key, [x, y] if good else None)
    return out


def _feature(geometry: dict[str, Any] | None, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": plain_value(properties)}


def _point(xy: list[float] | None) -> dict[str, Any] | None:
    return None if xy is None else {"type": "Point", "coordinates": xy}


def write_geojson(
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    path: PathLike,
    *,
    details: bool = False,
) -> Path:
    """Write households, officers and pairs as a GeoJSON FeatureCollection.

    An RFC 7946 file (coordinates ``[lon, lat]`` in WGS 84 degrees, UTF-8
    without a byte-order mark, Thai written as is, not as ``\\u`` escapes)
    for web maps and QGIS.  Every feature has a ``layer`` property saying
    what it is:

    ``"household"`` (Point), one per household in the result
        ``household_id``, ``kind``, ``district``, ``status``
        (``"paired"``/``"unmatched"``), ``officer_id`` (or null),
        ``reason`` (or null), and with ``details`` the household table's
        other columns as ``household_<column>`` (as :func:`with_details`
        names them).
    ``"officer"`` (Point), one per officer
        ``officer_id``, ``agency``, ``district``, ``capacity``, ``load``,
        and with ``details`` the officer table's other columns as
        ``officer_<column>``.
        Officers are those of ``result.officer_load``, then any others in
        ``officers`` or ``result.pairs``; missing values come from the
        ``officers`` frame (``agency``, ``district``, ``capacity``) and the
        pairs (``load``).
    ``"pair"`` (LineString officer -> household), one per pair
        ``officer_id``, ``household_id``, ``distance_km``, ``cost``,
        ``fit``, ``kind_affinity``.

    A feature whose coordinates are missing or not numbers gets a null
    geometry instead of failing.  NaN is written as null.

    Parameters
    ----------
    result : Result
        The matching result; not changed.
    officers, households : pandas.DataFrame
        The input tables with ``officer_id`` / ``household_id``, ``lat`` and
        ``lon`` (degrees) columns; not changed.  Ids are matched as text.
    path : str or os.PathLike
        Output file (``.geojson``); missing parent folders are created.
    details : bool, default False
        Also write the input tables' other columns (names, phones, villages).
        Off by default: they are often personal data (Thailand's PDPA), and a
        GeoJSON file is made to be shared on web maps.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> import pandas as pd
    >>> from kuseo_match.result import Result
    >>> pairs = pd.DataFrame({"officer_id": ["O1"], "household_id": ["H1"], "cost": [1.5],
    ...     "distance_km": [1.5], "fit": [1.0], "kind_affinity": [1.0],
    ...     "agency": ["สำนักงานเกษตรอำเภอ"],
    ...     "officer_district": ["TH4001"], "kind": ["พัฒนาได้"],
    ...     "household_district": ["TH4001"]})
    >>> unmatched = pd.DataFrame(columns=["household_id", "kind", "household_district",
    ...                                   "reason"])
    >>> result = Result(pairs, unmatched, status="optimal", objective=1.5)
    >>> officers = pd.DataFrame({"officer_id": ["O1"], "lat": [16.43], "lon": [102.83]})
    >>> households = pd.DataFrame({"household_id": ["H1"], "lat": [16.44], "lon": [102.84]})
    >>> out = write_geojson(result, officers, households,
    ...                     pathlib.Path(tempfile.mkdtemp()) / "map.geojson")
    >>> features = json.loads(out.read_text(encoding="utf-8"))["features"]
    >>> [(f["properties"]["layer"], f["geometry"]["type"]) for f in features]
    [('household', 'Point'), ('officer', 'Point'), ('pair', 'LineString')]
    >>> features[0]["geometry"]["coordinates"]
    [102.84, 16.44]
    """
    path = prepare_path(path)
    officers = canonical_columns(officers, "officers")  # alias headers, as validation reads them
    households = canonical_columns(households, "households")
    pairs, unmatched = result.pairs, result.unmatched
    house_xy = _coordinates(households, "household_id")
    officer_xy = _coordinates(officers, "officer_id")
    fixed = {"layer", "household_id", "kind", "district", "status", "officer_id", "reason"}
    house_more = details_by_id(households if details else None, "household", fixed)
    fixed = {"layer", "officer_id", "agency", "district", "capacity", "load"}
    officer_more = details_by_id(officers if details else None, "officer", fixed)
    features: list[dict[str, Any]] = []

    for r in pairs.to_dict("records"):
        features.append(
            _feature(
                _point(house_xy.get(str(r["household_id"]))),
                {
                    "layer": "household",
                    "household_id": r["household_id"],
                    "kind": r.get("kind"),
                    "district": r.get("household_district"),
                    "status": "paired",
                    "officer_id": r["officer_id"],
                    "reason": None,
                    **house_more.get(str(r["household_id"]), {}),
                },
            )
        )
    for r in unmatched.to_dict("records"):
        features.append(
            _feature(
                _point(house_xy.get(str(r["household_id"]))),
                {
                    "layer": "household",
                    "household_id": r["household_id"],
                    "kind": r.get("kind"),
                    "district": r.get("household_district"),
                    "status": "unmatched",
                    "officer_id": None,
                    "reason": r.get("reason"),
                    **house_more.get(str(r["household_id"]), {}),
                },
            )
        )

    loads = first_by_id(result.officer_load, "officer_id")
    given = first_by_id(officers, "officer_id")
    from_pairs = first_by_id(pairs, "officer_id")
    counts = pairs["officer_id"].map(str).value_counts().to_dict() if len(pairs) else {}
    ids: dict[str, Any] = {}
    for source in (loads, given, from_pairs):
        for key in source:
            # the id as the result spells it, the user's spelling only for unpaired officers
            record = loads.get(key) or from_pairs.get(key) or given[key]
            ids.setdefault(key, record["officer_id"])

    def pick(key: str, *candidates: tuple[dict[str, dict[str, Any]], str]) -> Any:
        for source, column in candidates:
            value = plain_value(source.get(key, {}).get(column))
            if value is not None:
                return value
        return None

    for key, officer_id in ids.items():
        load = pick(key, (loads, "load"))
        features.append(
            _feature(
                _point(officer_xy.get(key)),
                {
                    "layer": "officer",
                    "officer_id": officer_id,
                    "agency": pick(
                        key, (loads, "agency"), (given, "agency"), (from_pairs, "agency")
                    ),
                    "district": pick(
                        key,
                        (loads, "district"),
                        (given, "district"),
                        (from_pairs, "officer_district"),
                    ),
                    "capacity": pick(key, (loads, "capacity"), (given, "capacity")),
                    "load": load if load is not None else int(counts.get(key, 0)),
                    **officer_more.get(key, {}),
                },
            )
        )

    for r in pairs.to_dict("records"):
        a = officer_xy.get(str(r["officer_id"]))
        b = house_xy.get(str(r["household_id"]))
        line = None if a is None or b is None else {"type": "LineString", "coordinates": [a, b]}
        features.append(
            _feature(
                line,
                {
                    "layer": "pair",
                    "officer_id": r["officer_id"],
                    "household_id": r["household_id"],
                    "distance_km": r.get("distance_km"),
                    "cost": r.get("cost"),
                    "fit": r.get("fit"),
                    "kind_affinity": r.get("kind_affinity"),
                },
            )
        )

    missing = sum(f["geometry"] is None for f in features)
    if missing:
        logger.info("%s: %d of %d features have no coordinates", path, missing, len(features))
    collection = {"type": "FeatureCollection", "features": features}
    text = json.dumps(collection, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    path = replace_file(path, (text + "\n").encode("utf-8"))
    logger.debug("wrote %s: %d features", path, len(features))
    return path
