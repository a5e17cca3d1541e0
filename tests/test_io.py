"""Tests of kuseo_match.io: Thai spreadsheets in, Excel/GeoJSON/JSON out."""

from __future__ import annotations

import json
import logging
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest

from kuseo_match.errors import ValidationError
from kuseo_match.io import (
    neutralise_formulas,
    read_table,
    with_details,
    with_district_names,
    write_csv,
    write_geojson,
    write_pairs_xlsx,
    write_summary_json,
)
from kuseo_match.policy import Policy
from kuseo_match.result import Result
from kuseo_match.schema import SOURCE_ATTR

BOM = b"\xef\xbb\xbf"

OFFICERS_TEXT = (
    "officer_id,agency,district,capacity,lat\n"
    "007,สำนักงานเกษตรอำเภอเมืองขอนแก่น,เมืองขอนแก่น,2,16.4322\n"
    "0100,องค์การบริหารส่วนตำบลบ้านทุ่ม,เมืองขอนแก่น,1,16.45\n"
    "12,โรงพยาบาลส่งเสริมสุขภาพตำบล,บ้านไผ่,3,15.99\n"
)


def expected_officers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "officer_id": ["007", "0100", "12"],
            "agency": [
                "สำนักงานเกษตรอำเภอเมืองขอนแก่น",
                "องค์การบริหารส่วนตำบลบ้านทุ่ม",
                "โรงพยาบาลส่งเสริมสุขภาพตำบล",
            ],
            "district": ["เมืองขอนแก่น", "เมืองขอนแก่น", "บ้านไผ่"],
            "capacity": [2, 1, 3],
            "lat": [16.4322, 16.45, 15.99],
        }
    )


def thai_households() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "household_id": ["0001", "0002", "0003"],
            "kind": ["พัฒนาได้", "สงเคราะห์", "พัฒนาได้"],
            "district": ["เมืองขอนแก่น", "บ้านไผ่", "ชุมแพ"],
            "members": [4, 2, 6],
            "income": [25000.5, 12000.0, np.nan],
        }
    )


@pytest.fixture
def result() -> Result:
    pairs = pd.DataFrame(
        {
            "officer_id": ["007", "O-2", "O-2"],
            "household_id": ["H1", "H2", "H3"],
            "cost": [1.25, 7.5, 3.0],
            "distance_km": [1.25, 2.5, np.nan],
            "fit": [1.0, 0.5, 0.75],
            "kind_affinity": [1.0, 0.0, 0.5],
            "agency": ["สำนักงานเกษตรอำเภอ", '=HYPERLINK("http://x")', "+1"],
            "officer_district": ["TH4001", "TH4002", "TH4002"],
            "kind": ["พัฒนาได้", "สงเคราะห์", "พัฒนาได้"],
            "household_district": ["TH4001", "TH4001", "TH4002"],
        }
    )
    unmatched = pd.DataFrame(
        {
            "household_id": ["H4", "H5"],
            "kind": ["สงเคราะห์", "พัฒนาได้"],
            "household_district": ["TH4003", "TH4001"],
            "reason": ["ไม่มีเจ้าหน้าที่ในระยะ 30 กม.", "-2+3"],
        }
    )
    load = pd.DataFrame(
        {
            "officer_id": ["007", "O-2", "O-3"],
            "agency": ["สำนักงานเกษตรอำเภอ", '=HYPERLINK("http://x")', "ตำรวจ"],
            "district": ["TH4001", "TH4002", "TH4003"],
            "capacity": np.array([2, 2, 1], dtype=np.int64),
            "load": np.array([1, 2, 0], dtype=np.int64),
        }
    )
    return Result(
        pairs,
        unmatched,
        status="optimal",
        objective=11.75,
        policy=Policy(max_distance_km=30),
        officer_load=load,
    )


def snapshot(res: Result) -> list[pd.DataFrame]:
    return [res.pairs.copy(), res.unmatched.copy(), res.officer_load.copy()]


def assert_unchanged(res: Result, before: list[pd.DataFrame]) -> None:
    for now, then in zip([res.pairs, res.unmatched, res.officer_load], before, strict=True):
        pd.testing.assert_frame_equal(now, then)


# -- read_table: CSV -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "prefix", "detected"),
    [
        ("utf-8", BOM, "utf-8-sig"),
        ("utf-8", b"", "utf-8"),
        ("cp874", b"", "cp874"),
        ("tis-620", b"", "cp874"),
        ("utf-16", b"", "utf-16"),
    ],
)
def test_read_csv_detects_thai_encodings(tmp_path, caplog, encoding, prefix, detected):
    path = tmp_path / "officers.csv"
    path.write_bytes(prefix + OFFICERS_TEXT.encode(encoding))
    with caplog.at_level(logging.DEBUG, logger="kuseo_match.io"):
        frame = read_table(path)
    pd.testing.assert_frame_equal(frame, expected_officers(), check_dtype=False)
    assert frame["officer_id"].tolist() == ["007", "0100", "12"]
    assert frame["capacity"].dtype.kind == "i"
    assert frame["lat"].dtype.kind == "f"
    assert f"encoding {detected}" in caplog.text


def test_read_csv_cp874_only_characters(tmp_path):
    # "–" (0x96) and the no-break space (0xA0) exist in cp874 but not in TIS-620.
    path = tmp_path / "households.csv"
    path.write_bytes("household_id,note\n01,ปี 2560–2561\xa0ขอนแก่น\n".encode("cp874"))
    assert read_table(path)["note"].tolist() == ["ปี 2560–2561\xa0ขอนแก่น"]


@pytest.mark.parametrize("encoding", ["cp874", "tis-620", "utf-8", "utf-8-sig"])
def test_read_csv_explicit_encoding(tmp_path, encoding):
    path = tmp_path / "officers.csv"
    path.write_bytes(OFFICERS_TEXT.encode(encoding))
    frame = read_table(path, encoding=encoding)
    pd.testing.assert_frame_equal(frame, expected_officers(), check_dtype=False)


def test_read_csv_explicit_utf8_drops_bom(tmp_path):
    path = tmp_path / "officers.csv"
    path.write_bytes(BOM + OFFICERS_TEXT.encode("utf-8"))
    assert read_table(path, encoding="utf-8").columns[0] == "officer_id"


