"""Tests of kuseo_match.reference (the shipped data and its loaders)."""

from __future__ import annotations

import filecmp
import json
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kuseo_match import reference
from kuseo_match.errors import ValidationError

KK_CODES = [f"TH40{i:02d}" for i in range(1, 26)] + ["TH4029"]
SHARED = Path("/work/shared/reference")


def _data(name: str):
    return files("kuseo_match") / "data" / name


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize(
    "name", ["thailand_districts.csv", "khon_kaen_districts.geojson", "khon_kaen_tpmap_2018.csv"]
)
def test_data_files_shipped_unchanged(name):
    shipped = Path(str(_data(name)))
    assert shipped.is_file()
    if not (SHARED / name).is_file():
        pytest.skip("shared reference folder not available")
    assert filecmp.cmp(shipped, SHARED / name, shallow=False)


def test_sources_note_credits_every_file():
    text = _data("SOURCES.md").read_text(encoding="utf-8")
    for needle in [
        "thailand_districts.csv",
        "khon_kaen_districts.geojson",
        "khon_kaen_tpmap_2018.csv",
        "Royal Thai Survey Department",
        "COD-AB Thailand, dated 2019-02-18",
        "CC BY-IGO 3.0",
        "TPMAP",
        "NESDC",
        "NECTEC",
    ]:
        assert needle in text


# --------------------------------------------------------------------------- districts


def test_districts_shape_and_dtypes():
    d = reference.districts()
    assert d.shape == (928, 9)
    assert d["district_code"].is_unique
    assert d["province_code"].nunique() == 77
    for column in [
        "district_code",
        "district_th",
        "district_en",
        "province_code",
        "province_th",
        "province_en",
    ]:
        assert pd.api.types.is_string_dtype(d[column]), column
    for column in ["lat", "lon", "area_km2"]:
        assert d[column].dtype == np.float64, column
    assert d["district_code"].str.fullmatch(r"TH\d{4}").all()
    assert (d["district_code"].str[:4] == d["province_code"]).all()
    assert d["lat"].between(5.5, 20.5).all() and d["lon"].between(97.3, 105.7).all()
    assert (d["area_km2"] > 0).all()
    assert not d.isna().any().any()


def test_khon_kaen_districts_in_both_languages():
    d = reference.districts()
    kk = d[d["province_code"] == "TH40"]
    assert kk["district_code"].tolist() == KK_CODES
    assert set(kk["province_en"]) == {"Khon Kaen"} and set(kk["province_th"]) == {"ขอนแก่น"}
    row = kk.set_index("district_code").loc["TH4001"]
    assert (row["district_en"], row["district_th"]) == ("Mueang Khon Kaen", "เมืองขอนแก่น")
    assert kk.set_index("district_code").loc["TH4029", "district_en"] == "Wiang Kao"


def test_loaders_return_copies():
    d = reference.districts()
    d.loc[0, "lat"] = -99.0
    d["extra"] = 1
    assert reference.districts().loc[0, "lat"] != -99.0
    assert "extra" not in reference.districts()

    p = reference.provinces()
    p.loc[0, "province_en"] = "Nowhere"
    assert reference.provinces().loc[0, "province_en"] == "Bangkok"

    t = reference.tpmap_khon_kaen()
    t.loc[0, "poor_health"] = -1
    assert reference.tpmap_khon_kaen().loc[0, "poor_health"] >= 0

    polys = reference.khon_kaen_polygons()
    polys["TH4001"][0][:] = 0.0
    del polys["TH4002"]
    again = reference.khon_kaen_polygons()
    assert again["TH4001"][0].any() and "TH4002" in again

    gj = reference.khon_kaen_geojson()
    gj["features"].clear()
    assert len(reference.khon_kaen_geojson()["features"]) == 26


def test_district_info_order_and_unknown_code():
    info = reference.district_info(["TH4029", "TH1001", "TH4029"])
    assert info["district_code"].tolist() == ["TH4029", "TH1001", "TH4029"]
    assert info.columns.tolist() == reference.districts().columns.tolist()
    assert reference.district_info("TH5001")["province_en"].item() == "Chiang Mai"
    with pytest.raises(ValidationError, match=r"codes.*TH4026"):
        reference.district_info(["TH4001", "TH4026"])


# --------------------------------------------------------------------------- provinces


