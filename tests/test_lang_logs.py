"""The progress lines and the library's warnings in Thai with ``--lang th``:
stage texts through the catalogue, and log records translated by the command's
log handler (:data:`kuseo_match.cli.lang.LOG_TEMPLATES`) with their values kept,
while the library itself logs in English.

The CLI runs in-process (:func:`kuseo_match.cli.main` returns the exit status).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import kuseo_match as km
from kuseo_match import io
from kuseo_match.cli import lang
from util import run_cli as run

#: A Thai agency no fit table knows: the warning names it.
AGENCY = "กรมสมมุติ"


@pytest.fixture
def warned(tmp_path: Path) -> Path:
    """Tables that warn four times as they are read and matched: an empty row in
    the households CSV (io), a latitude with a decimal comma (schema), a
    household registered twice under another id (schema) and an agency the fit
    table lacks (instance)."""
    officers, households = km.synthetic_province(officers=30, households=40, seed=1)
    officers = officers.astype({"lat": object})
    officers.loc[0, "lat"] = f"{officers.loc[0, 'lat']:.4f}".replace(".", ",")
    officers.loc[1, "agency"] = AGENCY
    twin = households.iloc[[0]].assign(household_id="HX-TWIN")
    households = pd.concat([households, twin], ignore_index=True)
    folder = tmp_path / "in"
    io.write_csv(officers, folder / "officers.csv")
    lines = io.write_csv(households, folder / "households.csv").read_text("utf-8-sig").splitlines()
    lines.insert(3, "," * (len(households.columns) - 1))  # spreadsheet row 4: empty
    (folder / "households.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def solve(capsys: pytest.CaptureFixture[str], folder: Path, language: str) -> str:
    code, _, err = run(
        capsys,
        "--lang",
        language,
        "solve",
        folder / "officers.csv",
        folder / "households.csv",
        "--out",
        folder.parent / f"out-{language}",
    )
    assert code == 0, err
    return err


def test_progress_and_warnings_in_thai(capsys: pytest.CaptureFixture[str], warned: Path) -> None:
    err = solve(capsys, warned, "th")
    officers = warned / "officers.csv"
    # the stage lines, their notes and the solver's rounds
    assert f"kuseo_match.cli: กำลังอ่าน {officers} ...\n" in err
    assert re.search(rf"กำลังอ่าน {re.escape(str(officers))} \(30 แถว\): เสร็จใน [0-9.]+ วินาที", err)
    assert "กำลังจับคู่ครัวเรือน 41 ครัวเรือนกับเจ้าหน้าที่ 30 คน: รอบที่ 1: คู่ที่พิจารณา " in err
    assert "กำลังเขียน " in err and "pairs.csv ..." in err
    # the library's warnings, their values kept
    assert "households.csv: ข้ามแถวว่าง 1 แถว (แถว 4)" in err
    assert re.search(
        r"officers\.csv: คอลัมน์ 'lat': อ่านค่า 1 ค่าที่ใช้จุลภาคเป็นจุดทศนิยมเป็นองศาทศนิยม "
        r"ค่าแรก '16,\d{4}' อ่านเป็น 16\.\d+ ที่แถว 2 \(รหัส 'OF00001'\)",
        err,
    )
    assert "households.csv: ครัวเรือน 1 กลุ่มมีข้อมูลเหมือนกันทุกคอลัมน์ยกเว้น household_id" in err
    assert "(id 'HX-TWIN')" in err
    assert re.search(
        r"หน่วยงาน \d+ หน่วยงานไม่มีในตารางความเหมาะสมของหน่วยงาน จึงใช้ค่าความเหมาะสมกลาง "
        rf"\(neutral_fit\) 0\.50: .*{AGENCY}",
        err,
    )
    for english in ("reading ", "done in", "empty row", "decimal comma", "identical", "fit table"):
        assert english not in err


def test_progress_and_warnings_stay_english_with_lang_en(
    capsys: pytest.CaptureFixture[str], warned: Path
) -> None:
    err = solve(capsys, warned, "en")
    officers = warned / "officers.csv"
    assert f"kuseo_match.cli: reading {officers} ...\n" in err
    assert re.search(rf"reading {re.escape(str(officers))} \(30 rows\): done in [0-9.]+ s", err)
    assert "matching 41 households with 30 officers: round 1: " in err
    assert "households.csv: 1 empty row(s) skipped (row 4)" in err
    assert "value(s) written with a decimal comma were read as decimal degrees" in err
    assert "group(s) of households are identical in every column but household_id" in err
    assert "not in the fit table and get the neutral fit 0.50: " in err and AGENCY in err
    for thai in ("กำลังอ่าน", "เสร็จใน", "ข้ามแถวว่าง", "จุลภาค", "หน่วยงาน"):
        assert thai not in err


def _sample(name: str) -> str:
    """A value for ``{name}``; ``{where}`` is a row as the library names one."""
    return "row 7 (id 'H-1')" if name == "where" else f"<{name}-ค่า 1,234>"


@pytest.mark.parametrize("template", lang.LOG_TEMPLATES)
def test_each_log_template_is_translated_with_its_values(template: str) -> None:
    names = set(re.findall(r"\{(\w+)\}", template))
    values = {name: _sample(name) for name in names}
    message = template.format(**values)
    with lang.using("th"):
        thai = lang.translated(message, lang.LOG_TEMPLATES)
        expected = lang._(template)
    assert expected != template, "no Thai in the catalogue"
    assert thai != message
    assert re.search("[\u0e00-\u0e7f]", thai.replace("ค่า 1,234", ""))
    kept = {name: "แถว 7 (รหัส 'H-1')" if name == "where" else v for name, v in values.items()}
    assert thai == expected.format(**kept)
    assert lang.translated(message, lang.LOG_TEMPLATES) == message  # English: as it is


def test_a_repeated_value_must_repeat() -> None:
    """The cost-scale warning names the scale twice: a message with two different
    scales is not that warning, and stays as it is."""
    (template,) = [t for t in lang.LOG_TEMPLATES if t.count("{scale}") == 2]
    odd = template.format(scale="1e+06", objective="3", tolerance="1e-05").replace(
        "1/1e+06", "1/1e+07"
    )
    with lang.using("th"):
        assert lang.translated(odd, lang.LOG_TEMPLATES) == odd


def test_a_row_is_translated_only_where_a_template_names_one() -> None:
    with lang.using("th"):
        assert lang.translated("row 3", lang.ROWS) == "แถว 3"
        assert lang.translated("row 3 (id 'A')", lang.ROWS) == "แถว 3 (รหัส 'A')"
        line = "h.csv: 2 empty row(s) skipped (row 3, 9)"
        assert lang.translated(line, lang.LOG_TEMPLATES) == "h.csv: ข้ามแถวว่าง 2 แถว (แถว 3, 9)"
