"""Names everywhere (issue 21, item 6): TPMAP's column names as header aliases, district
names in quotas and sites read as in the tables, agencies in quotas checked against the fit
table with did-you-mean, district names in plan.csv, plan_capacity without households,
``diagnose`` with the input options of ``solve``, and ``rematch`` of a Result."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

import kuseo_match as km
from kuseo_match import Quota, ValidationError, cli, io
from kuseo_match.fit import default_fit_table
from kuseo_match.quotas import quota_terms
from kuseo_match.reference import district_info
from kuseo_match.schema import (
    canonical_columns,
    contract_names,
    district_codes,
    validate_sites,
    validate_tables,
)
from util import run_cli as run

CENTRE = district_info(["TH4001", "TH4002"]).set_index("district_code")[["lat", "lon"]]


def place(code: str, step: int = 0) -> tuple[float, float]:
    """A position near the centroid of a Khon Kaen district."""
    lat, lon = CENTRE.loc[code]
    return round(float(lat) + 0.01 * step, 4), round(float(lon) + 0.01 * step, 4)


def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three officers and four households in Mueang Khon Kaen (TH4001) and Ban Fang
    (TH4002); the districts written as codes, Thai and English names."""
    o = pd.DataFrame(
        [
            ("O1", "public_health", "TH4001", *place("TH4001")),
            ("O2", "police", "บ้านฝาง", *place("TH4002")),
            ("O3", "อาสาสมัคร", "Ban Fang", *place("TH4002", 1)),  # not in the fit table
        ],
        columns=["officer_id", "agency", "district", "lat", "lon"],
    )
    h = pd.DataFrame(
        [
            ("H1", "welfare", "อ.เมืองขอนแก่น", *place("TH4001", 1)),
            ("H2", "developable", "TH4001", *place("TH4001", 2)),
            ("H3", "welfare", "อำเภอบ้านฝาง", *place("TH4002", 2)),
            ("H4", "welfare", "Amphoe Ban Fang", *place("TH4002", 3)),
        ],
        columns=["household_id", "kind", "district", "lat", "lon"],
    )
    return o, h


# ---------------------------------------------------------------- TPMAP's column names
@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("province_ID", "province"),
        ("amphur_ID", "district"),
        ("tumbol_ID", "subdistrict"),
        ("tambol_ID", "subdistrict"),
        ("village_ID", "village"),
    ],
)
def test_each_tpmap_header_is_an_alias(header: str, column: str) -> None:
    for table in ("officers", "households"):
        frame = pd.DataFrame(columns=[header, "x"])
        assert canonical_columns(frame, table).columns.tolist() == [column, "x"]
        assert canonical_columns(pd.DataFrame(columns=[header.upper()]), table).columns[0] == column
    # the sub-district and the village are not read: they stay the caller's columns
    read = contract_names(pd.DataFrame(columns=[header]), "households")
    assert read == ({header: column} if column in ("province", "district") else {})


def test_a_contract_or_kept_name_wins_over_its_tpmap_alias() -> None:
    frame = pd.DataFrame(columns=["district", "amphur_ID", "village", "village_ID"])
    assert canonical_columns(frame, "households").columns.tolist() == frame.columns.tolist()
    with pytest.raises(ValidationError, match="both mean 'subdistrict'"):
        canonical_columns(pd.DataFrame(columns=["tumbol_ID", "tambol_ID"]), "households")


def _tpmap_csv(path: Path, amphur: list[str], province: str | None = "40") -> Path:
    """A households table as TPMAP exports it: quoted, zero-padded codes."""
    header = ["household_id", "kind", "amphur_ID", "tambol_ID", "village_ID", "lat", "lon"]
    header += ["province_ID"] if province is not None else []
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        for i, code in enumerate(amphur):
            lat, lon = place("TH4001", i)
            row = [f"H{i}", "welfare", code, "400101", f"4001010{i + 1}", lat, lon]
            writer.writerow(row + ([province] if province is not None else []))
    return path


