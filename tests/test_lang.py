"""The Thai ``kuseo-match``: ``--lang``, the help and the error messages in Thai,
the locale as the default, and the message catalogue (``locale/th``).

The CLI runs in-process (:func:`kuseo_match.cli.main` returns the exit status).
"""

from __future__ import annotations

import argparse
import io as stdio
import re
from pathlib import Path

import pytest

import kuseo_match as km
from kuseo_match import cli, io
from kuseo_match.cli import lang
from util import run_cli as run

PO = lang.LOCALE_DIR / "th" / "LC_MESSAGES" / "kuseo_match.po"
MO = PO.with_suffix(".mo")


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    officers, households = km.synthetic_province(officers=30, households=40, seed=1)
    folder = tmp_path / "in"
    io.write_csv(officers, folder / "officers.csv")
    io.write_csv(households, folder / "households.csv")
    return folder


# ---------------------------------------------------------------------------- help
def test_top_level_help_in_thai(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--lang", "th", "--help")
    assert code == 0
    assert out.startswith("วิธีใช้: kuseo-match")
    assert "จับคู่เจ้าหน้าที่ของรัฐกับครัวเรือนยากจน" in out  # the description
    assert "จับคู่ตารางเจ้าหน้าที่และตารางครัวเรือนของท่านเอง" in out  # solve's line
    assert "แสดงคำอธิบายนี้แล้วจบการทำงาน" in out  # argparse's own --help
    assert "สถานะเมื่อจบการทำงาน" in out  # the exit-status epilog
    assert "usage:" not in out
    assert "match your own officers" not in out


def test_solve_help_in_thai(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--lang=th", "solve", "--help")
    assert code == 0
    assert out.startswith("วิธีใช้: kuseo-match solve")
    assert "อ่านตารางเจ้าหน้าที่และตารางครัวเรือน" in out  # the description
    assert "ไฟล์นโยบาย" in out  # --policy, shared in command.py
    assert "โฟลเดอร์ผลลัพธ์" in out  # --out, with its default filled in
    assert "(ค่าเริ่มต้น: kuseo-output)" in " ".join(out.split())
    assert "ไม่แสดงความคืบหน้าและสรุปผล" in out  # -q
    assert "ตารางเจ้าหน้าที่ (" in out  # the officers argument
    assert "policy file" not in out


def test_help_in_english_with_lang_en(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--lang", "en", "solve", "--help")
    assert code == 0
    assert out.startswith("usage: kuseo-match solve")
    assert "policy file (capacity" in out
    assert "output folder, created when missing (default: kuseo-" in out
    assert "วิธีใช้" not in out


def test_lang_after_the_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """--lang belongs to kuseo-match, before the command (as --version does)."""
    code, _, err = run(capsys, "solve", "--lang", "th", "o.csv", "h.csv")
    assert code == 2
    assert "kuseo-match: error: unrecognized arguments: --lang" in err


def test_thai_language_does_not_outlive_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "--lang", "th", "--help")
    assert lang.language() == "en"
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.startswith("usage: kuseo-match")


# ------------------------------------------------------------------------ errors
def test_missing_file_in_thai(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "--lang", "th", "solve", tmp_path / "o.csv", tmp_path / "h.csv", "-q"
    )
    assert code == 2
    assert out == ""
    assert err.splitlines()[-1] == (
        f"kuseo-match: ข้อผิดพลาด: o.csv: ไม่พบไฟล์: {tmp_path / 'o.csv'} กรุณาตรวจสอบชื่อและตำแหน่งของไฟล์"
    )


def test_missing_column_in_thai(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], inputs: Path
) -> None:
    households = io.read_table(inputs / "households.csv").drop(columns="kind")
    io.write_csv(households, inputs / "households.csv")
    code, _, err = run(
        capsys,
        "--lang",
        "th",
        "solve",
        inputs / "officers.csv",
        inputs / "households.csv",
        "--out",
        tmp_path / "out",
        "-q",
    )
    assert code == 2
    line = err.splitlines()[-1]
    assert line.startswith("kuseo-match: ข้อผิดพลาด: households.csv: ไม่มีคอลัมน์ 'kind' (คอลัมน์ที่พบ: ")
    assert "missing" not in line
    assert not (tmp_path / "out" / "pairs.csv").exists()


def test_unknown_policy_setting_in_thai(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], inputs: Path
) -> None:
    (inputs / "policy.toml").write_text("capasity = 3\n", encoding="utf-8")
    code, _, err = run(
        capsys,
        "--lang",
        "th",
        "solve",
        inputs / "officers.csv",
        inputs / "households.csv",
        "--policy",
        inputs / "policy.toml",
        "--out",
        tmp_path / "out",
        "-q",
    )
    assert code == 2
    line = err.splitlines()[-1]
    assert line.startswith(
        "kuseo-match: ข้อผิดพลาด: policy: การตั้งค่า 'capasity': การตั้งค่าที่ไม่รู้จัก "
        "ท่านหมายถึง 'capacity' หรือไม่ การตั้งค่าที่ใช้ได้: capacity, "
    )


