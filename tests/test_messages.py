"""What the command prints about hostile data: control characters escaped in
warnings, errors and the report; long values cut; a bug is never exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

import kuseo_match as km
from kuseo_match import cli, io

ESCAPE = "\x1b]0;pwned\x07\x1b[2J"


def test_control_characters_are_escaped_in_warnings_and_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    officers, households = km.synthetic_province(officers=12, households=20, seed=3)
    officers = officers.copy()
    officers.loc[0, "agency"] = f"agency {ESCAPE}"
    io.write_csv(officers, tmp_path / "officers.csv")
    io.write_csv(households, tmp_path / "households.csv")
    out = tmp_path / "out"
    code = cli.main(
        [
            "solve",
            str(tmp_path / "officers.csv"),
            str(tmp_path / "households.csv"),
            "--out",
            str(out),
        ]
    )
    assert code in (0, 1)
    err = capsys.readouterr().err
    assert "\\x1b]0;pwned\\x07" in err  # the unknown-agency warning shows it escaped
    assert "\x1b" not in err and "\x07" not in err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "\x1b" not in html and "\x07" not in html


def test_a_long_value_is_cut_in_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    officers, households = km.synthetic_province(officers=12, households=20, seed=3)
    officers = officers.astype({"capacity": object})
    officers.loc[0, "capacity"] = "9" * 1_000_000 + "x"
    io.write_csv(officers, tmp_path / "officers.csv")
    io.write_csv(households, tmp_path / "households.csv")
    argv = ["solve", str(tmp_path / "officers.csv"), str(tmp_path / "households.csv")]
    assert cli.main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "officers.csv" in err and "1,000,001 characters" in err
    assert len(err) < 2_000


def test_a_bug_is_exit_4_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli.command, "match", broken)
    officers, households = km.synthetic_province(officers=12, households=20, seed=3)
    io.write_csv(officers, tmp_path / "officers.csv")
    io.write_csv(households, tmp_path / "households.csv")
    argv = ["solve", str(tmp_path / "officers.csv"), str(tmp_path / "households.csv")]
    assert cli.main([*argv, "--out", str(tmp_path / "out")]) == 4
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError" in err and "please report" in err
    assert "Traceback" not in err
