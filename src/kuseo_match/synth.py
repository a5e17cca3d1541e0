"""Synthetic officers and households for one province or the whole country.

The real programme's lists are not public, so the library ships a generator
that follows the published facts (see ``data/SOURCES.md``) and documents every
assumption it adds.  Everything is vectorised with numpy and deterministic for
a seed (:func:`numpy.random.default_rng`).

Model
-----
Households
    *Where.* The households of a province are apportioned exactly (largest
    remainder) over its districts in proportion to a district weight: TPMAP's
    ``mpi_poor_households`` in Khon Kaen, the district area elsewhere (no
    poverty data is shipped for other provinces).  In Khon Kaen each household
    is placed uniformly (in lon/lat degrees) inside its district polygon by
    rejection sampling in the polygon's bounding box.  Elsewhere it is placed
    at ``centroid + N(0, sigma)`` with ``sigma_km = SPREAD_FACTOR *
    sqrt(area_km2)`` (0.3 * sqrt(area) is the standard deviation of a uniform
    point in a square of that area), converted at :data:`KM_PER_DEGREE` km per
    degree of latitude and ``KM_PER_DEGREE * cos(lat)`` per degree of
    longitude; such points can fall outside the district.

    *Kind.* Exactly ``developable`` households are ``"developable"``, the rest
    ``"welfare"``.  Welfare households are drawn without replacement with
    probability weights (Efraimidis-Spirakis keys) ``lean = (1 -
    WELFARE_LEAN) + WELFARE_LEAN * score / score_KK``, where ``score`` is the
    district's (health + living + access) share of target-poor persons and
    ``score_KK`` the same share over all Khon Kaen, so welfare households lean
    to districts with more health, living and access poverty.  Outside Khon
    Kaen ``lean = 1`` (uniform).

    *Needs.* The base probability of need ``j`` in district ``d`` is TPMAP's
    ``poor_j / target_poor_persons`` of that district (Khon Kaen), or of all
    Khon Kaen (every other province).  The flag is drawn with probability
    ``p = clip(base * NEED_TILT[kind][j], 0, 1)``, independently per need.  A
    household that draws no need gets ``TYPICAL_NEED[kind]``, so the expected
    share of need ``j`` is ``p_j + [j == typical] * prod_k (1 - p_k)``.

Officers
    Agencies are apportioned exactly to :data:`AGENCY_WEIGHTS` (largest
    remainder) and shuffled.  A share :data:`PROVINCIAL_HALL_SHARE` of a
    province's officers sits at the provincial hall (Khon Kaen:
    :data:`KHON_KAEN_HALL` in Mueang, ``TH4001``; elsewhere the centroid of
    the province's ``xx01`` district, Mueang or, for Bangkok, Phra Nakhon)
    with a normal jitter of :data:`HALL_JITTER_KM`.  The share is reduced when
    needed so that every district of the province gets at least one officer
    whenever the province has at least as many officers as districts; the
    others get one each plus a largest-remainder share, in proportion to the
    district household weight, of the rest.  District officers sit at the
    district office, approximated by the district centroid (real offices lie
    a few km away), with a normal spread of :data:`OFFICE_SPREAD_KM`; in Khon
    Kaen officers are redrawn until they lie inside their district polygon.
    Every officer has capacity :data:`OFFICER_CAPACITY`.

Country
    :func:`synthetic_country` first apportions households and officers over
    the 77 provinces in proportion to ``area_km2 * REGION_UPLIFT[region]``,
    then proceeds per province as above (Khon Kaen with its TPMAP weights and
    polygons).

Marking
    Both frames end with a boolean column :data:`SYNTHETIC_COLUMN`
    (``"synthetic"``), True on every row, so that a map or report made from
    them (or from a CSV written from them) can say that no row is a real
    person (:func:`kuseo_match.report.is_synthetic`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd
from matplotlib.path import Path

from . import reference
from .errors import ValidationError

__all__ = [
    "AGENCY_WEIGHTS",
    "DEVELOPABLE_SHARE",
    "HALL_JITTER_KM",
    "HOUSEHOLD_COLUMNS",
    "KHON_KAEN_HALL",
    "KM_PER_DEGREE",
    "NEEDS",
    "NEED_TILT",
    "OFFICER_CAPACITY",
    "OFFICER_COLUMNS",
    "OFFICE_SPREAD_KM",
    "OTHER_AGENCIES",
    "PROVINCIAL_HALL_SHARE",
    "REGION_UPLIFT",
    "SPREAD_FACTOR",
    "SYNTHETIC_COLUMN",
    "TYPICAL_NEED",
    "WELFARE_LEAN",
    "synthetic_country",
    "synthetic_province",
]

#: Name of the last column of both frames: True on every row, the data are made up.
SYNTHETIC_COLUMN: Final = "synthetic"

#: Columns of the officers frame, in order.
OFFICER_COLUMNS: Final = (
    "officer_id",
    "agency",
    "district",
    "lat",
    "lon",
    "capacity",
    "province",
    SYNTHETIC_COLUMN,
)

#: Columns of the households frame, in order.
HOUSEHOLD_COLUMNS: Final = (
    "household_id",
    "kind",
    "district",
    "lat",
    "lon",
    "need_health",
    "need_living",
    "need_education",
    "need_income",
    "need_access",
    "province",
    SYNTHETIC_COLUMN,
)

#: The five needs, in column order (the TPMAP poverty dimensions).
NEEDS: Final = reference.TPMAP_DIMENSIONS

#: Share of officers per agency (sums to 1).  The 15 agencies of the
#: agency-need table plus :data:`OTHER_AGENCIES` (8 % in all), because the
#: programme drew civil servants "from all agencies".  An assumption, not
#: data: large field services (public health, education, interior, local
#: administration) and the organiser (community development) weigh most.
AGENCY_WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {
        "community_development": 0.12,
        "agriculture": 0.08,
        "livestock": 0.04,
        "fisheries": 0.02,
        "employment": 0.03,
        "skill_development": 0.02,
        "commerce": 0.02,
        "industry": 0.02,
        "baac": 0.03,
        "gsb": 0.02,
        "public_health": 0.14,
        "social_development": 0.04,
        "local_administration": 0.10,
        "interior": 0.12,
        "education": 0.12,
        "police": 0.03,
        "army": 0.02,
        "courts": 0.01,
        "revenue": 0.02,
    }
)

#: Agencies in :data:`AGENCY_WEIGHTS` that are outside the agency-need table.
OTHER_AGENCIES: Final = ("police", "army", "courts", "revenue")

#: Share of a province's officers placed at the provincial hall.
PROVINCIAL_HALL_SHARE: Final = 0.20

#: Khon Kaen provincial hall, (lat, lon) degrees WGS84, in Mueang (TH4001).
KHON_KAEN_HALL: Final = (16.4419, 102.8360)

#: Standard deviation (km, per axis) of officers around the provincial hall.
HALL_JITTER_KM: Final = 0.2

#: Standard deviation (km, per axis) of officers around their district office.
OFFICE_SPREAD_KM: Final = 1.0

#: Households each officer may take ("1 ข้าราชการ : 2 ครัวเรือน").
OFFICER_CAPACITY: Final = 2

#: Share of developable households in the Khon Kaen programme (661 of 1,174).
DEVELOPABLE_SHARE: Final = 661 / 1174

#: Multipliers of the TPMAP need shares by household kind (welfare leans to
#: health, access and living; developable to income and education).
NEED_TILT: Final[Mapping[str, Mapping[str, float]]] = MappingProxyType(
    {
        "welfare": MappingProxyType(
            {"health": 2.0, "living": 1.5, "education": 0.75, "income": 0.75, "access": 3.0}
        ),
        "developable": MappingProxyType(
            {"health": 0.5, "living": 0.75, "education": 1.25, "income": 1.5, "access": 0.5}
        ),
    }
)

#: The need set when a household draws none.
TYPICAL_NEED: Final[Mapping[str, str]] = MappingProxyType(
    {"welfare": "health", "developable": "income"}
)

#: Strength (0 = none, 1 = proportional) of the lean of welfare households to
#: districts with high health/living/access poverty.
WELFARE_LEAN: Final = 0.5

#: ``sigma_km = SPREAD_FACTOR * sqrt(area_km2)`` for households placed around
#: a district centroid.
SPREAD_FACTOR: Final = 0.3

#: Kilometres per degree of latitude (mean Earth radius 6371.0088 km).
KM_PER_DEGREE: Final = 2 * math.pi * 6371.0088 / 360

#: Uplift of the province weight (``area_km2``) by region in
#: :func:`synthetic_country`: an assumption reflecting that Thailand's poor
#: concentrate in the Northeast and the North, not a calibration.
REGION_UPLIFT: Final[Mapping[str, float]] = MappingProxyType(
    {"northeast": 1.5, "north": 1.25, "south": 1.0, "central": 1.0}
)

_KINDS = ("developable", "welfare")


# --------------------------------------------------------------------------- validation


def _check_count(value: object, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValidationError(
            f"{argument} must be an integer, not {type(value).__name__}",
            table=argument,
            value=value,
        )
    if value < 0:
        raise ValidationError(f"{argument} must be >= 0", table=argument, value=value)
    return int(value)


def _check_developable(value: object, households: int) -> int:
    if value is None:
        return math.floor(households * DEVELOPABLE_SHARE + 0.5)
    developable = _check_count(value, "developable")
    if developable > households:
        raise ValidationError(
            f"developable must be <= households ({households})",
            table="developable",
            value=developable,
        )
    return developable


def _make_rng(seed: object) -> np.random.Generator:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise ValidationError(
            f"seed must be an int or None, not {type(seed).__name__}", table="seed", value=seed
        )
    if seed is not None and seed < 0:
        raise ValidationError("seed must be >= 0", table="seed", value=seed)
    return np.random.default_rng(None if seed is None else int(seed))


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class _PolygonDistrict:
    index: int  # position in the plan's district arrays
    path: Path
    low: np.ndarray  # (2,) lon, lat of the bounding box
    high: np.ndarray
    acceptance: float  # polygon area / bounding-box area


@dataclass(frozen=True)
class _Plan:
    """Per-district and per-province arrays of the provinces to generate."""

    district: np.ndarray  # (D,) object codes, sorted by province then code
    province: np.ndarray  # (D,) object province codes
    group: np.ndarray  # (D,) int64 province position
    lat: np.ndarray  # (D,) centroid
    lon: np.ndarray
    sigma_lat: np.ndarray  # (D,) household spread, degrees
    sigma_lon: np.ndarray
    weight: np.ndarray  # (D,) household weight
    base_need: np.ndarray  # (D, 5) TPMAP need shares
    lean: np.ndarray  # (D,) welfare lean
    polygons: tuple[_PolygonDistrict, ...]
    province_codes: np.ndarray  # (P,) object
    province_weight: np.ndarray  # (P,)
    hall_lat: np.ndarray  # (P,)
    hall_lon: np.ndarray
    hall_district: np.ndarray  # (P,) int64 position of the hall's district


def _tpmap_shares() -> tuple[pd.DataFrame, np.ndarray, float]:
    """Khon Kaen TPMAP need shares per district, province-wide, and the welfare score."""
    t = reference.tpmap_khon_kaen().set_index("district_code")
    poor = t[[f"poor_{j}" for j in NEEDS]].to_numpy(dtype=np.float64)
    target = t["target_poor_persons"].to_numpy(dtype=np.float64)
    shares = pd.DataFrame(
        np.clip(poor / target[:, None], 0.0, 1.0), index=t.index, columns=list(NEEDS)
    )
    province_shares = np.clip(poor.sum(axis=0) / target.sum(), 0.0, 1.0)
    return shares, province_shares, _welfare_score(province_shares[None, :])[0]


def _welfare_score(shares: np.ndarray) -> np.ndarray:
    h, li, a = (NEEDS.index(j) for j in ("health", "living", "access"))
    return shares[:, h] + shares[:, li] + shares[:, a]


def _polygon_district(index: int, rings: list[np.ndarray]) -> _PolygonDistrict:
    path = Path.make_compound_path(*(Path(ring) for ring in rings))
    vertices = np.concatenate(rings)
    low, high = vertices.min(axis=0), vertices.max(axis=0)
    area = sum(0.5 * abs(np.dot(r[:-1, 0], r[1:, 1]) - np.dot(r[1:, 0], r[:-1, 1])) for r in rings)
    acceptance = float(area / np.prod(high - low))
    return _PolygonDistrict(index, path, low, high, min(max(acceptance, 0.01), 1.0))


@functools.lru_cache(maxsize=8)
def _plan(province_codes: tuple[str, ...], by_region: bool) -> _Plan:
    table = reference.districts()
    table = table[table["province_code"].isin(province_codes)]
    table = table.sort_values(["province_code", "district_code"], ignore_index=True)
    codes = table["district_code"].to_numpy(dtype=object)
    provinces = np.array(sorted(province_codes), dtype=object)
    group = np.searchsorted(provinces, table["province_code"].to_numpy(dtype=object))
    lat = table["lat"].to_numpy(dtype=np.float64)
    lon = table["lon"].to_numpy(dtype=np.float64)
    area = table["area_km2"].to_numpy(dtype=np.float64)
    sigma_km = SPREAD_FACTOR * np.sqrt(area)

    kk_shares, kk_province_shares, kk_score = _tpmap_shares()
    weight = area.copy()
    base_need = np.tile(kk_province_shares, (len(table), 1))
    lean = np.ones(len(table))
    polygons: list[_PolygonDistrict] = []
    in_kk = np.flatnonzero(table["province_code"].to_numpy(dtype=object) == reference.KHON_KAEN)
    if len(in_kk):
        kk_codes = codes[in_kk]
        tpmap = reference.tpmap_khon_kaen().set_index("district_code")
        weight[in_kk] = tpmap.loc[kk_codes, "mpi_poor_households"].to_numpy(dtype=np.float64)
        base_need[in_kk] = kk_shares.loc[kk_codes].to_numpy()
        lean[in_kk] = (1 - WELFARE_LEAN) + WELFARE_LEAN * _welfare_score(
            base_need[in_kk]
        ) / kk_score
        rings = reference.khon_kaen_polygons()
        polygons = [_polygon_district(int(i), rings[codes[i]]) for i in in_kk]

    province_table = reference.provinces().set_index("province_code").loc[provinces]
    if by_region:
        uplift = province_table["region"].map(dict(REGION_UPLIFT)).to_numpy(dtype=np.float64)
        province_weight = province_table["area_km2"].to_numpy(dtype=np.float64) * uplift
    else:
        province_weight = np.ones(len(provinces))
    hall_district = np.searchsorted(codes, np.array([f"{p}01" for p in provinces], dtype=object))
    hall_lat, hall_lon = lat[hall_district].copy(), lon[hall_district].copy()
    if reference.KHON_KAEN in provinces:
        k = int(np.searchsorted(provinces, reference.KHON_KAEN))
        hall_lat[k], hall_lon[k] = KHON_KAEN_HALL

    arrays = dict(
        district=codes,
        province=table["province_code"].to_numpy(dtype=object),
        group=group.astype(np.int64),
        lat=lat,
        lon=lon,
        sigma_lat=sigma_km / KM_PER_DEGREE,
        sigma_lon=sigma_km / (KM_PER_DEGREE * np.cos(np.radians(lat))),
        weight=weight,
        base_need=base_need,
        lean=lean,
        province_codes=provinces,
        province_weight=province_weight,
        hall_lat=hall_lat,
        hall_lon=hall_lon,
        hall_district=hall_district.astype(np.int64),
    )
    for value in arrays.values():
        value.setflags(write=False)
    return _Plan(polygons=tuple(polygons), **arrays)


# --------------------------------------------------------------------------- helpers


def _apportion(totals: np.ndarray, weights: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Largest-remainder apportionment of ``totals[g]`` over the items of each group.

    ``groups`` (n,) holds each item's group in ``range(len(totals))``, sorted
    ascending; ``weights`` (n,) are positive.  Returns int64 counts (n,) whose
    group sums equal ``totals`` and that differ from the exact quotas by less
    than 1; ties go to the earlier item.
    """
    n_groups = len(totals)
    totals = np.asarray(totals, dtype=np.int64)
    weight_sum = np.bincount(groups, weights=weights, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        quota = np.where(
            weight_sum[groups] > 0, totals[groups] * (weights / weight_sum[groups]), 0.0
        )
    base = np.floor(quota).astype(np.int64)
    left = totals - np.bincount(groups, weights=base, minlength=n_groups).astype(np.int64)
    order = np.lexsort((np.arange(len(weights)), -(quota - base), groups))
    size = np.bincount(groups, minlength=n_groups)
    rank = np.arange(len(weights)) - (np.cumsum(size) - size)[groups[order]]
    base[order] += rank < left[groups[order]]
    return base


def _ids(prefix: str, n: int, min_width: int) -> np.ndarray:
    """``prefix`` + zero-padded 1-based numbers, as an (n,) object array, vectorised."""
    width = max(min_width, len(str(n)))
    numbers = np.arange(1, n + 1, dtype=np.int64)
    buffer = np.empty((n, len(prefix) + width), dtype=np.uint8)
    buffer[:, : len(prefix)] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    buffer[:, len(prefix) :] = numbers[:, None] // powers % 10 + ord("0")
    return buffer.view(f"S{buffer.shape[1]}").ravel().astype(f"U{buffer.shape[1]}")


def _uniform_in_polygon(rng: np.random.Generator, poly: _PolygonDistrict, n: int) -> np.ndarray:
    """(n, 2) lon/lat points uniform inside the polygon (rejection sampling)."""
    out = np.empty((n, 2))
    filled = 0
    while filled < n:
        need = n - filled
        draw = int(need / poly.acceptance * 1.2) + 16
        points = rng.uniform(poly.low, poly.high, size=(draw, 2))
        inside = points[poly.path.contains_points(points)][:need]
        out[filled : filled + len(inside)] = inside
        filled += len(inside)
    return out


def _normal_in_polygon(
    rng: np.random.Generator, poly: _PolygonDistrict, centre: np.ndarray, sigma: np.ndarray
) -> np.ndarray:
    """(n, 2) lon/lat points ``centre + N(0, sigma)``, redrawn until inside the polygon.

    ``centre`` and ``sigma`` are (n, 2); points still outside after 100 rounds
    (only if a centre lies outside) are put at their centre.
    """
    points = centre + rng.standard_normal(centre.shape) * sigma
    outside = ~poly.path.contains_points(points)
    for _ in range(100):
        if not outside.any():
            break
        redo = np.flatnonzero(outside)
        points[redo] = centre[redo] + rng.standard_normal((len(redo), 2)) * sigma[redo]
        outside[redo] = ~poly.path.contains_points(points[redo])
    points[outside] = centre[outside]
    return points


def _str_series(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype="str", copy=False)


# --------------------------------------------------------------------------- generation


def _households(
    plan: _Plan, households: int, developable: int, rng: np.random.Generator
) -> pd.DataFrame:
    per_province = _apportion(
        np.array([households]), plan.province_weight, np.zeros(len(plan.province_codes), int)
    )
    per_district = _apportion(per_province, plan.weight, plan.group)
    d = np.repeat(np.arange(len(plan.district)), per_district)
    n = len(d)

    lat = plan.lat[d] + rng.standard_normal(n) * plan.sigma_lat[d]
    lon = plan.lon[d] + rng.standard_normal(n) * plan.sigma_lon[d]
    starts = np.cumsum(per_district) - per_district
    for poly in plan.polygons:
        count = int(per_district[poly.index])
        if count:
            points = _uniform_in_polygon(rng, poly, count)
            rows = slice(starts[poly.index], starts[poly.index] + count)
            lon[rows], lat[rows] = points[:, 0], points[:, 1]

    welfare = np.zeros(n, dtype=bool)
    n_welfare = n - developable
    if n_welfare:
        keys = np.log1p(-rng.random(n)) / plan.lean[d]  # Efraimidis-Spirakis, log scale
        welfare[np.argpartition(-keys, n_welfare - 1)[:n_welfare]] = True

    tilt = np.array([[NEED_TILT[k][j] for j in NEEDS] for k in _KINDS])
    p = plan.base_need[d] * tilt[welfare.astype(np.intp)]
    np.clip(p, 0.0, 1.0, out=p)
    flags = rng.random((n, len(NEEDS))) < p
    typical = np.array([NEEDS.index(TYPICAL_NEED[k]) for k in _KINDS])
    empty = np.flatnonzero(~flags.any(axis=1))
    flags[empty, typical[welfare[empty].astype(np.intp)]] = True

    columns: dict[str, object] = {
        "household_id": _str_series(_ids("HH", n, 6)),
        "kind": _str_series(np.array(_KINDS, dtype=object)[welfare.astype(np.intp)]),
        "district": _str_series(plan.district[d]),
        "lat": lat,
        "lon": lon,
    }
    for j, need in enumerate(NEEDS):
        columns[f"need_{need}"] = flags[:, j].copy()
    columns["province"] = _str_series(plan.province[d])
    columns[SYNTHETIC_COLUMN] = np.ones(n, dtype=bool)
    return pd.DataFrame(columns)


def _officers(plan: _Plan, officers: int, rng: np.random.Generator) -> pd.DataFrame:
    n_provinces = len(plan.province_codes)
    per_province = _apportion(
        np.array([officers]), plan.province_weight, np.zeros(n_provinces, int)
    )
    n_districts = np.bincount(plan.group, minlength=n_provinces)
    hall = np.floor(per_province * PROVINCIAL_HALL_SHARE + 0.5).astype(np.int64)
    covered = per_province >= n_districts
    hall = np.where(covered, np.minimum(hall, per_province - n_districts), hall)
    at_districts = per_province - hall
    floor_one = at_districts >= n_districts
    per_district = _apportion(
        at_districts - np.where(floor_one, n_districts, 0), plan.weight, plan.group
    ) + floor_one[plan.group].astype(np.int64)

    # Sites: the hall of each province, then its districts (sorted by province).
    site_is_hall = np.concatenate([np.ones(n_provinces, bool), np.zeros(len(plan.district), bool)])
    site_group = np.concatenate([np.arange(n_provinces), plan.group])
    site_rank = np.concatenate([np.full(n_provinces, -1), np.arange(len(plan.district))])
    site_order = np.lexsort((site_rank, site_group))
    site_count = np.concatenate([hall, per_district])[site_order]
    site_district = np.concatenate([plan.hall_district, np.arange(len(plan.district))])[site_order]
    site_hall = site_is_hall[site_order]
    site_lat = np.concatenate([plan.hall_lat, plan.lat])[site_order]
    site_lon = np.concatenate([plan.hall_lon, plan.lon])[site_order]
    site_sigma_km = np.where(site_hall, HALL_JITTER_KM, OFFICE_SPREAD_KM)

    s = np.repeat(np.arange(len(site_order)), site_count)
    n = len(s)
    d = site_district[s]
    centre = np.column_stack([site_lon[s], site_lat[s]])
    sigma_lat = site_sigma_km[s] / KM_PER_DEGREE
    sigma = np.column_stack([sigma_lat / np.cos(np.radians(centre[:, 1])), sigma_lat])
    points = centre + rng.standard_normal((n, 2)) * sigma
    for poly in plan.polygons:
        rows = np.flatnonzero(d == poly.index)
        if len(rows):
            points[rows] = _normal_in_polygon(rng, poly, centre[rows], sigma[rows])

    agencies = np.array(list(AGENCY_WEIGHTS), dtype=object)
    agency_count = _apportion(
        np.array([n]), np.array(list(AGENCY_WEIGHTS.values())), np.zeros(len(agencies), int)
    )
    agency = rng.permutation(np.repeat(agencies, agency_count))

    return pd.DataFrame(
        {
            "officer_id": _str_series(_ids("OF", n, 5)),
            "agency": _str_series(agency),
            "district": _str_series(plan.district[d]),
            "lat": points[:, 1],
            "lon": points[:, 0],
            "capacity": np.full(n, OFFICER_CAPACITY, dtype=np.int64),
            "province": _str_series(plan.province[d]),
            SYNTHETIC_COLUMN: np.ones(n, dtype=bool),
        }
    )


def _generate(
    plan: _Plan, households: int, officers: int, developable: int, seed: object
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = _make_rng(seed)
    house = _households(plan, households, developable, rng)
    staff = _officers(plan, officers, rng)
    return staff, house


# --------------------------------------------------------------------------- public


def synthetic_province(
    name: str = "Khon Kaen",
    *,
    officers: int = 740,
    households: int = 1174,
    developable: int | None = None,
    seed: int | None = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic officers and households for one province.

    The defaults reproduce the size of the Khon Kaen programme: 740
    officers, 1,174 households of which 661 developable.  See the module
    docstring for the model.

    Parameters
    ----------
    name : str, default "Khon Kaen"
        Any of the 77 provinces by English name, Thai name or code (see
        :func:`kuseo_match.reference.resolve_province`).  Only Khon Kaen has
        TPMAP weights and district polygons; other provinces use district
        areas and Khon Kaen's province-wide need shares.
    officers : int, default 740
        Number of officers (>= 0).
    households : int, default 1174
        Number of households (>= 0).
    developable : int, optional
        Number of ``"developable"`` households (0 ... ``households``); the
        rest are ``"welfare"``.  ``None`` (default) means Khon Kaen's share
        ``round(households * 661 / 1174)``, rounded half up (661 for 1,174).
    seed : int, optional
        Seed of :func:`numpy.random.default_rng` (>= 0); the same seed gives
        identical frames.  ``None`` draws fresh entropy.

    Returns
    -------
    officers : pandas.DataFrame
        ``officers`` rows, columns ``officer_id`` (str, ``"OF00001"`` ...;
        ids have 5 digits, more when 100,000 or more officers),
        ``agency`` (str, a key of :data:`AGENCY_WEIGHTS`), ``district`` (str
        code), ``lat``, ``lon`` (float64 degrees), ``capacity`` (int64,
        :data:`OFFICER_CAPACITY`), ``province`` (str code), ``synthetic``
        (bool, True: see :data:`SYNTHETIC_COLUMN`).  Ordered by province,
        then the provincial hall, then district.
    households : pandas.DataFrame
        ``households`` rows, columns ``household_id`` (str,
        ``"HH000001"`` ...; 6 digits, more when a million or more),
        ``kind`` (str, ``"developable"`` or ``"welfare"``), ``district``,
        ``lat``, ``lon``, ``need_health``, ``need_living``,
        ``need_education``, ``need_income``, ``need_access`` (bool, at least
        one True per row), ``province``, ``synthetic`` (bool, True).  Ordered
        by district.

    Raises
    ------
    ValidationError
        If a count is not a non-negative integer (``bool`` is refused), if
        ``developable > households``, if the province is unknown or if the
        seed is not a non-negative int or None; the error's ``table`` is the
        argument's name.

    Examples
    --------
    >>> officers, households = synthetic_province()
    >>> officers.shape, households.shape
    ((740, 8), (1174, 12))
    >>> bool(officers["synthetic"].all() and households["synthetic"].all())
    True
    >>> households["kind"].value_counts().to_dict()
    {'developable': 661, 'welfare': 513}
    >>> officers["officer_id"].iloc[0], households["household_id"].iloc[0]
    ('OF00001', 'HH000001')
    >>> o, h = synthetic_province("เชียงใหม่", officers=10, households=30, seed=1)
    >>> len(o), len(h), h["province"].unique().tolist()
    (10, 30, ['TH50'])
    """
    households = _check_count(households, "households")
    officers = _check_count(officers, "officers")
    developable = _check_developable(developable, households)
    _make_rng(seed)  # validate before the (cached) plan is built
    code = reference.resolve_province(name, argument="name")
    return _generate(_plan((code,), False), households, officers, developable, seed)


def synthetic_country(
    *,
    households: int,
    officers: int,
    developable: int | None = None,
    seed: int | None = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic officers and households spread over all 77 provinces.

    Households and officers are first apportioned exactly (largest
    remainder) to provinces in proportion to ``area_km2 *``
    :data:`REGION_UPLIFT` ``[region]``, then generated per province as in
    :func:`synthetic_province`.  Fully vectorised: one million households
    take a few seconds.

    Parameters
    ----------
    households : int
        Number of households (>= 0).
    officers : int
        Number of officers (>= 0).
    developable : int, optional
        Number of developable households; ``None`` (default) means
        ``round(households * 661 / 1174)``.
    seed : int, optional
        Seed of :func:`numpy.random.default_rng` (>= 0); ``None`` draws
        fresh entropy.

    Returns
    -------
    officers, households : pandas.DataFrame
        The frames of :func:`synthetic_province`, ordered by province.

    Raises
    ------
    ValidationError
        As :func:`synthetic_province`.

    Examples
    --------
    >>> officers, households = synthetic_country(households=20_000, officers=12_600, seed=0)
    >>> len(officers), len(households), households["province"].nunique()
    (12600, 20000, 77)
    """
    households = _check_count(households, "households")
    officers = _check_count(officers, "officers")
    developable = _check_developable(developable, households)
    _make_rng(seed)
    codes = tuple(reference.provinces()["province_code"])
    return _generate(_plan(codes, True), households, officers, developable, seed)
