"""Parquet in and out (:mod:`kuseo_match.io.read_parquet`, :func:`kuseo_match.io.write_table`,
``--output-format parquet``): the same table read from Parquet as from CSV; damaged
files, too many rows and a missing pyarrow refused naming the file; the command
line reading Parquet inputs and writing Parquet tables, one format per folder."""

from __future__ import annotations

import logging
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kuseo_match as km
from kuseo_match import io
from kuseo_match.errors import ValidationError
from kuseo_match.io import read_table, write_table
from util import run_cli as run

pytest.importorskip("pyarrow")

#: Ids with leading zeros and words pandas reads as missing, Thai text, empty cells.
TABLE = pd.DataFrame(
    {
        "household_id": ["0012", "007", "NA", "H-4", "0005"],
        "kind": ["ครัวเรือนพัฒนาได้", "ครัวเรือนสงเคราะห์", "", None, "ครัวเรือนพัฒนาได้"],
        "village": ["บ้านโนนทัน", None, "หมู่ 3", "บ้านทุ่ม", ""],
        "members": [4, 2, 5, 3, 1],
        "income": [1250.5, np.nan, 800.0, 0.0, np.nan],
    }
)


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    return km.synthetic_province(officers=12, households=18, developable=10, seed=4)


@pytest.fixture
def parquet_inputs(tmp_path: Path, tables: tuple[pd.DataFrame, pd.DataFrame]) -> list[Path]:
    officers, households = tables
    return [
        write_table(officers, tmp_path / "in" / "officers.parquet"),
        write_table(households, tmp_path / "in" / "households.parquet"),
    ]


# ------------------------------------------------------------------------ read and write
def test_round_trip_reads_as_the_csv_does(tmp_path: Path) -> None:
    before = TABLE.copy()
    from_parquet = read_table(write_table(TABLE, tmp_path / "households.parquet"))
    from_csv = read_table(write_table(TABLE, tmp_path / "households.csv"))
    pd.testing.assert_frame_equal(TABLE, before)  # the caller's frame is not changed
    pd.testing.assert_frame_equal(from_parquet, from_csv)
    assert from_parquet["household_id"].tolist() == ["0012", "007", "NA", "H-4", "0005"]
    assert from_parquet["kind"].iloc[0] == "ครัวเรือนพัฒนาได้"
    assert from_parquet["kind"].isna().tolist() == [False, False, True, True, False]
    assert from_parquet["village"].isna().tolist() == [False, True, False, False, True]
    assert from_parquet["members"].tolist() == [4, 2, 5, 3, 1]
    assert from_parquet.attrs["kuseo_match.source"]["rows"].tolist() == [2, 3, 4, 5, 6]


def test_typed_columns_keep_their_type_and_text_is_never_a_number(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "officer_id": [12, 7],  # whole-number ids stay numbers: validation reads ids
            "phone": ["0812345678", "081-000-0002"],
            "zone": pd.Categorical(["ก", "ข"]),
        }
    ).iloc[[1, 0]]  # an index pandas writes as a column
    frame.to_parquet(tmp_path / "o.pq")
    got = read_table(tmp_path / "o.pq")
    assert list(got.columns) == ["officer_id", "phone", "zone"]
    assert got["officer_id"].tolist() == [7, 12]
    assert got["phone"].tolist() == ["081-000-0002", "0812345678"]
    assert got["zone"].tolist() == ["ข", "ก"] and not isinstance(
        got["zone"].dtype, pd.CategoricalDtype
    )


def test_rows_whose_cells_are_all_empty_are_skipped_as_in_csv(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    frame = pd.DataFrame({"officer_id": ["A", None, "B"], "agency": ["x", "", "y"]})
    with caplog.at_level(logging.WARNING, logger="kuseo_match.io"):
        got = read_table(write_table(frame, tmp_path / "officers.parquet"))
    assert got["officer_id"].tolist() == ["A", "B"]
    assert got.attrs["kuseo_match.source"]["rows"].tolist() == [2, 4]
    assert "officers.parquet: 1 empty row(s) skipped (row 3)" in caplog.text


def test_a_column_mixing_text_and_numbers_is_written_as_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    frame = pd.DataFrame({"officer_id": ["A", "B", "C"], "room": [12, "3-B", None]})
    with caplog.at_level(logging.WARNING, logger="kuseo_match.io"):
        got = read_table(write_table(frame, tmp_path / "o.parquet"))
    assert got["room"].tolist()[:2] == ["12", "3-B"] and pd.isna(got["room"].iloc[2])
    assert "column 'room' mixes text" in caplog.text


def test_max_rows_is_honoured_from_the_footer(tmp_path: Path) -> None:
    path = write_table(TABLE, tmp_path / "households.parquet")
    with pytest.raises(ValidationError, match=r"^households\.parquet: .*5 data rows, more than "):
        read_table(path, max_rows=4)
    assert len(read_table(path, max_rows=5)) == 5


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        pytest.param(
            lambda p: p.write_bytes(p.read_bytes()[:-40]), "cannot be read as Parquet", id="cut"
        ),
        pytest.param(
            lambda p: p.write_bytes(b"PAR1" + b"\0" * 64 + b"PAR1"),
            "cannot be read as Parquet",
            id="junk",
        ),
        pytest.param(lambda p: p.write_text("household_id\nH1\n"), "rename it to .csv", id="csv"),
        pytest.param(_zip, "rename it to .xlsx", id="workbook"),
        pytest.param(lambda p: p.write_bytes(b""), "is empty", id="empty"),
    ],
)
def test_a_damaged_or_wrong_file_is_refused_naming_it(tmp_path: Path, damage, message: str) -> None:
    path = write_table(TABLE, tmp_path / "households.parquet")
    damage(path)
    with pytest.raises(ValidationError, match=message) as info:
        read_table(path)
    assert str(info.value).startswith("households.parquet: ")
    assert "Traceback" not in str(info.value) and len(str(info.value)) < 600


