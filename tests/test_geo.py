"""Distances: haversine against geopy's WGS84 geodesic on Thai coordinates, the
k-d tree geometry the certificate relies on, and the reading of coordinate text
(one number of degrees per cell; ``"lat, lon"`` pairs)."""

import re

import numpy as np
import pytest
from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from kuseo_match.geo import (
    EARTH_RADIUS_KM,
    chord_from_km,
    haversine_km,
    km_from_chord,
    parse_coordinate_pair,
    parse_degrees,
    to_xyz,
)

# Thailand: lat 5.6-20.5, lon 97.3-105.7; Khon Kaen: lat 15.5-17.2, lon 101.7-103.3
thai_lat = st.floats(5.6, 20.5)
thai_lon = st.floats(97.3, 105.7)
kk_lat = st.floats(15.5, 17.2)
kk_lon = st.floats(101.7, 103.3)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(kk_lat, kk_lon, kk_lat, kk_lon)
def test_haversine_within_half_a_percent_of_geodesic_in_khon_kaen(lat1, lon1, lat2, lon2):
    exact = geodesic((lat1, lon1), (lat2, lon2)).km
    ours = float(haversine_km(lat1, lon1, lat2, lon2))
    assert abs(ours - exact) <= 0.005 * exact + 1e-9


@settings(max_examples=300, derandomize=True, deadline=None)
@given(thai_lat, thai_lon, thai_lat, thai_lon)
def test_haversine_within_0_56_percent_of_geodesic_in_thailand(lat1, lon1, lat2, lon2):
    # north-south distances in the far south (lat 5.6) are 0.55 % long: the mean
    # radius exceeds the meridian's radius of curvature near the equator
    exact = geodesic((lat1, lon1), (lat2, lon2)).km
    ours = float(haversine_km(lat1, lon1, lat2, lon2))
    assert abs(ours - exact) <= 0.0056 * exact + 1e-9


def test_known_distance_khon_kaen_to_bangkok():
    # Khon Kaen provincial hall to Bangkok's Democracy Monument
    exact = geodesic((16.4419, 102.8360), (13.7567, 100.5018)).km
    assert float(haversine_km(16.4419, 102.8360, 13.7567, 100.5018)) == pytest.approx(
        exact, rel=0.005
    )


@settings(max_examples=200, derandomize=True, deadline=None)
@given(thai_lat, thai_lon, thai_lat, thai_lon)
def test_chord_of_sphere_points_gives_the_same_great_circle(lat1, lon1, lat2, lon2):
    a, b = to_xyz([lat1], [lon1]), to_xyz([lat2], [lon2])
    chord = float(np.linalg.norm(a - b))
    assert float(km_from_chord(chord)) == pytest.approx(
        float(haversine_km(lat1, lon1, lat2, lon2)), abs=1e-9
    )
    assert float(chord_from_km(km_from_chord(chord))) == pytest.approx(chord, abs=1e-9)
    assert chord <= float(haversine_km(lat1, lon1, lat2, lon2)) + 1e-9  # chord <= arc


def test_points_lie_on_the_sphere():
    xyz = to_xyz([0.0, 16.4, -33.9], [0.0, 102.8, 18.4])
    assert np.allclose(np.linalg.norm(xyz, axis=1), EARTH_RADIUS_KM)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16.43, 102.83", (16.43, 102.83)),
        ("16.43 102.83", (16.43, 102.83)),
        ("16 25' 48\" N, 102 49' 48\" E", (16.43, 102.83)),
        ("16°25′48″N 102°49′48″E", (16.43, 102.83)),
    ],
)
def test_text_coordinates_parse_with_geopy(text, expected):
    lat, lon = parse_coordinate_pair(text)
    assert (round(lat, 6), round(lon, 6)) == expected


def test_text_that_is_not_a_coordinate_raises():
    with pytest.raises(ValueError):
        parse_coordinate_pair("the district office")


# ----------------------------------------------------------------- one coordinate per cell
DMS_16_43 = 16 + 25 / 60 + 48 / 3600  # 16°25'48" = 16.43


