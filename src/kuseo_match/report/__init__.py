"""Maps and a one-page HTML report of a :class:`~kuseo_match.result.Result`.

The people who run a pairing programme would rather look at a map than read
a thousand rows.  This module draws one (:func:`plot_map`, :func:`write_map`)
and builds a single self-contained HTML page around it (:func:`render_report`,
:func:`write_report`): headline numbers, need coverage, officers' load, a
per-district table, the unmatched households and the policy used; when the
households lie in more than one province, a per-province table too
(:meth:`~kuseo_match.result.Result.by_province`).

Above :data:`AGGREGATE_HOUSEHOLDS` households (20,000: a large province; a
country holds up to a million) one mark per household stops being readable
and the files stop being usable, so the outputs switch to districts and
provinces: the map draws each district once, shaded by its unmatched share
(its polygon where one is shipped, else a circle at its centre sized by its
households) beside a second panel coloured by mean distance, instead of
every household, officer and pair line; the report lists the unmatched
households per district instead of one by one; and ``kuseo-match`` writes
``pairs.geojson`` only when asked (``--geojson``).  :func:`plot_map` and
:func:`render_report` take the threshold as ``aggregate_above``.

Both carry the credits the data's licences ask for (``data/SOURCES.md``):
the district boundaries, centroids and names are RTSD's, as published by UN
OCHA under CC BY-IGO 3.0.  Tables made by :mod:`kuseo_match.synth` (marked
by its ``synthetic`` column, :func:`is_synthetic`) get a visible "synthetic
data / ข้อมูลสังเคราะห์" mark on the map and a banner on the report.

Labels are in Thai and English.  Thai needs a font that covers it:
:func:`thai_font` finds the Noto Sans Thai file shipped by the
``fontpkg-noto-sans-thai`` dependency (or a system Thai font) and hands it to
matplotlib per text, never through the global ``rcParams``.  Figures are
made with :class:`matplotlib.figure.Figure` directly, so nothing here touches
pyplot or the global backend.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import logging
import math
import re
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps, patheffects
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure, SubFigure
from matplotlib.font_manager import FontProperties, findSystemFonts, fontManager
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from ._version import __version__
from .errors import ValidationError, printable
from .fit import NEEDS, default_fit_table
from .io.write import replace_file
from .reference import resolve_province
from .result import Result
from .schema import canonical_columns, coordinates, need_flags
from .synth import SYNTHETIC_COLUMN

__all__ = [
    "AGGREGATE_HOUSEHOLDS",
    "NEED_LABELS",
    "district_summary",
    "is_synthetic",
    "need_coverage",
    "plot_map",
    "render_report",
    "thai_font",
    "write_map",
    "write_report",
]

logger = logging.getLogger(__name__)

#: Households above which the map, the report and ``kuseo-match``'s
#: ``pairs.geojson`` show districts and provinces instead of every household
#: (see the module text); the ``aggregate_above`` default of :func:`plot_map`
#: and :func:`render_report`.
AGGREGATE_HOUSEHOLDS = 20_000

#: Household need columns and their labels (Thai, English), in report order.
NEED_LABELS: Mapping[str, tuple[str, str]] = {
    "need_health": ("สุขภาพ", "Health"),
    "need_living": ("ความเป็นอยู่", "Living standards"),
    "need_education": ("การศึกษา", "Education"),
    "need_income": ("รายได้", "Income"),
    "need_access": ("การเข้าถึงบริการรัฐ", "Access to public services"),
}

_KIND_LABELS: Mapping[str, tuple[str, str]] = {
    "developable": ("ครัวเรือนพัฒนาได้", "Developable"),
    "welfare": ("ครัวเรือนสงเคราะห์", "Welfare"),
}
_KIND_COLOURS: Mapping[str, str] = {"developable": "#1b9e77", "welfare": "#d95f02"}
_OTHER_COLOURS = ("#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")
_OFFICER_COLOUR = "#1f3a93"
_UNMATCHED_COLOUR = "#d7191c"
_PAIR_COLOUR = "#555555"

_POLICY_LABELS: Mapping[str, str] = {
    "capacity": "ครัวเรือนต่อเจ้าหน้าที่ / Households per officer",
    "max_distance_km": "ระยะทางสูงสุด (กม.) / Longest allowed distance (km)",
    "fit_weight": "น้ำหนักความเหมาะสม / Fit weight (km-equivalents)",
    "cross_district_penalty": "ค่าปรับข้ามอำเภอ / Cross-district penalty (km-equivalents)",
    "neutral_fit": "ความเหมาะสมกลาง / Neutral fit (unknown agencies)",
    "fit_table": "ตารางความเหมาะสม / Fit table",
    "candidate_k": "จำนวนคู่ผู้สมัครต่อครัวเรือน / Candidate officers per household",
}

#: Family names of fonts known to cover Thai, most preferred first.
_THAI_FAMILIES = (
    "Noto Sans Thai",
    "Noto Sans Thai UI",
    "Noto Sans Thai Looped",
    "Noto Serif Thai",
    "Loma",
    "Garuda",
    "Waree",
    "Umpush",
    "Sawasdee",
    "Norasi",
    "Kinnari",
    "Laksaman",
    "Tlwg Typo",
    "Tlwg Typist",
    "Tlwg Mono",
    "Purisa",
)
_THAI_PROBE = "กขคงจาิุ่้"
_CSS_FONT_STACK = (
    '"Noto Sans Thai", "Noto Sans Thai UI", "Leelawadee UI", "Leelawadee", "Thonburi", '
    '"Sarabun", "Tahoma", "Loma", "Garuda", "Waree", "Noto Sans", "DejaVu Sans", sans-serif'
)
_EMBEDDED_FAMILY = "kuseo-thai"
_MAX_UNMATCHED_ROWS = 1000
_COMPETENT = 0.5  # least fit-table competence that counts an agency as competent in a need
_MAX_LABELLED_DISTRICTS = 60

# Credits, worded as in data/SOURCES.md.
_DISTRICT_SOURCE = (
    "Royal Thai Survey Department (RTSD) administrative boundaries, level 2, "
    "as published by UN OCHA (COD-AB Thailand, dated 2019-02-18)"
)
_DISTRICT_LICENCE = "CC BY-IGO 3.0"
_DISTRICT_LICENCE_URL = "https://creativecommons.org/licenses/by/3.0/igo/"
_TPMAP_SOURCE = (
    "TPMAP (Thai People Map and Analytics Platform), Office of the National Economic and "
    "Social Development Council (NESDC) and National Electronics and Computer Technology "
    "Center (NECTEC), year 2561 (2018)"
)
_SYNTHETIC_MARK = ("ข้อมูลสังเคราะห์", "SYNTHETIC DATA")
_SYNTHETIC_BANNER = (
    "ข้อมูลสังเคราะห์ / Synthetic data:",
    "every officer and household in this report is generated by kuseo_match.synth; "
    "none is a real person.",
)
_TRUE_TEXT = frozenset({"true", "1", "1.0"})  # how True comes back from a CSV


# --------------------------------------------------------------------------- fonts
def _covers_thai(path: str | Path) -> bool:
    try:
        charmap = FT2Font(str(path)).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in _THAI_PROBE)


def _packaged_thai_files() -> list[Path]:
    """Font files of the ``fontpkg-noto-sans-thai`` package, best first."""
    files: list[Path] = []
    try:
        import fontpkg

        files.append(Path(fontpkg.path("Noto Sans Thai", weight=400, nearest=True)))
    except ImportError:
        pass
    except Exception as exc:  # fontpkg.FontpkgError and friends
        logger.debug("fontpkg could not resolve Noto Sans Thai: %s", exc)
    try:
        import fontpkg_noto_sans_thai
    except ImportError:
        return files
    root = Path(fontpkg_noto_sans_thai.ROOT)
    files += sorted(root.glob("files/*.ttf")) + sorted(root.glob("files/*.otf"))
    return files


def _system_thai_files() -> list[Path]:
    """Installed fonts that may cover Thai (e.g. Debian's fonts-thai-tlwg), best first."""
    rank = {name.lower(): i for i, name in enumerate(_THAI_FAMILIES)}
    known = sorted(
        (rank[entry.name.lower()], entry.fname)
        for entry in fontManager.ttflist
        if entry.name.lower() in rank
    )
    files = [Path(fname) for _, fname in known]
    # Fonts installed after matplotlib built its font cache are not in ttflist.
    hints = ("thai", "tlwg", "loma", "garuda", "waree", "sawasdee", "norasi", "kinnari")
    files += sorted(
        Path(fname)
        for fname in findSystemFonts()
        if any(hint in Path(fname).name.lower() for hint in hints)
    )
    return files


@functools.cache
def _thai_font_file() -> str | None:
    """Path of a font file that covers Thai, registered with matplotlib (cached)."""
    for path in [*_packaged_thai_files(), *_system_thai_files()]:
        if path.is_file() and _covers_thai(path):
            fontManager.addfont(str(path))
            logger.debug("Thai font: %s", path)
            return str(path)
    logger.warning(
        "no font covering Thai was found (install fontpkg-noto-sans-thai or "
        "fonts-thai-tlwg); map labels will be in English"
    )
    return None


def thai_font() -> FontProperties | None:
    """A matplotlib font that covers Thai, or None when none is installed.

    Looks first for the Noto Sans Thai file of the ``fontpkg-noto-sans-thai``
    package, then for a system font that covers Thai (Noto Sans Thai, the
    TLWG fonts of Debian's ``fonts-thai-tlwg`` such as Loma or Garuda).  The
    file found is registered once with matplotlib's font manager
    (``fontManager.addfont``); the global ``rcParams`` are never changed.
    Pass the result to a text as ``fontproperties=``.  When no font is found
    a warning is logged (once) and None is returned; the map then uses
    English labels.

    Returns
    -------
    matplotlib.font_manager.FontProperties or None
        A new object on every call (callers may change its size), always
        pointing at the same file.

    Examples
    --------
    >>> font = thai_font()
    >>> font is not None and font.get_file() is not None
    True
    >>> font.set_size(9)  # a fresh object: the next call is unaffected
    >>> thai_font().get_size() == font.get_size()
    False
    """
    path = _thai_font_file()
    return None if path is None else FontProperties(fname=path)


def _sized(font: FontProperties | None, size: float, weight: str = "normal") -> FontProperties:
    out = FontProperties() if font is None else font.copy()
    out.set_size(size)
    out.set_weight(weight)
    return out


# ------------------------------------------------------------------ reference data
def _reference_districts(districts: pd.DataFrame | None) -> pd.DataFrame:
    from .reference import districts as load_districts

    return load_districts() if districts is None else districts


def _reference_boundaries(boundaries: Mapping[str, Any] | None) -> Mapping[str, Any]:
    from .reference import khon_kaen_geojson

    return khon_kaen_geojson() if boundaries is None else boundaries


def _province_code(district: Any) -> str:
    return str(district)[:4]


# -------------------------------------------------------------------- frame helpers
def _require(frame: pd.DataFrame, table: str, columns: Iterable[str], why: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise ValidationError(f"missing column; {why}", table=table, column=column)


def is_synthetic(officers: pd.DataFrame | None, households: pd.DataFrame | None) -> bool:
    """Whether the officers or the households are marked as made up by :mod:`kuseo_match.synth`.

    A frame is marked when it has at least one row and a ``synthetic`` column
    (:data:`kuseo_match.synth.SYNTHETIC_COLUMN`) whose every value reads as
    true: ``True`` or ``1``, or the text ``"true"`` (any case), ``"1"`` or
    ``"1.0"`` as a CSV read gives it back.  An empty cell (NaN, None,
    ``""``) or any other value on any row means not marked.

    Parameters
    ----------
    officers, households : pandas.DataFrame or None
        The input tables (not changed); None stands for a table not given.

    Returns
    -------
    bool
        True when at least one of the two frames is marked.

    Examples
    --------
    >>> import pandas as pd
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=3, households=4)
    >>> is_synthetic(o, h), is_synthetic(o.drop(columns="synthetic"), None)
    (True, False)
    >>> is_synthetic(None, pd.DataFrame({"synthetic": ["True", "1", " true "]}))
    True
    >>> is_synthetic(None, pd.DataFrame({"synthetic": [True, None]}))
    False
    """
    return _marked(officers) or _marked(households)


def _canonical(frame: pd.DataFrame | None, table: str) -> pd.DataFrame | None:
    """A caller's table with its alias headers (``ละติจูด``, ``รหัสครัวเรือน`` ...) read
    as the data contract's names, as validation reads them."""
    return None if frame is None else canonical_columns(frame, table)


def _marked(frame: pd.DataFrame | None) -> bool:
    if frame is None or frame.empty or SYNTHETIC_COLUMN not in frame.columns:
        return False
    text = frame[SYNTHETIC_COLUMN].astype(str).str.strip().str.lower()
    return bool(text.isin(_TRUE_TEXT).all())


def _result_households(result: Result) -> pd.DataFrame:
    """Every household of the result: household_id, kind, district, paired (bool)."""
    paired = pd.DataFrame(
        {
            "household_id": result.pairs["household_id"].to_numpy(),
            "kind": result.pairs["kind"].to_numpy(),
            "district": result.pairs["household_district"].to_numpy(),
            "paired": True,
        }
    )
    unmatched = pd.DataFrame(
        {
            "household_id": result.unmatched["household_id"].to_numpy(),
            "kind": result.unmatched["kind"].to_numpy(),
            "district": result.unmatched["household_district"].to_numpy(),
            "paired": False,
        }
    )
    frames = [f for f in (paired, unmatched) if len(f)]
    if not frames:
        return paired
    return pd.concat(frames, ignore_index=True)


def _coordinates(frame: pd.DataFrame, table: str, key: str) -> pd.DataFrame:
    if not ({"lat", "lon"} <= set(frame.columns) or "coordinates" in frame.columns):
        _require(frame, table, (key, "lat", "lon"), "the map needs coordinates")
    return coordinates(frame, table)


def _attach(
    ids: pd.DataFrame, coords: pd.DataFrame, key: str, table: str, prefix: str = ""
) -> pd.DataFrame:
    """``ids`` with ``<prefix>lat``/``<prefix>lon`` from ``coords``; every id must be found."""
    lat, lon = f"{prefix}lat", f"{prefix}lon"
    renamed = coords.rename(columns={"lat": lat, "lon": lon})
    out = ids.merge(renamed, on=key, how="left", validate="many_to_one")
    bad = out[lat].isna() | out[lon].isna()
    if bad.any():
        raise ValidationError(
            "id of the result is missing from this table or has no coordinates; "
            "pass the same frames that were given to match()",
            table=table,
            column=key,
            row=out[key][bad].iloc[0],
        )
    return out


def _officer_capacity(result: Result, officers: pd.DataFrame) -> pd.DataFrame:
    """officer_id, district, capacity, load for every officer."""
    load_table = result.officer_load
    if len(load_table):
        out = load_table[["officer_id", "district", "capacity", "load"]].copy()
    else:
        _require(officers, "officers", ("officer_id", "district"), "the report needs it")
        cap = (
            officers["capacity"]
            if "capacity" in officers.columns
            else pd.Series(np.nan, index=officers.index)
        )
        out = pd.DataFrame(
            {
                "officer_id": officers["officer_id"].to_numpy(),
                "district": officers["district"].to_numpy(),
                "capacity": cap.to_numpy(dtype=float),
            }
        )
        counts = result.pairs.groupby("officer_id").size()
        out["load"] = out["officer_id"].map(counts).fillna(0).astype(int)
    out["capacity"] = (
        pd.to_numeric(out["capacity"], errors="coerce").fillna(result.policy.capacity).astype(int)
    )
    return out


# --------------------------------------------------------------------------- tables
def district_summary(
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    *,
    districts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per district with households or officers: counts, slots, distances.

    Parameters
    ----------
    result : Result
        A matching result.
    officers, households : pandas.DataFrame
        The frames given to :func:`kuseo_match.match` (not changed).  Officers
        are counted from ``result.officer_load`` when it is filled, else from
        ``officers`` (``capacity`` missing or empty: ``result.policy.capacity``).
    districts : pandas.DataFrame, optional
        District names (``district_code``, ``district_th``, ``district_en``);
        default :func:`kuseo_match.reference.districts`.

    Returns
    -------
    pandas.DataFrame
        Columns ``district_code``, ``district_th``, ``district_en`` (NA when
        unknown), ``households``, ``officers``, ``slots`` (sum of officers'
        capacity), ``paired``, ``unmatched`` (households of the district),
        ``mean_km`` (mean pair distance of its households, NaN without
        pairs); sorted by ``district_code``.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> table = district_summary(km.match(o, h), o, h)
    >>> int(table["paired"].sum() + table["unmatched"].sum())
    40
    """
    officers = _canonical(officers, "officers")
    households = _canonical(households, "households")
    hh = _result_households(result)
    staff = _officer_capacity(result, officers)
    by_h = hh.groupby("district")["paired"].agg(households="size", paired="sum")
    by_o = staff.groupby("district").agg(officers=("officer_id", "size"), slots=("capacity", "sum"))
    dist = pd.to_numeric(result.pairs["distance_km"], errors="coerce")
    mean_km = dist.groupby(result.pairs["household_district"].to_numpy()).mean()
    codes = sorted(set(by_h.index.astype(str)) | set(by_o.index.astype(str)))
    out = pd.DataFrame({"district_code": codes})
    out["households"] = out["district_code"].map(by_h["households"]).fillna(0).astype(int)
    out["officers"] = out["district_code"].map(by_o["officers"]).fillna(0).astype(int)
    out["slots"] = out["district_code"].map(by_o["slots"]).fillna(0).astype(int)
    out["paired"] = out["district_code"].map(by_h["paired"]).fillna(0).astype(int)
    out["unmatched"] = out["households"] - out["paired"]
    out["mean_km"] = out["district_code"].map(mean_km).astype(float)
    prices = result.prices_by_district().set_index("district")
    out["mean_price"] = out["district_code"].map(prices["mean_price"]).astype(float)
    out["top_price"] = out["district_code"].map(prices["top_price"]).astype(float)
    names = _reference_districts(districts)
    if names is not None:
        lookup = names.drop_duplicates("district_code").set_index("district_code")
        out.insert(1, "district_th", out["district_code"].map(lookup["district_th"]))
        out.insert(2, "district_en", out["district_code"].map(lookup["district_en"]))
    else:
        out.insert(1, "district_th", pd.NA)
        out.insert(2, "district_en", pd.NA)
    return out


def need_coverage(result: Result, households: pd.DataFrame) -> pd.DataFrame:
    """Households with each need, how many are paired, and how many with a competent agency.

    An officer is *competent* in a need when the fit table of
    ``result.policy`` (the shipped default when it has none) gives the
    officer's agency a competence of at least 0.5 in it; agencies that are
    not in the fit table are never counted as competent.

    Parameters
    ----------
    result : Result
        A matching result.
    households : pandas.DataFrame
        The households frame given to :func:`kuseo_match.match` (not
        changed); need columns (:data:`NEED_LABELS`) that it lacks are left
        out.  Only households of the result are counted.

    Returns
    -------
    pandas.DataFrame
        One row per need: ``need`` (column name), ``label_th``,
        ``label_en``, ``households`` (with that need), ``paired`` (of those,
        paired), ``competent`` (of those, paired with a competent officer),
        ``share_paired`` and ``share_competent`` (divided by ``households``;
        NaN when no household has the need).

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> cover = need_coverage(km.match(o, h), h)
    >>> list(cover["need"])
    ['need_health', 'need_living', 'need_education', 'need_income', 'need_access']
    >>> bool((cover["competent"] <= cover["paired"]).all())
    True
    """
    households = _canonical(households, "households")
    _require(households, "households", ("household_id",), "the report needs it")
    hh = _result_households(result)[["household_id", "paired"]]
    present = [need for need in NEED_LABELS if need in households.columns]
    needs = need_flags(households)[["household_id", *present]]
    agency = result.pairs[["household_id", "agency"]].drop_duplicates("household_id")
    joined = hh.merge(needs, on="household_id", how="left").merge(
        agency, on="household_id", how="left"
    )
    table = default_fit_table() if result.policy.fit_table is None else result.policy.fit_table
    row = table.resolve(joined["agency"].fillna("").to_numpy(dtype=object))
    known = joined["paired"].to_numpy(dtype=bool) & (row >= 0)
    competence = np.where(known[:, None], table.competence[np.maximum(row, 0)], 0.0)
    paired = joined["paired"].to_numpy(dtype=bool)
    rows = []
    for need in present:
        has = joined[need].fillna(False).to_numpy(dtype=bool)
        skill = competence[:, NEEDS.index(need.removeprefix("need_"))]
        n = int(has.sum())
        n_paired = int(paired[has].sum())
        n_competent = int((skill[has] >= _COMPETENT).sum())
        label_th, label_en = NEED_LABELS[need]
        rows.append(
            {
                "need": need,
                "label_th": label_th,
                "label_en": label_en,
                "households": n,
                "paired": n_paired,
                "competent": n_competent,
                "share_paired": n_paired / n if n else float("nan"),
                "share_competent": n_competent / n if n else float("nan"),
            }
        )
    columns = [
        "need",
        "label_th",
        "label_en",
        "households",
        "paired",
        "competent",
        "share_paired",
        "share_competent",
    ]
    return pd.DataFrame(rows, columns=columns)


# ------------------------------------------------------------------------------ map
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


def _district_places(
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
        if _province_code(code) not in provinces:
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


def _fmt_int(value: float) -> str:
    return f"{int(value):,}"


def _fmt_km(value: float | None) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:,.1f}"


def _map_title(
    n_households: int,
    n_paired: int,
    dist: np.ndarray,
    province: str | None,
    thai: bool,
) -> str:
    n_unmatched = n_households - n_paired
    mean_km = float(dist.mean()) if dist.size else None
    max_km = float(dist.max()) if dist.size else None
    en = (
        f"Paired {_fmt_int(n_paired)} of {_fmt_int(n_households)} households · "
        f"{_fmt_int(n_unmatched)} unmatched · mean {_fmt_km(mean_km)} km, "
        f"longest {_fmt_km(max_km)} km"
    )
    lines = [en]
    if thai:
        th = (
            f"จับคู่แล้ว {_fmt_int(n_paired)} จาก {_fmt_int(n_households)} ครัวเรือน · "
            f"ยังไม่ได้จับคู่ {_fmt_int(n_unmatched)} · ระยะเฉลี่ย {_fmt_km(mean_km)} กม., "
            f"ไกลสุด {_fmt_km(max_km)} กม."
        )
        lines.insert(0, th)
    if province:
        lines.insert(0, province)
    return "\n".join(lines)


def _scale_bar(ax: Any, lat0: float, font: FontProperties, thai: bool) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_deg = 111.32 * max(math.cos(math.radians(lat0)), 0.01)
    target = (x1 - x0) * km_per_deg / 5.0
    nice = [v for v in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if v <= target]
    length_km = nice[-1] if nice else 0.5
    length = length_km / km_per_deg
    x = x0 + 0.04 * (x1 - x0)
    y = y0 + 0.04 * (y1 - y0)
    ax.plot([x, x + length], [y, y], color="black", lw=2.5, solid_capstyle="butt", gid="scale")
    label = f"{length_km:g} กม. / km" if thai else f"{length_km:g} km"
    ax.text(
        x + length / 2,
        y + 0.012 * (y1 - y0),
        label,
        ha="center",
        va="bottom",
        fontproperties=font,
        gid="scale-label",
    )


def _credit_and_mark(
    ax: Any, font: FontProperties | None, *, credit: bool, synthetic: bool
) -> None:
    """The district data's credit under the map and, for synthetic data, a mark on it.

    The credit is the (sub)figure's ``supxlabel``, so that constrained layout
    keeps a strip for it below the legend; the mark is a framed red label in
    the map's top right corner, in Thai and English when ``font`` covers Thai.
    """
    if credit:
        text = f"Districts: {_DISTRICT_SOURCE}. Licence: {_DISTRICT_LICENCE}."
        ax.figure.supxlabel(
            textwrap.fill(text, 100),
            x=0.01,
            ha="left",
            fontproperties=_sized(None, 7),
            color="#555555",
            gid="credit",
        )
    if synthetic:
        th, en = _SYNTHETIC_MARK
        ax.text(
            0.985,
            0.985,
            f"{th}\n{en}" if font is not None else en,
            transform=ax.transAxes,
            ha="right",
            va="top",
            multialignment="center",
            fontproperties=_sized(font, 13, "bold"),
            color=_UNMATCHED_COLOUR,
            zorder=6,
            bbox={
                "boxstyle": "round,pad=0.4",
                "facecolor": "white",
                "edgecolor": _UNMATCHED_COLOUR,
                "linewidth": 1.5,
                "alpha": 0.9,
            },
            gid="synthetic-mark",
        )


def plot_map(
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    *,
    province: str | int | None = None,
    ax: Any = None,
    thai_labels: bool = True,
    districts: pd.DataFrame | None = None,
    boundaries: Mapping[str, Any] | None = None,
    aggregate_above: int = AGGREGATE_HOUSEHOLDS,
) -> Figure:
    """Draw households, officers and their pairs on a district map.

    District polygons are drawn where known (Khon Kaen's shipped polygons,
    or ``boundaries``); other districts appear as light circles at their
    centroids.  Households are coloured by kind, officers are triangles
    (hollow when they have no household), a thin line joins each pair and
    unmatched households are red crosses, counted in the title with the
    mean and longest distance.  Longitude and latitude have equal ground
    scale (aspect ``1 / cos(latitude)``).

    Above ``aggregate_above`` households shown, the map draws districts
    instead of households, officers and pairs, in two panels: each district
    with households is shaded by its unmatched share (left) and by the mean
    distance of its households' pairs (right), as its polygon where one is
    known, else as a circle at its centroid whose area grows with its
    households (a district the reference does not know: at the mean of its
    households' positions).  The title keeps the whole run's numbers.

    When district polygons, centroids or names are drawn, a line at the
    bottom of the figure credits their source, as their licence asks:
    "Districts: Royal Thai Survey Department (RTSD) administrative
    boundaries, level 2, as published by UN OCHA (COD-AB Thailand, dated
    2019-02-18). Licence: CC BY-IGO 3.0." (given ``districts`` or
    ``boundaries`` are taken to come from there too).  When
    :func:`is_synthetic` holds for the frames, the map carries a red
    "ข้อมูลสังเคราะห์ / SYNTHETIC DATA" label (English only without a Thai
    font).

    Parameters
    ----------
    result : Result
        A matching result.
    officers, households : pandas.DataFrame
        The frames given to :func:`kuseo_match.match` (not changed); they
        need ``officer_id``/``household_id``, ``district``, ``lat``, ``lon``.
    province : str or int, optional
        Only this province: a code (``"TH40"``, ``40``) or a name in Thai or
        English (``"ขอนแก่น"``, ``"Khon Kaen"``), as understood by
        :func:`kuseo_match.reference.resolve_province`.  Officers outside it are still drawn
        when paired with one of its households.  Default: everything.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (above ``aggregate_above`` households: the
        unmatched-share panel only); default a new figure of about 10 x 10.5
        inches (two panels side by side above ``aggregate_above``).
    thai_labels : bool, default True
        District names and legend in Thai (with English) using
        :func:`thai_font`; English only when False or no Thai font exists.
    districts : pandas.DataFrame, optional
        District names and centroids; default
        :func:`kuseo_match.reference.districts`.
    boundaries : dict, optional
        GeoJSON FeatureCollection of district polygons with a
        ``district_code`` property (``name_th``/``name_en`` used when
        ``districts`` lacks the code); default Khon Kaen's
        (:func:`kuseo_match.reference.khon_kaen_geojson`), loaded only when
        a Khon Kaen (``TH40``) district is shown.
    aggregate_above : int, default :data:`AGGREGATE_HOUSEHOLDS`
        Most households (of ``province`` when given) drawn one by one.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (``ax``'s figure when given).  Artists carry
        ``gid`` values: ``"pairs"`` (a LineCollection, one segment per pair),
        ``"households-<kind>"``, ``"officers"``, ``"officers-idle"``,
        ``"unmatched"``, ``"districts"`` (polygons), ``"district-points"``;
        above ``aggregate_above``: ``"districts"`` (polygons shaded by
        unmatched share), ``"district-households"`` (circles, one per
        district without a polygon, in district code order),
        ``"districts-distance"`` and ``"district-distance"`` (the same in
        the mean-distance panel); texts ``"credit"`` (the figure's
        ``supxlabel``) and ``"synthetic-mark"`` (in the axes).

    Raises
    ------
    ValidationError
        When coordinates are missing, an id of the result is not in the
        frames, or ``province`` is unknown.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> result = km.match(o, h)
    >>> fig = plot_map(result, o, h)
    >>> pairs = [c for c in fig.axes[0].collections if c.get_gid() == "pairs"][0]
    >>> len(pairs.get_segments()) == len(result.pairs)
    True

    Above ``aggregate_above`` households, one shaded polygon per district of
    Khon Kaen (the shipped polygons) and no pair lines:

    >>> fig = plot_map(result, o, h, aggregate_above=10)
    >>> gids = {c.get_gid(): c for c in fig.axes[0].collections}
    >>> len(gids["districts"].get_paths()), "pairs" in gids
    (26, False)
    """
    officers = _canonical(officers, "officers")
    households = _canonical(households, "households")
    officer_xy = _coordinates(officers, "officers", "officer_id")
    household_xy = _coordinates(households, "households", "household_id")
    _require(officers, "officers", ("district",), "the map groups officers by district")
    font = thai_font() if thai_labels else None
    thai = font is not None

    names = _reference_districts(districts)
    province_code = resolve_province(province) if province is not None else None

    hh = _attach(_result_households(result), household_xy, "household_id", "households")
    pairs = result.pairs[["officer_id", "household_id", "distance_km", "household_district"]]
    staff = officers[["officer_id", "district"]].merge(officer_xy, on="officer_id")
    if province_code is not None:
        hh = hh[hh["district"].map(_province_code) == province_code]
        pairs = pairs[pairs["household_district"].map(_province_code) == province_code]
        in_province = staff["district"].map(_province_code) == province_code
        staff = staff[in_province | staff["officer_id"].isin(pairs["officer_id"])]
    aggregate = len(hh) > aggregate_above

    if province_code is not None:
        provinces = {province_code}
    else:
        provinces = set(hh["district"].map(_province_code))
        provinces |= set(staff["district"].map(_province_code))
    if boundaries is None and "TH40" in provinces:
        boundaries = _reference_boundaries(None)
    points = pd.concat(
        [hh[["district", "lat", "lon"]], staff[["district", "lat", "lon"]]], ignore_index=True
    )
    places, rings = _district_places(provinces, names, boundaries, points)

    # Extent and equal ground scale: 1 km is as long east-west as north-south.
    xs = pd.concat([points["lon"], places["lon"]]).to_numpy(dtype=float)
    ys = pd.concat([points["lat"], places["lat"]]).to_numpy(dtype=float)
    for code_rings in rings.values():
        for ring in code_rings:
            xs = np.concatenate([xs, ring[:, 0]])
            ys = np.concatenate([ys, ring[:, 1]])
    xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
    if xs.size:
        pad_x = max(0.03 * (xs.max() - xs.min()), 0.01)
        pad_y = max(0.03 * (ys.max() - ys.min()), 0.01)
        xlim = (xs.min() - pad_x, xs.max() + pad_x)
        ylim = (ys.min() - pad_y, ys.max() + pad_y)
    else:
        xlim, ylim = (0.0, 1.0), (0.0, 1.0)
    lat0 = (ylim[0] + ylim[1]) / 2
    aspect = 1.0 / max(math.cos(math.radians(lat0)), 0.01)

    if ax is None:
        # Two panels with their colour bars: size the figure for a map 2.3 times as wide.
        wide = (xlim[0], xlim[1] + 1.3 * (xlim[1] - xlim[0])) if aggregate else xlim
        fig = Figure(figsize=_figure_size(wide, ylim, aspect), layout="constrained")
        axes = list(fig.subplots(1, 2)) if aggregate else [fig.add_subplot()]
    else:
        fig = ax.figure
        while isinstance(fig, SubFigure):
            fig = fig.figure
        axes = [ax]

    dist = pd.to_numeric(pairs["distance_km"], errors="coerce").to_numpy(dtype=float)
    title = _map_title(
        len(hh),
        int(hh["paired"].sum()),
        dist[np.isfinite(dist)],
        _province_name(province_code, names, thai),
        thai,
    )
    if aggregate:
        handles = _draw_districts(axes, hh, pairs, places, rings, font, title, aggregate_above)
    else:
        handles = _draw_households(
            axes[0], hh, pairs, staff, officer_xy, household_xy, places, rings, font, title
        )
    for panel in axes:
        panel.set_xlim(*xlim)
        panel.set_ylim(*ylim)
        panel.set_aspect(aspect, adjustable="box")
        panel.set_xlabel("")
        panel.set_ylabel("")
        panel.tick_params(labelsize=7, colors="#666666")
        for spine in panel.spines.values():
            spine.set_color("#bbbbbb")
    _district_labels(axes[0], places, font)
    axes[0].legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.05),
        ncols=1 if aggregate else 3 if fig.get_figwidth() >= 9.5 else 2,
        frameon=False,
        prop=_sized(font, 8),
        markerscale=1.0 if aggregate else 1.5,
    )
    for panel in axes:
        _scale_bar(panel, lat0, _sized(font, 7), thai)
    credit = bool(rings) or bool(places[["name_th", "name_en"]].notna().to_numpy().any())
    _credit_and_mark(axes[0], font, credit=credit, synthetic=is_synthetic(officers, households))
    return fig


def _province_name(code: str | None, names: pd.DataFrame | None, thai: bool) -> str | None:
    """The map title's province line: "ขอนแก่น / Khon Kaen" (the code when unknown)."""
    if code is None:
        return None
    if names is not None:
        hit = names[names["province_code"] == code]
        if len(hit):
            rec = hit.iloc[0]
            return f"{rec['province_th']} / {rec['province_en']}" if thai else rec["province_en"]
    return code


def _draw_households(
    ax: Any,
    hh: pd.DataFrame,
    pairs: pd.DataFrame,
    staff: pd.DataFrame,
    officer_xy: pd.DataFrame,
    household_xy: pd.DataFrame,
    places: pd.DataFrame,
    rings: Mapping[str, list[np.ndarray]],
    font: FontProperties | None,
    title: str,
) -> list[Any]:
    """The detailed map: districts, every household, officer and pair line; the
    legend's handles."""
    thai = font is not None
    segments = _attach(
        _attach(pairs, officer_xy, "officer_id", "officers", "o_"),
        household_xy,
        "household_id",
        "households",
        "h_",
    )
    busy = set(pairs["officer_id"])
    if rings:
        fills = [ring for code in sorted(rings) for ring in rings[code]]
        ax.add_collection(
            PolyCollection(
                fills,
                facecolors="#f2f0ea",
                edgecolors="#9a9a9a",
                linewidths=0.7,
                zorder=0,
                gid="districts",
            )
        )
    loose = places[~places["code"].isin(rings.keys())].dropna(subset=["lat", "lon"])
    if len(loose):
        ax.scatter(
            loose["lon"],
            loose["lat"],
            s=60,
            facecolors="none",
            edgecolors="#b0b0b0",
            linewidths=0.8,
            zorder=0,
            gid="district-points",
        )

    n_h = len(hh)
    size = 16.0 if n_h <= 300 else 9.0 if n_h <= 3000 else 3.0
    ax.add_collection(
        LineCollection(
            list(
                zip(
                    zip(segments["o_lon"], segments["o_lat"], strict=True),
                    zip(segments["h_lon"], segments["h_lat"], strict=True),
                    strict=True,
                )
            ),
            colors=_PAIR_COLOUR,
            linewidths=0.5,
            alpha=0.55,
            zorder=1,
            gid="pairs",
            label=_label("คู่", "Pair", len(segments), thai),
        )
    )

    handles: list[Any] = []
    kinds = _ordered_kinds(hh["kind"])
    for i, kind in enumerate(kinds):
        mine = hh[hh["kind"] == kind]
        colour = _KIND_COLOURS.get(str(kind), _OTHER_COLOURS[i % len(_OTHER_COLOURS)])
        th, en = _KIND_LABELS.get(str(kind), (str(kind), str(kind)))
        handles.append(
            ax.scatter(
                mine["lon"],
                mine["lat"],
                s=size,
                c=colour,
                linewidths=0,
                zorder=2,
                gid=f"households-{kind}",
                label=_label(th, f"{en} household", len(mine), thai),
            )
        )
    active = staff[staff["officer_id"].isin(busy)]
    idle = staff[~staff["officer_id"].isin(busy)]
    handles.append(
        ax.scatter(
            active["lon"],
            active["lat"],
            s=size * 1.6,
            marker="^",
            c=_OFFICER_COLOUR,
            linewidths=0,
            zorder=3,
            gid="officers",
            label=_label("เจ้าหน้าที่", "Officer", len(active), thai),
        )
    )
    if len(idle):
        handles.append(
            ax.scatter(
                idle["lon"],
                idle["lat"],
                s=size * 1.6,
                marker="^",
                facecolors="none",
                edgecolors=_OFFICER_COLOUR,
                linewidths=0.7,
                zorder=3,
                gid="officers-idle",
                label=_label("เจ้าหน้าที่ยังไม่มีคู่", "Officer without household", len(idle), thai),
            )
        )
    lost = hh[~hh["paired"]]
    handles.append(
        ax.scatter(
            lost["lon"],
            lost["lat"],
            s=max(size * 4, 40),
            marker="x",
            c=_UNMATCHED_COLOUR,
            linewidths=1.6,
            zorder=4,
            gid="unmatched",
            label=_label("ยังไม่ได้จับคู่", "Unmatched", len(lost), thai),
        )
    )
    handles.append(
        Line2D([], [], color=_PAIR_COLOUR, lw=0.8, label=_label("คู่", "Pair", len(segments), thai))
    )
    ax.set_title(title, fontproperties=_sized(font, 11, "bold"), loc="left")
    return handles


def _draw_districts(
    axes: list[Any],
    hh: pd.DataFrame,
    pairs: pd.DataFrame,
    places: pd.DataFrame,
    rings: Mapping[str, list[np.ndarray]],
    font: FontProperties | None,
    title: str,
    aggregate_above: int,
) -> list[Any]:
    """The map above ``aggregate_above`` households: one mark per district, shaded by
    unmatched share (``axes[0]``) and by mean distance (``axes[1]``, when given); the
    legend's handles (circle sizes)."""
    thai = font is not None
    stats = hh.groupby(hh["district"].astype(str))["paired"].agg(households="size", paired="sum")
    stats["share"] = 1.0 - stats["paired"] / stats["households"]
    dist = pd.to_numeric(pairs["distance_km"], errors="coerce")
    stats["mean_km"] = dist.groupby(pairs["household_district"].astype(str).to_numpy()).mean()
    where = places.drop_duplicates("code").set_index("code")[["lat", "lon"]]
    stats = stats.join(where, how="left").sort_index()
    top = max(int(stats["households"].max()), 1) if len(stats) else 1

    def area(n: Any) -> Any:  # points², proportional to households
        return 6.0 + 360.0 * np.asarray(n, dtype=float) / top

    loose = stats[~stats.index.isin(list(rings))].dropna(subset=["lat", "lon"])
    background = places[~places["code"].isin(list(rings))].dropna(subset=["lat", "lon"])
    counted = f"{len(hh):,} > {aggregate_above:,}"
    panels = (
        (
            "share",
            "OrRd",
            ("สัดส่วนครัวเรือนที่ยังไม่ได้จับคู่ ตามอำเภอ", "Unmatched share by district"),
            ("districts", "district-households"),
        ),
        (
            "mean_km",
            "YlGnBu",
            ("ระยะทางเฉลี่ย (กม.) ตามอำเภอ", "Mean distance (km) by district"),
            ("districts-distance", "district-distance"),
        ),
    )
    for ax, (column, cmap_name, (th, en), (gid_poly, gid_dot)) in zip(axes, panels, strict=False):
        values = stats[column].to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        floor = 0.01 if column == "share" else 1.0
        norm = Normalize(0.0, max(float(finite.max()) if finite.size else 0.0, floor))
        cmap = colormaps[cmap_name].with_extremes(bad="#cfcfcf")
        if len(background):
            ax.scatter(
                background["lon"],
                background["lat"],
                s=3,
                c="#d5d5d5",
                linewidths=0,
                zorder=0,
                gid="district-points",
            )
        if rings:
            codes = sorted(rings)
            shade = stats[column].reindex(codes).to_numpy(dtype=float)
            colours = [
                cmap(norm(v)) if math.isfinite(v) else "#f2f0ea"
                for code, v in zip(codes, shade, strict=True)
                for _ in rings[code]
            ]
            ax.add_collection(
                PolyCollection(
                    [ring for code in codes for ring in rings[code]],
                    facecolors=colours,
                    edgecolors="#8a8a8a",
                    linewidths=0.5,
                    zorder=1,
                    gid=gid_poly,
                )
            )
        ax.scatter(
            loose["lon"],
            loose["lat"],
            s=area(loose["households"]),
            c=loose[column].to_numpy(dtype=float),
            cmap=cmap,
            norm=norm,
            edgecolors="#555555",
            linewidths=0.4,
            alpha=0.9,
            zorder=2,
            plotnonfinite=True,
            gid=gid_dot,
        )
        bar = ax.figure.colorbar(
            ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.45, pad=0.01, aspect=30
        )
        bar.ax.tick_params(labelsize=7)
        if column == "share":
            bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        label = f"{th}\n{en}" if thai else en
        ax.set_title(label, fontproperties=_sized(font, 10, "bold"), loc="left")
    if len(axes) > 1:
        axes[0].figure.suptitle(title, x=0.01, ha="left", fontproperties=_sized(font, 11, "bold"))
    else:  # the caller's axes: the run's numbers above the panel's own title
        label = axes[0].get_title(loc="left")
        axes[0].set_title(f"{title}\n{label}", fontproperties=_sized(font, 11, "bold"), loc="left")
    handles = []
    for n in _nice_counts(top) if len(loose) else ():
        text = f"{n:,} ครัวเรือน / households" if thai else f"{n:,} households"
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker="o",
                markersize=math.sqrt(float(area(n))),
                markerfacecolor="white",
                markeredgecolor="#555555",
                label=text,
            )
        )
    note = f"{counted} households: one mark per district,\nno pairs or officers"
    if thai:
        note = f"ไม่แสดงรายครัวเรือน คู่ และเจ้าหน้าที่ /\n{note}"
    handles.append(Line2D([], [], linestyle="", label=note))
    return handles


def _nice_counts(top: int) -> list[int]:
    """Two or three round counts up to ``top`` for the circle-size legend.

    Examples
    --------
    >>> _nice_counts(5_321), _nice_counts(7)
    ([5000, 500, 50], [7])
    """
    lead = 10 ** int(math.log10(top)) if top >= 1 else 1
    first = (top // lead) * lead
    return [n for n in (first, first // 10, first // 100) if n >= 1][:3] if first >= 10 else [first]


def _district_labels(ax: Any, places: pd.DataFrame, font: FontProperties | None) -> None:
    """District names at their centroids, when there are few enough to read."""
    thai = font is not None
    label_font = _sized(font, 7.5)
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    labelled = places.dropna(subset=["lat", "lon"])
    if len(labelled) > _MAX_LABELLED_DISTRICTS:
        return
    for rec in labelled.itertuples(index=False):
        text = rec.name_th if thai and isinstance(rec.name_th, str) else rec.name_en
        if not isinstance(text, str) or not text:
            text = rec.code
        ax.annotate(
            text,
            (rec.lon, rec.lat),
            xytext=(0, 5),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontproperties=label_font,
            color="#333333",
            zorder=5,
            path_effects=halo,
            gid=f"label-{rec.code}",
            annotation_clip=True,
        )


def _figure_size(
    xlim: tuple[float, float], ylim: tuple[float, float], aspect: float
) -> tuple[float, float]:
    """Inches (width, height) that fit the map's shape, room for title and legend."""
    ratio = (ylim[1] - ylim[0]) * aspect / max(xlim[1] - xlim[0], 1e-9)  # height / width
    ratio = min(max(ratio, 0.4), 2.5)
    if ratio >= 1:
        return max(8.0, 9.0 / ratio + 1.3), 10.5
    return 11.0, max(7.0, 9.7 * ratio + 2.5)


def _ordered_kinds(kinds: pd.Series) -> list[Any]:
    """Distinct kinds: the known ones first (developable, welfare), then the rest."""
    seen = list(dict.fromkeys(kinds))
    return [k for k in _KIND_LABELS if k in seen] + [k for k in seen if k not in _KIND_LABELS]


def _label(th: str, en: str, count: int, thai: bool) -> str:
    return f"{th} / {en} ({count:,})" if thai else f"{en} ({count:,})"


def _png_bytes(fig: Figure, dpi: float) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def write_map(
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    path: str | Path,
    *,
    dpi: float = 150,
    **kwargs: Any,
) -> Path:
    """Draw :func:`plot_map` and save it as a PNG file.

    Parameters
    ----------
    result, officers, households
        As for :func:`plot_map`.
    path : str or pathlib.Path
        File to write (its folder must exist); overwritten.
    dpi : float, default 150
        Resolution; the default figure is 10 x 10.5 inches.
    **kwargs
        Passed to :func:`plot_map` (``province``, ``thai_labels``,
        ``districts``, ``boundaries``, ``aggregate_above``; not ``ax``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> out = write_map(km.match(o, h), o, h, pathlib.Path(tempfile.mkdtemp()) / "map.png")
    >>> out.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    if "ax" in kwargs:
        raise TypeError("write_map() draws its own figure; call plot_map(ax=...) instead")
    fig = plot_map(result, officers, households, **kwargs)
    return replace_file(path, _png_bytes(fig, dpi))


# ----------------------------------------------------------------------------- html
def _e(value: Any) -> str:
    return html.escape("" if value is None else printable(str(value)), quote=True)


def _data_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if not math.isfinite(value) else repr(round(value, 6))
    return str(value)


def _num(ident: str, value: Any, text: str) -> str:
    return (
        f'<span class="num" id="{_e(ident)}" data-value="{_e(_data_value(value))}">'
        f"{_e(text)}</span>"
    )


def _cell(ident: str, value: Any, text: str) -> str:
    return f'<td class="n">{_num(ident, value, text)}</td>'


def _pct(share: float | None) -> str:
    return "–" if share is None or not math.isfinite(share) else f"{100 * share:.1f}%"


def _card(th: str, en: str, body: str, extra: str = "", *, bad: bool = False) -> str:
    css = "card bad" if bad else "card"
    return (
        f'<div class="{css}"><div class="label">{_e(th)}<br><small>{_e(en)}</small></div>'
        f'<div class="value">{body}</div>{extra}</div>'
    )


def _embedded_font_css() -> str:
    path = _thai_font_file()
    if path is None:
        return ""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    fmt = "opentype" if path.lower().endswith(".otf") else "truetype"
    mime = "font/otf" if fmt == "opentype" else "font/ttf"
    return (
        f'@font-face {{ font-family: "{_EMBEDDED_FAMILY}"; font-weight: 100 900; '
        f'src: url(data:{mime};base64,{data}) format("{fmt}"); }}\n'
    )


_CSS = """
:root { --dev: #1b9e77; --wel: #d95f02; --off: #1f3a93; --bad: #d7191c; --line: #dddddd; }
* { box-sizing: border-box; }
body { font-family: FONTS; margin: 0; padding: 1.5rem 2rem 3rem; color: #222;
       background: #fafaf7; line-height: 1.45; max-width: 1200px; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 2px solid var(--line);
     padding-bottom: .2rem; }
h2 small, .label small, th small { color: #666; font-weight: normal; }
.meta { color: #555; margin: 0 0 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr));
         gap: .8rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .7rem .9rem; }
.card .label { font-size: .9rem; }
.card .value { font-size: 1.7rem; font-weight: 700; margin-top: .2rem; }
.card.bad .value { color: var(--bad); }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
table { border-collapse: collapse; background: #fff; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .3rem .55rem; text-align: left;
         vertical-align: top; }
th { background: #f0efe9; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 700; background: #f7f6f1; }
tr.warn td { background: #fff1ef; }
.bars { display: grid; grid-template-columns: max-content 1fr max-content; gap: .25rem .6rem;
        align-items: center; max-width: 700px; }
.bar { height: 1.1rem; background: var(--off); border-radius: 3px; min-width: 2px; }
.map img { max-width: 100%; height: auto; border: 1px solid var(--line); background: #fff; }
.note { color: #666; font-size: .85rem; }
.scroll { max-height: 40rem; overflow: auto; display: inline-block; }
.synthetic { border: 3px solid var(--bad); background: #fff1ef; color: #8a1010;
              border-radius: 8px; padding: .7rem 1rem; margin: 0 0 1rem; font-size: 1.05rem; }
footer { margin-top: 2.5rem; color: #555; font-size: .85rem; }
footer h2 { font-size: 1rem; }
footer li { margin: .2rem 0; }
"""


def _headline(result: Result, staff: pd.DataFrame) -> str:
    s = result.summary()
    share = s["kind_fit_share"]
    reasons = "".join(
        f'<tr data-reason="{_e(reason)}" data-value="{count}"><td>{_e(reason)}</td>'
        f'<td class="n">{count:,}</td></tr>'
        for reason, count in sorted(s["unmatched_reasons"].items(), key=lambda kv: (-kv[1], kv[0]))
    )
    reason_table = (
        "<h3>เหตุที่ยังไม่ได้จับคู่ <small>Why households are unmatched</small></h3>"
        '<table id="unmatched-reasons"><thead><tr><th>เหตุผล <small>Reason</small></th>'
        f"<th>ครัวเรือน <small>Households</small></th></tr></thead><tbody>{reasons}</tbody>"
        "</table>"
        if reasons
        else ""
    )
    used = int((staff["load"] > 0).sum())
    cards = [
        _card(
            "ครัวเรือนทั้งหมด",
            "Households",
            _num("households", s["households"], _fmt_int(s["households"])),
        ),
        _card(
            "ครัวเรือนที่จับคู่แล้ว",
            "Households paired",
            _num("paired", s["paired"], _fmt_int(s["paired"])),
        ),
        _card(
            "ยังไม่ได้จับคู่",
            "Households unmatched",
            _num("unmatched", s["unmatched"], _fmt_int(s["unmatched"])),
            bad=bool(s["unmatched"]),
        ),
        _card(
            "ระยะทางเฉลี่ย (กม.)",
            "Mean distance (km)",
            _num("mean-km", s["mean_distance_km"], _fmt_km(s["mean_distance_km"])),
        ),
        _card(
            "ระยะทางไกลสุด (กม.)",
            "Longest distance (km)",
            _num("max-km", s["max_distance_km"], _fmt_km(s["max_distance_km"])),
        ),
        _card(
            "หน่วยงานเหมาะกับประเภทครัวเรือน",
            "Pairs whose agency fits the household kind",
            _num("kind-fit-share", share, _pct(share)),
            '<div class="note">kind_affinity &ge; 0.5</div>',
        ),
        _card("เจ้าหน้าที่", "Officers", _num("officers", len(staff), _fmt_int(len(staff)))),
        _card(
            "เจ้าหน้าที่ที่มีคู่", "Officers with households", _num("officers-used", used, _fmt_int(used))
        ),
        _card(
            "ที่ว่างทั้งหมด",
            "Slots (sum of capacities)",
            _num("slots", int(staff["capacity"].sum()), _fmt_int(staff["capacity"].sum())),
        ),
    ]
    return '<div class="cards" id="headline">' + "".join(cards) + "</div>" + reason_table


def _kinds_table(result: Result) -> str:
    hh = _result_households(result)
    rows = []
    kinds = _ordered_kinds(hh["kind"])
    for kind in kinds:
        mine = hh[hh["kind"] == kind]
        th, en = _KIND_LABELS.get(str(kind), (str(kind), str(kind)))
        n, paired = len(mine), int(mine["paired"].sum())
        key = re.sub(r"[^A-Za-z0-9_-]+", "-", str(kind))
        rows.append(
            f'<tr data-kind="{_e(kind)}"><td>{_e(th)} / {_e(en)}</td>'
            + _cell(f"kind-{key}-households", n, _fmt_int(n))
            + _cell(f"kind-{key}-paired", paired, _fmt_int(paired))
            + f'<td class="n">{_fmt_int(n - paired)}</td></tr>'
        )
    return (
        '<table id="kinds"><thead><tr><th>ประเภท <small>Kind</small></th>'
        "<th>ครัวเรือน <small>Households</small></th><th>จับคู่แล้ว <small>Paired</small></th>"
        "<th>ยังไม่ได้จับคู่ <small>Unmatched</small></th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _needs_table(result: Result, households: pd.DataFrame) -> str:
    cover = need_coverage(result, households)
    if cover.empty:
        return '<p class="note">ไม่มีข้อมูลความต้องการ / The households table has no need columns.</p>'
    rows = []
    for rec in cover.itertuples(index=False):
        key = rec.need.removeprefix("need_")
        share = None if math.isnan(rec.share_paired) else float(rec.share_paired)
        skilled = None if math.isnan(rec.share_competent) else float(rec.share_competent)
        rows.append(
            f'<tr data-need="{_e(key)}"><td>{_e(rec.label_th)} / {_e(rec.label_en)}</td>'
            + _cell(f"need-{key}-households", rec.households, _fmt_int(rec.households))
            + _cell(f"need-{key}-paired", rec.paired, _fmt_int(rec.paired))
            + _cell(f"need-{key}-share", share, _pct(share))
            + _cell(f"need-{key}-competent", rec.competent, _fmt_int(rec.competent))
            + _cell(f"need-{key}-competent-share", skilled, _pct(skilled))
            + "</tr>"
        )
    head = "".join(
        f"<th>{th} <small>{en}</small></th>"
        for th, en in (
            ("มิติ", "Need"),
            ("ครัวเรือนที่มีปัญหา", "Households with the need"),
            ("จับคู่แล้ว", "Paired"),
            ("สัดส่วน", "Share paired"),
            ("หน่วยงานถนัดด้านนี้", "Paired with a competent agency"),
            ("สัดส่วน", "Share"),
        )
    )
    custom = result.policy.fit_table is not None
    return (
        f'<table id="needs"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        '<p class="note">ครัวเรือนหนึ่งอาจมีปัญหาหลายมิติ / A household may have several needs. '
        "An agency is competent in a need when the "
        f"{'custom' if custom else 'default'} fit table rates it {_COMPETENT:g} or more; "
        "agencies missing from the fit table are not counted.</p>"
    )


def _load_bars(staff: pd.DataFrame) -> str:
    counts = staff["load"].astype(int).value_counts()
    top = int(max([0, *counts.index, *staff["capacity"]]))
    peak = max(int(counts.max()) if len(counts) else 0, 1)
    rows = []
    for load in range(top + 1):
        n = int(counts.get(load, 0))
        rows.append(
            f'<div class="bar-label">{load} ครัวเรือน / households</div>'
            f'<div class="bar-track"><div class="bar" style="width:{100 * n / peak:.1f}%">'
            f"</div></div>"
            f'<div class="bar-count" data-load="{load}" data-value="{n}">{n:,}</div>'
        )
    return '<div class="bars" id="load-histogram">' + "".join(rows) + "</div>"


def _district_table(result: Result, table: pd.DataFrame, provinces: bool) -> str:
    """The per-district table (``table``: :func:`district_summary`), with each
    district's province when the run spans several."""
    where = _district_provinces(table["district_code"]) if provinces else None
    rows = []
    for i, rec in enumerate(table.itertuples(index=False)):
        warn = ' class="warn"' if rec.unmatched else ""
        mean_km = float(rec.mean_km)
        rows.append(
            f'<tr data-district="{_e(rec.district_code)}"{warn}><td>{_e(rec.district_code)}</td>'
            f"<td>{_e(rec.district_th if isinstance(rec.district_th, str) else '')}</td>"
            f"<td>{_e(rec.district_en if isinstance(rec.district_en, str) else '')}</td>"
            + ("" if where is None else f'<td data-col="province">{_e(where[i])}</td>')
            + "".join(
                f'<td class="n" data-col="{col}" data-value="{int(getattr(rec, col))}">'
                f"{int(getattr(rec, col)):,}</td>"
                for col in ("households", "officers", "slots", "paired", "unmatched")
            )
            + f'<td class="n" data-col="mean_km" data-value="{_e(_data_value(mean_km))}">'
            f"{_fmt_km(mean_km)}</td>"
            + "".join(
                f'<td class="n" data-col="{col}" '
                f'data-value="{_e(_data_value(float(getattr(rec, col))))}">'
                f"{_fmt_price(float(getattr(rec, col)))}</td>"
                for col in ("mean_price", "top_price")
            )
            + "</tr>"
        )
    dist = pd.to_numeric(result.pairs["distance_km"], errors="coerce")
    total_km = float(dist.mean()) if dist.notna().any() else None
    total = (
        f'<tr class="total"><td colspan="{3 if where is None else 4}">รวม / Total</td>'
        + "".join(
            f'<td class="n">{int(table[col].sum()):,}</td>'
            for col in ("households", "officers", "slots", "paired", "unmatched")
        )
        + f'<td class="n">{_fmt_km(total_km)}</td>'
        + f'<td class="n">{_fmt_price(float(table["mean_price"].mean()))}</td>'
        + f'<td class="n">{_fmt_price(float(table["top_price"].max()))}</td></tr>'
    )
    head = "".join(
        f"<th>{th} <small>{en}</small></th>"
        for th, en in (
            ("รหัส", "Code"),
            ("อำเภอ", "District (Thai)"),
            ("", "District (English)"),
            *([("จังหวัด", "Province")] if where is not None else []),
            ("ครัวเรือน", "Households"),
            ("เจ้าหน้าที่", "Officers"),
            ("ที่ว่าง", "Slots"),
            ("จับคู่แล้ว", "Paired"),
            ("ยังไม่ได้จับคู่", "Unmatched"),
            ("ระยะเฉลี่ย กม.", "Mean km"),
            ("ราคาเฉลี่ย", "Mean price"),
            ("ราคาสูงสุด", "Top price"),
        )
    )
    note = (
        '<p class="note" id="prices-note">ราคาของเจ้าหน้าที่คือต้นทุนรวมที่ลดลงได้มากที่สุด '
        "เมื่อเจ้าหน้าที่คนนั้นรับเพิ่มอีก 1 ครัวเรือน / An officer's price (in the cost's unit, "
        "km-equivalents with the built-in cost) is the most one more slot for that officer "
        "would save: districts with high prices are where one more officer would save most."
        + _dearest(result)
        + "</p>"
    )
    return note + (
        f'<table id="districts"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}'
        f"</tbody><tfoot>{total}</tfoot></table>"
    )


def _district_provinces(codes: pd.Series) -> list[str]:
    """ "ขอนแก่น / Khon Kaen" for each district code ("" where it names no province)."""
    from .reference import province_codes, provinces

    names = provinces().set_index("province_code")
    label = names["province_th"] + " / " + names["province_en"]
    found = pd.Series(province_codes(pd.DataFrame({"district": codes.to_numpy()})))
    return found.map(label).fillna("").tolist()


def _province_table(table: pd.DataFrame) -> str:
    """The per-province table (``table``: :meth:`Result.by_province`)."""
    counts = ("households", "paired", "unmatched")
    rows = []
    for rec in table.itertuples(index=False):
        warn = ' class="warn"' if rec.unmatched else ""
        th = rec.province_th if isinstance(rec.province_th, str) else "ไม่ทราบ"
        en = rec.province_en if isinstance(rec.province_en, str) else "unknown"
        share = float(rec.unmatched_share)
        cells = [
            *((col, int(getattr(rec, col)), _fmt_int(getattr(rec, col))) for col in counts),
            ("unmatched_share", share, _pct(share)),
            *(
                (col, float(getattr(rec, col)), _fmt_km(float(getattr(rec, col))))
                for col in ("mean_distance_km", "max_distance_km")
            ),
            *(
                (col, int(getattr(rec, col)), _fmt_int(getattr(rec, col)))
                for col in ("officers", "slots")
            ),
            ("objective", float(rec.objective), f"{float(rec.objective):,.1f}"),
        ]
        rows.append(
            f'<tr data-province="{_e(rec.province_code)}"{warn}><td>{_e(rec.province_code)}</td>'
            f"<td>{_e(th)}</td><td>{_e(en)}</td>"
            + "".join(
                f'<td class="n" data-col="{col}" data-value="{_e(_data_value(value))}">'
                f"{_e(text)}</td>"
                for col, value, text in cells
            )
            + "</tr>"
        )
    n, lost = int(table["households"].sum()), int(table["unmatched"].sum())
    total = (
        '<tr class="total"><td colspan="3">รวม / Total</td>'
        + "".join(f'<td class="n">{_fmt_int(table[col].sum())}</td>' for col in counts)
        + f'<td class="n">{_pct(lost / n if n else None)}</td><td></td>'
        + f'<td class="n">{_fmt_km(float(table["max_distance_km"].max()))}</td>'
        + "".join(
            f'<td class="n">{_fmt_int(table[col].sum())}</td>' for col in ("officers", "slots")
        )
        + f'<td class="n">{float(table["objective"].sum()):,.1f}</td></tr>'
    )
    head = "".join(
        f"<th>{th} <small>{en}</small></th>"
        for th, en in (
            ("รหัส", "Code"),
            ("จังหวัด", "Province (Thai)"),
            ("", "Province (English)"),
            ("ครัวเรือน", "Households"),
            ("จับคู่แล้ว", "Paired"),
            ("ยังไม่ได้จับคู่", "Unmatched"),
            ("สัดส่วน", "Unmatched share"),
            ("ระยะเฉลี่ย กม.", "Mean km"),
            ("ไกลสุด กม.", "Longest km"),
            ("เจ้าหน้าที่", "Officers"),
            ("ที่ว่าง", "Slots"),
            ("ต้นทุน", "Cost (objective)"),
        )
    )
    return (
        f'<table id="provinces"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}'
        f"</tbody><tfoot>{total}</tfoot></table>"
        '<p class="note">จังหวัดของครัวเรือนตามอำเภอ หรือคอลัมน์ province / A household\'s '
        "province is its district's, else its <code>province</code> column's; cost is the "
        "sum of its pairs' costs (its share of the objective).</p>"
    )


def _fmt_price(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value:,.2f}"


def _dearest(result: Result, n: int = 3) -> str:
    """' Most: TH4008 (top 7.50, mean 3.20), ...' for the dearest districts."""
    top = result.prices_by_district()
    top = top[top["top_price"] > 0].head(n)
    if top.empty:
        return ""
    items = ", ".join(
        f"{_e(r.district)} ({_fmt_price(r.top_price)}, {_e('mean')} {_fmt_price(r.mean_price)})"
        for r in top.itertuples(index=False)
    )
    return f" มากที่สุด / Most: {items}."


def _unmatched_table(result: Result) -> str:
    lost = result.unmatched
    if lost.empty:
        return '<p class="note" id="no-unmatched">ทุกครัวเรือนมีคู่แล้ว / Every household is paired.</p>'
    shown = lost.sort_values(["household_district", "household_id"], key=lambda s: s.astype(str))
    shown = shown.head(_MAX_UNMATCHED_ROWS)
    rows = "".join(
        f'<tr data-household="{_e(rec.household_id)}"><td>{_e(rec.household_id)}</td>'
        f"<td>{_e(_KIND_LABELS.get(str(rec.kind), (rec.kind,))[0])} ({_e(rec.kind)})</td>"
        f"<td>{_e(rec.household_district)}</td><td>{_e(rec.reason)}</td></tr>"
        for rec in shown.itertuples(index=False)
    )
    more = (
        f'<p class="note">แสดง {len(shown):,} จาก {len(lost):,} / Showing {len(shown):,} of '
        f"{len(lost):,}.</p>"
        if len(lost) > len(shown)
        else ""
    )
    return (
        '<div class="scroll"><table id="unmatched-households"><thead><tr>'
        "<th>ครัวเรือน <small>Household</small></th><th>ประเภท <small>Kind</small></th>"
        "<th>อำเภอ <small>District</small></th><th>เหตุผล <small>Reason</small></th></tr>"
        f"</thead><tbody>{rows}</tbody></table></div>{more}"
    )


def _unmatched_by_district(result: Result, table: pd.DataFrame, provinces: bool) -> str:
    """Above the aggregation threshold: unmatched households per district (most first),
    with the most common reason, instead of one row per household."""
    lost = result.unmatched
    if lost.empty:
        return _unmatched_table(result)
    reasons = (
        lost.groupby([lost["household_district"].astype(str), lost["reason"].astype(str)])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["n", "reason"], ascending=[False, True], kind="stable")
        .drop_duplicates("household_district")
        .set_index("household_district")
    )
    shown = table[table["unmatched"] > 0].sort_values(
        ["unmatched", "district_code"], ascending=[False, True], kind="stable"
    )
    where = _district_provinces(shown["district_code"]) if provinces else None
    rows = []
    for i, rec in enumerate(shown.itertuples(index=False)):
        code = str(rec.district_code)
        reason = (
            f"{reasons.at[code, 'reason']} ({int(reasons.at[code, 'n']):,})"
            if code in reasons.index
            else ""
        )
        share = rec.unmatched / rec.households if rec.households else None
        rows.append(
            f'<tr data-district="{_e(code)}"><td>{_e(code)}</td>'
            f"<td>{_e(rec.district_th if isinstance(rec.district_th, str) else '')}</td>"
            f"<td>{_e(rec.district_en if isinstance(rec.district_en, str) else '')}</td>"
            + ("" if where is None else f"<td>{_e(where[i])}</td>")
            + f'<td class="n" data-col="unmatched" data-value="{int(rec.unmatched)}">'
            f"{_fmt_int(rec.unmatched)}</td>"
            f'<td class="n">{_fmt_int(rec.households)}</td><td class="n">{_pct(share)}</td>'
            f"<td>{_e(reason)}</td></tr>"
        )
    head = "".join(
        f"<th>{th} <small>{en}</small></th>"
        for th, en in (
            ("รหัส", "Code"),
            ("อำเภอ", "District (Thai)"),
            ("", "District (English)"),
            *([("จังหวัด", "Province")] if where is not None else []),
            ("ยังไม่ได้จับคู่", "Unmatched"),
            ("ครัวเรือน", "Households"),
            ("สัดส่วน", "Share"),
            ("เหตุผลที่พบมากที่สุด", "Most common reason"),
        )
    )
    return (
        f'<p class="note" id="unmatched-by-district">{len(lost):,} ครัวเรือนตามอำเภอ '
        "(รายชื่อและเหตุผลอยู่ใน unmatched.csv) / households by district; each household "
        "and its reason is in unmatched.csv and pairs.xlsx.</p>"
        '<div class="scroll"><table id="unmatched-districts"><thead><tr>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _policy_table(result: Result) -> str:
    settings = result.policy.to_dict()
    rows = "".join(
        f'<tr data-key="{_e(key)}"><th>{_e(_POLICY_LABELS.get(key, key))} '
        f"<small>{_e(key)}</small></th>"
        f"<td>{_e('none' if value is None else value)}</td></tr>"
        for key, value in settings.items()
    )
    run = {
        "status": result.status,
        "objective": f"{result.objective:,.3f}",
        "unknown_agencies": ", ".join(map(str, result.unknown_agencies)) or "–",
        **{f"stats.{k}": v for k, v in result.stats.items() if not isinstance(v, Mapping)},
    }
    run_rows = "".join(
        f'<tr data-key="{_e(key)}"><th>{_e(key)}</th>'
        f"<td>{_e(f'{value:.6g}' if isinstance(value, float) else value)}</td></tr>"
        for key, value in run.items()
    )
    return (
        f'<table id="policy"><tbody>{rows}</tbody></table>'
        f'<h3>การคำนวณ <small>Run</small></h3><table id="run"><tbody>{run_rows}</tbody></table>'
    )


def _synthetic_banner() -> str:
    lead, rest = _SYNTHETIC_BANNER
    return f'<p class="synthetic" id="synthetic-banner"><strong>{_e(lead)}</strong> {_e(rest)}</p>'


def _sources(result: Result, synthetic: bool) -> str:
    """The footer: where the shown data come from, and their licences."""
    licence = f'<a href="{_e(_DISTRICT_LICENCE_URL)}" rel="license">{_e(_DISTRICT_LICENCE)}</a>'
    if result.policy.fit_table is None:
        fit = (
            "the default table (data/agency_fit.csv), kuseo_match's own encoding of the "
            "agency table of the programme's reference note"
        )
    else:
        fit = "the custom fit table given in the policy"
    items = [
        "อำเภอ: ขอบเขต ชื่อ และจุดศูนย์กลาง / Districts: boundaries, names and centroids "
        f"(computed from the boundaries): {_e(_DISTRICT_SOURCE)}. Licence: {licence}.",
        f"ความเหมาะสมของหน่วยงาน / Agency–need fit: {_e(fit)}.",
    ]
    if synthetic:
        items.append(
            "ครัวเรือนสังเคราะห์ / Synthetic households (kuseo_match.synth): need shares and, "
            f"in Khon Kaen, district weights derived from {_e(_TPMAP_SOURCE)}."
        )
    return (
        '<footer id="sources"><h2>แหล่งข้อมูล <small>Data sources</small></h2><ul>'
        + "".join(f"<li>{item}</li>" for item in items)
        + f"</ul><p>kuseo_match {_e(__version__)}</p></footer>"
    )


def render_report(
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    *,
    map_png: bytes | None = None,
    title: str | None = None,
    districts: pd.DataFrame | None = None,
    boundaries: Mapping[str, Any] | None = None,
    embed_font: bool = True,
    aggregate_above: int = AGGREGATE_HOUSEHOLDS,
) -> str:
    """One self-contained HTML page about a matching result (Thai and English).

    The page holds the headline numbers, households by kind, need coverage,
    officers' load, a per-province table (``#provinces``, when the households
    lie in more than one province: :meth:`Result.by_province`), a
    per-district table (with each district's province then), the map, the
    unmatched households and the policy used.  Above ``aggregate_above``
    households the map is :func:`plot_map`'s district map and the unmatched
    households are counted per district (``#unmatched-districts``, with the
    most common reason) instead of listed one by one.  A footer
    (``#sources``) credits the district data (RTSD via UN OCHA, with a link
    to its CC BY-IGO 3.0 licence) and the agency-need fit table.  When
    :func:`is_synthetic` holds for the frames, a banner
    (``#synthetic-banner``) at the top says that every officer and household
    is generated, and the footer credits TPMAP, from which the synthetic
    households' needs are drawn.  Images are inline (base64 data
    URIs); there is no script, stylesheet link or external font, and the
    licence link is the page's only external address.  All user text (ids,
    agencies, reasons, districts) is escaped.

    Headline numbers carry stable ids and a ``data-value`` with the raw
    number (empty when undefined): ``households``, ``paired``,
    ``unmatched``, ``mean-km``, ``max-km``, ``kind-fit-share`` (0-1),
    ``officers``, ``officers-used``, ``slots``; per need
    ``need-<name>-households``, ``need-<name>-paired``,
    ``need-<name>-share``; per kind ``kind-<kind>-households`` and
    ``kind-<kind>-paired``.  Unmatched reasons are ``tr[data-reason]``,
    load bars ``[data-load]``, district rows ``tr[data-district]`` and
    province rows ``tr[data-province]`` with cells ``td[data-col]``.

    Parameters
    ----------
    result : Result
        A matching result.
    officers, households : pandas.DataFrame
        The frames given to :func:`kuseo_match.match` (not changed).
    map_png : bytes, optional
        A PNG to show as the map; default :func:`plot_map` at 120 dpi (the
        map section says why when the frames have no coordinates).
    title : str, optional
        Page heading; default a bilingual "pairing report".
    districts, boundaries : optional
        Reference tables, as for :func:`plot_map`.
    embed_font : bool, default True
        Embed the Thai font found by :func:`thai_font` (about 300 kB as a
        data URI) so Thai renders on machines without a Thai font; the
        system font stack follows it.
    aggregate_above : int, default :data:`AGGREGATE_HOUSEHOLDS`
        Most households shown one by one (on the map and in the unmatched
        list).

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> page = render_report(km.match(o, h), o, h)
    >>> page.startswith("<!DOCTYPE html>") and '<html lang="th">' in page
    True
    """
    officers = _canonical(officers, "officers")
    households = _canonical(households, "households")
    title = title or "รายงานการจับคู่เจ้าหน้าที่กับครัวเรือน / Officer–household pairing report"
    staff = _officer_capacity(result, officers)
    if map_png is None:
        try:
            fig = plot_map(
                result,
                officers,
                households,
                districts=districts,
                boundaries=boundaries,
                aggregate_above=aggregate_above,
            )
        except ValidationError as exc:
            logger.warning("no map in the report: %s", exc)
            map_html = f'<p class="note" id="no-map">ไม่มีแผนที่ / No map: {_e(exc)}</p>'
        else:
            map_png = _png_bytes(fig, 120)
    if map_png is not None:
        encoded = base64.b64encode(map_png).decode("ascii")
        map_html = (
            f'<img id="map" alt="แผนที่การจับคู่ / Map of the pairs" '
            f'src="data:image/png;base64,{encoded}">'
        )
    fonts = _CSS_FONT_STACK
    font_css = _embedded_font_css() if embed_font else ""
    if font_css:
        fonts = f'"{_EMBEDDED_FAMILY}", {fonts}'
    css = font_css + _CSS.replace("FONTS", fonts)
    n_unmatched = len(result.unmatched)
    synthetic = is_synthetic(officers, households)
    by_province = result.by_province()
    several = int((by_province["households"] > 0).sum()) > 1
    by_district = district_summary(result, officers, households, districts=districts)
    unmatched = (
        _unmatched_by_district(result, by_district, several)
        if result.n_households > aggregate_above
        else _unmatched_table(result)
    )
    sections = [
        *([_synthetic_banner()] if synthetic else []),
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">สถานะ / Status: <b id="status" data-value="{_e(result.status)}">'
        f"{_e(result.status)}</b></p>",
        "<h2>ตัวเลขสำคัญ <small>Headline numbers</small></h2>",
        _headline(result, staff),
        "<h2>ตามประเภทครัวเรือน <small>By household kind</small></h2>",
        _kinds_table(result),
        "<h2>มิติความต้องการ <small>Need dimensions</small></h2>",
        _needs_table(result, households),
        "<h2>ภาระงานของเจ้าหน้าที่ <small>Officers' load</small></h2>",
        _load_bars(staff),
        *(
            ["<h2>ตามจังหวัด <small>By province</small></h2>", _province_table(by_province)]
            if several
            else []
        ),
        "<h2>ตามอำเภอ <small>By district</small></h2>",
        _district_table(result, by_district, several),
        "<h2>แผนที่ <small>Map</small></h2>",
        f'<div class="map">{map_html}</div>',
        f"<h2>ครัวเรือนที่ยังไม่ได้จับคู่ ({n_unmatched:,}) <small>Unmatched households</small></h2>",
        unmatched,
        "<h2>นโยบายที่ใช้ <small>Policy used</small></h2>",
        _policy_table(result),
        _sources(result, synthetic),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="th">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )


def write_report(
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    path: str | Path,
    *,
    map_png: bytes | None = None,
    **kwargs: Any,
) -> Path:
    """Write :func:`render_report` to an HTML file (UTF-8).

    Parameters
    ----------
    result, officers, households, map_png
        As for :func:`render_report`.
    path : str or pathlib.Path
        File to write (its folder must exist); overwritten.
    **kwargs
        Passed to :func:`render_report` (``title``, ``districts``,
        ``boundaries``, ``embed_font``, ``aggregate_above``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> out = write_report(km.match(o, h), o, h, pathlib.Path(tempfile.mkdtemp()) / "r.html")
    >>> "</html>" in out.read_text(encoding="utf-8")
    True
    """
    page = render_report(result, officers, households, map_png=map_png, **kwargs)
    return replace_file(path, page.encode("utf-8"))