def test_a_missing_id_column_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = write_table(TABLE.rename(columns={"household_id": "เลขที่"}), tmp_path / "h.parquet")
    with pytest.raises(
        ValidationError, match=r"^h\.parquet: no id column: .*'household_id'.*'เลขที่'"
    ):
        read_table(path, id_column="household_id")


@pytest.mark.parametrize(
    ("option", "for_"),
    [
        ({"encoding": "cp874"}, "CSV files"),
        ({"sheet": 0}, "Excel workbooks"),
        ({"header_row": 2}, "CSV files and Excel workbooks"),
    ],
)
def test_options_of_other_formats_are_refused(tmp_path: Path, option: dict, for_: str) -> None:
    path = write_table(TABLE, tmp_path / "h.parquet")
    name = next(iter(option))
    with pytest.raises(ValidationError, match=rf"{name}= applies to {for_} only, .*a Parquet file"):
        read_table(path, **option)


def test_without_pyarrow_reading_and_writing_say_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_table(TABLE, tmp_path / "h.parquet")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    install = r'pip install "kuseo-match\[parquet\]"'
    with pytest.raises(ValidationError, match=rf"^h\.parquet: reading .*needs pyarrow.*{install}"):
        read_table(path)
    with pytest.raises(ValidationError, match=rf"^p\.parquet: writing .*{install}"):
        write_table(TABLE, tmp_path / "p.parquet")


def test_write_table_refuses_other_suffixes_and_repeated_columns(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"unknown table file type '\.xlsx'"):
        write_table(TABLE, tmp_path / "t.xlsx")
    twice = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ValidationError, match="appears more than once"):
        write_table(twice, tmp_path / "t.parquet")
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------------- command line
def test_solve_writes_parquet_tables_and_a_csv_run_replaces_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], parquet_inputs: list[Path]
) -> None:
    out = tmp_path / "out"
    argv = ["solve", *parquet_inputs, "--out", out, "-q"]
    code, _, err = run(capsys, *argv, "--output-format", "parquet")
    assert code == 0, err
    for table in ("pairs", "unmatched", "officer_load", "officers", "households"):
        assert (out / f"{table}.parquet").is_file() and not (out / f"{table}.csv").exists()
    pairs = read_table(out / "pairs.parquet")
    code, _, err = run(capsys, *argv)  # csv, the default, into the same folder
    assert code == 0, err
    assert not list(out.glob("*.parquet"))
    pd.testing.assert_frame_equal(pairs, read_table(out / "pairs.csv"))
    assert len(pairs) and pairs["household_id"].map(type).eq(str).all()


def test_report_reads_back_a_folder_written_in_parquet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], parquet_inputs: list[Path]
) -> None:
    out = tmp_path / "out"
    code, _, err = run(
        capsys, "solve", *parquet_inputs, "--out", out, "-q", "--output-format", "parquet"
    )
    assert code == 0, err
    (out / "report.html").unlink()
    code, _, err = run(capsys, "report", out, "-q")
    assert code == 0, err
    assert (out / "report.html").is_file()


def test_an_input_in_the_output_folder_is_kept_in_either_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    out = tmp_path / "out"
    officers = io.write_csv(tables[0], out / "officers.csv")
    households = write_table(tables[1], tmp_path / "households.parquet")
    before = officers.read_bytes()
    argv = ["solve", officers, households, "--out", out, "--output-format", "parquet", "-q"]
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    assert officers.read_bytes() == before  # neither written over nor removed
    assert not (out / "officers.parquet").exists() and (out / "households.parquet").is_file()


def test_header_row_goes_to_the_inputs_that_have_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], parquet_inputs: list[Path]
) -> None:
    out = tmp_path / "out"
    code, _, err = run(capsys, "solve", *parquet_inputs, "--out", out, "--header-row", "officers=1")
    assert code == 2
    assert "--header-row" in err and "officers.parquet is a Parquet file" in err
    code, _, err = run(capsys, "solve", *parquet_inputs, "--out", out, "--header-row", "1")
    assert code == 2 and "applies to none of the inputs" in err
    code, _, err = run(capsys, "solve", *parquet_inputs, "--out", out, "--encoding", "cp874")
    assert code == 2 and "drop --encoding" in err
    assert not (out / "pairs.csv").exists()


def test_output_format_parquet_without_pyarrow_stops_before_any_work(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tables: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    officers = io.write_csv(tables[0], tmp_path / "officers.csv")
    households = io.write_csv(tables[1], tmp_path / "households.csv")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    out = tmp_path / "out"
    code, _, err = run(
        capsys, "solve", officers, households, "--out", out, "--output-format", "parquet"
    )
    assert code == 2
    assert 'pip install "kuseo-match[parquet]"' in err and "Traceback" not in err
    assert not out.exists()


def test_in_format_names_the_tables_only() -> None:
    assert io.in_format("changes.csv", "parquet") == "changes.parquet"
    assert io.in_format("summary.json", "parquet") == "summary.json"
    with pytest.raises(ValueError, match="unknown table format"):
        io.in_format("pairs.csv", "feather")