def test_workers_and_scheduler_in_thai(capsys: pytest.CaptureFixture[str], inputs: Path) -> None:
    code, _, err = run(
        capsys,
        "--lang",
        "th",
        "solve",
        inputs / "officers.csv",
        inputs / "households.csv",
        "--workers",
        "2",
        "--scheduler",
        "tcp://127.0.0.1:1",
        "--out",
        inputs / "out",
        "-q",
    )
    assert code == 2
    assert err.splitlines()[-1] == (
        "kuseo-match: ข้อผิดพลาด: --workers: "
        "กรุณาระบุ --workers หรือ --scheduler อย่างใดอย่างหนึ่ง ไม่ใช่ทั้งสองอย่าง"
    )


def test_argparse_errors_in_thai(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--lang", "th", "solve")
    assert code == 2
    assert out == ""
    assert err.startswith("วิธีใช้: kuseo-match solve")
    assert err.splitlines()[-1] == (
        "kuseo-match solve: ข้อผิดพลาด: ยังไม่ได้ระบุอาร์กิวเมนต์ที่จำเป็น: officers, households"
    )
    code, _, err = run(capsys, "--lang", "th", "--quiet", "--verbose", "demo")
    assert code == 2
    assert err.splitlines()[-1] == (
        "kuseo-match: ข้อผิดพลาด: ใช้ --quiet และ --verbose พร้อมกันไม่ได้ กรุณาเลือกอย่างใดอย่างหนึ่ง"
    )


def test_errors_stay_english_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "solve", tmp_path / "o.csv", tmp_path / "h.csv", "-q")
    assert code == 2
    assert err.splitlines()[-1] == (
        f"kuseo-match: error: o.csv: no such file: {tmp_path / 'o.csv'}; check the path"
    )


def test_an_untranslated_message_stays_english(capsys: pytest.CaptureFixture[str]) -> None:
    with lang.using("th"):
        assert lang.translated("something new went wrong") == "something new went wrong"