@pytest.mark.parametrize(
    ("text", "axis", "expected"),
    [
        ("16.43", "lat", 16.43),
        ("  16.43  ", "lat", 16.43),
        ("16", "lat", 16.0),
        ("16,43", "lat", 16.43),  # decimal comma
        ("102,83", "lon", 102.83),
        ("-16.43", "lat", -16.43),
        ("+16.43", "lat", 16.43),
        ("\u221216.43", "lat", -16.43),  # the minus sign a word processor writes
        ("16.43 N", "lat", 16.43),
        ("16.43S", "lat", -16.43),
        ("N 16.43", "lat", 16.43),
        ("s16.43", "lat", -16.43),
        ("16.43n", "lat", 16.43),
        ("102.83 E", "lon", 102.83),
        ("W 102.83", "lon", -102.83),
        ("16,43 N", "lat", 16.43),
        ("16°", "lat", 16.0),
        ("16.5°S", "lat", -16.5),
        ("16°25'48\"N", "lat", DMS_16_43),
        ("16º 25′ 48″ N", "lat", DMS_16_43),
        ("16 25' 48'' N", "lat", DMS_16_43),
        ("16d25m48sN", "lat", DMS_16_43),
        ("16 25m 48s N", "lat", DMS_16_43),
        ("16deg", "lat", 16.0),
        ("16°25.8'", "lat", 16.43),
        ("16°25,8'", "lat", 16.43),
        ("-16°25'48\"", "lat", -DMS_16_43),
        ("102°49'48\"E", "lon", 102.83),
        ("102°49'48\"W", "lon", -102.83),
    ],
)
def test_parse_degrees_accepts(text: str, axis: str, expected: float) -> None:
    assert parse_degrees(text, axis) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("text", "axis", "message"),
    [
        ("16.43, 102.83", "lat", " is not one number of degrees"),  # two numbers in one cell
        ("16.43 102.83", "lat", " is not one number of degrees"),
        ("16,43; 102,83", "lat", " is not one number of degrees"),
        ("16 25", "lat", " is not one number of degrees"),  # a minute needs its mark
        ("16,43,5", "lat", " is not one number of degrees"),
        ("16.4.3", "lat", " is not one number of degrees"),
        ("1e3", "lat", " is not one number of degrees"),
        ("abc", "lat", " is not one number of degrees"),
        ("", "lat", " is not one number of degrees"),
        ("16.43 E", "lat", " is a longitude (E/W), not a latitude"),
        ("16°25'48\"W", "lat", " is a longitude (E/W), not a latitude"),
        ("102.83 N", "lon", " is a latitude (N/S), not a longitude"),
        ("S 102.83", "lon", " is a latitude (N/S), not a longitude"),
        ("16°60'", "lat", ": minutes and seconds must be below 60"),
        ("16°25'60\"", "lat", ": minutes and seconds must be below 60"),
        ("16°25'75.5\"", "lat", ": minutes and seconds must be below 60"),
        ("16.5°25'", "lat", ": only the last of degrees, minutes, seconds may have decimals"),
        ("-16.43 N", "lat", " has both a sign and a hemisphere letter"),
        ("N 16.43 S", "lat", " has two hemisphere letters"),
    ],
)
def test_parse_degrees_refuses(text: str, axis: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(repr(text.strip()) + message)}$"):
        parse_degrees(text, axis)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16.43,102.83", (16.43, 102.83)),
        ("16.43;102.83", (16.43, 102.83)),
        ("16.43 ; 102.83", (16.43, 102.83)),
        ("16,43; 102,83", (16.43, 102.83)),  # decimal commas, semicolon between
        ("16,43 102,83", (16.43, 102.83)),  # decimal commas, space between
        ("16,43, 102,83", (16.43, 102.83)),
        ("16,43,102,83", (16.43, 102.83)),  # only one way to split it
        ("16.43  102.83", (16.43, 102.83)),
        ("N16.43 E102.83", (16.43, 102.83)),
        ("16.43N, 102.83E", (16.43, 102.83)),
        ("16.43 S, 102.83 W", (-16.43, -102.83)),
        ("-16.43, -102.83", (-16.43, -102.83)),
        ("16°25'48\"N 102°49'48\"E", (16.43, 102.83)),
    ],
)
def test_parse_coordinate_pair_accepts(text: str, expected: tuple[float, float]) -> None:
    lat, lon = parse_coordinate_pair(text)
    assert lat == pytest.approx(expected[0], abs=1e-12)
    assert lon == pytest.approx(expected[1], abs=1e-12)


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("16,43,102", "is ambiguous"),  # (16, 43.102) or (16.43, 102)
        ("16,4,102", "is ambiguous"),
        ("16.43", "is not a coordinate pair"),
        ("16.43, 102.83, 5", "is not a coordinate pair"),
        ("16.43; 102.83; 1", "is not a coordinate pair"),
        ("102.83 E, 16.43 N", "is not a coordinate pair"),  # lat comes first
        ("16.43 E, 102.83 N", "is not a coordinate pair"),
        ("16°60' N, 102.83", "is not a coordinate pair"),
        ("the district office", "is not a coordinate pair"),
    ],
)
def test_parse_coordinate_pair_refuses(text: str, how: str) -> None:
    message = f"{text!r} {how}; write decimal degrees like '16.43, 102.83'"
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_coordinate_pair(text)
