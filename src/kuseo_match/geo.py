"""Coordinates and distances, vectorised.

Distances are great-circle (haversine) kilometres on a sphere of the mean
Earth radius ``R = 6371.0088`` km.  Against the WGS84 geodesic
(:func:`geopy.distance.geodesic`) they are within 0.5 % north of about 13 N
(Khon Kaen: at most 0.49 %), and within 0.56 % anywhere in Thailand: north-south
distances in the far south come out up to 0.55 % long, as the mean radius
exceeds the meridian's radius of curvature near the equator (tested in
``tests/test_geo.py``).  Nearest-neighbour
searches use 3-D points on that sphere, whose straight-line (chord) distance
is a strictly increasing function of the great-circle distance, so a k-d tree
over them finds exactly the great-circle nearest officers.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

__all__ = [
    "EARTH_RADIUS_KM",
    "chord_from_km",
    "haversine_km",
    "km_from_chord",
    "parse_coordinate_pair",
    "parse_degrees",
    "to_xyz",
]

#: Mean Earth radius (IUGG), km.
EARTH_RADIUS_KM = 6371.0088

FloatArray = npt.NDArray[np.float64]


def haversine_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Great-circle distance in km between points given in degrees (broadcasts).

    Examples
    --------
    >>> round(float(haversine_km(16.4419, 102.8360, 16.4419, 102.8360)), 6)
    0.0
    >>> round(float(haversine_km(16.4419, 102.8360, 13.7563, 100.5018)), 1)
    389.8
    """
    p1, l1, p2, l2 = (np.radians(np.asarray(a, dtype=float)) for a in (lat1, lon1, lat2, lon2))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def to_xyz(lat: npt.ArrayLike, lon: npt.ArrayLike) -> FloatArray:
    """Points on the sphere of radius :data:`EARTH_RADIUS_KM`, shape ``(n, 3)`` in km.

    Examples
    --------
    >>> to_xyz([0.0], [0.0]).round(4).tolist()
    [[6371.0088, 0.0, 0.0]]
    """
    p = np.radians(np.asarray(lat, dtype=float))
    g = np.radians(np.asarray(lon, dtype=float))
    return EARTH_RADIUS_KM * np.column_stack(
        (np.cos(p) * np.cos(g), np.cos(p) * np.sin(g), np.sin(p))
    )


def chord_from_km(km: npt.ArrayLike) -> FloatArray:
    """Chord length (km) of a great-circle distance (km); inverse of :func:`km_from_chord`.

    Examples
    --------
    >>> float(km_from_chord(chord_from_km(100.0))).__round__(9)
    100.0
    """
    d = np.minimum(np.asarray(km, dtype=float), np.pi * EARTH_RADIUS_KM)
    return 2 * EARTH_RADIUS_KM * np.sin(d / (2 * EARTH_RADIUS_KM))


def km_from_chord(chord: npt.ArrayLike) -> FloatArray:
    """Great-circle distance (km) of a chord length (km)."""
    c = np.clip(np.asarray(chord, dtype=float) / (2 * EARTH_RADIUS_KM), 0.0, 1.0)
    return 2 * EARTH_RADIUS_KM * np.arcsin(c)


#: A number with a decimal comma and no point, such as ``16,43`` (European and some
#: Thai spreadsheet settings write decimals so).
DECIMAL_COMMA = re.compile(r"^\s*[+\-\u2212]?\d+,\d+\s*$")
_HEMISPHERES = {"lat": {"N": 1.0, "S": -1.0}, "lon": {"E": 1.0, "W": -1.0}}
_NUMBER = r"\d+(?:[.,]\d+)?"
# Degrees, optional minutes and seconds; a minute or second needs its mark (' or m,
# " or s), so that two plain numbers ("16.43 102.83") are never read as one value.
_DMS = re.compile(
    rf"""^(?P<pre>[NSEWnsew](?=[\s\d+\-\u2212]))?\s*
    (?P<sign>[+\-\u2212])?\s*
    (?P<deg>{_NUMBER})(?:\s*[°º˚]|d(?:eg)?)?\s*
    (?:(?P<min>{_NUMBER})(?:\s*['′’]|m(?:in)?)\s*)?
    (?:(?P<sec>{_NUMBER})(?:\s*(?:["″”]|'')|s(?:ec)?)\s*)?
    (?P<post>[NSEWnsew])?$""",
    re.VERBOSE,
)