def test_read_csv_ids_exactly_as_written(tmp_path):
    path = tmp_path / "households.csv"
    path.write_text(
        "household_id,officer_id,members,note\n007,0010,3,NA\nNA,null,,\n,1e3, 2,' =x \n",
        encoding="utf-8",
    )
    frame = read_table(path)
    assert frame["household_id"].tolist()[:2] == ["007", "NA"]
    assert pd.isna(frame["household_id"].iloc[2])
    assert frame["officer_id"].tolist() == ["0010", "null", "1e3"]
    # other columns: pandas' usual inference and missing values
    assert frame["members"].dtype.kind == "f"
    assert math.isnan(frame["members"].iloc[1])
    assert pd.isna(frame["note"].iloc[0])
    # text is not trimmed and a leading apostrophe is kept
    assert frame["note"].iloc[2] == "' =x "


def test_read_csv_header_only_gives_empty_frame(tmp_path):
    path = tmp_path / "officers.csv"
    path.write_text("officer_id,agency\n", encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == ["officer_id", "agency"]
    assert len(frame) == 0


def test_read_tab_separated_txt_uppercase_suffix(tmp_path):
    path = tmp_path / "HOUSEHOLDS.TXT"
    text = "household_id\tkind\tdistrict\n0001\tพัฒนาได้\tเมืองขอนแก่น\n"
    path.write_bytes(text.encode("utf-16"))  # Excel's "Unicode Text"
    frame = read_table(path)
    assert frame.to_dict("list") == {
        "household_id": ["0001"],
        "kind": ["พัฒนาได้"],
        "district": ["เมืองขอนแก่น"],
    }


def test_read_does_not_change_quoted_text(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('officer_id,agency\n1,"สำนักงาน, อำเภอ ""เมือง"""\n', encoding="utf-8")
    assert read_table(path)["agency"].iloc[0] == 'สำนักงาน, อำเภอ "เมือง"'


# -- read_table: XLSX ------------------------------------------------------------------------


def make_workbook(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "ครัวเรือน"
    sheet.append(["household_id", "kind", "district", "members", "lat"])
    sheet.append(["007", "พัฒนาได้", "เมืองขอนแก่น", 4, 16.43])
    sheet.append(["0100", "สงเคราะห์", "บ้านไผ่", 2, 15.99])
    sheet.append([12, "พัฒนาได้", "ชุมแพ", None, None])
    other = book.create_sheet("เจ้าหน้าที่")
    other.append(["officer_id", "agency"])
    other.append(["0001", "สำนักงานพัฒนาชุมชนอำเภอ"])
    book.save(path)
    return path


def titled_workbook(path):
    """A sheet as offices send it: a title, a blank row, then the header on row 3."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["รายชื่อครัวเรือนเป้าหมาย จังหวัดขอนแก่น"])
    sheet.append([])
    sheet.append(["household_id", "kind", "district"])
    sheet.append(["007", "พัฒนาได้", "เมืองขอนแก่น"])
    sheet.append(["0100", "สงเคราะห์", "บ้านไผ่"])
    book.save(path)
    return path


def test_read_xlsx_header_below_a_title(tmp_path, caplog):
    path = titled_workbook(tmp_path / "households.xlsx")
    frame = read_table(path, header_row=3)
    assert frame.columns.tolist() == ["household_id", "kind", "district"]
    assert frame["household_id"].tolist() == ["007", "0100"]
    with caplog.at_level(logging.INFO, logger="kuseo_match.io"):
        detected = read_table(path)  # row 1 is the title: the header is found in row 3
    pd.testing.assert_frame_equal(detected, frame)
    assert "the header is row 3" in caplog.text
    assert detected.attrs[SOURCE_ATTR]["rows"].tolist() == [4, 5]
    as_is = read_table(path, header_row=1)  # as it is, when asked
    assert as_is.columns[0] == "รายชื่อครัวเรือนเป้าหมาย จังหวัดขอนแก่น"


def test_read_csv_header_below_a_title(tmp_path):
    path = tmp_path / "officers.csv"
    path.write_text("รายชื่อเจ้าหน้าที่\n\n" + OFFICERS_TEXT, encoding="utf-8")
    frame = read_table(path, header_row=3)
    assert frame["officer_id"].tolist()[0] == "007"
    assert frame.columns.tolist() == read_table_text(tmp_path, OFFICERS_TEXT).columns.tolist()
    pd.testing.assert_frame_equal(read_table(path), frame)
    assert read_table(path).attrs[SOURCE_ATTR]["rows"][0] == 4


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("thai_first", [True, False], ids=["thai-first", "english-first"])
def test_header_in_two_languages_is_the_row_above_the_data(tmp_path, caplog, suffix, thai_first):
    """Thai labels above the column names (pairs.xlsx, or pairs.xlsx saved as CSV),
    or below them: both rows name the id column; the data start below the second."""
    thai = ["รหัสเจ้าหน้าที่", "รหัสครัวเรือน", "หมายเหตุ"]  # the first two: header aliases
    names = ["officer_id", "household_id", "note"]
    rows = [["รายชื่อคู่"], thai, names] if thai_first else [["รายชื่อคู่"], names, thai]
    rows += [["007", "0100", "a"], ["12", "H2", "b"]]
    path = tmp_path / f"pairs{suffix}"
    if suffix == ".csv":
        path.write_text("".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    else:
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        book.save(path)
    with caplog.at_level(logging.INFO, logger="kuseo_match.io"):
        frame = read_table(path, id_column="officer_id")
    assert frame.columns.tolist() == rows[2]
    assert frame.iloc[:, 0].tolist() == ["007", "12"]  # ids as text: no header row as data
    assert frame.attrs[SOURCE_ATTR]["rows"].tolist() == [4, 5]
    if suffix == ".xlsx":
        assert "the header is row 3" in caplog.text
    above = read_table(path, header_row=2)  # the other row, when asked
    assert above.columns.tolist() == rows[1]
    assert above.iloc[0].tolist() == rows[2]


def test_title_detection_needs_an_id_column_below_a_header_without_one(tmp_path):
    path = tmp_path / "costs.csv"
    path.write_text("from,to,cost\nofficer_id,household_id,1\n", encoding="utf-8")
    assert read_table(path).columns.tolist() == ["officer_id", "household_id", "1"]
    assert read_table(path, header_row=1).columns.tolist() == ["from", "to", "cost"]
    path.write_text("from,to,cost\na,b,1\n", encoding="utf-8")
    assert read_table(path).columns.tolist() == ["from", "to", "cost"]  # nothing to detect


def read_table_text(folder, text):
    (folder / "plain.csv").write_text(text, encoding="utf-8")
    return read_table(folder / "plain.csv")


@pytest.mark.parametrize(
    ("header_row", "message"),
    [
        (0, r"header_row counts from 1"),
        (True, r"header_row must be a whole row number.*not bool"),
        ("3", r"header_row must be a whole row number.*not str"),
        (9, r"has 4 row\(s\), so row 9 cannot be the header"),
    ],
)
def test_error_bad_header_row(tmp_path, header_row, message):
    path = tmp_path / "officers.csv"
    path.write_text(OFFICERS_TEXT, encoding="utf-8")
    with pytest.raises(ValidationError, match=message):
        read_table(path, header_row=header_row)


def test_error_blank_header_row_in_a_workbook(tmp_path):
    path = titled_workbook(tmp_path / "households.xlsx")
    with pytest.raises(ValidationError, match=r"its row 2 is blank\).*--header-row"):
        read_table(path, header_row=2)


def test_read_xlsx_first_sheet_thai(tmp_path):
    frame = read_table(make_workbook(tmp_path / "input.xlsx"))
    assert frame["household_id"].tolist() == ["007", "0100", "12"]
    assert frame["kind"].tolist() == ["พัฒนาได้", "สงเคราะห์", "พัฒนาได้"]
    assert frame["district"].tolist() == ["เมืองขอนแก่น", "บ้านไผ่", "ชุมแพ"]
    assert frame["members"].iloc[:2].tolist() == [4, 2]
    assert math.isnan(frame["lat"].iloc[2])


@pytest.mark.parametrize("sheet", ["เจ้าหน้าที่", 1, -1])
def test_read_xlsx_sheet_by_name_or_position(tmp_path, sheet):
    frame = read_table(make_workbook(tmp_path / "input.xlsx"), sheet=sheet)
    assert frame.to_dict("list") == {
        "officer_id": ["0001"],
        "agency": ["สำนักงานพัฒนาชุมชนอำเภอ"],
    }


# -- neutralise_formulas ---------------------------------------------------------------------


def test_neutralise_formulas_cells_and_headers():
    df = pd.DataFrame(
        {
            "note": ['=HYPERLINK("http://evil","x")', "+1", "-2+3", "@SUM(A1)", "ปกติ"],
            "=cmd": ["\tTAB", "\rCR", None, "a-b", "'=kept"],
            "delta": [-5.0, 1.0, 2.0, np.nan, 0.0],
            "mixed": pd.Series([-5.0, "-5", 3, None, "=1"], dtype=object),
            "cat": pd.Categorical(["=x", "y", "=x", "y", "y"]),
        }
    )
    before = df.copy()
    out = neutralise_formulas(df)
    assert list(out.columns) == ["note", "'=cmd", "delta", "mixed", "cat"]
    assert out["note"].tolist() == [
        '\'=HYPERLINK("http://evil","x")',
        "'+1",
        "'-2+3",
        "'@SUM(A1)",
        "ปกติ",
    ]
    assert out["'=cmd"].tolist()[:2] == ["'\tTAB", "'\rCR"]
    assert out["'=cmd"].tolist()[3:] == ["a-b", "'=kept"]
    pd.testing.assert_series_equal(out["delta"], df["delta"])
    assert out["mixed"].iloc[0] == -5.0
    assert isinstance(out["mixed"].iloc[0], float)
    assert out["mixed"].tolist()[1:3] == ["'-5", 3]
    assert out["mixed"].iloc[4] == "'=1"
    assert out["cat"].tolist() == ["'=x", "y", "'=x", "y", "y"]
    assert out["note"].dtype == df["note"].dtype
    pd.testing.assert_frame_equal(df, before)


def test_neutralise_formulas_keeps_index_and_duplicate_columns():
    df = pd.DataFrame([["=a", "=b"]], columns=["x", "x"], index=[7])
    out = neutralise_formulas(df)
    assert out.index.tolist() == [7]
    assert out.iloc[0].tolist() == ["'=a", "'=b"]
    assert df.iloc[0].tolist() == ["=a", "=b"]


# -- write_csv -------------------------------------------------------------------------------


def test_write_csv_thai_round_trip(tmp_path):
    df = thai_households()
    before = df.copy()
    out = write_csv(df, tmp_path / "nested" / "folder" / "households.csv")
    assert out == tmp_path / "nested" / "folder" / "households.csv"
    raw = out.read_bytes()
    assert raw.startswith(BOM)
    assert "เมืองขอนแก่น".encode() in raw
    pd.testing.assert_frame_equal(read_table(out), df)
    pd.testing.assert_frame_equal(df, before)


def test_write_csv_neutralises_formulas(tmp_path):
    df = pd.DataFrame(
        {
            "officer_id": ["1", "2", "3", "4"],
            "note": ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)"],
            "delta": [-5.0, -1.5, 0.0, 2.0],
        }
    )
    back = read_table(write_csv(df, tmp_path / "out.csv"))
    assert back["note"].tolist() == ['\'=HYPERLINK("http://x")', "'+1", "'-2+3", "'@SUM(A1)"]
    assert back["delta"].tolist() == [-5.0, -1.5, 0.0, 2.0]
    assert back["delta"].dtype.kind == "f"
    assert df["note"].iloc[0].startswith("=")


def test_write_csv_accepts_str_path(tmp_path):
    out = write_csv(pd.DataFrame({"a": [1]}), str(tmp_path / "a.csv"))
    assert out.read_bytes() == BOM + b"a\n1\n"


# -- write_pairs_xlsx ------------------------------------------------------------------------


def test_write_pairs_xlsx_sheets_and_round_trip(tmp_path, result):
    before = snapshot(result)
    out = write_pairs_xlsx(result, tmp_path / "report" / "pairs.xlsx")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["summary", "pairs", "unmatched", "TH4001", "TH4002", "TH4003"]

    pairs = read_table(out, sheet="pairs")
    expected = with_district_names(result.pairs)  # the text exactly as it was
    pd.testing.assert_frame_equal(pairs, expected, check_dtype=False)
    assert pairs["agency"].tolist()[1:] == ['=HYPERLINK("http://x")', "+1"]
    assert pairs["household_id"].tolist() == ["H1", "H2", "H3"]
    assert math.isnan(pairs["distance_km"].iloc[2])

    unmatched = read_table(out, sheet="unmatched")
    pd.testing.assert_frame_equal(unmatched, with_district_names(result.unmatched))
    assert_unchanged(result, before)


def test_write_pairs_xlsx_formulas_are_text(tmp_path, result):
    out = write_pairs_xlsx(result, tmp_path / "pairs.xlsx")
    sheet = openpyxl.load_workbook(out)["pairs"]
    values = {c.value: c.data_type for row in sheet.iter_rows(min_row=2) for c in row}
    # text cells, which Excel never evaluates, with the exact text: no visible quote
    assert values['=HYPERLINK("http://x")'] == "s"
    assert values["+1"] == "s"
    assert not any(t in ("f", "e") for t in values.values())
    assert not any(str(v).startswith("'") for v in values if v is not None)


# An issue found ids, phones and placeholders that no longer joined after a round
# trip through pairs.xlsx: '-' came back as "'-", "+66 81 ..." as "'+66 81 ...".
@pytest.mark.parametrize("text", ["+66 81 234 5678", "-", "-2+3", "@home", "=A1", "#N/A", "=1"])
def test_write_pairs_xlsx_keeps_exact_text(tmp_path, result, text):
    pairs = result.pairs.assign(agency=text, officer_id=text)
    res = Result(pairs, result.unmatched, status="optimal", objective=11.75)
    out = write_pairs_xlsx(res, tmp_path / "pairs.xlsx")
    back = read_table(out, sheet="pairs")
    assert back["officer_id"].tolist() == [text] * len(pairs)  # ids join again
    sheet = openpyxl.load_workbook(out)["pairs"]
    column = [c.value for c in sheet[2]].index("agency")  # row 1: the Thai labels
    cells = [row[column] for row in sheet.iter_rows(min_row=3)] + list(sheet["A"][2:])
    assert [c.value for c in cells] == [text] * len(cells)
    assert {c.data_type for c in cells} == {"s"}


def test_write_pairs_xlsx_summary_sheet(tmp_path, result):
    out = write_pairs_xlsx(result, tmp_path / "pairs.xlsx")
    summary = read_table(out, sheet="summary", header_row=2)  # no id column to find it by
    assert list(summary.columns) == ["section", "key", "value"]
    rows = {(s, str(k)): v for s, k, v in summary.itertuples(index=False)}
    assert rows[("summary", "households")] == 5
    assert rows[("summary", "paired")] == 3
    assert rows[("summary", "status")] == "optimal"
    assert rows[("summary", "objective")] == 11.75
    assert rows[("unmatched_reasons", "ไม่มีเจ้าหน้าที่ในระยะ 30 กม.")] == 1
    assert rows[("unmatched_reasons", "-2+3")] == 1
    assert rows[("officers_by_load", "2")] == 1
    assert rows[("policy", "max_distance_km")] == 30
    assert rows[("policy", "capacity")] == 2


def test_write_pairs_xlsx_district_sheets(tmp_path, result):
    out = write_pairs_xlsx(result, tmp_path / "pairs.xlsx")
    district = read_table(out, sheet="TH4001")
    assert district["status"].tolist() == ["paired", "paired", "unmatched"]
    assert district["household_id"].tolist() == ["H1", "H2", "H5"]
    assert list(district.columns[:4]) == ["status", "household_id", "kind", "household_district"]
    assert district.columns[-1] == "reason"
    assert district["reason"].iloc[2] == "-2+3"
    assert district["officer_id"].iloc[0] == "007"
    only_unmatched = read_table(out, sheet="TH4003")
    assert only_unmatched["reason"].tolist() == ["ไม่มีเจ้าหน้าที่ในระยะ 30 กม."]


def test_write_pairs_xlsx_district_names(tmp_path, result):
    names = {
        "TH4001": "Mueang Khon Kaen / เมืองขอนแก่น [A]: *?\\",
        "TH4002": "Mueang Khon Kaen / เมืองขอนแก่น [A]: *?\\",
        "TH4003": "บ้านไผ่",
    }
    out = write_pairs_xlsx(result, tmp_path / "pairs.xlsx", district_names=names)
    titles = openpyxl.load_workbook(out).sheetnames[3:]
    assert titles == [
        "TH4001 Mueang Khon Kaen เมืองขอ",
        "TH4002 Mueang Khon Kaen เมืองขอ",
        "TH4003 บ้านไผ่",
    ]
    assert all(len(t) <= 31 for t in titles)
    assert not any(ch in t for t in titles for ch in "[]:*?/\\")


def test_write_pairs_xlsx_unique_and_reserved_sheet_names(tmp_path):
    pairs = pd.DataFrame(columns=["officer_id", "household_id", "cost", "distance_km", "fit"])
    unmatched = pd.DataFrame(
        {
            "household_id": ["H1", "H2", "H3", "H4", "H5"],
            "kind": ["พัฒนาได้"] * 5,
            "household_district": ["Pairs", "a" * 40, "a" * 41, np.nan, "x?"],
            "reason": ["r"] * 5,
        }
    )
    res = Result(pairs, unmatched, status="optimal", objective=0.0)
    out = write_pairs_xlsx(res, tmp_path / "p.xlsx", district_names={"x?": "เขต"})
    titles = openpyxl.load_workbook(out).sheetnames
    assert titles == [
        "summary",
        "pairs",
        "unmatched",
        "Pairs (2)",
        "a" * 31,
        "a" * 27 + " (2)",
        "x เขต",
        "no district",
    ]
    assert read_table(out, sheet="no district")["household_id"].tolist() == ["H4"]


def test_write_pairs_xlsx_header_style_and_widths(tmp_path, result):
    out = write_pairs_xlsx(result, tmp_path / "pairs.xlsx")
    sheet = openpyxl.load_workbook(out)["pairs"]
    assert sheet.freeze_panes == "A3"
    assert all(cell.font.bold for cell in (*sheet[1], *sheet[2]))
    assert {cell.fill.fgColor.rgb for cell in sheet[1]} == {"FFDCE6F1"}  # the Thai labels
    assert {cell.fill.fill_type for cell in sheet[2]} == {None}  # the names: as before
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFGHIJ"]
    assert all(6 <= w <= 62 for w in widths)


def _rows(sheet, *numbers: int) -> list[list]:
    return [[c.value for c in sheet[n]] for n in numbers]


def test_write_pairs_xlsx_thai_labels_above_the_column_names(tmp_path, result):
    out = write_pairs_xlsx(result, tmp_path / "pairs.xlsx")
    book = openpyxl.load_workbook(out)
    thai, names = _rows(book["pairs"], 1, 2)
    assert names == list(with_district_names(result.pairs).columns)
    assert thai == [
        "รหัสเจ้าหน้าที่",
        "รหัสครัวเรือน",
        "ต้นทุน",
        "ระยะทาง (กม.)",
        "ความเหมาะสมของหน่วยงาน",
        "ความเหมาะสมกับประเภทครัวเรือน",
        "หน่วยงาน",
        "อำเภอของเจ้าหน้าที่",
        "ชื่ออำเภอของเจ้าหน้าที่ (ไทย)",
        "ชื่ออำเภอของเจ้าหน้าที่ (อังกฤษ)",
        "ประเภทครัวเรือน",
        "อำเภอของครัวเรือน",
        "ชื่ออำเภอของครัวเรือน (ไทย)",
        "ชื่ออำเภอของครัวเรือน (อังกฤษ)",
    ]
    assert _rows(book["unmatched"], 1, 2) == [
        [
            "รหัสครัวเรือน",
            "ประเภทครัวเรือน",
            "อำเภอของครัวเรือน",
            "ชื่ออำเภอของครัวเรือน (ไทย)",
            "ชื่ออำเภอของครัวเรือน (อังกฤษ)",
            "เหตุผล",
        ],
        [
            "household_id",
            "kind",
            "household_district",
            "household_district_th",
            "household_district_en",
            "reason",
        ],
    ]
    assert _rows(book["summary"], 1, 2) == [["หมวด", "รายการ", "ค่า"], ["section", "key", "value"]]
    assert _rows(book["TH4001"], 1)[0][:2] == ["สถานะ", "รหัสครัวเรือน"]
    assert _rows(book["pairs"], 3)[0][:2] == ["007", "H1"]  # the data from row 3


def test_write_pairs_xlsx_freeze_filter_and_print_titles_cover_both_header_rows(tmp_path, result):
    book = openpyxl.load_workbook(write_pairs_xlsx(result, tmp_path / "pairs.xlsx"))
    # pairs: 14 columns (A-N), 3 pairs in rows 3-5; unmatched: 6 columns, 2 rows; a
    # district: status, the pairs' columns and reason (16), its households
    expected = {"pairs": "A2:N5", "unmatched": "A2:F4", "TH4001": "A2:P5", "TH4003": "A2:P3"}
    for title, ref in expected.items():
        sheet = book[title]
        assert sheet.freeze_panes == "A3", title
        assert sheet.auto_filter.ref == ref, title
    for title in ("TH4001", "TH4002", "TH4003"):
        assert book[title].print_title_rows == "$1:$2"
    assert book["pairs"].print_title_rows is None  # not a sheet to print


def test_write_pairs_xlsx_width_fits_the_thai_label(tmp_path, result):
    sheet = openpyxl.load_workbook(write_pairs_xlsx(result, tmp_path / "pairs.xlsx"))["pairs"]
    names = _rows(sheet, 2)[0]
    column = openpyxl.utils.get_column_letter(names.index("kind_affinity") + 1)
    # "ความเหมาะสมกับประเภทครัวเรือน" takes 26 columns (its vowel marks take none);
    # the name, 13, and the numbers, 3, would give 15
    assert sheet.column_dimensions[column].width == 28


def test_write_pairs_xlsx_reads_back_without_options(tmp_path, result):
    """read_table finds the column names in row 2 by itself, on the first sheet with
    the id column, and numbers the rows as the sheet does."""
    out = write_pairs_xlsx(result, tmp_path / "pairs.xlsx")
    pairs = read_table(out, id_column="officer_id")
    pd.testing.assert_frame_equal(pairs, with_district_names(result.pairs), check_dtype=False)
    source = pairs.attrs[SOURCE_ATTR]
    assert source["sheet"] == "pairs"
    assert source["rows"].tolist() == [3, 4, 5]
    lost = read_table(out, sheet="unmatched", id_column="household_id")
    assert lost["household_id"].tolist() == ["H4", "H5"]
    assert read_table(out, sheet="TH4003")["reason"].tolist() == ["ไม่มีเจ้าหน้าที่ในระยะ 30 กม."]


def test_write_pairs_xlsx_extra_columns_keep_their_name_and_no_thai_label(tmp_path, result):
    officers = pd.DataFrame({"officer_id": ["007", "O-2"], "name": ["สมชาย", "มาลี"]})
    households = pd.DataFrame(
        {"household_id": ["H1", "H2", "H3", "H4", "H5"], "หมู่บ้าน": list("ABCDE")}
    )
    out = write_pairs_xlsx(
        result, tmp_path / "pairs.xlsx", officers=officers, households=households
    )
    book = openpyxl.load_workbook(out)
    thai, names = _rows(book["pairs"], 1, 2)
    extra = {
        n: t for t, n in zip(thai, names, strict=True) if n not in with_district_names(result.pairs)
    }
    assert extra == {"officer_name": None, "household_หมู่บ้าน": None}
    thai, names = _rows(book["TH4001"], 1, 2)
    assert thai[names.index("officer_name")] is None
    assert thai[names.index("household_id")] == "รหัสครัวเรือน"
    back = read_table(out, sheet="pairs")
    assert back["officer_name"].tolist() == ["สมชาย", "มาลี", "มาลี"]
    assert back["household_หมู่บ้าน"].tolist() == ["A", "B", "C"]


def test_write_pairs_xlsx_drops_control_characters(tmp_path, result):
    pairs = result.pairs.assign(agency=["กรม\x00\x07ทดสอบ", "b", "c"])
    res = Result(pairs, result.unmatched, status="optimal", objective=11.75)
    out = write_pairs_xlsx(res, tmp_path / "p.xlsx")
    assert read_table(out, sheet="pairs")["agency"].iloc[0] == "กรมทดสอบ"


def test_write_pairs_xlsx_special_numbers(tmp_path, result):
    pairs = result.pairs.assign(
        cost=[np.inf, 1.0, -5.0],
        fit=pd.array([1, None, 0], dtype="Float64"),
        flag=np.array([True, False, True]),
    )
    res = Result(pairs, result.unmatched, status="feasible", objective=0.0)
    sheet = openpyxl.load_workbook(write_pairs_xlsx(res, tmp_path / "p.xlsx"))["pairs"]
    header = [c.value for c in sheet[2]]
    row = {h: c.value for h, c in zip(header, sheet[3], strict=True)}
    assert row["cost"] is None  # inf: empty cell
    assert row["flag"] is True
    assert sheet.cell(5, header.index("cost") + 1).value == -5
    assert sheet.cell(4, header.index("fit") + 1).value is None


def test_write_pairs_xlsx_empty_result(tmp_path):
    res = Result(
        pd.DataFrame(columns=["officer_id", "household_id", "cost", "distance_km", "fit"]),
        pd.DataFrame(columns=["household_id", "kind", "household_district", "reason"]),
        status="optimal",
        objective=0.0,
    )
    out = write_pairs_xlsx(res, tmp_path / "p.xlsx")
    assert openpyxl.load_workbook(out).sheetnames == ["summary", "pairs", "unmatched"]
    assert list(read_table(out, sheet="pairs").columns) == list(res.pairs.columns)


# -- write_geojson ---------------------------------------------------------------------------


@pytest.fixture
def coordinates():
    officers = pd.DataFrame(
        {
            "officer_id": ["007", "O-2", "O-3"],
            "lat": [16.43, 16.0, np.nan],
            "lon": [102.83, 102.7, 102.5],
        }
    )
    households = pd.DataFrame(
        {
            "household_id": ["H1", "H2", "H3", "H4", "H5"],
            "lat": [16.44, 16.1, 16.2, 16.3, None],
            "lon": [102.84, 102.6, 102.5, 102.4, 102.3],
        }
    )
    return officers, households


def test_write_geojson(tmp_path, result, coordinates):
    officers, households = coordinates
    before = [*snapshot(result), officers.copy(), households.copy()]
    out = write_geojson(result, officers, households, tmp_path / "maps" / "k.geojson")
    raw = out.read_bytes()
    assert not raw.startswith(BOM)
    assert "สำนักงานเกษตรอำเภอ".encode() in raw
    assert b"\\u0e" not in raw.lower()
    assert b"NaN" not in raw
    data = json.loads(raw.decode("utf-8"))
    assert data["type"] == "FeatureCollection"
    features = data["features"]
    layers = [f["properties"]["layer"] for f in features]
    assert layers.count("household") == 5
    assert layers.count("officer") == 3
    assert layers.count("pair") == 3
    for f in features:
        if f["geometry"] is not None:
            expected = "LineString" if f["properties"]["layer"] == "pair" else "Point"
            assert f["geometry"]["type"] == expected

    houses = {
        f["properties"]["household_id"]: f
        for f in features
        if f["properties"]["layer"] == "household"
    }
    assert houses["H1"]["geometry"]["coordinates"] == [102.84, 16.44]  # lon, lat
    assert houses["H1"]["properties"] == {
        "layer": "household",
        "household_id": "H1",
        "kind": "พัฒนาได้",
        "district": "TH4001",
        "status": "paired",
        "officer_id": "007",
        "reason": None,
    }
    assert houses["H4"]["properties"]["status"] == "unmatched"
    assert houses["H4"]["properties"]["officer_id"] is None
    assert houses["H4"]["properties"]["reason"] == "ไม่มีเจ้าหน้าที่ในระยะ 30 กม."
    assert houses["H5"]["geometry"] is None  # lat missing

    staff = {
        f["properties"]["officer_id"]: f for f in features if f["properties"]["layer"] == "officer"
    }
    assert staff["O-2"]["properties"] == {
        "layer": "officer",
        "officer_id": "O-2",
        "agency": '=HYPERLINK("http://x")',
        "district": "TH4002",
        "capacity": 2,
        "load": 2,
    }
    assert staff["O-2"]["geometry"] == {"type": "Point", "coordinates": [102.7, 16.0]}
    assert staff["O-3"]["geometry"] is None

    lines = [f for f in features if f["properties"]["layer"] == "pair"]
    first = lines[0]
    assert first["geometry"]["coordinates"] == [[102.83, 16.43], [102.84, 16.44]]
    assert first["properties"] == {
        "layer": "pair",
        "officer_id": "007",
        "household_id": "H1",
        "distance_km": 1.25,
        "cost": 1.25,
        "fit": 1.0,
        "kind_affinity": 1.0,
    }
    assert lines[2]["properties"]["distance_km"] is None  # NaN -> null
    for now, then in zip(
        [result.pairs, result.unmatched, result.officer_load, officers, households],
        before,
        strict=True,
    ):
        pd.testing.assert_frame_equal(now, then)


def test_write_geojson_carries_the_other_input_columns_when_asked(tmp_path, result, coordinates):
    officers, households = coordinates
    officers = officers.assign(name=["คุณสมชาย", "คุณมาลี", "คุณสุดา"])
    households = households.assign(village=list("ABCDE"), status="poor")
    plain = write_geojson(result, officers, households, tmp_path / "plain.geojson")
    text = plain.read_text(encoding="utf-8")
    assert "คุณสุดา" not in text and "household_village" not in text  # personal data stays out
    out = write_geojson(result, officers, households, tmp_path / "k.geojson", details=True)
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    by_layer: dict[str, dict] = {}
    for f in features:
        props = f["properties"]
        by_layer.setdefault(props["layer"], {})[
            props.get("household_id") or props["officer_id"]
        ] = props
    assert by_layer["household"]["H4"]["household_village"] == "D"
    assert by_layer["household"]["H4"]["status"] == "unmatched"  # the result's, not the input's
    assert by_layer["household"]["H4"]["household_status"] == "poor"
    assert by_layer["officer"]["O-3"]["officer_name"] == "คุณสุดา"
    assert "officer_name" not in by_layer["pair"]["H1"]


def test_write_geojson_without_officer_load_or_coordinates(tmp_path, result):
    res = Result(result.pairs, result.unmatched, status="optimal", objective=11.75)
    officers = pd.DataFrame(
        {
            "officer_id": ["007", "O-2"],
            "agency": ["กรมพัฒนาชุมชน", "ตำรวจ"],
            "capacity": np.array([2, 3], dtype=np.int64),
        }
    )
    households = pd.DataFrame({"household_id": ["H1"]})
    out = write_geojson(res, officers, households, tmp_path / "k.geojson")
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert all(f["geometry"] is None for f in features)
    staff = [f["properties"] for f in features if f["properties"]["layer"] == "officer"]
    assert staff == [
        {
            "layer": "officer",
            "officer_id": "007",
            "agency": "กรมพัฒนาชุมชน",
            "district": "TH4001",
            "capacity": 2,
            "load": 1,
        },
        {
            "layer": "officer",
            "officer_id": "O-2",
            "agency": "ตำรวจ",
            "district": "TH4002",
            "capacity": 3,
            "load": 2,
        },
    ]


def test_write_geojson_matches_ids_as_text(tmp_path, result):
    officers = pd.DataFrame({"officer_id": [7], "lat": [16.5], "lon": [102.5]})
    pairs = result.pairs.assign(officer_id=["7", "7", "7"])
    res = Result(pairs, result.unmatched, status="optimal", objective=11.75)
    out = write_geojson(res, officers, pd.DataFrame(columns=["household_id"]), tmp_path / "k.json")
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    staff = [f for f in features if f["properties"]["layer"] == "officer"]
    assert [f["properties"]["officer_id"] for f in staff] == ["7"]
    assert staff[0]["geometry"]["coordinates"] == [102.5, 16.5]
    assert staff[0]["properties"]["load"] == 3


# -- write_summary_json ----------------------------------------------------------------------


def test_write_summary_json(tmp_path, result):
    out = write_summary_json(result, tmp_path / "out" / "summary.json")
    raw = out.read_bytes()
    assert not raw.startswith(BOM)
    assert "ไม่มีเจ้าหน้าที่".encode() in raw
    assert raw.startswith(b"{\n  ")
    data = json.loads(raw)
    expected = result.summary()
    expected["policy"] = result.policy.to_dict()
    expected["stats"] = dict(result.stats)
    assert data == json.loads(json.dumps(expected))  # officers_by_load keys become text
    assert data["policy"]["max_distance_km"] == 30
    assert data["unmatched_reasons"] == {"ไม่มีเจ้าหน้าที่ในระยะ 30 กม.": 1, "-2+3": 1}


# -- one test per error message --------------------------------------------------------------


def test_error_missing_file(tmp_path):
    with pytest.raises(ValidationError, match=r"^officers\.csv: no such file: .*check the path"):
        read_table(tmp_path / "officers.csv")


def test_error_table_name_overrides_file_name(tmp_path):
    with pytest.raises(ValidationError, match=r"^officers: no such file") as info:
        read_table(tmp_path / "x.csv", table="officers")
    assert info.value.file == "officers"


def test_error_folder_not_file(tmp_path):
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(ValidationError, match=r"d\.csv: is a folder, not a file"):
        read_table(tmp_path / "d.csv")


def test_error_unknown_suffix(tmp_path):
    with pytest.raises(ValidationError, match=r"unknown file type '\.ods'; use one of \.csv"):
        read_table(tmp_path / "officers.ods")


def test_error_old_xls(tmp_path):
    with pytest.raises(ValidationError, match=r"old Excel format: open it in Excel and save"):
        read_table(tmp_path / "officers.xls")


@pytest.mark.parametrize("content", [b"", b"  \r\n\n", BOM])
def test_error_empty_csv(tmp_path, content):
    path = tmp_path / "officers.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=r"^officers\.csv: .* is empty; it needs a header"):
        read_table(path)


def test_error_undecodable_with_explicit_encoding(tmp_path):
    path = tmp_path / "officers.csv"
    path.write_bytes(OFFICERS_TEXT.encode("cp874"))
    with pytest.raises(
        ValidationError,
        match=r"cannot be decoded as 'utf-8' \(byte 0x.. at position \d+\).*--encoding",
    ) as info:
        read_table(path, encoding="utf-8")
    assert info.value.file == "officers.csv"


def test_error_cp874_only_byte_with_tis620(tmp_path):
    path = tmp_path / "officers.csv"
    path.write_bytes("officer_id,note\n1,ปี 2560\xa0\n".encode("cp874"))
    with pytest.raises(ValidationError, match=r"cannot be decoded as 'tis-620'.*'cp874'"):
        read_table(path, encoding="tis-620")


@pytest.mark.parametrize(
    ("mark", "text_codec", "encoding", "message"),
    [
        (BOM, "utf-8", "cp874", r"UTF-8 byte-order mark, so it is UTF-8 text, not 'cp874'"),
        (BOM, "utf-8", "latin-1", r"not 'iso8859-1'; leave the encoding out .* 'utf-8-sig'"),
        (b"\xff\xfe", "utf-16-le", "utf-8", r"UTF-16 byte-order mark.*not 'utf-8'.*'utf-16'"),
    ],
)
def test_error_encoding_contradicts_the_byte_order_mark(
    tmp_path, mark, text_codec, encoding, message
):
    path = tmp_path / "officers.csv"
    path.write_bytes(mark + OFFICERS_TEXT.encode(text_codec))
    with pytest.raises(ValidationError, match=message):
        read_table(path, encoding=encoding)
    assert read_table(path).columns[0] == "officer_id"  # without it, the mark decides


def test_error_unknown_encoding(tmp_path):
    path = tmp_path / "officers.csv"
    path.write_text(OFFICERS_TEXT, encoding="utf-8")
    with pytest.raises(ValidationError, match=r"unknown encoding 'klingon'.*'cp874'"):
        read_table(path, encoding="klingon")


def test_error_neither_utf8_nor_cp874(tmp_path):
    path = tmp_path / "officers.csv"
    path.write_bytes(b"officer_id,note\n1,\xdb\xfc\n")
    with pytest.raises(
        ValidationError, match=r"neither UTF-8 nor Thai Windows \(cp874\).*--encoding"
    ):
        read_table(path)


def test_error_bom_but_not_utf8(tmp_path):
    path = tmp_path / "officers.csv"
    path.write_bytes(BOM + OFFICERS_TEXT.encode("cp874"))
    with pytest.raises(
        ValidationError, match=r"starts with a UTF-8 byte-order mark but is not UTF-8"
    ):
        read_table(path)


def test_error_workbook_named_csv(tmp_path):
    path = tmp_path / "officers.csv"
    path.write_bytes(make_workbook(tmp_path / "w.xlsx").read_bytes())
    with pytest.raises(ValidationError, match=r"is an Excel workbook .* rename it to \.xlsx"):
        read_table(path)


def test_error_malformed_rows(tmp_path):
    path = tmp_path / "officers.csv"
    path.write_text("officer_id,agency\n1,a\n2,b,c\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"not a well-formed table .*Expected 2 fields"):
        read_table(path)


def test_error_first_row_longer_than_header(tmp_path):
    # pandas alone would silently use the first column as the index, or drop a value
    path = tmp_path / "officers.csv"
    path.write_text("officer_id,agency\n1,a,extra\n2,b\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"every row needs as many fields as the header"):
        read_table(path)


def test_error_duplicate_column_csv(tmp_path):
    path = tmp_path / "officers.csv"
    path.write_text("officer_id,agency,agency\n1,a,b\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"column 'agency'.*appears more than once") as info:
        read_table(path)
    assert info.value.column == "agency"


def test_error_duplicate_column_xlsx(tmp_path):
    path = tmp_path / "officers.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["officer_id", "หน่วยงาน", "หน่วยงาน"])
    book.save(path)
    with pytest.raises(ValidationError, match=r"column 'หน่วยงาน'.*appears more than once"):
        read_table(path)


def test_error_sheet_on_csv(tmp_path):
    path = tmp_path / "officers.csv"
    path.write_text(OFFICERS_TEXT, encoding="utf-8")
    with pytest.raises(ValidationError, match=r"sheet= applies to Excel workbooks only"):
        read_table(path, sheet="x")


def test_error_encoding_on_xlsx(tmp_path):
    with pytest.raises(ValidationError, match=r"encoding= applies to CSV files only"):
        read_table(make_workbook(tmp_path / "in.xlsx"), encoding="cp874")


def test_error_missing_sheet_lists_available(tmp_path):
    path = make_workbook(tmp_path / "in.xlsx")
    with pytest.raises(
        ValidationError, match=r"in\.xlsx: .* has no sheet 'officers'; sheets: 'ครัวเรือน', 'เจ้าหน้าที่'"
    ):
        read_table(path, sheet="officers")


def test_error_sheet_position_out_of_range(tmp_path):
    path = make_workbook(tmp_path / "in.xlsx")
    with pytest.raises(
        ValidationError, match=r"has 2 sheet\(s\), so there is no sheet at position 2"
    ):
        read_table(path, sheet=2)


def test_error_sheet_wrong_type(tmp_path):
    path = make_workbook(tmp_path / "in.xlsx")
    with pytest.raises(ValidationError, match=r"sheet must be a sheet name or a 0-based position"):
        read_table(path, sheet=1.0)


def test_error_empty_sheet(tmp_path):
    path = tmp_path / "in.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(ValidationError, match=r"sheet 'Sheet' of .* is empty .*header in row 1"):
        read_table(path)


def test_error_damaged_workbook(tmp_path):
    path = tmp_path / "in.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(ValidationError, match=r"in\.xlsx: .* not a readable Excel workbook"):
        read_table(path)


@pytest.mark.parametrize(
    "write",
    [
        lambda res, p: write_csv(res.pairs, p),
        lambda res, p: write_pairs_xlsx(res, p),
        lambda res, p: write_summary_json(res, p),
        lambda res, p: write_geojson(res, res.pairs, res.unmatched, p),
    ],
    ids=["csv", "xlsx", "summary", "geojson"],
)
def test_error_cannot_create_folder(tmp_path, result, write):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(
        ValidationError, match=r"^out\.x: cannot create the folder .*another output"
    ):
        write(result, tmp_path / "file" / "out.x")


@pytest.mark.parametrize(
    "write",
    [
        lambda res, p: write_csv(res.pairs, p),
        lambda res, p: write_pairs_xlsx(res, p),
        lambda res, p: write_summary_json(res, p),
        lambda res, p: write_geojson(res, res.pairs, res.unmatched, p),
    ],
    ids=["csv", "xlsx", "summary", "geojson"],
)
def test_error_cannot_write(tmp_path, result, write):
    (tmp_path / "out.x").mkdir()
    with pytest.raises(ValidationError, match=r"^out\.x: cannot write .*open in Excel"):
        write(result, tmp_path / "out.x")


def test_with_details_joins_other_columns_by_id_as_text() -> None:
    pairs = pd.DataFrame(
        {"officer_id": ["O1", "O2", "O9"], "household_id": [1, 2, 3], "officer_name": "x"}
    )
    officers = pd.DataFrame(
        {
            "officer_id": ["O1", "O2"],
            "agency": "interior",
            "capacity": 2,
            "coordinates": "16.4, 102.8",
            "name": ["Somchai", "Malee"],
        }
    )
    households = pd.DataFrame(
        {"household_id": ["1", "2", "3"], "need_health": 1, "village": ["A", "B", "C"]}
    )
    before = pairs.copy()
    out = with_details(pairs, officers, households)
    assert out.columns.tolist() == [
        "officer_id",
        "household_id",
        "officer_name",
        "officer_name_2",
        "household_village",
    ]
    assert out["officer_name_2"].tolist()[:2] == ["Somchai", "Malee"]
    assert pd.isna(out["officer_name_2"].iloc[2])  # O9 is not in the table
    assert out["household_village"].tolist() == ["A", "B", "C"]
    pd.testing.assert_frame_equal(pairs, before)


def test_with_details_without_tables_or_extra_columns_is_a_copy() -> None:
    pairs = pd.DataFrame({"officer_id": ["O1"], "household_id": ["H1"]})
    officers = pd.DataFrame({"officer_id": ["O1"], "agency": ["interior"], "lat": [16.0]})
    out = with_details(pairs, officers, None)
    pd.testing.assert_frame_equal(out, pairs)
    assert out is not pairs


def test_district_sheets_print_on_a4_and_numbers_are_rounded(tmp_path) -> None:
    import kuseo_match as km
    from kuseo_match import io

    o, h = km.synthetic_province(officers=30, households=40, seed=1)
    result = km.match(o, h)
    book = openpyxl.load_workbook(io.write_pairs_xlsx(result, tmp_path / "pairs.xlsx"))
    districts = [n for n in book.sheetnames if n.startswith("TH")]
    assert districts
    for name in districts:
        sheet = book[name]
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$2"  # the Thai labels and the names
    assert book["pairs"].page_setup.orientation != "landscape"  # the data sheets: as they are
    header = [c.value for c in book["pairs"][2]]
    distance = [r[header.index("distance_km")].value for r in book["pairs"].iter_rows(min_row=3)]
    expected = result.pairs["distance_km"].round(io.write_xlsx.DECIMALS).tolist()
    assert distance == expected
