"""The command never ends in a traceback, whatever the input file holds: each
malformed officers file below gives exit status 2 (bad input) with a short
message naming the file, and never 4 (a bug) or 1 (which means "unmatched")."""

from __future__ import annotations

import io as stdio
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import kuseo_match as km
from kuseo_match import cli, io


def _xlsx(build) -> bytes:
    book = openpyxl.Workbook()
    build(book)
    buffer = stdio.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = stdio.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _broken_sheet() -> bytes:
    """A workbook whose sheet XML is cut in the middle of a tag."""
    good = _xlsx(
        lambda b: [b.active.append(["officer_id", "agency"]), b.active.append(["O1", "x"])]
    )
    source = zipfile.ZipFile(stdio.BytesIO(good))
    members = {n: source.read(n) for n in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = members[sheet][: len(members[sheet]) // 2]
    return _zip(members)


_RNG = np.random.default_rng(18)
_GOOD = b"officer_id,agency,district,lat,lon\nO1,x,TH4001,16.4,102.8\n"
CASES: dict[str, tuple[str, bytes]] = {
    "random bytes": (".csv", _RNG.integers(0, 256, 5000, dtype=np.uint8).tobytes()),
    "nul bytes": (".csv", b"\x00" * 1000),
    "a byte-order mark only": (".csv", b"\xef\xbb\xbf"),
    "utf-16 without a mark": (".csv", _GOOD.decode().encode("utf-16-le")),
    "a png named .csv": (".csv", b"\x89PNG\r\n\x1a\n" + bytes(200)),
    "an unclosed quote": (".csv", b'officer_id,agency\n"O1,x\nO2,y\n'),
    "a header only": (".csv", b"officer_id,agency,district,lat,lon\n"),
    "ragged rows": (".csv", b"officer_id,agency\nO1,x,y,z\nO2\n"),
    "10,000 columns": (".csv", (",".join(f"c{i}" for i in range(10_000)) + "\n").encode()),
    "carriage returns only": (".csv", _GOOD.replace(b"\n", b"\r") + b"O2,\x1b[2J,TH4001,1,2\r"),
    "a mixed encoding": (".csv", _GOOD + "O2,ก,TH4001,1,2\n".encode("cp874") + "ข".encode()),
    "a 300 KB header cell": (".csv", b"officer_id," + b"x" * 300_000 + b"\nO1,1\n"),
    "an empty file": (".csv", b""),
    "blank lines": (".csv", b"\n\n\n\n"),
    "a truncated workbook": (".xlsx", _xlsx(lambda b: b.active.append(["officer_id"]))[:300]),
    "a zip that is no workbook": (".xlsx", _zip({"hello.txt": b"hi"})),
    "a workbook with garbage xml": (
        ".xlsx",
        _zip({"[Content_Types].xml": b"<not xml", "xl/workbook.xml": b"\x00\x01"}),
    ),
    "an empty workbook": (".xlsx", _xlsx(lambda b: None)),
    "a workbook whose sheet is cut": (".xlsx", _broken_sheet()),
    "a workbook of text": (".xlsx", b"officer_id,agency\nO1,x\n"),
    "a workbook with a formula id": (
        ".xlsx",
        _xlsx(lambda b: (b.active.append(["officer_id", "agency"]), b.active.append(["=A1", "x"]))),
    ),
    "an unknown suffix": (".json", b"{}"),
    "an old excel file": (".xls", b"\xd0\xcf\x11\xe0" + bytes(100)),
}


@pytest.fixture(scope="module")
def households(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, table = km.synthetic_province(officers=5, households=8, seed=0)
    return io.write_csv(table, tmp_path_factory.mktemp("in") / "households.csv")


@pytest.mark.parametrize("case", list(CASES))
def test_a_malformed_officers_file_is_bad_input(
    case: str, households: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suffix, data = CASES[case]
    path = tmp_path / f"officers{suffix}"
    path.write_bytes(data)
    code = cli.main(["solve", str(path), str(households), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"officers{suffix}" in err
    assert "Traceback" not in err and "internal error" not in err
    assert "\x1b" not in err
    assert len(err) < 5_000


@pytest.mark.parametrize(
    ("option", "name", "data"),
    [
        ("--policy", "policy.toml", b"\xff\xfe garbage [[["),
        ("--policy", "policy.toml", b"capacity = 'two'\n[[policy.quotas]]\nmin_share = 'x'\n"),
        ("--costs", "costs.csv", b"officer_id,household_id,cost\nO1,H1,1,250\n"),
        ("--locked", "locked.csv", _RNG.integers(0, 256, 2000, dtype=np.uint8).tobytes()),
        ("--forbidden", "forbidden.xlsx", b"PK\x03\x04 not really"),
    ],
)
def test_a_malformed_side_file_is_bad_input(
    option: str,
    name: str,
    data: bytes,
    households: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    officers, _ = km.synthetic_province(officers=5, households=8, seed=0)
    o = io.write_csv(officers, tmp_path / "officers.csv")
    path = tmp_path / name
    path.write_bytes(data)
    argv = ["solve", str(o), str(households), option, str(path), "--out", str(tmp_path / "out")]
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert name in err or option in err
    assert "Traceback" not in err and "internal error" not in err
    assert len(err) < 5_000
