"""Tests of kuseo_match.synth (synthetic provinces and country)."""

from __future__ import annotations

import io
import json
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.path import Path

from kuseo_match import synth
from kuseo_match.errors import ValidationError
from kuseo_match.synth import synthetic_country, synthetic_province

NEEDS = ("health", "living", "education", "income", "access")
AGENCIES_IN_FIT_TABLE = {
    "community_development",
    "agriculture",
    "livestock",
    "fisheries",
    "employment",
    "skill_development",
    "commerce",
    "industry",
    "baac",
    "gsb",
    "public_health",
    "social_development",
    "local_administration",
    "interior",
    "education",
}
KM_PER_DEGREE = 111.195


# ----------------------------------------------------------------------------- oracles
# Read the shipped files directly (not through kuseo_match.reference) so the
# checks do not share code with the generator.


def _raw_text(name: str) -> str:
    return (files("kuseo_match") / "data" / name).read_text(encoding="utf-8")


def _raw_polygons() -> dict[str, np.ndarray]:
    gj = json.loads(_raw_text("khon_kaen_districts.geojson"))
    return {
        f["properties"]["district_code"]: np.array(f["geometry"]["coordinates"][0], float)
        for f in gj["features"]
    }


def _raw_tpmap() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(_raw_text("khon_kaen_tpmap_2018.csv"))).set_index(
        "district_code"
    )


def _raw_districts() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(_raw_text("thailand_districts.csv")))


