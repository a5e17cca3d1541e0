"""Districts to draw: GeoJSON polygons, their centroids and the reference centres."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .inputs import province_of, reference_boundaries


def _ring_centroid(ring: np.ndarray) -> tuple[float, float, float]:
    """Area-weighted centroid (lon, lat) and absolute area of a closed ring."""
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2.0
    if abs(area) < 1e-15:
        return float(x.mean()), float(y.mean()), 0.0
    cx = ((x + np.roll(x, -1)) * cross).sum() / (6.0 * area)
    cy = ((y + np.roll(y, -1)) * cross).sum() / (6.0 * area)
    return float(cx), float(cy), abs(float(area))


def _feature_rings(geometry: Mapping[str, Any]) -> list[list[np.ndarray]]:
    """Polygons of a GeoJSON geometry, each a list of rings (exterior first)."""
    kind = geometry.get("type")
    coords = geometry.get("coordinates", [])
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon":
        polygons = coords
    else:
        return []
    return [[np.asarray(ring, dtype=float)[:, :2] for ring in poly] for poly in polygons]


def district_places(
    provinces: set[str],
    districts: pd.DataFrame | None,
    boundaries: Mapping[str, Any] | None,
    points: pd.DataFrame,
) -> tuple[pd.DataFrame, dict[str, list[np.ndarray]]]:
    """Districts of ``provinces``: code, name_th, name_en, lat, lon; and their rings."""
    rings: dict[str, list[np.ndarray]] = {}
    rows: dict[str, dict[str, Any]] = {}
    for feature in (boundaries or {}).get("features", []):
        props = feature.get("properties") or {}
        code = str(props.get("district_code", ""))
        if province_of(code) not in provinces:
            continue
        polys = _feature_rings(feature.get("geometry") or {})
        if not polys:
            continue
        rings[code] = [ring for poly in polys for ring in poly]
        cx, cy, _ = max((_ring_centroid(poly[0]) for poly in polys), key=lambda c: c[2])
        rows[code] = {
            "code": code,
            "name_th": props.get("name_th"),
            "name_en": props.get("name_en"),
            "lat": cy,
            "lon": cx,
        }
    if districts is not None:
        mine = districts[districts["province_code"].isin(provinces)]
        for rec in mine.itertuples(index=False):
            row = rows.setdefault(str(rec.district_code), {"code": str(rec.district_code)})
            row.update(name_th=rec.district_th, name_en=rec.district_en, lat=rec.lat, lon=rec.lon)
    # Districts seen in the data but unknown to the reference: centre of their points.
    seen = points.groupby("district")[["lat", "lon"]].mean()
    for code, rec in seen.iterrows():
        if str(code) not in rows:
            rows[str(code)] = {
                "code": str(code),
                "name_th": None,
                "name_en": None,
                "lat": rec["lat"],
                "lon": rec["lon"],
            }
    places = pd.DataFrame(list(rows.values()), columns=["code", "name_th", "name_en", "lat", "lon"])
    return places.sort_values("code", ignore_index=True), rings


def map_districts(
    households: pd.DataFrame,
    staff: pd.DataFrame,
    districts: pd.DataFrame | None,
    boundaries: Mapping[str, Any] | None,
    province: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, list[np.ndarray]]]:
    """What a map of these households and officers draws: their points
    (district, lat, lon), the districts of ``province`` (else of every province
    they are in) and those districts' rings, as :func:`district_places`.  Khon
    Kaen's shipped polygons are loaded when ``boundaries`` is None and a
    ``TH40`` district is drawn."""
    if province is not None:
        provinces = {province}
    else:
        provinces = set(households["district"].map(province_of))
        provinces |= set(staff["district"].map(province_of))
    if boundaries is None and "TH40" in provinces:
        boundaries = reference_boundaries(None)
    points = pd.concat(
        [households[["district", "lat", "lon"]], staff[["district", "lat", "lon"]]],
        ignore_index=True,
    )
    places, rings = district_places(provinces, districts, boundaries, points)
    return points, places, rings