def test_a_tpmap_export_validates(tmp_path: Path) -> None:
    o, _ = tables()
    h = km.read_table(_tpmap_csv(tmp_path / "tpmap.csv", ["4001", "4001", "01", "1"]))
    _, h2 = validate_tables(o, h)
    assert h2["district"].tolist() == ["TH4001"] * 4  # the code, or its number in province 40
    assert {"province", "subdistrict", "village"} <= set(h2.columns)
    result = km.match(o, h)
    pairs = io.with_details(result.pairs, o, h)
    assert {"household_subdistrict", "household_village", "household_province"} <= set(
        pairs.columns
    )
    assert set(result.pairs["household_district"]) == {"TH4001"}


def test_a_district_number_needs_the_row_province(tmp_path: Path, caplog) -> None:
    o, _ = tables()
    h = km.read_table(_tpmap_csv(tmp_path / "tpmap.csv", ["4001", "01"], province=None))
    _, h2 = validate_tables(o, h)
    assert h2["district"].tolist() == ["TH4001", "1"]  # "01" alone names no district
    assert "neither a code nor a name" in caplog.text
    h = km.read_table(_tpmap_csv(tmp_path / "bkk.csv", ["99"], province="10"))
    _, h2 = validate_tables(o, h, coordinate_check="warn")
    assert h2["district"].tolist() == ["99"]  # Bangkok has no district 99


# ---------------------------------------------------------------- districts in quotas
@pytest.mark.parametrize(
    "written",
    ["TH4002", "th4002", "บ้านฝาง", "อ.บ้านฝาง", "อำเภอบ้านฝาง", "Ban Fang", "Amphoe Ban Fang"],
)
def test_a_quota_district_is_read_as_the_tables_read_it(written: str) -> None:
    o, h = validate_tables(*tables())
    quota = Quota(households={"district": written}, officers={"district": [written]}, min_count=0)
    terms = quota_terms((quota,), o, h, default_fit_table())
    assert terms.households[0].tolist() == [False, False, True, True]
    assert terms.officers[0].tolist() == [False, True, True]


def test_a_quota_with_a_thai_district_binds_the_match() -> None:
    o, h = tables()
    only = Quota(households={"district": "บ้านฝาง"}, officers={"district": "TH4001"}, min_count=1)
    result = km.match(o, h, km.Policy(quotas=[only], capacity=3))
    cross = result.pairs[result.pairs["officer_id"] == "O1"]["household_id"]
    assert set(cross) & {"H3", "H4"}  # without the name read, the quota selects nothing
    row = result.quota_attainment().iloc[0]
    assert int(row["selected"]) == 2 and bool(row["met"])


def test_district_names_in_quotas_are_told_apart_or_refused() -> None:
    o, h = validate_tables(*tables())
    assert district_codes(["เมือง", "Mueang", "zone A "], h["district"]) == (
        "TH4001",
        "TH4001",
        "zone A",
    )
    quota = Quota(households={"district": "Chom Thong"}, min_count=0)
    with pytest.raises(ValidationError, match=r"'Chom Thong' names 2 districts: TH1035") as info:
        quota_terms((quota,), o, h, default_fit_table())
    assert "quotas.households.district" in str(info.value)


# ---------------------------------------------------------------- districts in sites
@pytest.mark.parametrize("written", ["บ้านฝาง", "อ.บ้านฝาง", "Ban Fang", "Amphoe Ban Fang"])
def test_a_site_district_is_read_as_the_tables_read_it(written: str) -> None:
    _, h = tables()
    sites = pd.DataFrame({"site_id": ["S1"], "อำเภอ": [written], "coordinates": ["16.5, 102.61"]})
    plan = km.plan_capacity(h, sites=sites, policy=km.Policy(max_distance_km=30))
    assert plan[["district", "households"]].to_dict("records") == [
        {"district": "TH4002", "households": 2}
    ]