def _even_odd_inside(points: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Ray casting (even-odd rule), vectorised over points."""
    x, y = points[:, 0][:, None], points[:, 1][:, None]
    x1, y1, x2, y2 = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
    crosses = (y1 > y) != (y2 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
    return ((crosses & (x < x_at)).sum(axis=1) % 2) == 1


def _largest_remainder_ok(counts: pd.Series, weights: pd.Series, total: int) -> None:
    weights = weights.astype(float)
    quota = total * weights / weights.sum()
    counts = counts.reindex(weights.index, fill_value=0)
    assert counts.sum() == total
    assert ((counts - quota).abs() < 1).all()


def _km(lat1, lon1, lat2, lon2):
    dy = (np.asarray(lat1) - lat2) * KM_PER_DEGREE
    dx = (np.asarray(lon1) - lon2) * KM_PER_DEGREE * np.cos(np.radians(lat2))
    return np.hypot(dx, dy)


@pytest.fixture(scope="module")
def khon_kaen():
    return synthetic_province()


@pytest.fixture(scope="module")
def khon_kaen_large():
    return synthetic_province(households=20_000, officers=12_000, seed=7)


# ----------------------------------------------------------------------------- contract


def test_default_is_the_khon_kaen_programme(khon_kaen):
    officers, households = khon_kaen
    assert officers.columns.tolist() == list(synth.OFFICER_COLUMNS)
    assert households.columns.tolist() == list(synth.HOUSEHOLD_COLUMNS)
    assert len(officers) == 740 and len(households) == 1174
    assert households["kind"].value_counts().to_dict() == {"developable": 661, "welfare": 513}
    assert set(officers["province"]) == set(households["province"]) == {"TH40"}
    assert officers["officer_id"].iloc[0] == "OF00001" and officers["officer_id"].is_unique
    assert households["household_id"].iloc[0] == "HH000001"
    assert households["household_id"].is_unique
    assert officers["officer_id"].str.fullmatch(r"OF\d{5}").all()
    assert households["household_id"].str.fullmatch(r"HH\d{6}").all()


def test_dtypes(khon_kaen):
    officers, households = khon_kaen
    for column in ["officer_id", "agency", "district", "province"]:
        assert pd.api.types.is_string_dtype(officers[column]), column
    for column in ["household_id", "kind", "district", "province"]:
        assert pd.api.types.is_string_dtype(households[column]), column
    for frame in (officers, households):
        assert frame["lat"].dtype == np.float64 and frame["lon"].dtype == np.float64
        assert frame.notna().all().all()
    assert officers["capacity"].dtype == np.int64 and (officers["capacity"] == 2).all()
    for need in NEEDS:
        assert households[f"need_{need}"].dtype == np.bool_
    for frame in (officers, households):
        assert frame["synthetic"].dtype == np.bool_


@pytest.mark.parametrize(
    "make",
    [
        lambda: synthetic_province(households=50, officers=30),
        lambda: synthetic_province("Chiang Mai", households=50, officers=30, seed=2),
        lambda: synthetic_country(households=500, officers=300, seed=1),
        lambda: synthetic_province(households=0, officers=0),
    ],
    ids=["khon-kaen", "chiang-mai", "country", "empty"],
)
def test_every_row_is_marked_synthetic(make):
    officers, households = make()
    assert synth.SYNTHETIC_COLUMN == "synthetic"
    assert synth.OFFICER_COLUMNS[-1] == synth.HOUSEHOLD_COLUMNS[-1] == "synthetic"
    for frame in (officers, households):
        assert frame.columns[-1] == "synthetic"
        assert frame["synthetic"].dtype == np.bool_
        assert frame["synthetic"].all()  # True on every row (vacuously for the empty case)


def test_synthetic_mark_survives_a_csv_round_trip(khon_kaen):
    for frame in khon_kaen:
        back = pd.read_csv(io.StringIO(frame.to_csv(index=False)))
        assert back["synthetic"].dtype == np.bool_ and back["synthetic"].all()


def test_ids_widen_past_a_million_rows():
    from kuseo_match.synth import _ids  # private helper, checked for the width rule

    assert _ids("HH", 3, 6).tolist() == ["HH000001", "HH000002", "HH000003"]
    assert _ids("HH", 1_000_000, 6)[[0, -1]].tolist() == ["HH0000001", "HH1000000"]


@pytest.mark.parametrize(
    ("households", "officers", "developable"),
    [(5000, 3150, None), (5000, 3150, 1000), (3, 1, None), (0, 0, None), (0, 5, None), (7, 0, 7)],
)
def test_counts_exact(households, officers, developable):
    o, h = synthetic_province(households=households, officers=officers, developable=developable)
    assert len(o) == officers and len(h) == households
    expected = np.floor(households * 661 / 1174 + 0.5) if developable is None else developable
    assert (h["kind"] == "developable").sum() == expected
    assert (h["kind"] == "welfare").sum() == households - expected
    assert o.columns.tolist() == list(synth.OFFICER_COLUMNS)
    assert h.columns.tolist() == list(synth.HOUSEHOLD_COLUMNS)


def test_empty_frames_keep_dtypes():
    o, h = synthetic_province(households=0, officers=0)
    o_full, h_full = synthetic_province(households=5, officers=5)
    assert o.dtypes.equals(o_full.dtypes) and h.dtypes.equals(h_full.dtypes)


def test_every_household_has_a_need(khon_kaen_large):
    _, households = khon_kaen_large
    assert households[[f"need_{j}" for j in NEEDS]].any(axis=1).all()


# ----------------------------------------------------------------------------- determinism


def test_same_seed_identical_different_seed_different():
    a = synthetic_province(households=500, officers=300, seed=3)
    b = synthetic_province(households=500, officers=300, seed=3)
    c = synthetic_province(households=500, officers=300, seed=4)
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y)
    for x, z in zip(a, c, strict=True):
        assert not x.equals(z)
    assert not np.allclose(a[1]["lat"], c[1]["lat"])


def test_country_same_seed_identical():
    a = synthetic_country(households=3000, officers=2000, seed=11)
    b = synthetic_country(households=3000, officers=2000, seed=11)
    c = synthetic_country(households=3000, officers=2000, seed=12)
    for x, y, z in zip(a, b, c, strict=True):
        pd.testing.assert_frame_equal(x, y)
        assert not x.equals(z)


def test_seed_none_runs():
    o, h = synthetic_province(households=10, officers=5, seed=None)
    assert len(o) == 5 and len(h) == 10


# ----------------------------------------------------------------------------- geography


def test_households_apportioned_by_tpmap(khon_kaen, khon_kaen_large):
    tpmap = _raw_tpmap()
    for _, households in (khon_kaen, khon_kaen_large):
        _largest_remainder_ok(
            households["district"].value_counts(), tpmap["mpi_poor_households"], len(households)
        )


def test_every_khon_kaen_household_inside_its_polygon(khon_kaen, khon_kaen_large):
    polygons = _raw_polygons()
    for _, households in (khon_kaen, khon_kaen_large):
        for code, group in households.groupby("district"):
            points = group[["lon", "lat"]].to_numpy()
            assert Path(polygons[code]).contains_points(points).all(), code
            assert _even_odd_inside(points, polygons[code]).all(), code


def test_households_spread_inside_polygon(khon_kaen_large):
    """Uniform placement: points fill the polygon (mean near the area centroid)."""
    _, households = khon_kaen_large
    centroids = _raw_districts().set_index("district_code")
    means = households.groupby("district")[["lat", "lon"]].mean()
    counts = households["district"].value_counts()
    big = counts[counts >= 300].index
    assert len(big) >= 10
    distance = _km(
        means.loc[big, "lat"],
        means.loc[big, "lon"],
        centroids.loc[big, "lat"],
        centroids.loc[big, "lon"],
    )
    assert (distance < 5).all()


def test_khon_kaen_officers_inside_their_polygon(khon_kaen, khon_kaen_large):
    polygons = _raw_polygons()
    for officers, _ in (khon_kaen, khon_kaen_large):
        for code, group in officers.groupby("district"):
            points = group[["lon", "lat"]].to_numpy()
            assert Path(polygons[code]).contains_points(points).all(), code


def test_officers_every_district_and_hall_share(khon_kaen):
    officers, _ = khon_kaen
    per_district = officers["district"].value_counts()
    assert len(per_district) == 26 and per_district.min() >= 1
    hall_lat, hall_lon = synth.KHON_KAEN_HALL
    near_hall = _km(officers["lat"], officers["lon"], hall_lat, hall_lon) < 1.5
    hall = round(0.2 * 740)
    assert near_hall.sum() >= hall
    assert per_district["TH4001"] >= hall
    # district officers (all but the hall) follow the household weights, one each first
    tpmap = _raw_tpmap()
    at_offices = per_district.copy()
    at_offices["TH4001"] -= hall
    _largest_remainder_ok(at_offices - 1, tpmap["mpi_poor_households"], 740 - hall - 26)


@pytest.mark.parametrize(("officers", "hall"), [(26, 0), (30, 4), (100, 20), (20, 4)])
def test_hall_share_gives_way_to_district_coverage(officers, hall):
    o, _ = synthetic_province(households=50, officers=officers)
    per_district = o["district"].value_counts()
    if officers >= 26:
        assert len(per_district) == 26 and per_district.min() >= 1
    hall_lat, hall_lon = synth.KHON_KAEN_HALL
    assert (_km(o["lat"], o["lon"], hall_lat, hall_lon) < 1.0).sum() >= hall


def test_agency_mix(khon_kaen_large):
    officers, _ = khon_kaen_large
    weights = pd.Series(dict(synth.AGENCY_WEIGHTS))
    assert weights.sum() == pytest.approx(1.0)
    assert set(weights.index) >= AGENCIES_IN_FIT_TABLE
    assert set(weights.index) - AGENCIES_IN_FIT_TABLE == set(synth.OTHER_AGENCIES)
    assert 0.0 < weights[list(synth.OTHER_AGENCIES)].sum() <= 0.15
    _largest_remainder_ok(officers["agency"].value_counts(), weights, len(officers))


# ----------------------------------------------------------------------------- needs


def _expected_need_shares(households: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """Expected share of each need per kind: p_j + [j typical] * prod(1 - p)."""
    rows = {}
    for kind, group in households.groupby("kind"):
        tilt = np.array([synth.NEED_TILT[kind][j] for j in NEEDS])
        p = np.clip(base.loc[group["district"]].to_numpy() * tilt, 0, 1)
        expected = p.copy()
        expected[:, NEEDS.index(synth.TYPICAL_NEED[kind])] += np.prod(1 - p, axis=1)
        rows[kind] = expected.mean(axis=0)
    return pd.DataFrame(rows, index=[f"need_{j}" for j in NEEDS]).T


def test_need_shares_follow_tpmap_and_tilt(khon_kaen_large):
    _, households = khon_kaen_large
    tpmap = _raw_tpmap()
    base = tpmap[[f"poor_{j}" for j in NEEDS]].div(tpmap["target_poor_persons"], axis=0)
    expected = _expected_need_shares(households, base)
    observed = households.groupby("kind")[[f"need_{j}" for j in NEEDS]].mean()
    assert (observed - expected).abs().max().max() < 0.02
    # the tilt shows: welfare leans to health/living/access, developable to income/education
    assert observed.loc["welfare", "need_health"] > observed.loc["developable", "need_health"]
    assert observed.loc["welfare", "need_access"] > observed.loc["developable", "need_access"]
    assert observed.loc["welfare", "need_living"] > observed.loc["developable", "need_living"]
    assert observed.loc["developable", "need_income"] > observed.loc["welfare", "need_income"]
    assert observed.loc["developable", "need_education"] > observed.loc["welfare", "need_education"]


def test_need_shares_other_province_use_khon_kaen_totals():
    _, households = synthetic_province("TH50", households=20_000, officers=10, seed=5)
    tpmap = _raw_tpmap()
    totals = tpmap[[f"poor_{j}" for j in NEEDS]].sum() / tpmap["target_poor_persons"].sum()
    base = pd.DataFrame(
        [totals.to_numpy()] * households["district"].nunique(),
        index=sorted(households["district"].unique()),
    )
    expected = _expected_need_shares(households, base)
    observed = households.groupby("kind")[[f"need_{j}" for j in NEEDS]].mean()
    assert (observed - expected).abs().max().max() < 0.02


def test_welfare_leans_to_health_living_access_districts(khon_kaen_large):
    _, households = khon_kaen_large
    tpmap = _raw_tpmap()
    score = (tpmap["poor_health"] + tpmap["poor_living"] + tpmap["poor_access"]) / tpmap[
        "target_poor_persons"
    ]
    high = score[score > score.median()].index
    welfare = households["kind"] == "welfare"
    in_high = households["district"].isin(high)
    assert welfare[in_high].mean() > welfare[~in_high].mean() + 0.05


# ----------------------------------------------------------------------------- other provinces


@pytest.mark.parametrize("name", ["Chiang Mai", "เชียงใหม่", "TH50", "chiang-mai", "50"])
def test_other_province_by_name_or_code(name):
    officers, households = synthetic_province(name, households=900, officers=500, seed=1)
    districts = _raw_districts().query("province_code == 'TH50'").set_index("district_code")
    assert set(households["province"]) == set(officers["province"]) == {"TH50"}
    assert len(officers) == 500 and len(households) == 900
    assert set(households["district"]) <= set(districts.index)
    assert set(officers["district"]) == set(districts.index)  # 500 >= 25 districts
    _largest_remainder_ok(households["district"].value_counts(), districts["area_km2"], 900)
    # households around the centroid with sigma = 0.3 * sqrt(area) km
    centre = districts[["lat", "lon", "area_km2"]].add_suffix("_c")
    merged = households.join(centre, on="district")
    distance = _km(merged["lat"], merged["lon"], merged["lat_c"], merged["lon_c"])
    sigma = 0.3 * np.sqrt(merged["area_km2_c"])
    assert (distance < 6 * sigma).all()
    assert np.median(distance / sigma) == pytest.approx(np.sqrt(2 * np.log(2)), rel=0.15)


def test_other_province_results_agree_across_spellings():
    a = synthetic_province("Chiang Mai", households=50, officers=20, seed=2)
    b = synthetic_province("เชียงใหม่", households=50, officers=20, seed=2)
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y)


def test_provincial_hall_elsewhere_is_the_xx01_district():
    officers, _ = synthetic_province("Bangkok", households=100, officers=500, seed=0)
    assert (officers["district"] == "TH1001").sum() >= 100
    assert officers["district"].nunique() == 50


# ----------------------------------------------------------------------------- country


@pytest.fixture(scope="module")
def country():
    return synthetic_country(households=20_000, officers=12_600, seed=0)


def test_country_totals_and_provinces(country):
    officers, households = country
    assert len(households) == 20_000 and len(officers) == 12_600
    assert households["province"].nunique() == 77
    assert officers["province"].nunique() == 77
    assert (households["kind"] == "developable").sum() == round(20_000 * 661 / 1174)
    assert (households["district"].str[:4] == households["province"]).all()
    assert (officers["district"].str[:4] == officers["province"]).all()
    assert households["household_id"].is_unique and officers["officer_id"].is_unique


def test_country_weights(country):
    officers, households = country
    d = _raw_districts()
    areas = d.groupby("province_code")["area_km2"].sum()
    first_digit = areas.index.str[2]
    region = np.select(
        [first_digit.isin(["3", "4"]), first_digit.isin(["5", "6"]), first_digit.isin(["8", "9"])],
        ["northeast", "north", "south"],
        "central",
    )
    weights = areas * pd.Series(region, index=areas.index).map(dict(synth.REGION_UPLIFT))
    _largest_remainder_ok(households["province"].value_counts(), weights, 20_000)
    _largest_remainder_ok(officers["province"].value_counts(), weights, 12_600)


def test_country_khon_kaen_inside_polygons(country):
    _, households = country
    polygons = _raw_polygons()
    kk = households[households["province"] == "TH40"]
    assert len(kk) > 100
    for code, group in kk.groupby("district"):
        assert Path(polygons[code]).contains_points(group[["lon", "lat"]].to_numpy()).all()


def test_country_small_and_empty():
    o, h = synthetic_country(households=0, officers=0)
    assert len(o) == 0 and len(h) == 0
    o, h = synthetic_country(households=5, officers=3, developable=5)
    assert len(o) == 3 and len(h) == 5 and (h["kind"] == "developable").all()


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"households": -1}, "households"),
        ({"officers": -1}, "officers"),
        ({"developable": -1}, "developable"),
        ({"households": 10, "developable": 11}, "developable"),
        ({"households": 10.0}, "households"),
        ({"households": True}, "households"),
        ({"officers": "740"}, "officers"),
        ({"officers": False}, "officers"),
        ({"developable": 3.5}, "developable"),
        ({"seed": 1.5}, "seed"),
        ({"seed": True}, "seed"),
        ({"seed": -1}, "seed"),
        ({"seed": "0"}, "seed"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, argument):
    with pytest.raises(ValidationError, match=argument) as info:
        synthetic_province(**kwargs)
    assert info.value.table == argument
    if argument != "seed":
        country_kwargs = {"households": 10, "officers": 10, **kwargs}
        with pytest.raises(ValidationError, match=argument):
            synthetic_country(**country_kwargs)


def test_default_developable_over_households_message():
    with pytest.raises(ValidationError, match=r"developable must be <= households \(3\)"):
        synthetic_province(households=3, developable=661)


def test_unknown_province():
    with pytest.raises(ValidationError, match=r"province.*did you mean 'Khon Kaen'") as info:
        synthetic_province("Khon Ken")
    assert info.value.table == "name"
    with pytest.raises(ValidationError, match="name"):
        synthetic_province(None)


def test_numpy_integers_accepted():
    o, h = synthetic_province(households=np.int64(4), officers=np.int32(2), seed=np.uint8(1))
    assert len(o) == 2 and len(h) == 4


# ----------------------------------------------------------------------------- properties


@settings(max_examples=25, deadline=None)
@given(
    households=st.integers(0, 3000),
    officers=st.integers(0, 800),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_exact_counts_and_apportionment(households, officers, seed):
    o, h = synthetic_province(households=households, officers=officers, seed=seed)
    assert len(o) == officers and len(h) == households
    assert (h["kind"] == "developable").sum() == np.floor(households * 661 / 1174 + 0.5)
    _largest_remainder_ok(
        h["district"].value_counts(), _raw_tpmap()["mpi_poor_households"], households
    )
    if officers >= 26:
        assert o["district"].nunique() == 26
    assert h[[f"need_{j}" for j in NEEDS]].any(axis=1).all()
