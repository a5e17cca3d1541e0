"""Loaders for the reference data shipped in ``kuseo_match/data``.

Three files are read with :mod:`importlib.resources` (see ``data/SOURCES.md``
for their sources and licences):

* ``thailand_districts.csv``: the 928 districts of the 77 provinces (RTSD via
  UN OCHA COD-AB Thailand 2019-02-18, CC BY-IGO 3.0);
* ``khon_kaen_districts.geojson``: the 26 district polygons of Khon Kaen;
* ``khon_kaen_tpmap_2018.csv``: TPMAP 2018 poverty counts per Khon Kaen
  district (NESDC and NECTEC).

Each file is parsed once (:func:`functools.lru_cache`) and every loader returns
a fresh copy, so a caller that edits the result cannot change what the next
caller sees.  Nothing is read on import.
"""

from __future__ import annotations

import copy
import difflib
import functools
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from importlib.resources import files
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import pandas as pd

from kuseo_match.errors import ValidationError

__all__ = [
    "DISTRICT_ALIASES",
    "KHON_KAEN",
    "PROVINCE_ALIASES",
    "REGION_BY_FIRST_DIGIT",
    "TPMAP_DIMENSIONS",
    "district_candidates",
    "district_info",
    "districts",
    "fold_text",
    "khon_kaen_geojson",
    "khon_kaen_polygons",
    "province_codes",
    "provinces",
    "resolve_province",
    "tpmap_khon_kaen",
]

#: Province code of Khon Kaen.
KHON_KAEN: Final = "TH40"

#: The five TPMAP poverty dimensions, in the order of the TPMAP columns
#: ``poor_health`` ... ``poor_access``.
TPMAP_DIMENSIONS: Final = ("health", "living", "education", "income", "access")

#: Region of a province from the first digit of its RTSD code, following the
#: four-region grouping of Thai national statistics (``central`` includes
#: Bangkok, the East (2x) and the West (7x); ``north`` has the 17 provinces
#: 5x and 6x; ``northeast`` the 20 provinces 3x and 4x; ``south`` 8x and 9x).
REGION_BY_FIRST_DIGIT: Final[Mapping[str, str]] = MappingProxyType(
    {
        "1": "central",
        "2": "central",
        "3": "northeast",
        "4": "northeast",
        "5": "north",
        "6": "north",
        "7": "central",
        "8": "south",
        "9": "south",
    }
)

#: Extra spellings accepted by :func:`resolve_province`, besides the RTSD
#: English name, the Thai name and the code (compared after normalisation:
#: case, spaces, hyphens, underscores, dots and apostrophes are ignored).
PROVINCE_ALIASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Krung Thep Maha Nakhon": "TH10",
        "Krung Thep": "TH10",
        "กรุงเทพฯ": "TH10",
        "Ayutthaya": "TH14",
        "Korat": "TH30",
        "Khorat": "TH30",
    }
)

#: Extra spellings accepted for districts, besides the code, the Thai and the RTSD
#: English name (compared after the normalisation of :func:`district_candidates`).
DISTRICT_ALIASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Ubon Rat": "TH4008",
        "Ubonrat": "TH4008",
        # thailand_districts.csv cuts Thai names at 16 characters; the full names:
        "ป้อมปราบศัตรูพ่าย": "TH1008",
        "เมืองประจวบคีรีขันธ์": "TH7701",
        "เมืองนครศรีธรรมราช": "TH8001",
        "เมืองสุราษฎร์ธานี": "TH8401",
    }
)

_PACKAGE = "kuseo_match"
_DISTRICTS_FILE = "thailand_districts.csv"
_GEOJSON_FILE = "khon_kaen_districts.geojson"
_TPMAP_FILE = "khon_kaen_tpmap_2018.csv"
_STRING_COLUMNS = (
    "district_code",
    "district_th",
    "district_en",
    "province_code",
    "province_th",
    "province_en",
)


