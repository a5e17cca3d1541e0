"""Outputs read coordinates by the same rules as validation (text, DMS, a ``coordinates``
column), so whatever ``match`` accepts also maps and exports."""

import json

import pandas as pd

import kuseo_match as km
from kuseo_match.io import write_geojson


def _tables():
    officers = pd.DataFrame(
        {
            "officer_id": ["A", "B"],
            "agency": ["public_health", "agriculture"],
            "district": ["TH4001", "TH4001"],
            "coordinates": ["16 26m 31s N, 102 50m 10s E", "16.50, 102.90"],
        }
    )
    households = pd.DataFrame(
        {
            "household_id": ["H1", "H2"],
            "kind": ["สงเคราะห์", "พัฒนาได้"],
            "district": ["TH4001", "TH4001"],
            "lat": ["16°27′N", "16.49"],
            "lon": ["102°50′E", "102.89"],
        }
    )
    return officers, households


def test_map_accepts_text_coordinates():
    officers, households = _tables()
    result = km.match(officers, households)
    fig = km.plot_map(result, officers, households)
    pairs = next(c for c in fig.axes[0].collections if c.get_gid() == "pairs")
    (x0, y0), _ = pairs.get_segments()[0]
    assert 102.8 < x0 < 102.95 and 16.4 < y0 < 16.55


def test_geojson_has_geometry_for_text_coordinates(tmp_path):
    officers, households = _tables()
    result = km.match(officers, households)
    data = json.loads(
        write_geojson(result, officers, households, tmp_path / "p.geojson").read_text()
    )
    assert all(f["geometry"] is not None for f in data["features"])
    lon, lat = next(
        f["geometry"]["coordinates"]
        for f in data["features"]
        if f["properties"].get("household_id") == "H1" and f["geometry"]["type"] == "Point"
    )
    assert abs(lat - 16.45) < 1e-9 and abs(lon - (102 + 50 / 60)) < 1e-9