def test_an_ambiguous_site_district_is_refused_naming_its_row() -> None:
    _, h = validate_tables(*tables())
    sites = pd.DataFrame({"site_id": ["S1", "S2"], "district": ["TH4001", "Chom Thong"]})
    sites = sites.assign(lat=16.5, lon=102.6)
    with pytest.raises(ValidationError, match="names 2 districts") as info:
        validate_sites(sites, households=h)
    assert str(info.value).startswith("sites: column 'district', row 'S2', value 'Chom Thong'")
    plain = validate_sites(sites.iloc[:1].assign(district="my office"))
    assert plain["district"].tolist() == ["my office"]


# ---------------------------------------------------------------- agencies in quotas
def _with_agency(agency: str) -> km.Policy:
    return km.Policy(quotas=[Quota(officers={"agency": agency}, min_count=0)])


def test_a_misspelt_quota_agency_is_refused_with_did_you_mean() -> None:
    o, h = tables()
    with pytest.raises(
        ValidationError, match=r"unknown agency 'pubic_health'; did you mean 'public_health'\?"
    ) as info:
        km.match(o, h, _with_agency("pubic_health"))
    assert "field 'quotas.officers.agency'" in str(info.value)
    with pytest.raises(ValidationError, match=r"did you mean 'public_health'\?"):
        km.match(o, h, _with_agency("สาธารณสข"))  # a Thai name, misspelt
    with pytest.raises(ValidationError, match=r"did you mean 'อาสาสมัคร'\?"):
        km.match(o, h, _with_agency("อาสาสมัค"))  # close to an agency of the officers


def test_a_quota_agency_close_to_no_name_selects_nobody_with_a_warning(caplog) -> None:
    o, h = tables()
    result = km.match(o, h, _with_agency("army"))  # no soldier serves here
    assert "agency 'army' is in neither the fit table nor the officers table" in caplog.text
    assert int(result.quota_attainment()["pairs"].iloc[0]) == 0


def test_quota_agencies_by_name_or_from_the_officers_table_are_allowed() -> None:
    o, h = validate_tables(*tables())
    table = default_fit_table()
    for agency, chosen in (("Public Health", "O1"), ("สาธารณสุข", "O1"), ("อาสาสมัคร", "O3")):
        terms = quota_terms((Quota(officers={"agency": agency}, min_count=0),), o, h, table)
        assert o["officer_id"][terms.officers[0]].tolist() == [chosen]


# ---------------------------------------------------------------- plan
def test_plan_csv_names_each_district(tmp_path: Path, capsys) -> None:
    o, h = km.synthetic_province(officers=10, households=40, seed=3)
    o.to_csv(tmp_path / "officers.csv", index=False)
    h.to_csv(tmp_path / "households.csv", index=False)
    argv = ["plan", tmp_path / "households.csv", "--officers", tmp_path / "officers.csv"]
    assert cli.main([str(a) for a in [*argv, "--out", tmp_path / "plan", "-q"]]) == 0
    plan = km.read_table(tmp_path / "plan" / "plan.csv")
    columns = plan.columns.tolist()
    assert columns[columns.index("district") + 1 :][:2] == ["district_th", "district_en"]
    first = plan.set_index("district").loc["TH4001"]
    assert (first["district_th"], first["district_en"]) == ("เมืองขอนแก่น", "Mueang Khon Kaen")


def test_plan_without_households_is_refused() -> None:
    o, h = tables()
    with pytest.raises(ValidationError, match="households: has no rows; plan_capacity"):
        km.plan_capacity(h.iloc[:0], officers=o)
    with pytest.raises(ValidationError, match="has no rows"):
        km.plan_capacity(h.iloc[:0])


# ---------------------------------------------------------------- diagnose
@pytest.fixture(scope="module")
def small() -> tuple[pd.DataFrame, pd.DataFrame]:
    return km.synthetic_province(officers=30, households=20, seed=2)