def _read_text(name: str) -> str:
    return (files(_PACKAGE) / "data" / name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- districts


@functools.lru_cache(maxsize=1)
def districts_cached() -> pd.DataFrame:
    dtypes: dict[str, Any] = dict.fromkeys(_STRING_COLUMNS, "str")
    dtypes.update(lat="float64", lon="float64", area_km2="float64")
    frame = pd.read_csv(io.StringIO(_read_text(_DISTRICTS_FILE)), dtype=dtypes)
    frame = frame[[*_STRING_COLUMNS, "lat", "lon", "area_km2"]]
    if len(frame) != 928 or not frame["district_code"].is_unique:  # pragma: no cover
        raise RuntimeError(f"{_DISTRICTS_FILE}: expected 928 unique districts")
    return frame.reset_index(drop=True)


def districts() -> pd.DataFrame:
    """The 928 districts (amphoe/khet) of Thailand's 77 provinces.

    Returns
    -------
    pandas.DataFrame
        One row per district, in RTSD code order, columns

        ``district_code`` (str)
            RTSD geocode with ``TH`` prefix, e.g. ``"TH4001"``.
        ``district_th``, ``district_en`` (str)
            Thai name and RTSD romanisation.
        ``province_code``, ``province_th``, ``province_en`` (str)
            The province, e.g. ``"TH40"``, ``"ขอนแก่น"``, ``"Khon Kaen"``.
        ``lat``, ``lon`` (float64, degrees WGS84)
            Area centroid of the district polygon (not the district office).
        ``area_km2`` (float64, km²)
            Approximate area from the simplified polygon.

        A new copy on every call.

    Examples
    --------
    >>> d = districts()
    >>> d.shape
    (928, 9)
    >>> d.loc[d["district_code"] == "TH4001", "district_en"].item()
    'Mueang Khon Kaen'
    """
    return districts_cached().copy()


def district_info(codes: str | Iterable[str]) -> pd.DataFrame:
    """Rows of :func:`districts` for the given district codes, in the given order.

    Parameters
    ----------
    codes : str or iterable of str
        One district code (``"TH4001"``) or several; repeats are kept.

    Returns
    -------
    pandas.DataFrame
        Same columns as :func:`districts`, one row per requested code, with a
        fresh ``RangeIndex``.

    Raises
    ------
    ValidationError
        If a code is not one of the 928 district codes (``table="codes"``).

    Examples
    --------
    >>> district_info(["TH4029", "TH4001"])["district_en"].tolist()
    ['Wiang Kao', 'Mueang Khon Kaen']
    """
    wanted = [codes] if isinstance(codes, str) else list(codes)
    table = districts_cached()
    position = pd.Index(table["district_code"]).get_indexer(wanted)
    if (position < 0).any():
        bad = wanted[int(np.flatnonzero(position < 0)[0])]
        raise ValidationError(
            "unknown district code; codes look like 'TH4001' "
            "(see kuseo_match.reference.districts())",
            table="codes",
            value=bad,
        )
    return table.iloc[position].reset_index(drop=True)


# --------------------------------------------------------------------------- provinces


@functools.lru_cache(maxsize=1)
def _provinces_cached() -> pd.DataFrame:
    d = districts_cached()
    weighted = d.assign(lat_w=d["lat"] * d["area_km2"], lon_w=d["lon"] * d["area_km2"])
    grouped = weighted.groupby("province_code", sort=True)
    out = grouped.agg(
        province_th=("province_th", "first"),
        province_en=("province_en", "first"),
        n_districts=("district_code", "size"),
        lat_w=("lat_w", "sum"),
        lon_w=("lon_w", "sum"),
        area_km2=("area_km2", "sum"),
    ).reset_index()
    out["lat"] = (out["lat_w"] / out["area_km2"]).round(4)
    out["lon"] = (out["lon_w"] / out["area_km2"]).round(4)
    out["n_districts"] = out["n_districts"].astype("int64")
    out["region"] = out["province_code"].str[2].map(dict(REGION_BY_FIRST_DIGIT)).astype("str")
    columns = ["province_code", "province_th", "province_en", "n_districts", "lat", "lon"]
    return out[[*columns, "area_km2", "region"]]


def provinces() -> pd.DataFrame:
    """The 77 provinces, aggregated from :func:`districts`.

    Returns
    -------
    pandas.DataFrame
        One row per province in code order, columns ``province_code``,
        ``province_th``, ``province_en`` (str), ``n_districts`` (int64),
        ``lat``, ``lon`` (float64 degrees: the area-weighted mean of the
        district centroids, rounded to 4 decimals), ``area_km2`` (float64,
        sum of the district areas) and ``region`` (str: ``"central"``,
        ``"north"``, ``"northeast"`` or ``"south"``, see
        :data:`REGION_BY_FIRST_DIGIT`). A new copy on every call.

    Examples
    --------
    >>> p = provinces()
    >>> p.shape
    (77, 8)
    >>> kk = p.set_index("province_code").loc["TH40"]
    >>> kk["province_en"], int(kk["n_districts"]), kk["region"]
    ('Khon Kaen', 26, 'northeast')
    """
    return _provinces_cached().copy()


_SARA_AM = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")


def fold_text(text: str) -> str:
    """Text as compared with labels and headers: NFC, stripped, case-folded, and the
    Thai vowel ำ typed as two characters (nikhahit + sara aa, as some keyboards and
    old files write it) made one.

    Examples
    --------
    >>> fold_text(" น\u0e49\u0e4d\u0e32พอง ") == "น้ำพอง"
    True
    """
    folded = unicodedata.normalize("NFC", str(text)).strip().casefold()
    return _SARA_AM.sub("\\1\u0e33", folded)


_DISTRICT_PREFIX = re.compile(
    r"^(กิ่งอำเภอ|อำเภอ|อ\.|เขต|king\s+amphoe\b|amphoe\b|amphur\b|amphor\b|khet\b)"
)


def _district_key(text: str) -> str:
    """A district label compared loosely: case, the prefixes อำเภอ/อ./เขต/Amphoe/Khet,
    a trailing 'district', spaces, hyphens, dots and apostrophes do not count, and
    'Muang' is 'Mueang'."""
    key = _DISTRICT_PREFIX.sub("", fold_text(text)).strip()
    key = re.sub(r"\s*district$", "", key)
    key = re.sub(r"[\s\-_.'’]+", "", key)
    return key.replace("muang", "mueang")


@functools.lru_cache(maxsize=1)
def _district_keys() -> Mapping[str, tuple[str, ...]]:
    keys: dict[str, list[str]] = {}

    def add(label: str, code: str) -> None:
        codes = keys.setdefault(_district_key(label), [])
        if code not in codes:
            codes.append(code)

    for row in districts_cached().itertuples(index=False):
        code = str(row.district_code)
        for label in (code, code[2:], row.district_th, row.district_en):
            add(str(label), code)
        if code.endswith("01") and str(row.district_th).startswith("เมือง"):  # its capital
            add("เมือง", code)
            add("Mueang", code)
    for alias, code in DISTRICT_ALIASES.items():
        add(alias, code)
    return MappingProxyType({k: tuple(v) for k, v in keys.items()})


def district_candidates(label: object) -> tuple[str, ...]:
    """The codes of the shipped districts a label may name (empty: none).

    A label is a code (``"TH4002"``, ``"th4002"``, ``"4002"``), a Thai name
    (``"บ้านฝาง"``, ``"อำเภอบ้านฝาง"``, ``"อ.บ้านฝาง"``), an English name
    (``"Ban Fang"``, ``"ban fang"``, ``"Amphoe Ban Fang"``, ``"Ban Fang District"``)
    or one of :data:`DISTRICT_ALIASES`; case, spaces, hyphens, dots and
    apostrophes do not count.  ``"เมือง"`` / ``"Mueang"`` alone names the capital
    district of every province, and some names repeat across provinces
    (``"จอมทอง"``): such labels give several codes.

    Examples
    --------
    >>> district_candidates("อ.บ้านฝาง"), district_candidates("BAN FANG")
    (('TH4002',), ('TH4002',))
    >>> district_candidates("Chom Thong")
    ('TH1035', 'TH5002')
    >>> district_candidates("Ban Nowhere")
    ()
    """
    return _district_keys().get(_district_key(str(label)), ())


def _normalise(text: str) -> str:
    text = re.sub(r"^(จังหวัด|จ\.|changwat\b)", "", fold_text(text)).strip()
    text = re.sub(r"[\s\-_.'’ฯ]+", "", text)
    return re.sub(r"province$", "", text)


@functools.lru_cache(maxsize=1)
def _province_keys() -> Mapping[str, str]:
    keys: dict[str, str] = {}
    for row in _provinces_cached().itertuples(index=False):
        code = str(row.province_code)
        for key in (row.province_en, row.province_th, code, code[2:]):
            keys[_normalise(str(key))] = code
    for alias, code in PROVINCE_ALIASES.items():
        keys.setdefault(_normalise(alias), code)
    return MappingProxyType(keys)


def _province_label(code: str) -> str:
    row = _provinces_cached().set_index("province_code").loc[code]
    return f"{row['province_en']!r} ({code})"


def _resolve_province(value: object, argument: str) -> str:
    """:func:`resolve_province` with the argument name to blame in errors."""
    if isinstance(value, bool) or not isinstance(value, str | int | np.integer):
        raise ValidationError(
            f"{argument} must be a province name (English or Thai) or code such as 'TH40', "
            f"not {type(value).__name__}",
            table=argument,
            value=value,
        )
    text = f"{int(value):02d}" if isinstance(value, int | np.integer) else value
    keys = _province_keys()
    key = _normalise(text)
    if key in keys:
        return keys[key]
    close = difflib.get_close_matches(key, list(keys), n=3, cutoff=0.6)
    labels = list(dict.fromkeys(_province_label(keys[k]) for k in close))
    hint = (
        f"did you mean {' or '.join(labels)}?"
        if labels
        else "see kuseo_match.reference.provinces() for the 77 names and codes"
    )
    raise ValidationError(
        f"unknown province (give {argument} as an English or Thai province name or a code "
        f"such as 'TH40'); {hint}",
        table=argument,
        value=value,
    )


def resolve_province(province: str | int, *, argument: str = "province") -> str:
    """The RTSD code (``"TH40"``) of a province given by name or code.

    Parameters
    ----------
    province : str or int
        English name (RTSD romanisation, any case; spaces, hyphens,
        underscores, dots and apostrophes are ignored, so ``"khon-kaen"``
        and ``"Chonburi"`` work), Thai name (``"ขอนแก่น"``, optionally with
        the prefix ``"จังหวัด"``), code with or without the prefix
        (``"TH40"``, ``"40"``, ``40``), or one of :data:`PROVINCE_ALIASES`.
    argument : str, default "province"
        The name errors blame (``synthetic_province`` passes ``"name"``).

    Returns
    -------
    str
        The province code, e.g. ``"TH40"``.

    Raises
    ------
    ValidationError
        If the province is unknown (``table="province"``); the message
        suggests close matches.

    Examples
    --------
    >>> resolve_province("Chiang Mai"), resolve_province("เชียงใหม่"), resolve_province("th50")
    ('TH50', 'TH50', 'TH50')
    >>> resolve_province("khon-kaen"), resolve_province(40)
    ('TH40', 'TH40')
    """
    return _resolve_province(province, argument)


def province_codes(frame: pd.DataFrame) -> np.ndarray:
    """Each row's province code: its ``province`` cell where that names a province,
    else its ``district``'s province when the district is a shipped code; None where
    neither tells.

    Examples
    --------
    >>> rows = pd.DataFrame({"district": ["TH4001", "TH5001", "D1", "D1"],
    ...                      "province": [None, None, "ขอนแก่น", None]})
    >>> province_codes(rows).tolist()
    ['TH40', 'TH50', 'TH40', None]
    """
    out = np.full(len(frame), None, dtype=object)
    if "province" in frame.columns:
        col = frame["province"]
        codes, uniques = pd.factorize(col.astype(str).str.strip().where(col.notna()))
        resolved: list[str | None] = []
        for value in uniques:
            try:
                resolved.append(_resolve_province(value, "province"))
            except ValidationError:
                resolved.append(None)
        known = codes >= 0
        out[known] = np.array(resolved, dtype=object)[codes[known]]
    if "district" in frame.columns:
        by_district = districts_cached().set_index("district_code")["province_code"]
        from_district = pd.Series(frame["district"].to_numpy(dtype=object)).map(by_district)
        empty = pd.isna(out)
        out[empty] = from_district.to_numpy(dtype=object)[empty]
        out[pd.isna(out)] = None
    return out


# --------------------------------------------------------------------------- Khon Kaen


@functools.lru_cache(maxsize=1)
def _geojson_cached() -> dict[str, Any]:
    return json.loads(_read_text(_GEOJSON_FILE))


def khon_kaen_geojson() -> dict[str, Any]:
    """The raw GeoJSON ``FeatureCollection`` of Khon Kaen's 26 district polygons.

    Returns
    -------
    dict
        Parsed GeoJSON (lon/lat WGS84, simplified to about 200 m); each
        feature has properties ``district_code``, ``name_th`` and
        ``name_en``. A deep copy on every call.

    Examples
    --------
    >>> gj = khon_kaen_geojson()
    >>> gj["type"], len(gj["features"])
    ('FeatureCollection', 26)
    """
    return copy.deepcopy(_geojson_cached())


@functools.lru_cache(maxsize=1)
def _polygons_cached() -> Mapping[str, tuple[np.ndarray, ...]]:
    out: dict[str, tuple[np.ndarray, ...]] = {}
    for feature in _geojson_cached()["features"]:
        geometry = feature["geometry"]
        if geometry["type"] == "Polygon":
            parts = [geometry["coordinates"]]
        elif geometry["type"] == "MultiPolygon":  # pragma: no cover - not in the shipped file
            parts = geometry["coordinates"]
        else:  # pragma: no cover
            raise RuntimeError(f"{_GEOJSON_FILE}: unexpected geometry {geometry['type']!r}")
        rings = []
        for part in parts:
            ring = np.asarray(part[0], dtype=np.float64)[:, :2]
            ring.setflags(write=False)
            rings.append(ring)
        out[str(feature["properties"]["district_code"])] = tuple(rings)
    return MappingProxyType(dict(sorted(out.items())))


def khon_kaen_polygons() -> dict[str, list[np.ndarray]]:
    """Outer rings of Khon Kaen's district polygons, by district code.

    Returns
    -------
    dict of str to list of numpy.ndarray
        ``district_code -> [ring, ...]``, one ring per polygon part (every
        shipped district is a single polygon without holes). Each ring is a
        float64 array of shape ``(n_vertices, 2)`` holding ``(lon, lat)`` in
        degrees, closed (first vertex repeated last). Keys are sorted; arrays
        are fresh writable copies.

    Examples
    --------
    >>> polys = khon_kaen_polygons()
    >>> len(polys), polys["TH4001"][0].shape[1]
    (26, 2)
    """
    return {code: [ring.copy() for ring in rings] for code, rings in _polygons_cached().items()}


@functools.lru_cache(maxsize=1)
def _tpmap_cached() -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(_read_text(_TPMAP_FILE)), dtype={"district_code": "str"})
    numeric = [c for c in frame.columns if c != "district_code"]
    frame[numeric] = frame[numeric].astype("int64")
    return frame.sort_values("district_code", ignore_index=True)


def tpmap_khon_kaen() -> pd.DataFrame:
    """TPMAP 2018 poverty counts for Khon Kaen's 26 districts.

    Returns
    -------
    pandas.DataFrame
        26 rows sorted by ``district_code`` (str); int64 columns
        ``bmn_households``, ``bmn_persons``, ``mpi_poor_households``,
        ``mpi_poor_persons``, ``welfare_card_registered``,
        ``target_poor_persons`` and ``poor_health``, ``poor_living``,
        ``poor_education``, ``poor_income``, ``poor_access`` (target-poor
        persons failing each dimension; a person can fail several). A new
        copy on every call.

    Examples
    --------
    >>> t = tpmap_khon_kaen()
    >>> len(t), int(t["mpi_poor_households"].sum()), int(t["target_poor_persons"].sum())
    (26, 25648, 25637)
    """
    return _tpmap_cached().copy()