# ------------------------------------------------------------------------ locale
@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "th_TH.UTF-8"}, "th"),
        ({"LC_MESSAGES": "th_TH", "LANG": "en_US.UTF-8"}, "th"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "th_TH.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_default_language(environ: dict[str, str], expected: str) -> None:
    assert lang.default_language(environ) == expected


def test_thai_locale_makes_thai_the_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("LANG", "th_TH.UTF-8")
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.startswith("วิธีใช้: kuseo-match")
    code, _, err = run(capsys, "solve", tmp_path / "o.csv", tmp_path / "h.csv", "-q")
    assert code == 2
    assert "ไม่พบไฟล์" in err.splitlines()[-1]
    code, out, _ = run(capsys, "--lang", "en", "--help")  # --lang wins over the locale
    assert out.startswith("usage: kuseo-match")


def test_set_language_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'; known: th, en"):
        lang.set_language("fr")
    assert lang.language() == "en"


# --------------------------------------------------------------------- catalogue
def test_compiled_catalogue_matches_its_source() -> None:
    """The committed .mo is the .po compiled by Babel: edit the .po, then run
    ``pybabel compile -d src/kuseo_match/locale -D kuseo_match``."""
    pofile = pytest.importorskip("babel.messages.pofile")
    mofile = pytest.importorskip("babel.messages.mofile")
    with PO.open("rb") as f:
        catalog = pofile.read_po(f)
    compiled = stdio.BytesIO()
    mofile.write_mo(compiled, catalog)
    assert compiled.getvalue() == MO.read_bytes(), "recompile the .mo (see the docstring)"


def test_catalogue_is_complete_and_keeps_the_placeholders() -> None:
    pofile = pytest.importorskip("babel.messages.pofile")
    with PO.open("rb") as f:
        catalog = pofile.read_po(f)
    messages = [m for m in catalog if m.id]
    assert messages
    for message in messages:
        assert message.string, f"no Thai for {message.id!r}"
        assert not message.fuzzy, message.id
        names = sorted(re.findall(r"\{\w+\}", message.id))
        assert sorted(re.findall(r"\{\w+\}", message.string)) == names, message.id
    templates = {*lang.TEMPLATES, *lang.LOG_TEMPLATES, *lang.ROWS}
    assert templates <= {m.id for m in messages}


def test_every_text_of_the_code_is_in_the_catalogue() -> None:
    """Every ``_("...")`` of the command (help, stage lines, messages) has its
    Thai: a text changed in English without its Thai would fall back to English."""
    extract = pytest.importorskip("babel.messages.extract")
    pofile = pytest.importorskip("babel.messages.pofile")
    with PO.open("rb") as f:
        known = {m.id for m in pofile.read_po(f) if m.id}
    folder = Path(cli.__file__).parent
    texts = {
        message: f"{path}:{line}"
        for path, line, message, *_ in extract.extract_from_dir(
            str(folder), method_map=[("**.py", "python")]
        )
    }
    assert len(texts) > 50
    missing = {where: text for text, where in texts.items() if text not in known}
    assert not missing


def _help_texts(parser: argparse.ArgumentParser) -> dict[str, str | None]:
    """Every text of ``parser``'s help and its commands', by where it is."""
    texts = {
        f"{parser.prog} description": parser.description,
        f"{parser.prog} epilog": parser.epilog,
    }
    for action in parser._actions:
        texts[f"{parser.prog} {action.dest}"] = action.help
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                texts[f"{parser.prog} {choice.dest} line"] = choice.help
            for sub in action.choices.values():
                texts |= _help_texts(sub)
    return texts


#: Commands whose own options others translate: only the texts that kuseo-match
#: gives every command are checked there (diagnose's options are all shared, and
#: translated).
OTHERS = {"plan", "report"}
EVERY = {"description", "epilog", "line", "help", "quiet", "verbose"}


def test_every_command_and_option_is_translated() -> None:
    """A help text changed in English without its Thai falls back to English
    silently; this names it."""
    english = _help_texts(cli.build_parser())
    with lang.using("th"):
        thai = _help_texts(cli.build_parser())
    assert thai.keys() == english.keys()
    untranslated = [
        where
        for where, text in english.items()
        if text
        and text != argparse.SUPPRESS
        and thai[where] == text
        and (not OTHERS & set(where.split()) or where.split()[-1] in EVERY)
        and where != "kuseo-match version"
    ]
    assert not untranslated


def test_the_printed_summary_is_thai_with_lang_th(tmp_path, capsys) -> None:
    from kuseo_match import cli

    code = cli.main(["--lang", "th", "demo", "--out", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    assert code == 0
    assert "ครัวเรือนที่จับคู่แล้ว" in printed and "Households paired" not in printed
    assert "ดีที่สุด (พิสูจน์แล้วเทียบกับทุกคู่ที่อนุญาต)" in printed
    assert "เจ้าหน้าที่ 1 คนดูแลได้ 2 ครัวเรือน" in printed  # the policy in Thai words
    code = cli.main(["--lang", "en", "demo", "--out", str(tmp_path / "out")])
    assert "Households paired" in capsys.readouterr().out