def parse_degrees(text: str, axis: str) -> float:
    """One coordinate, written as a person would: decimal degrees with a point or a
    decimal comma, a sign or a hemisphere letter, or degrees-minutes-seconds.

    Parameters
    ----------
    text : str
        The cell, e.g. ``"16.43"``, ``"16,43"``, ``"-16.43"``, ``"16.43 N"``,
        ``"N 16.43"``, ``"16°25'48\\"N"``, ``"16 25m 48s N"``, ``"16°25.8'"``.
    axis : {"lat", "lon"}
        Which coordinate: latitudes take ``N``/``S``, longitudes ``E``/``W``.

    Returns
    -------
    float
        Decimal degrees (south and west negative).

    Raises
    ------
    ValueError
        The text is not one coordinate: two numbers (``"16.43, 102.83"``), a
        minute or second of 60 or more, a hemisphere letter of the other
        axis, a sign and a hemisphere at once, or no number at all.

    Examples
    --------
    >>> parse_degrees("16,43", "lat"), parse_degrees("102°49'48\\"E", "lon")
    (16.43, 102.83)
    >>> parse_degrees("16.43, 102.83", "lat")
    Traceback (most recent call last):
    ...
    ValueError: '16.43, 102.83' is not one number of degrees
    """
    raw = str(text).strip()
    m = _DMS.match(raw)
    if m is None:
        raise ValueError(f"{raw!r} is not one number of degrees")
    parts = [m["deg"], m["min"], m["sec"]]
    given = [v for v in parts if v is not None]
    if any("," in v or "." in v for v in given[:-1]):
        raise ValueError(f"{raw!r}: only the last of degrees, minutes, seconds may have decimals")
    deg, minutes, seconds = (0.0 if v is None else float(v.replace(",", ".")) for v in parts)
    if minutes >= 60 or seconds >= 60:
        raise ValueError(f"{raw!r}: minutes and seconds must be below 60")
    letters = [x.upper() for x in (m["pre"], m["post"]) if x]
    if len(letters) > 1:
        raise ValueError(f"{raw!r} has two hemisphere letters")
    sign = -1.0 if m["sign"] in ("-", "\u2212") else 1.0
    if letters:
        if letters[0] not in _HEMISPHERES[axis]:
            other = "longitude (E/W)" if axis == "lat" else "latitude (N/S)"
            raise ValueError(
                f"{raw!r} is a {other}, not a {'latitude' if axis == 'lat' else 'longitude'}"
            )
        if m["sign"]:
            raise ValueError(f"{raw!r} has both a sign and a hemisphere letter")
        sign = _HEMISPHERES[axis][letters[0]]
    return sign * (deg + minutes / 60.0 + seconds / 3600.0)


def parse_coordinate_pair(text: str) -> tuple[float, float]:
    """Parse one ``"lat, lon"`` text: two coordinates as :func:`parse_degrees` reads
    them, separated by a comma, a semicolon or spaces (decimal commas allowed).

    Raises :class:`ValueError` when the text is not exactly one such pair, or
    can be split into one in two ways (``"16,43,102"``).

    Examples
    --------
    >>> parse_coordinate_pair("16.43, 102.83")
    (16.43, 102.83)
    >>> parse_coordinate_pair("16,43; 102,83")
    (16.43, 102.83)
    >>> lat, lon = parse_coordinate_pair("16 25' 48\\" N, 102 49' 48\\" E")
    >>> round(lat, 4), round(lon, 4)
    (16.43, 102.83)
    """
    raw = str(text).strip()
    if raw.count(";") == 1:
        cuts = [(raw.index(";"), 1)]
    else:
        cuts = [(m.start(), m.end() - m.start()) for m in re.finditer(r",\s*|\s+", raw)]
    found = []
    for at, width in cuts:
        try:
            found.append((parse_degrees(raw[:at], "lat"), parse_degrees(raw[at + width :], "lon")))
        except ValueError:
            continue
    if len(set(found)) != 1:
        how = "is ambiguous" if found else "is not a coordinate pair"
        raise ValueError(f"{raw!r} {how}; write decimal degrees like '16.43, 102.83'")
    return found[0]