def _write(folder: Path, small: tuple[pd.DataFrame, pd.DataFrame], title: str = "") -> list[str]:
    folder.mkdir(exist_ok=True)
    paths = []
    for name, frame in zip(("officers.csv", "households.csv"), small, strict=True):
        (folder / name).write_text(title + frame.to_csv(index=False), encoding="utf-8")
        paths.append(str(folder / name))
    return paths


def test_diagnose_reads_header_rows_and_locked_pairs(tmp_path: Path, capsys, small) -> None:
    o, h = small
    files = _write(tmp_path / "in", small, title="รายชื่อ ขอนแก่น\n")
    pair = km.match(o, h).pairs.iloc[[-1]][["officer_id", "household_id"]]
    pair.to_csv(tmp_path / "locked.csv", index=False)
    rows = ["--header-row", "officers=2", "--header-row", "households=2"]
    code, out, _ = run(capsys, "diagnose", *files, *rows, "--locked", tmp_path / "locked.csv")
    assert code == 0
    assert out.strip() == str(km.diagnose(o, h, locked=pair)).strip()
    code, _, err = run(capsys, "diagnose", *files, "--header-row", "officers=1", "-q")
    assert code == 2 and "no id column" in err
    three = pd.DataFrame(
        {"officer_id": o["officer_id"].iloc[0], "household_id": h["household_id"][:3]}
    )
    three.to_csv(tmp_path / "three.csv", index=False)
    code, _, err = run(capsys, "diagnose", *files, "--locked", tmp_path / "three.csv", "-q")
    assert code == 2 and "locked households but capacity 2" in err


def test_diagnose_reads_forbidden_pairs(tmp_path: Path, capsys, small) -> None:
    o, h = small
    files = _write(tmp_path / "in", small)
    assert run(capsys, "diagnose", *files, "-q")[0] == 0
    never = pd.DataFrame({"officer_id": o["officer_id"], "household_id": h["household_id"].iloc[0]})
    never.to_csv(tmp_path / "never.csv", index=False)
    code, out, _ = run(capsys, "diagnose", *files, "--forbidden", tmp_path / "never.csv")
    assert code == 1  # the household no officer may take is short
    assert out.startswith("1 household(s) no pairing can cover")


def test_diagnose_reads_sheets_and_encodings(tmp_path: Path, capsys, small) -> None:
    o, h = small
    with pd.ExcelWriter(tmp_path / "officers.xlsx") as writer:
        o.iloc[:1].to_excel(writer, sheet_name="old", index=False)
        o.to_excel(writer, sheet_name="2567", index=False)
    h.assign(district=h["district"].map(district_names())).to_csv(
        tmp_path / "households.csv", index=False, encoding="cp874"
    )
    files = [tmp_path / "officers.xlsx", tmp_path / "households.csv"]
    code, _, _ = run(capsys, "diagnose", *files, "--sheet", "2567", "--encoding", "cp874", "-q")
    assert code == 0  # all 30 officers read, Thai district names decoded
    assert run(capsys, "diagnose", *files, "--sheet", "old", "-q")[0] == 1  # one officer
    code, _, err = run(capsys, "diagnose", *files, "--sheet", "officers=2566", "-q")
    assert code == 2 and "2566" in err
    code, _, err = run(capsys, "diagnose", files[0], files[0], "--encoding", "cp874", "-q")
    assert code == 2 and "applies to none of the inputs" in err


def district_names() -> dict[str, str]:
    return km.reference.districts().set_index("district_code")["district_th"].to_dict()


# ---------------------------------------------------------------- rematch
def test_rematch_takes_a_result(small) -> None:
    o, h = small
    first = km.match(o, h)
    again = km.rematch(first, o.iloc[1:], h)
    same = km.rematch(first.pairs, o.iloc[1:], h)
    pd.testing.assert_frame_equal(again.pairs, same.pairs)
    pd.testing.assert_frame_equal(again.changes, same.changes)
    with pytest.raises(ValidationError, match="or the Result of an earlier match, not list"):
        km.rematch([], o, h)
