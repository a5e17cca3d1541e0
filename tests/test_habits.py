"""Files that never lie: what spreadsheets made by hand carry, read as meant or refused
with the file and row named.

Thai and other digits and invisible characters in ids, labels and headers;
households registered twice; thousands separators; row numbers of every table
read from a file; quotas that contradict each other.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

import kuseo_match as km
from kuseo_match import Quota, ValidationError
from kuseo_match.schema import (
    id_keys,
    validate_costs,
    validate_previous,
    validate_rules,
    validate_tables,
    visible_text,
)

ZWSP, BOM, SHY = "\u200b", "\ufeff", "\u00ad"
OFFICER_HEADER = ("officer_id", "agency", "district", "lat", "lon", "capacity")
HOUSEHOLD_HEADER = ("household_id", "kind", "district", "lat", "lon", "need_health")


# ------------------------------------------------------------------------------ files
def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], sheet: str = "data") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    book.save(path)
    return path


def officer_rows(*ids: str) -> list[tuple]:
    return [
        (ident, "public_health", "TH4001", 16.44 + 0.01 * k, 102.83, 2)
        for k, ident in enumerate(ids)
    ]


def household_rows(*ids: str) -> list[tuple]:
    return [
        (ident, "welfare", "TH4001", 16.45 + 0.01 * k, 102.84, 1) for k, ident in enumerate(ids)
    ]


def read(path: Path) -> pd.DataFrame:
    return km.read_table(path)


def tables(tmp_path: Path, officers: Sequence[str], households: Sequence[str]):
    o = read(write_csv(tmp_path / "officers.csv", OFFICER_HEADER, officer_rows(*officers)))
    h = read(write_csv(tmp_path / "households.csv", HOUSEHOLD_HEADER, household_rows(*households)))
    return o, h


def warnings_of(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


def short(err: BaseException) -> str:
    text = str(err)
    assert len(text) < 2000
    return text


# ------------------------------------------------------------------------ ids and labels
def test_visible_text_and_id_keys() -> None:
    assert visible_text(f"HH๐๐๐๒๒๙{ZWSP}", digits=True) == "HH000229"
    assert visible_text("HH๐๐๑") == "HH๐๐๑"  # labels keep their digits
    assert visible_text(f"{BOM}สาธารณ{SHY}สุข\u2060") == "สาธารณสุข"
    assert visible_text("١٢٣", digits=True) == "123"  # Arabic-Indic
    assert visible_text("x²", digits=True) == "x²"  # a superscript is no decimal digit
    assert id_keys([7, f"A{ZWSP}1", "๑๐"]).tolist() == ["7", "A1", "10"]


def test_ids_are_read_with_ascii_digits_and_no_invisible_characters(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    o, h = tables(tmp_path, ["OF๑", "OF2"], ["HH๐๐๐๒๒๙", f"HH{ZWSP}000230", "HH000231"])
    before = h.copy()
    with caplog.at_level(logging.WARNING, logger="kuseo_match"):
        o2, h2 = validate_tables(o, h)
    assert h2["household_id"].tolist() == ["HH000229", "HH000230", "HH000231"]
    assert o2["officer_id"].tolist() == ["OF1", "OF2"]
    pd.testing.assert_frame_equal(h, before)  # the caller's frame is not changed
    (warning,) = warnings_of(caplog, "column 'household_id'")
    assert warning.startswith("households.csv: column 'household_id': 2 value(s) changed")
    assert "digits other than 0-9 were read as 0-9" in warning
    assert "invisible characters" in warning
    assert "the first, row 2: 'HH๐๐๐๒๒๙' -> 'HH000229'" in warning
    result = km.match(o, h)
    assert set(result.pairs["household_id"]) == {"HH000229", "HH000230", "HH000231"}


def test_the_hidden_character_shows_in_the_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    o, h = tables(tmp_path, ["A"], [f"H{ZWSP}1"])
    with caplog.at_level(logging.WARNING, logger="kuseo_match"):
        validate_tables(o, h)
    (warning,) = warnings_of(caplog, "column 'household_id'")
    assert "'H\\u200b1' -> 'H1'" in warning


def test_ids_equal_once_normalised_are_duplicates_naming_both_rows(tmp_path: Path) -> None:
    o, h = tables(tmp_path, ["A"], ["HH000229", "HH000300", "HH๐๐๐๒๒๙"])
    with pytest.raises(ValidationError, match="duplicate id") as info:
        km.match(o, h)
    text = short(info.value)
    assert text.startswith("households.csv: column 'household_id', row 4, value 'HH๐๐๐๒๒๙'")
    assert "row 2 has 'HH000229', the same id" in text
    assert info.value.row == 4


def test_an_id_of_invisible_characters_only_is_empty(tmp_path: Path) -> None:
    o, h = tables(tmp_path, ["A"], ["H1", ZWSP])
    with pytest.raises(ValidationError, match="id is empty") as info:
        km.match(o, h)
    assert "row 3, value '\\u200b'" in short(info.value)


def test_labels_and_headers_lose_invisible_characters(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    header = ("household_id", f"kind{ZWSP}", "district", "lat", "lon", "need_health")
    rows = [
        ("H1", f"welfare{ZWSP}", f"TH4001{SHY}", 16.45, 102.84, f"1{BOM}"),
        ("H2", "พัฒนา\u200dได้", "TH4001", 16.46, 102.85, "0"),
    ]
    h = read(write_csv(tmp_path / "households.csv", header, rows))
    o = read(write_csv(tmp_path / "officers.csv", OFFICER_HEADER, officer_rows("A")))
    o.loc[0, "agency"] = f"สาธารณ{SHY}สุข"
    with caplog.at_level(logging.WARNING, logger="kuseo_match"):
        o2, h2 = validate_tables(o, h)
    assert h2["kind"].tolist() == ["welfare", "developable"]
    assert h2["district"].tolist() == ["TH4001", "TH4001"]
    assert h2["need_health"].tolist() == [True, False]
    assert o2["agency"].tolist() == ["สาธารณสุข"]
    (headers,) = warnings_of(caplog, "column header(s)")
    assert headers.startswith("households.csv: 1 column header(s) had invisible characters")
    assert "'kind\\u200b' -> 'kind'" in headers
    for column in ("kind", "district", "need_health"):
        (warning,) = warnings_of(caplog, f"households.csv: column {column!r}")
        assert "invisible characters" in warning and "the first, row 2 (id 'H1')" in warning
    (agency,) = warnings_of(caplog, "column 'agency'")
    assert agency.startswith("officers.csv: column 'agency': 1 value(s) changed")


def test_references_to_normalised_ids_still_match(tmp_path: Path) -> None:
    o, h = tables(tmp_path, ["OF๑", "OF2"], ["HH๐๐๑", "HH002"])
    locked = write_csv(
        tmp_path / "locked.csv", ("officer_id", "household_id"), [("OF1", f"HH{ZWSP}001")]
    )
    result = km.match(o, h, locked=read(locked))
    pairs = dict(zip(result.pairs["household_id"], result.pairs["officer_id"], strict=True))
    assert pairs["HH001"] == "OF1"
    costs = write_csv(
        tmp_path / "costs.csv",
        ("officer_id", "household_id", "cost"),
        [("OF๑", "HH001", 1), ("OF2", "HH๐๐๒", 2)],
    )
    result = km.match(o, h, costs=read(costs))
    assert sorted(result.pairs["cost"].tolist()) == [1.0, 2.0]


def test_an_unknown_id_shows_its_hidden_characters(tmp_path: Path) -> None:
    o, h = tables(tmp_path, ["OF1"], ["H1"])
    locked = write_csv(
        tmp_path / "locked.csv",
        ("officer_id", "household_id"),
        [("OF1", "H1"), ("OF\u200b9", "H1")],
    )
    with pytest.raises(ValidationError, match="id not found") as info:
        km.match(o, h, locked=read(locked))
    text = short(info.value)
    assert text.startswith("locked.csv: column 'officer_id', row 3, value 'OF\\u200b9'")
    assert "it reads as 'OF9'" in text


# ---------------------------------------------------------------------- registered twice
def test_households_identical_but_for_their_id_are_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [
        ("H1", "welfare", "TH4001", 16.45, 102.84, 1, "Ban Non"),
        ("H2", "welfare", "TH4001", 16.46, 102.84, 1, "Ban Non"),
        ("H3", "welfare", "TH4001", 16.45, 102.84, 1, "Ban Non"),
        ("H4", "welfare", "TH4001", 16.46, 102.84, 1, "Ban Non"),
        ("H5", "welfare", "TH4001", 16.46, 102.84, 1, "Ban Kham"),  # another village
    ]
    h = read(write_csv(tmp_path / "households.csv", (*HOUSEHOLD_HEADER, "village"), rows))
    o = read(write_csv(tmp_path / "officers.csv", OFFICER_HEADER, officer_rows("A", "B", "C")))
    with caplog.at_level(logging.WARNING, logger="kuseo_match"):
        result = km.match(o, h)
    assert len(result.pairs) == 5  # kept
    (warning,) = warnings_of(caplog, "identical in every column but household_id")
    assert warning.startswith("households.csv: 2 group(s) of households are identical")
    assert "(4 households; registered twice?)" in warning
    assert "the first: row 2 (id 'H1'), row 4 (id 'H3')." in warning


def test_households_without_positions_are_not_twins(caplog: pytest.LogCaptureFixture) -> None:
    h = pd.DataFrame({"household_id": ["H1", "H2"], "kind": ["welfare"] * 2, "district": ["D"] * 2})
    o = pd.DataFrame({"officer_id": ["A"], "agency": ["interior"], "district": ["D"]})
    costs = pd.DataFrame({"officer_id": ["A", "A"], "household_id": ["H1", "H2"], "cost": [1, 2]})
    with caplog.at_level(logging.WARNING, logger="kuseo_match"):
        km.match(o, h, costs=costs)
    assert not warnings_of(caplog, "registered twice")


# --------------------------------------------------------------------------- numbers
def test_thousands_separators_are_read_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [("A", "public_health", "TH4001", "16,430", 102.83, "1,000"), *officer_rows("B")]
    o = read(write_csv(tmp_path / "officers.csv", OFFICER_HEADER, rows))
    h = read(write_csv(tmp_path / "households.csv", HOUSEHOLD_HEADER, household_rows("H1", "H2")))
    costs = write_csv(
        tmp_path / "costs.csv",
        ("officer_id", "household_id", "cost"),
        [("A", "H1", "1,250"), ("B", "H2", "12,345.5"), ("A", "H2", 3)],
    )
    with caplog.at_level(logging.WARNING, logger="kuseo_match"):
        o2, h2 = validate_tables(o, h)
        keys_o, keys_h = id_keys(o2["officer_id"]), id_keys(h2["household_id"])
        _, _, cost = validate_costs(read(costs), keys_o, keys_h)
    assert o2["capacity"].tolist() == [1000, 2]
    assert o2["lat"].iloc[0] == 16.43  # coordinates: a decimal comma, never thousands
    assert cost.tolist() == [1250.0, 12345.5, 3.0]
    (capacity,) = warnings_of(caplog, "column 'capacity'")
    assert capacity == (
        "officers.csv: column 'capacity': 1 value(s) written with thousands separators were "
        "read as numbers, the first '1,000' as 1000.0 in row 2 (id 'A')"
    )
    (warning,) = warnings_of(caplog, "column 'cost'")
    assert warning.startswith("costs.csv: column 'cost': 2 value(s) written with thousands")
    assert "the first '1,250' as 1250.0 in row 2" in warning


@pytest.mark.parametrize("value", ["1,5", "12,34", "1,2345", "1.250,5"])
def test_other_commas_in_numbers_are_refused_saying_why(tmp_path: Path, value: str) -> None:
    o, h = tables(tmp_path, ["A"], ["H1", "H2"])
    costs = write_csv(
        tmp_path / "costs.csv",
        ("officer_id", "household_id", "cost"),
        [("A", "H1", 1), ("A", "H2", value)],
    )
    with pytest.raises(ValidationError, match="use a point for decimals") as info:
        km.match(o, h, costs=read(costs))
    text = short(info.value)
    assert text == (
        f"costs.csv: column 'cost', row 3, value {value!r}: cost must be a finite number >= 0; "
        "use a point for decimals (1.5) and no thousands separators"
    )


def test_a_capacity_with_a_decimal_comma_is_refused_saying_why(tmp_path: Path) -> None:
    rows = [("A", "public_health", "TH4001", 16.44, 102.83, "2,5")]
    o = read(write_csv(tmp_path / "officers.csv", OFFICER_HEADER, rows))
    h = read(write_csv(tmp_path / "households.csv", HOUSEHOLD_HEADER, household_rows("H1")))
    with pytest.raises(ValidationError) as info:
        km.match(o, h)
    assert short(info.value) == (
        "officers.csv: column 'capacity', row 2 (id 'A'), value '2,5': must be a whole number "
        ">= 0; use a point for decimals (1.5) and no thousands separators"
    )


def test_other_text_is_refused_as_before(tmp_path: Path) -> None:
    o, h = tables(tmp_path, ["A"], ["H1"])
    costs = write_csv(
        tmp_path / "costs.csv", ("officer_id", "household_id", "cost"), [("A", "H1", "cheap")]
    )
    with pytest.raises(ValidationError) as info:
        km.match(o, h, costs=read(costs))
    assert short(info.value).endswith("value 'cheap': cost must be a finite number >= 0")


# ----------------------------------------------------------------------- rows and files
def test_locked_household_twice_names_file_and_both_rows(tmp_path: Path) -> None:
    o, h = tables(tmp_path, ["A", "B"], ["H1", "H2"])
    locked = write_csv(
        tmp_path / "locked.csv", ("officer_id", "household_id"), [("A", "H1"), ("B", "H1")]
    )
    with pytest.raises(ValidationError, match="household is locked to two officers") as info:
        km.match(o, h, locked=read(locked))
    text = short(info.value)
    assert text.startswith("locked.csv: column 'household_id', row 3, value 'H1'")
    assert "(row 2 locks it to 'A', this row to 'B')" in text


def test_locked_and_forbidden_pair_names_both_files(tmp_path: Path) -> None:
    header = ("officer_id", "household_id")
    locked = read(write_csv(tmp_path / "locked.csv", header, [("B", "H2"), ("A", "H1")]))
    forbidden = read(write_csv(tmp_path / "forbidden.csv", header, [("A", "H1")]))
    with pytest.raises(ValidationError, match="both locked and forbidden") as info:
        validate_rules(locked, forbidden, pd.Index(["A", "B"]), pd.Index(["H1", "H2"]))
    text = short(info.value)
    assert text.startswith("locked.csv: row 3: pair ('A', 'H1') is both locked and forbidden")
    assert text.endswith("(forbidden.csv: row 2)")


def test_forbidden_and_costs_messages_name_file_and_row(tmp_path: Path) -> None:
    o, h = tables(tmp_path, ["A"], ["H1", "H2"])
    forbidden = write_csv(
        tmp_path / "forbidden.csv", ("officer_id", "household_id"), [("A", "H1"), ("A", "H9")]
    )
    with pytest.raises(ValidationError, match="id not found in the households") as info:
        km.match(o, h, forbidden=read(forbidden))
    assert short(info.value).startswith("forbidden.csv: column 'household_id', row 3, value 'H9'")
    costs = write_csv(
        tmp_path / "costs.csv",
        ("officer_id", "household_id", "cost"),
        [("A", "H1", 1), ("A", "H2", -4)],
    )
    with pytest.raises(ValidationError, match=">= 0") as info:
        km.match(o, h, costs=read(costs))
    assert short(info.value).startswith("costs.csv: column 'cost', row 3, value -4")


def test_pair_twice_names_both_rows(tmp_path: Path) -> None:
    o, h = tables(tmp_path, ["A"], ["H1", "H2"])
    forbidden = write_csv(
        tmp_path / "forbidden.csv",
        ("officer_id", "household_id"),
        [("A", "H1"), ("A", "H2"), ("A", "H๑")],
    )
    with pytest.raises(ValidationError, match="appears twice") as info:
        km.match(o, h, forbidden=read(forbidden))
    assert short(info.value) == (
        "forbidden.csv: row 4: pair ('A', 'H๑') appears twice; give each pair once (first in row 2)"
    )


def test_previous_pairs_name_file_and_rows(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "previous.csv",
        ("officer_id", "household_id"),
        [("A", "H๑"), ("B", "H2"), ("C", f"H{ZWSP}1")],
    )
    with pytest.raises(ValidationError, match="paired twice") as info:
        validate_previous(read(path))
    assert short(info.value) == (
        "previous.csv: column 'household_id', row 4, value 'H\\u200b1': household is paired "
        "twice in the previous pairs (also in row 2)"
    )
    ok = write_csv(tmp_path / "ok.csv", ("officer_id", "household_id"), [("A", "H๑")])
    assert validate_previous(read(ok)).to_dict("records") == [
        {"officer_id": "A", "household_id": "H1"}
    ]


def test_sites_messages_name_workbook_sheet_and_row(tmp_path: Path) -> None:
    o, h = tables(tmp_path, ["A"], ["H1", "H2"])
    rows = [
        ("Capacity plan: sites",),  # a title: the header is row 2
        ("site_id", "district", "latitude", "lon"),
        ("S1", "TH4001", 16.44, 102.83),
        ("S2", "TH4001", "north", 102.84),
    ]
    sites = km.read_table(write_xlsx(tmp_path / "sites.xlsx", rows, sheet="ที่ตั้ง"), header_row=2)
    with pytest.raises(ValidationError, match="is not a number of degrees") as info:
        km.plan_capacity(h, officers=o, sites=sites, policy=km.Policy(max_distance_km=30))
    assert short(info.value).startswith(
        "sites.xlsx, sheet 'ที่ตั้ง': column 'lat', row 4 (id 'S2'), value 'north'"
    )
    with pytest.raises(ValidationError, match="missing column") as info:
        km.plan_capacity(h, officers=o, sites=sites.drop(columns="latitude"))
    assert short(info.value).startswith("sites.xlsx, sheet 'ที่ตั้ง': missing column(s) 'lat'")


def test_sites_are_read_as_the_officers_are(tmp_path: Path) -> None:
    o, h = tables(tmp_path, ["A"], ["H1", "H2", "H3"])
    sites = read(
        write_csv(
            tmp_path / "sites.csv",
            ("site_id", "อำเภอ", "lat", "lon"),
            [("S1", "TH4001", "16,45", "102.84")],
        )
    )
    plan = km.plan_capacity(h, officers=o, sites=sites, policy=km.Policy(max_distance_km=30))
    assert plan[["site_id", "lat", "new_officers"]].to_dict("records") == [
        {"site_id": "S1", "lat": 16.45, "new_officers": 1}
    ]


def test_xlsx_ids_and_rows_below_a_title(tmp_path: Path) -> None:
    rows = [("ครัวเรือนเป้าหมาย",), HOUSEHOLD_HEADER, *household_rows("H๑", "H2", "H1")]
    h = read(write_xlsx(tmp_path / "households.xlsx", rows))
    o, _ = tables(tmp_path, ["A"], ["x"])
    with pytest.raises(ValidationError, match="duplicate id") as info:
        km.match(o, h)
    text = short(info.value)
    assert text.startswith("households.xlsx, sheet 'data': column 'household_id', row 5")
    assert "row 3 has 'H๑'" in text


def test_a_frame_not_from_a_file_keeps_its_index_label() -> None:
    o = pd.DataFrame(
        {"officer_id": ["A", "B"], "agency": ["interior"] * 2, "district": ["TH4001"] * 2}
    ).assign(lat=[16.44, 16.45], lon=[102.83, 102.84])
    h = pd.DataFrame({"household_id": ["H1"], "kind": ["welfare"], "district": ["TH4001"]}).assign(
        lat=[16.45], lon=[102.84]
    )
    locked = pd.DataFrame({"officer_id": ["A", "B"], "household_id": ["H1", "H1"]}, index=[10, 11])
    with pytest.raises(ValidationError, match="locked to two officers") as info:
        km.match(o, h, locked=locked)
    text = short(info.value)
    assert text.startswith("locked: column 'household_id', row 11, value 'H1'")
    assert "(row 10 locks it to 'A', this row to 'B')" in text


# ------------------------------------------------------------------------------ quotas
@pytest.fixture(scope="module")
def province() -> tuple[pd.DataFrame, pd.DataFrame]:
    return km.synthetic_province(officers=20, households=60, seed=3)


WELFARE_HEALTH = {"households": {"kind": "welfare"}, "officers": {"agency": "public_health"}}


def test_quotas_on_the_same_pairs_that_contradict_are_refused_at_once(province) -> None:
    o, h = province
    policy = km.Policy(
        quotas=(Quota(**WELFARE_HEALTH, min_share=0.3), Quota(**WELFARE_HEALTH, max_share=0.1))
    )
    welfare = int((h["kind"] == "welfare").sum())
    start = time.perf_counter()
    with pytest.raises(ValidationError, match="contradict each other") as info:
        km.match(o, h, policy)
    assert time.perf_counter() - start < 10  # refused before any solving
    text = short(info.value)
    label = "'kind=welfare -> agency=public_health'"
    assert text.startswith(f"policy: field 'quotas': quotas #1 {label} and #2 {label}")
    least, most = int(np.ceil(0.3 * welfare - 1e-9)), int(np.floor(0.1 * welfare + 1e-9))
    assert (
        f"they select the same households and officers, so #2 counts every pair #1 counts, "
        f"and #1's least of {least} pairs (of {welfare} households selected) is more than the "
        f"{most} that #2 allows at most (of {welfare})" in text
    )


def test_a_quota_inside_another_cannot_need_more_than_the_other_allows(province) -> None:
    o, h = province
    inner = Quota(
        households={"kind": "welfare", "need": "income"},
        officers={"agency": "public_health"},
        min_count=2,
        name="income care",
    )
    outer = Quota(households={"kind": "welfare"}, max_count=1, name="welfare cap")
    with pytest.raises(ValidationError, match="contradict each other") as info:
        km.match(o, h, km.Policy(quotas=(outer, inner)))
    text = short(info.value)
    assert text.startswith("policy: field 'quotas': quotas #1 'welfare cap' and #2 'income care'")
    assert "#2's households and officers are among #1's" in text
    assert "#2's least of 2 pairs" in text and "the 1 that #1 allows at most" in text


def test_same_officers_a_larger_minimum_needs_the_smaller_quota(province) -> None:
    o, h = province
    welfare = h["kind"] == "welfare"
    income = welfare & h["need_income"].astype(bool)
    extra = int(welfare.sum() - income.sum())
    assert extra > 0 and income.sum() > 0
    small = Quota(households={"kind": "welfare", "need": "income"}, max_count=0, name="small")
    large = Quota(households={"kind": "welfare"}, min_count=extra + 1, name="large")
    with pytest.raises(ValidationError, match="contradict each other") as info:
        km.match(o, h, km.Policy(quotas=(small, large)))
    text = short(info.value)
    assert f"#2's least of {extra + 1} pairs needs at least 1 pairs of #1" in text
    assert "which allows at most 0" in text


def test_quotas_that_fit_together_are_solved(province) -> None:
    o, h = province
    policy = km.Policy(
        quotas=(Quota(**WELFARE_HEALTH, min_share=0.1), Quota(**WELFARE_HEALTH, max_share=0.9))
    )
    result = km.match(o, h, policy)
    assert result.status in ("optimal", "approximate", "feasible")
