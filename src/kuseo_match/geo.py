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

import numpy as np
import numpy.typing as npt

__all__ = [
    "EARTH_RADIUS_KM",
    "chord_from_km",
    "haversine_km",
    "km_from_chord",
    "parse_coordinate_pair",
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


def parse_coordinate_pair(text: str) -> tuple[float, float]:
    """Parse a ``"lat, lon"`` text (decimal or degrees-minutes-seconds) with geopy.

    Raises :class:`ValueError` (geopy's) when the text is not a coordinate.

    Examples
    --------
    >>> parse_coordinate_pair("16.43, 102.83")
    (16.43, 102.83)
    >>> lat, lon = parse_coordinate_pair("16 25' 48\\" N, 102 49' 48\\" E")
    >>> round(lat, 4), round(lon, 4)
    (16.43, 102.83)
    """
    from geopy.point import Point  # geopy imports are slowish: only when text is given

    p = Point(text)
    return float(p.latitude), float(p.longitude)