def test_provinces_aggregate_districts():
    p = reference.provinces()
    assert p.shape == (77, 8)
    assert p.columns.tolist() == [
        "province_code",
        "province_th",
        "province_en",
        "n_districts",
        "lat",
        "lon",
        "area_km2",
        "region",
    ]
    assert p["province_code"].is_unique and p["province_code"].is_monotonic_increasing
    assert p["n_districts"].dtype == np.int64 and p["n_districts"].sum() == 928
    assert p["area_km2"].sum() == pytest.approx(reference.districts()["area_km2"].sum())
    assert p["region"].value_counts().to_dict() == {
        "central": 26,
        "northeast": 20,
        "north": 17,
        "south": 14,
    }
    kk = p.set_index("province_code").loc["TH40"]
    assert (kk["province_en"], kk["province_th"], kk["n_districts"]) == ("Khon Kaen", "ขอนแก่น", 26)
    d = reference.districts().query("province_code == 'TH40'")
    expected_lat = (d["lat"] * d["area_km2"]).sum() / d["area_km2"].sum()
    assert kk["lat"] == pytest.approx(expected_lat, abs=1e-4)
    assert kk["area_km2"] == pytest.approx(d["area_km2"].sum())


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("Khon Kaen", "TH40"),
        ("khon kaen", "TH40"),
        ("KHON-KAEN", "TH40"),
        ("khon_kaen", "TH40"),
        ("ขอนแก่น", "TH40"),
        ("จังหวัดขอนแก่น", "TH40"),
        ("TH40", "TH40"),
        ("th40", "TH40"),
        ("40", "TH40"),
        (40, "TH40"),
        ("Chiang Mai", "TH50"),
        ("เชียงใหม่", "TH50"),
        ("TH50", "TH50"),
        ("Chonburi", "TH20"),
        ("Buriram", "TH31"),
        ("Phang-Nga", "TH82"),
        ("จันทบุรี", "TH22"),
        ("Bangkok", "TH10"),
        ("Korat", "TH30"),
        ("Ayutthaya", "TH14"),
        ("  Nong Bua Lamphu ", "TH39"),
    ],
)
def test_resolve_province(given, code):
    assert reference.resolve_province(given) == code


def test_resolve_province_every_name_and_code():
    for row in reference.provinces().itertuples():
        for given in (row.province_en, row.province_th, row.province_code):
            assert reference.resolve_province(given) == row.province_code


def test_resolve_province_unknown_suggests_close_match():
    with pytest.raises(ValidationError, match=r"province.*did you mean 'Khon Kaen' \(TH40\)"):
        reference.resolve_province("Khon Ken")
    with pytest.raises(ValidationError, match="province") as info:
        reference.resolve_province("Atlantis")
    assert info.value.table == "province" and info.value.value == "Atlantis"


@pytest.mark.parametrize("bad", [True, 3.5, None, ["TH40"]])
def test_resolve_province_wrong_type(bad):
    with pytest.raises(ValidationError, match="province"):
        reference.resolve_province(bad)


# --------------------------------------------------------------------------- Khon Kaen


def test_khon_kaen_polygons():
    polys = reference.khon_kaen_polygons()
    assert list(polys) == KK_CODES
    d = reference.districts().set_index("district_code")
    for code, rings in polys.items():
        assert len(rings) >= 1
        for ring in rings:
            assert ring.dtype == np.float64 and ring.ndim == 2 and ring.shape[1] == 2
            assert (ring[0] == ring[-1]).all()
        lon, lat = rings[0][:, 0], rings[0][:, 1]
        assert lon.min() <= d.loc[code, "lon"] <= lon.max()
        assert lat.min() <= d.loc[code, "lat"] <= lat.max()


def test_khon_kaen_geojson_raw():
    gj = reference.khon_kaen_geojson()
    raw = json.loads(_data("khon_kaen_districts.geojson").read_text(encoding="utf-8"))
    assert gj == raw
    names = {f["properties"]["district_code"]: f["properties"]["name_en"] for f in gj["features"]}
    assert sorted(names) == KK_CODES and names["TH4001"] == "Mueang Khon Kaen"


def test_tpmap_khon_kaen():
    t = reference.tpmap_khon_kaen()
    assert t.shape == (26, 12)
    assert t["district_code"].tolist() == KK_CODES
    assert pd.api.types.is_string_dtype(t["district_code"])
    numeric = t.drop(columns="district_code")
    assert (numeric.dtypes == np.int64).all()
    assert (numeric >= 0).all().all()
    assert t["mpi_poor_households"].sum() == 25_648
    assert t["target_poor_persons"].sum() == 25_637
    for dim in reference.TPMAP_DIMENSIONS:
        assert (t[f"poor_{dim}"] <= t["target_poor_persons"]).all()
