"""Distances: haversine against geopy's WGS84 geodesic on Thai coordinates, and the
k-d tree geometry the certificate relies on."""

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
