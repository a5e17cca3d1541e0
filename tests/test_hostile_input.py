"""Files that never lie (the input half): hostile and odd files are read, or refused
with a ValidationError that names the file (and the row or cell) in a short message,
after bounded work; never a traceback from csv, zipfile or the operating system."""

from __future__ import annotations

import datetime
import io
import json
import logging
import os
import re
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kuseo_match.errors import ValidationError
from kuseo_match.io import read_table
from kuseo_match.io.read_csv import _records

#: Longest message a refusal may give (a 10 MB cell must not give a 10 MB message).
SHORT = 2000

OFFICERS = "officer_id,agency,capacity\n007,สำนักงานเกษตรอำเภอ,2\n0100,อบต.บ้านทุ่ม,1\n"


def refused(match: str, *args: object, **kwargs: object) -> ValidationError:
    """The ValidationError ``read_table(*args, **kwargs)`` raises; its message is short."""
    with pytest.raises(ValidationError, match=match) as info:
        read_table(*args, **kwargs)  # type: ignore[arg-type]
    assert len(str(info.value)) < SHORT, len(str(info.value))
    assert "Traceback" not in str(info.value)
    return info.value


def in_child(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it defines ``run()``, timed and measured
    there: seconds, peak resident memory (MB) and the error message, if any."""
    script = textwrap.dedent(code) + textwrap.dedent(
        """
        import json, resource, sys, time
        from kuseo_match.errors import ValidationError
        start = time.perf_counter()
        try:
            run()
            error = None
        except ValidationError as exc:
            error = str(exc)
        seconds = time.perf_counter() - start
        try:  # this process's own peak (ru_maxrss would count the parent's, from fork)
            with open("/proc/self/status") as status:
                hwm = next(line for line in status if line.startswith("VmHWM:"))
            peak = int(hwm.split()[1]) / 1024
        except (OSError, StopIteration):
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            peak /= 1024 * 1024 if sys.platform == "darwin" else 1024
        print(json.dumps({"seconds": seconds, "peak_mb": peak, "error": error}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ CSV: field sizes
def test_field_longer_than_the_csv_limit_in_the_first_rows_is_read(tmp_path: Path) -> None:
    path = tmp_path / "officers.csv"
    path.write_text(f"officer_id,note\n1,{'x' * 200_000}\n2,y\n", encoding="utf-8")
    frame = read_table(path, id_column="officer_id")
    assert frame["note"].str.len().tolist() == [200_000, 1]


def test_title_row_longer_than_the_csv_limit_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "officers.csv"
    path.write_text(f'"{"t" * 150_000}"\n\n{OFFICERS}', encoding="utf-8")
    frame = read_table(path, id_column="officer_id")
    assert frame["officer_id"].tolist() == ["007", "0100"]
    assert frame.attrs["kuseo_match.source"]["rows"].tolist() == [4, 5]


def test_field_longer_than_the_head_of_the_file_is_read(tmp_path: Path) -> None:
    """A 3 MB cell just below the header: the head (1 MB) ends inside it."""
    path = tmp_path / "households.csv"
    path.write_text(f"household_id,note\nH1,{'ก' * 3_000_000}\nH2,y\n", encoding="utf-8")
    frame = read_table(path, id_column="household_id")
    assert frame["note"].str.len().tolist() == [3_000_000, 1]


def test_csv_error_is_a_validation_error_naming_file_and_line() -> None:
    """Outside read_table's raised field limit, csv refuses a long field: the reader
    turns that (or any csv.Error) into a ValidationError naming file and line."""
    text = "officer_id,note\n1,a\n2," + "x" * 200_000 + "\n"
    with pytest.raises(ValidationError, match=r"^officers\.csv: .*on line 3 \(field larger"):
        _records(text, ",", None, Path("officers.csv"), "officers.csv")


# ----------------------------------------------------------------- CSV: line endings
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_line_endings_read_alike_and_quoted_line_breaks_stay(tmp_path: Path, newline: str) -> None:
    rows = ["รายชื่อเจ้าหน้าที่", "", "officer_id,note,capacity", '007,"สอง\nบรรทัด",2', "0100,x,1"]
    path = tmp_path / "officers.csv"
    path.write_bytes(newline.join(rows).encode("cp874") + newline.encode())
    frame = read_table(path, id_column="officer_id")
    assert frame["officer_id"].tolist() == ["007", "0100"]
    assert frame["note"].tolist() == ["สอง\nบรรทัด", "x"]
    assert frame["capacity"].tolist() == [2, 1]
    assert frame.attrs["kuseo_match.source"]["rows"].tolist() == [4, 5]


def test_malformed_row_is_named_as_the_spreadsheet_numbers_it(tmp_path: Path) -> None:
    path = tmp_path / "officers.csv"
    path.write_bytes(b'title\r\rofficer_id,note\r1,"a\rb"\r2,b,c\r')
    err = refused(r"^officers\.csv: row 5: .*Expected 2 fields in row 5, saw 3", path)
    assert err.row == 5


# --------------------------------------------------- CSV: bounded work before refusal
@pytest.mark.skipif(sys.platform == "win32", reason="measures memory with the resource module")
def test_200_mb_csv_without_the_id_column_is_refused_from_its_header(tmp_path: Path) -> None:
    block = b"12345678901,agency,TH4001,16.4322,102.8236,3\n" * 20_000  # 900 kB
    path = tmp_path / "officers.csv"
    with path.open("wb") as out:
        out.write(b"code,agency,district,lat,lon,capacity\n")
        for _ in range(200_000_000 // len(block) + 1):
            out.write(block)
    assert path.stat().st_size > 200_000_000
    try:
        got = in_child(
            f"""
            from kuseo_match.io import read_table
            def run():
                read_table({str(path)!r}, id_column="officer_id")
            """
        )
    finally:
        path.unlink()  # pytest keeps the last temporary folders: not 200 MB of them
    assert got["error"] is not None and got["error"].startswith("officers.csv: no id column")
    assert "'officer_id'" in got["error"] and "--header-row" in got["error"]
    assert len(got["error"]) < SHORT
    assert got["seconds"] < 5, got
    assert got["peak_mb"] < 400, got


def test_more_rows_than_max_rows_are_refused_with_the_count(tmp_path: Path) -> None:
    path = tmp_path / "households.csv"
    path.write_bytes(b"household_id,n\n" + b"H,1\n" * 2_000_001)
    start = time.perf_counter()
    err = refused(
        r"^households\.csv: .* has 2,000,001 data rows below the header \(row 1\), more than "
        r"max_rows=2,000,000; .*larger max_rows",
        path,
        id_column="household_id",
    )
    assert time.perf_counter() - start < 10
    assert err.file == "households.csv"


def test_max_rows_counts_rows_not_lines(tmp_path: Path) -> None:
    path = tmp_path / "households.csv"
    path.write_text('household_id,note\nH1,"a\nb\nc"\nH2,x\n', encoding="utf-8")
    assert len(read_table(path, max_rows=2)) == 2
    refused(r"has 2 data rows .*more than max_rows=1;", path, max_rows=1)
    assert len(read_table(path, max_rows=None)) == 2


@pytest.mark.parametrize("bad", [-1, 1.5, "10", True])
def test_max_rows_must_be_a_whole_number(tmp_path: Path, bad: object) -> None:
    path = tmp_path / "officers.csv"
    path.write_text(OFFICERS, encoding="utf-8")
    refused(r"^officers\.csv: value .*max_rows must be a whole number", path, max_rows=bad)


@pytest.mark.parametrize("header_row", [None, 2])
def test_missing_id_column_is_refused_naming_what_the_header_has(
    tmp_path: Path, header_row: int | None
) -> None:
    path = tmp_path / "officers.csv"
    path.write_text("code,agency\n1,a\n", encoding="utf-8")
    err = refused(
        r"^officers\.csv: no id column: .*'officer_id' \(or 'officer_code', .*\); row \d has ",
        path,
        id_column="officer_id",
        header_row=header_row,
    )
    assert ("row 1 has 'code', 'agency'" if header_row is None else "row 2 has '1', 'a'") in str(
        err
    )


def test_encoding_is_detected_from_the_whole_file_not_its_head(tmp_path: Path) -> None:
    """ASCII for 2 MB, then one Thai cp874 byte: the file is cp874, read as such."""
    path = tmp_path / "households.csv"
    body = b"H%07d,abc\n"
    rows = b"".join(body % i for i in range(200_000))
    path.write_bytes(b"household_id,note\n" + rows + "H,ก\n".encode("cp874"))
    frame = read_table(path, id_column="household_id")
    assert frame["note"].iloc[-1] == "ก"
    err = refused(
        r"^households\.csv: .*cannot be decoded as 'utf-8' \(byte 0xa1 at position "
        r"2600020\) on line 200002; .*--encoding",
        path,
        encoding="utf-8",
    )
    assert err.file == "households.csv"


def test_undecodable_byte_late_in_the_file_is_named_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "households.csv"
    path.write_bytes(b"household_id,note\n" + b"H,abc\n" * 200_000 + b"H,\x81\n")
    refused(
        r"^households\.csv: .* is neither UTF-8 nor Thai Windows \(cp874\) text \(byte 0x81 "
        r"at position 1200020\) on line 200002",
        path,
    )


# ------------------------------------------------------------ ids Excel has mangled
@pytest.mark.parametrize("value", ["1.40990E+12", "1.4099E+12", "1E+12", " 1,4099E+12"])
def test_ids_in_scientific_notation_are_refused_in_csv(tmp_path: Path, value: str) -> None:
    path = tmp_path / "households.csv"
    path.write_text(f'household_id,n\n1409900000001,1\n"{value}",2\n', encoding="utf-8")
    err = refused(
        r"^households\.csv: column 'household_id', row 3, value .*: Excel showed a long number "
        r"in scientific notation and saved it so: the digits are lost; format the column as "
        r"Text in Excel and re-enter or re-export the ids",
        path,
    )
    assert err.row == 3 and err.value == value


def test_scientific_looking_text_in_other_columns_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "households.csv"
    path.write_text("household_id,note\n1e3,1.4099E+12\n", encoding="utf-8")
    frame = read_table(path)
    assert frame["household_id"].tolist() == ["1e3"]


def test_ids_in_scientific_notation_are_refused_in_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "officers.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "ข้อมูล"
    for row in (["รหัสเจ้าหน้าที่", "agency"], ["1409900000001", "a"], ["1.4099E+12", "b"]):
        book.active.append(row)
    book.save(path)
    refused(
        r"^officers\.xlsx, sheet 'ข้อมูล': column 'รหัสเจ้าหน้าที่', row 3, value '1.4099E\+12': "
        r"cell A3: Excel showed a long number in scientific notation",
        path,
    )


@pytest.mark.parametrize(
    "value", [datetime.datetime(2024, 1, 2), datetime.date(2024, 1, 2), datetime.time(1, 2)]
)
def test_ids_excel_turned_into_dates_are_refused(tmp_path: Path, value: object) -> None:
    path = tmp_path / "households.xlsx"
    book = openpyxl.Workbook()
    for row in (["kind", "household_id"], ["x", "H1"], ["y", value]):
        book.active.append(row)
    book.save(path)
    err = refused(
        r"^households\.xlsx, sheet 'Sheet': column 'household_id', row 3: cell B3 holds a date "
        r"\('.*'\), not an id: .*format the id column as Text in Excel and retype the ids",
        path,
    )
    assert err.row == 3


def test_workbook_ids_read_as_text_exactly_as_before(tmp_path: Path) -> None:
    path = tmp_path / "households.xlsx"
    book = openpyxl.Workbook()
    for row in (["household_id", "n"], ["007", 1], [12, 2], [None, 3], [1409900000001, 4]):
        book.active.append(row)
    book.save(path)
    frame = read_table(path)
    assert frame["household_id"].tolist()[:2] == ["007", "12"]
    assert pd.isna(frame["household_id"].iloc[2])
    assert frame["household_id"].iloc[3] == "1409900000001"
    assert frame["household_id"].dtype == pd.read_excel(path, dtype=str)["household_id"].dtype


# ------------------------------------------------------------------- workbooks: XML
def _rewrite_sheet(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Rewrite the first worksheet's XML of the workbook at ``path`` with ``change``."""
    member = "xl/worksheets/sheet1.xml"
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != member:
                out.writestr(item, source.read(item.filename))
        with out.open(member, "w") as target:
            for piece in change(source.read(member)):
                target.write(piece)


def _formatted_down_to(rows: int):  # type: ignore[no-untyped-def]
    """A change declaring ``A1:J{rows}`` and holding every row after the data as a
    formatted empty row (as Excel saves a sheet formatted to its last row)."""

    def change(xml: bytes):  # type: ignore[no-untyped-def]
        xml = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:J{rows}"'.encode(), xml)
        head, tail = xml.split(b"</sheetData>")
        last = int(re.findall(rb'<row r="(\d+)"', head)[-1])
        yield head
        step = 100_000
        for start in range(last + 1, rows + 1, step):
            yield b"".join(
                b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/></row>' % (r, r)
                for r in range(start, min(start + step, rows + 1))
            )
        yield b"</sheetData>" + tail

    return change


def _officers_book(path: Path, rows: int = 3) -> Path:
    book = openpyxl.Workbook()
    book.active.append(["officer_id", "agency", "capacity"])
    for i in range(rows):
        book.active.append([f"O{i}", "สำนักงาน", 2])
    book.save(path)
    return path


def test_sheet_declaring_a_million_formatted_rows_is_read_fast(tmp_path: Path) -> None:
    path = _officers_book(tmp_path / "officers.xlsx")
    _rewrite_sheet(path, _formatted_down_to(1_000_000))
    assert openpyxl.load_workbook(path, read_only=True).active.max_row == 1_000_000
    start = time.perf_counter()
    frame = read_table(path, id_column="officer_id")
    assert time.perf_counter() - start < 10
    assert frame["officer_id"].tolist() == ["O0", "O1", "O2"]
    start = time.perf_counter()
    err = refused(
        r"^officers\.xlsx, sheet 'Sheet': .* has data in row 4, 3 rows below the header "
        r"\(row 1\) \(the sheet declares the range 'A1:J1000000'\), more than max_rows=2; ",
        path,
        max_rows=2,
    )
    assert time.perf_counter() - start < 10
    assert err.file == "officers.xlsx, sheet 'Sheet'"


def test_formula_without_a_saved_value_is_refused_naming_the_cell(tmp_path: Path) -> None:
    path = _officers_book(tmp_path / "officers.xlsx")
    book = openpyxl.load_workbook(path)
    book.active["C2"] = "=1+2"
    book.active["C4"] = "=C2*2"
    book.save(path)
    err = refused(
        r"^officers\.xlsx, sheet 'Sheet': column 'capacity', row 2, value '=1\+2': cell C2 "
        r"holds a formula without a saved value \(1 more such cell\(s\): C4\): .*open and save "
        r"it in Excel \(so the value is stored\), or type the value",
        path,
        id_column="officer_id",
    )
    assert err.row == 2


def test_formula_with_a_saved_value_reads_its_value(tmp_path: Path) -> None:
    """As Excel saves it: the formula and its value; a formula giving empty text
    (``t="str"`` with an empty value) is empty, not refused."""
    path = _officers_book(tmp_path / "officers.xlsx")
    book = openpyxl.load_workbook(path)
    book.active["C2"] = "=1+2"
    book.active["B3"] = '=""'
    book.save(path)

    def change(xml: bytes):  # type: ignore[no-untyped-def]
        xml = xml.replace(b"<f>1+2</f><v />", b"<f>1+2</f><v>3</v>")
        yield xml.replace(b'<c r="B3"><f>""</f><v />', b'<c r="B3" t="str"><f>""</f><v></v>')

    _rewrite_sheet(path, change)
    frame = read_table(path, id_column="officer_id")
    assert frame["capacity"].tolist() == [3, 2, 2]
    assert pd.isna(frame["agency"].iloc[1])


def test_hidden_rows_are_read_and_reported_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _officers_book(tmp_path / "officers.xlsx", rows=10)
    book = openpyxl.load_workbook(path)
    for row in (3, 5, 6, 7, 8, 9, 10):
        book.active.row_dimensions[row].hidden = True
    book.save(path)
    with caplog.at_level(logging.WARNING, logger="kuseo_match.io"):
        frame = read_table(path, id_column="officer_id")
    assert len(frame) == 10
    hidden = [r for r in caplog.records if "hidden" in r.getMessage()]
    assert len(hidden) == 1
    assert (
        hidden[0]
        .getMessage()
        .startswith(
            "officers.xlsx, sheet 'Sheet': 7 hidden row(s) read as usual (row 3, 5, 6, 7, 8, ...)"
        )
    )


def test_workbook_without_the_id_column_is_refused_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "officers.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["code", "x" * 10_000_000])  # openpyxl keeps Excel's 32,767
    book.save(path)
    refused(
        r"^officers\.xlsx, sheet 'Sheet': no id column: the first row does not name "
        r"'officer_id' .*row 1 has 'code', 'xxx.*\(32,767 characters\)",
        path,
        id_column="officer_id",
    )


# ------------------------------------------------------------------ long values, OS
def test_long_header_cells_give_short_messages(tmp_path: Path) -> None:
    path = tmp_path / "officers.csv"
    long = "ก" * 150_000  # 450 kB in UTF-8: the header fits in the first MB
    path.write_text(f"officer_id,{long},{long}\n1,a,b\n", encoding="utf-8")
    err = refused(
        r"^officers\.csv: column '.*\(150,000 characters\): column .*appears more than once", path
    )
    assert err.file == "officers.csv"


def test_first_row_of_ten_megabytes_is_refused_from_the_head(tmp_path: Path) -> None:
    path = tmp_path / "officers.csv"
    path.write_text(f"officer_id,{'x' * 10_000_000}\n1,a\n", encoding="utf-8")
    refused(r"^officers\.csv: the first row of .* is longer than 1 MB, far too long", path)


def test_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "officers.xlsx").mkdir()
    refused(r"^officers\.xlsx: is a folder, not a file", tmp_path / "officers.xlsx")


def test_unreadable_file_is_refused_with_the_system_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "officers.csv"
    path.write_text(OFFICERS, encoding="utf-8")
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        path.chmod(0)
    else:  # root reads any file: let open() refuse as it would for anyone else
        import builtins

        real_open = builtins.open

        def refusing_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
            if Path(file) == path:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", refusing_open)
    try:
        refused(r"^officers\.csv: cannot read .*: Permission denied; check that you may", path)
    finally:
        path.chmod(0o644)


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_error_while_reading_names_the_file(tmp_path: Path) -> None:
    """Reading /proc/self/mem from offset 0 fails with EIO: any OSError while reading."""
    (tmp_path / "officers.csv").symlink_to("/proc/self/mem")
    refused(r"^officers\.csv: cannot read .*: Input/output error$", tmp_path / "officers.csv")


def test_sheet_scan_reads_prefixed_xml_without_row_numbers_across_chunks() -> None:
    """Some writers prefix the tags (``<x:row>``) and leave out ``r``; a sheet of
    more than a MB is scanned in pieces."""
    from kuseo_match.io.read_xlsx_scan import FormulaCell, scan_sheet

    rows = [b"<x:row><x:c t='inlineStr'><x:is><x:t>id</x:t></x:is></x:c></x:row>"]
    rows += [b'<x:row><x:c><x:v>%d</x:v></x:c><x:c s="1"/></x:row>' % i for i in range(2, 40_000)]
    rows += [b'<x:row hidden="1"><x:c><x:f>A1+1</x:f><x:v/></x:c></x:row>']  # row 40,000
    rows += [b'<x:row><x:c s="1"/><x:c><x:v></x:v></x:c></x:row>'] * 5_000  # formatted only
    xml = (
        b'<x:worksheet xmlns:x="main"><x:dimension ref="A1:B45000"/><x:sheetData>'
        + b"".join(rows)
        + b"</x:sheetData><x:rowBreaks><x:f>1</x:f></x:rowBreaks></x:worksheet>"
    )
    assert len(xml) > 2 << 20
    scan = scan_sheet(io.BytesIO(xml), start_row=2)
    assert (scan.declared_rows, scan.last_row, list(scan.hidden)) == (45_000, 40_000, [40_000])
    assert (scan.formula_count, scan.formulas) == (1, [FormulaCell("row 40000", 40_000, "A1+1")])
    early = scan_sheet(io.BytesIO(xml), start_row=2, stop_row=1_000)
    assert early.over and 1_000 < early.last_row < 40_000
