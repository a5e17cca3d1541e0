"""End-to-end tests of the ``kuseo-match`` command (:mod:`kuseo_match.cli`).

Most tests call :func:`kuseo_match.cli.main` in-process on small synthetic
tables in temporary folders and check the exit status, what was printed and
the files written; a few run the real console script in a subprocess.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import kuseo_match as km
from kuseo_match import cli, io
from util import run_cli as run

OUTPUTS = cli.OUTPUT_FILES
BOM = b"\xef\xbb\xbf"


# --------------------------------------------------------------------------- helpers


def assert_every_household_once(out: Path, household_ids: pd.Series) -> None:
    pairs = io.read_table(out / "pairs.csv")
    unmatched = io.read_table(out / "unmatched.csv")
    seen = pd.concat([pairs["household_id"], unmatched["household_id"]], ignore_index=True)
    assert not seen.duplicated().any()
    assert sorted(seen) == sorted(household_ids.astype(str))


def write_inputs(folder: Path, officers: pd.DataFrame, households: pd.DataFrame) -> Path:
    io.write_csv(officers, folder / "officers.csv")
    io.write_csv(households, folder / "households.csv")
    return folder


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    return km.synthetic_province(officers=30, households=40, developable=20, seed=1)


@pytest.fixture
def inputs(tmp_path: Path, tables: tuple[pd.DataFrame, pd.DataFrame]) -> Path:
    return write_inputs(tmp_path / "in", *tables)


@pytest.fixture
def small_demo(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """Make ``demo`` generate 30 officers and 40 households; record the seeds it asks for."""
    seeds: list[int | None] = []

    def small(name: str = "Khon Kaen", *, seed: int | None = 0, **_: object):
        seeds.append(seed)
        return km.synthetic_province(name, officers=30, households=40, seed=seed)

    monkeypatch.setattr(cli.demo, "synthetic_province", small)
    return seeds


@pytest.fixture
def feasible(monkeypatch: pytest.MonkeyPatch) -> list[float | None]:
    """Make the CLI's match return status "feasible" (as a time limit would); record limits."""
    limits: list[float | None] = []
    real = cli.command.match

    def stopped(*args: object, time_limit: float | None = None, **kwargs: object):
        limits.append(time_limit)
        return dataclasses.replace(real(*args, time_limit=time_limit, **kwargs), status="feasible")

    monkeypatch.setattr(cli.command, "match", stopped)
    return limits


# ------------------------------------------------------------------------------ help
def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in cli.SUBCOMMANDS:
        assert command.name in out
    assert "exit status" in out


@pytest.mark.parametrize("command", [c.name for c in cli.SUBCOMMANDS])
def test_help_of_each_command(capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert out.startswith(f"usage: kuseo-match {command}")
    assert "--quiet" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"kuseo-match {km.__version__}"


@pytest.mark.parametrize(
    "command",
    [
        pytest.param([sys.executable, "-m", "kuseo_match"], id="python -m kuseo_match"),
        pytest.param([str(Path(sys.executable).with_name("kuseo-match"))], id="console script"),
    ],
)
def test_real_command_help(command: list[str]) -> None:
    if not Path(command[0]).exists():
        pytest.skip(f"{command[0]} is not installed")
    done = subprocess.run(
        [*command, "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "usage: kuseo-match" in done.stdout
    assert "demo" in done.stdout


def test_real_command_bad_input_exit_status(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kuseo_match", "solve", "no-officers.csv", "no-households.csv"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "no such file" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


# ------------------------------------------------------------------------------ demo
@pytest.mark.slow
def test_demo_full_size_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    code, stdout, stderr = run(capsys, "demo", "--out", out, "--quiet")
    assert code == 0
    assert stdout == "" and stderr == ""
    for name in (*OUTPUTS, "officers.csv", "households.csv"):
        assert (out / name).is_file(), name
    for name in ("officers.csv", "households.csv", "pairs.csv", "unmatched.csv"):
        assert (out / name).read_bytes().startswith(BOM), name
    officers = io.read_table(out / "officers.csv")
    households = io.read_table(out / "households.csv")
    assert (len(officers), len(households)) == (740, 1174)
    assert_every_household_once(out, households["household_id"])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal"
    assert summary["paired"] == 1174
    # the programme's rules: capacity 2 and every officer carries a household
    assert summary["policy"]["min_load"] == 1 and summary["policy"]["capacity"] == 2
    assert "0" not in {str(k) for k in summary["officers_by_load"]}
    assert (out / "map.png").read_bytes()[:4] == b"\x89PNG"
    assert "</html>" in (out / "report.html").read_text(encoding="utf-8")


def test_demo_prints_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], small_demo: list[int | None]
) -> None:
    out = tmp_path / "demo"
    code, stdout, _ = run(capsys, "demo", "--out", out, "--seed", 7)
    assert code == 0
    assert small_demo == [7]
    for label in (
        "Households paired",
        "40 of 40",
        "Mean distance",
        "Longest distance",
        "Agency fits kind",
        "Officers with 0/1/2 households",
        "Status",
        "optimal",
        "Time",
        "Policy",
        "capacity 2 households per officer; at least 1 household per officer (of capacity 1 "
        "or more)",
    ):
        assert label in stdout, label
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert f"{summary['mean_distance_km']:.1f} km" in stdout
    assert f"{summary['kind_fit_share']:.1%}" in stdout
    assert_every_household_once(out, io.read_table(out / "households.csv")["household_id"])


def test_demo_time_limit_exit_3(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    small_demo: list[int | None],
    feasible: list[float | None],
) -> None:
    code, stdout, _ = run(capsys, "demo", "--out", tmp_path, "--time-limit", 5)
    assert code == 3
    assert feasible == [5.0]
    assert "feasible" in stdout
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "feasible"


# ----------------------------------------------------------------------------- solve
def test_solve_writes_every_output(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    inputs: Path,
    tables: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    out = tmp_path / "out"
    code, stdout, _ = run(
        capsys, "solve", inputs / "officers.csv", inputs / "households.csv", "--out", out
    )
    assert code == 0
    assert "Households paired" in stdout and "40 of 40" in stdout
    for name in (*OUTPUTS, "officers.csv", "households.csv"):
        assert (out / name).is_file(), name
    assert_every_household_once(out, tables[1]["household_id"])
    # the same pairs as the library
    expected = km.match(*tables).pairs
    got = io.read_table(out / "pairs.csv")
    assert got["household_id"].tolist() == expected["household_id"].tolist()
    assert got["officer_id"].tolist() == expected["officer_id"].tolist()


def test_solve_quiet_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], inputs: Path
) -> None:
    args = ("solve", inputs / "officers.csv", inputs / "households.csv", "--out", tmp_path)
    assert run(capsys, *args, "--quiet") == (0, "", "")
    assert run(capsys, "--quiet", *args) == (0, "", "")


def test_solve_thai_xlsx_and_cp874_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    officers, households = tables
    thai_agency = dict(
        zip(
            km.default_fit_table().frame["agency"],
            km.default_fit_table().frame["name_th"],
            strict=True,
        )
    )
    officers = officers.assign(agency=officers["agency"].map(thai_agency).fillna("ตำรวจ"))
    households = households.assign(
        kind=households["kind"].map({"developable": "พัฒนาได้", "welfare": "สงเคราะห์"})
    )
    officers.to_excel(tmp_path / "เจ้าหน้าที่.xlsx", index=False)
    households.to_csv(tmp_path / "ครัวเรือน.csv", index=False, encoding="cp874")
    out = tmp_path / "out"
    code, _, _ = run(
        capsys,
        "solve",
        tmp_path / "เจ้าหน้าที่.xlsx",
        tmp_path / "ครัวเรือน.csv",
        "--encoding",
        "cp874",
        "--out",
        out,
        "--quiet",
    )
    assert code == 0
    pairs = io.read_table(out / "pairs.csv")
    assert set(pairs["agency"]) <= set(officers["agency"])
    assert_every_household_once(out, households["household_id"])


def test_solve_never_overwrites_its_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    tables[0].to_csv(tmp_path / "officers.csv", index=False, encoding="cp874")
    tables[1].to_csv(tmp_path / "households.csv", index=False, encoding="cp874")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    code, _, _ = run(
        capsys,
        "solve",
        tmp_path / "officers.csv",
        tmp_path / "households.csv",
        "--out",
        tmp_path,
        "--quiet",
    )
    assert code == 0
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    assert all((tmp_path / name).is_file() for name in OUTPUTS)


def test_solve_shortfall_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    officers, households = tables
    inputs = write_inputs(tmp_path / "in", officers.head(10), households)  # 20 slots, 40 homes
    out = tmp_path / "out"
    code, stdout, _ = run(
        capsys, "solve", inputs / "officers.csv", inputs / "households.csv", "--out", out
    )
    assert code == 1
    assert "20 of 40" in stdout
    assert "Unmatched" in stdout
    assert len(io.read_table(out / "unmatched.csv")) == 20
    assert_every_household_once(out, households["household_id"])


def test_solve_time_limit_exit_3_wins_over_unmatched(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tables: tuple[pd.DataFrame, pd.DataFrame],
    feasible: list[float | None],
) -> None:
    inputs = write_inputs(tmp_path / "in", tables[0].head(10), tables[1])
    code, _, _ = run(
        capsys,
        "solve",
        inputs / "officers.csv",
        inputs / "households.csv",
        "--out",
        tmp_path / "out",
        "--time-limit",
        "0.5",
        "--quiet",
    )
    assert code == 3
    assert feasible == [0.5]


def test_solve_with_costs_and_no_coordinates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    officers, households = tables
    costs = km.pair_costs(
        officers,
        households,
        pd.merge(officers[["officer_id"]], households[["household_id"]], how="cross"),
    )[["officer_id", "household_id", "cost"]].assign(cost=lambda d: d["cost"].round())
    inputs = write_inputs(
        tmp_path / "in",
        officers.drop(columns=["lat", "lon"]),
        households.drop(columns=["lat", "lon"]),
    )
    io.write_csv(costs, inputs / "minutes.csv")
    out = tmp_path / "out"
    code, stdout, stderr = run(
        capsys,
        "solve",
        inputs / "officers.csv",
        inputs / "households.csv",
        "--costs",
        inputs / "minutes.csv",
        "--out",
        out,
    )
    assert code == 0
    assert "n/a" in stdout  # no distances without coordinates
    assert "no map.png" in stderr
    assert not (out / "map.png").exists()
    assert (out / "report.html").is_file()
    pairs = io.read_table(out / "pairs.csv")
    assert pairs["cost"].sum() == pytest.approx(
        km.match(officers, households, costs=costs).objective
    )
    assert_every_household_once(out, households["household_id"])


# ------------------------------------------------------------------------- bad input
def _drop_kind(folder: Path) -> list[object]:
    households = io.read_table(folder / "households.csv").drop(columns="kind")
    io.write_csv(households, folder / "households.csv")
    return []


def _policy_file(text: str):
    def make(folder: Path) -> list[object]:
        (folder / "policy.toml").write_text(text, encoding="utf-8")
        return ["--policy", folder / "policy.toml"]

    return make


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        pytest.param(_drop_kind, "households.csv: missing column(s) 'kind'", id="missing column"),
        pytest.param(_policy_file("capasity = 3\n"), "did you mean 'capacity'", id="unknown key"),
        pytest.param(_policy_file("capacity = \n"), "is not valid TOML", id="bad toml"),
        pytest.param(_policy_file("capacity = -1\n"), "must be >= 0", id="bad setting"),
        pytest.param(lambda f: ["--policy", f / "nowhere.toml"], "no such file", id="no policy"),
        pytest.param(lambda f: ["--time-limit", "0"], "time_limit", id="time limit 0"),
        pytest.param(lambda f: ["--encoding", "klingon"], "unknown encoding", id="encoding"),
    ],
)
def test_solve_bad_input_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    inputs: Path,
    setup,
    message: str,
) -> None:
    extra = setup(inputs)
    out = tmp_path / "out"
    code, stdout, stderr = run(
        capsys, "solve", inputs / "officers.csv", inputs / "households.csv", "--out", out, *extra
    )
    assert code == 2
    assert stdout == ""
    # progress lines (stderr is not a terminal here), then the one error line
    assert stderr.splitlines()[-1].startswith("kuseo-match: error: ")
    assert all(line.startswith("INFO ") for line in stderr.splitlines()[:-1])
    assert message in stderr
    assert "Traceback" not in stderr
    assert not (out / "pairs.csv").exists()


def test_solve_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run(capsys, "solve", tmp_path / "o.csv", tmp_path / "h.csv")
    assert code == 2
    assert "o.csv: no such file" in stderr


def test_encoding_with_workbooks_only_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    tables[0].to_excel(tmp_path / "o.xlsx", index=False)
    tables[1].to_excel(tmp_path / "h.xlsx", index=False)
    code, _, stderr = run(
        capsys, "solve", tmp_path / "o.xlsx", tmp_path / "h.xlsx", "--encoding", "cp874"
    )
    assert code == 2
    assert "drop --encoding" in stderr


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param([], id="no command"),
        pytest.param(["frobnicate"], id="unknown command"),
        pytest.param(["demo", "--seeed", "1"], id="unknown option"),
        pytest.param(["demo", "--seed", "one"], id="not a number"),
        pytest.param(["--quiet", "demo", "--verbose"], id="quiet and verbose"),
        pytest.param(["synth"], id="no province"),
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, stdout, stderr = run(capsys, *argv)
    assert code == 2
    assert stdout == ""
    assert "usage: kuseo-match" in stderr


# ----------------------------------------------------------------------------- synth
def test_synth_writes_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "synth"
    code, stdout, _ = run(
        capsys,
        "synth",
        "--province",
        "ขอนแก่น",
        "--households",
        50,
        "--officers",
        20,
        "--developable",
        30,
        "--seed",
        3,
        "--out",
        out,
    )
    assert code == 0
    assert "20 officers and 50 households" in stdout
    officers = io.read_table(out / "officers.csv")
    households = io.read_table(out / "households.csv")
    assert (len(officers), len(households)) == (20, 50)
    assert (households["kind"] == "developable").sum() == 30
    assert (out / "households.csv").read_bytes().startswith(BOM)
    expected = km.synthetic_province(
        "Khon Kaen", officers=20, households=50, developable=30, seed=3
    )[1]
    assert households["household_id"].tolist() == expected["household_id"].tolist()


def test_synth_other_province(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(
        capsys,
        "synth",
        "--province",
        "Chiang Mai",
        "--households",
        30,
        "--officers",
        10,
        "--out",
        tmp_path,
        "-q",
    )
    assert code == 0
    assert set(io.read_table(tmp_path / "households.csv")["province"]) == {"TH50"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--province", "Atlantis"], "Atlantis", id="unknown province"),
        pytest.param(["--province", "TH40", "--households", "-1"], "households", id="negative"),
        pytest.param(
            ["--province", "TH40", "--households", "5", "--developable", "9"],
            "developable",
            id="too many developable",
        ),
    ],
)
def test_synth_bad_input_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, stderr = run(capsys, "synth", *argv, "--out", tmp_path)
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stderr


def test_verbose_logs_stages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run(
        capsys,
        "synth",
        "--province",
        "TH40",
        "--households",
        10,
        "--officers",
        5,
        "--out",
        tmp_path,
        "--verbose",
    )
    assert code == 0
    assert "generating TH40" in stderr
    assert "writing" in stderr
    assert not logging.getLogger("kuseo_match").handlers  # the command cleans up


# ---------------------------------------------------------------------------- report
def test_report_rebuilds_map_and_html(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tables: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    officers, households = tables
    inputs = write_inputs(tmp_path / "in", officers.head(15), households)
    out = tmp_path / "out"
    code, _, _ = run(
        capsys, "solve", inputs / "officers.csv", inputs / "households.csv", "--out", out, "-q"
    )
    assert code == 1
    original = (out / "report.html").read_text(encoding="utf-8")
    (out / "map.png").unlink()
    (out / "report.html").unlink()

    code, stdout, _ = run(capsys, "report", out)
    assert code == 0
    assert "map.png" in stdout and "report.html" in stdout
    assert (out / "map.png").read_bytes()[:4] == b"\x89PNG"
    rebuilt = (out / "report.html").read_text(encoding="utf-8")
    for marker in (
        'id="paired" data-value="30"',
        'id="unmatched" data-value="10"',
        'data-value="optimal"',
        'data-key="stats.rounds"',
    ):
        assert marker in original and marker in rebuilt


def test_load_result_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    officers, households = tables
    inputs = write_inputs(tmp_path / "in", officers.head(15), households)
    policy = km.Policy(max_distance_km=40, capacity=2)
    (inputs / "policy.toml").write_text("max_distance_km = 40\n", encoding="utf-8")
    run(
        capsys,
        "solve",
        inputs / "officers.csv",
        inputs / "households.csv",
        "--out",
        tmp_path / "out",
        "--policy",
        inputs / "policy.toml",
        "-q",
    )
    expected = km.match(officers.head(15), households, policy)

    result, o, h = cli.load_result(tmp_path / "out")
    assert (len(o), len(h)) == (15, 40)
    assert result.status == expected.status
    assert result.policy == policy
    assert result.objective == pytest.approx(expected.objective)
    assert result.pairs["household_id"].tolist() == expected.pairs["household_id"].tolist()
    assert result.pairs["officer_id"].tolist() == expected.pairs["officer_id"].tolist()
    assert result.unmatched["reason"].tolist() == expected.unmatched["reason"].tolist()
    assert result.officer_load["load"].tolist() == expected.officer_load["load"].tolist()
    assert result.summary() == expected.summary()
    # the run's statistics come back (times differ from the fresh run, counts do not)
    assert result.stats["rounds"] == expected.stats["rounds"] >= 1
    assert result.stats["candidate_pairs"] == expected.stats["candidate_pairs"]
    assert set(result.stats["seconds_by_stage"]) == set(expected.stats["seconds_by_stage"])


def test_report_with_policy_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], inputs: Path
) -> None:
    out = tmp_path / "out"
    run(capsys, "solve", inputs / "officers.csv", inputs / "households.csv", "--out", out, "-q")
    (tmp_path / "p.toml").write_text("[policy]\nfit_weight = 33\n", encoding="utf-8")
    code, _, _ = run(capsys, "report", out, "--policy", tmp_path / "p.toml", "-q")
    assert code == 0
    assert 'data-key="fit_weight"><th>' in (out / "report.html").read_text(encoding="utf-8")
    assert "<td>33</td>" in (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("missing", ["summary.json", "pairs.csv", "officers.csv"])
def test_report_incomplete_folder_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], inputs: Path, missing: str
) -> None:
    out = tmp_path / "out"
    run(capsys, "solve", inputs / "officers.csv", inputs / "households.csv", "--out", out, "-q")
    (out / missing).unlink()
    code, _, stderr = run(capsys, "report", out)
    assert code == 2
    assert missing in stderr
    assert "Traceback" not in stderr


def test_report_not_a_summary_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], inputs: Path
) -> None:
    out = tmp_path / "out"
    run(capsys, "solve", inputs / "officers.csv", inputs / "households.csv", "--out", out, "-q")
    (out / "summary.json").write_text("[1, 2", encoding="utf-8")
    code, _, stderr = run(capsys, "report", out)
    assert code == 2
    assert "not readable JSON" in stderr


def test_report_no_folder_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run(capsys, "report", tmp_path / "nowhere")
    assert code == 2
    assert "no such folder" in stderr


def test_solve_pair_lists_carry_the_other_input_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    """Names, phones and villages typed into the input tables come out beside each pair
    (in pairs.csv, unmatched.csv and the workbook), and the folder still rebuilds."""
    officers, households = tables
    officers = officers.head(10).assign(name=lambda d: "คุณ " + d["officer_id"], phone="08-1234")
    households = households.assign(village=lambda d: "บ้าน " + d["household_id"].astype(str))
    inputs = write_inputs(tmp_path / "in", officers, households)
    out = tmp_path / "out"
    code, _, _ = run(
        capsys, "solve", inputs / "officers.csv", inputs / "households.csv", "--out", out, "-q"
    )
    assert code == 1  # 20 slots for 40 households
    pairs = io.read_table(out / "pairs.csv")
    assert {"officer_name", "officer_phone", "household_village"} <= set(pairs.columns)
    assert "officer_province" in pairs.columns and "officer_capacity" not in pairs.columns
    assert (pairs["officer_name"] == "คุณ " + pairs["officer_id"]).all()
    assert (pairs["household_village"] == "บ้าน " + pairs["household_id"]).all()
    unmatched = io.read_table(out / "unmatched.csv")
    assert (unmatched["household_village"] == "บ้าน " + unmatched["household_id"]).all()
    assert "officer_name" not in unmatched.columns
    sheet = io.read_table(out / "pairs.xlsx", sheet="pairs")
    assert sheet["officer_name"].tolist() == pairs["officer_name"].tolist()
    code, _, _ = run(capsys, "report", out, "-q")
    assert code == 0


def test_solve_header_row_skips_titles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, frame in zip(("officers.csv", "households.csv"), tables, strict=True):
        title = f"รายชื่อ {name} จังหวัดขอนแก่น\nพิมพ์เมื่อ 1 ต.ค. 2562\n"
        (folder / name).write_text(title + frame.to_csv(index=False), encoding="utf-8")
    out = tmp_path / "out"
    argv = ["solve", folder / "officers.csv", folder / "households.csv", "--out", out]
    code, _, err = run(capsys, *argv)  # the header is found under the title
    assert code == 0
    assert err.count("the header is row 3") == 2
    assert_every_household_once(out, tables[1]["household_id"])
    expected = pd.read_csv(out / "pairs.csv")
    code, _, _ = run(capsys, *argv, "--header-row", 3, "-q")  # or given
    assert code == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "pairs.csv"), expected)
    code, _, err = run(capsys, *argv, "--header-row", "officers=1", "-q")  # or wrong
    assert code == 2 and "officers.csv: " in err and "no id column" in err


# ------------------------------------------------------------------ rules from files
def test_solve_with_locked_and_forbidden_files_and_same_district(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], inputs: Path
) -> None:
    out = tmp_path / "out"
    argv = ["solve", inputs / "officers.csv", inputs / "households.csv", "--out", out, "-q"]
    code, _, _ = run(capsys, *argv)
    assert code == 0
    pairs = io.read_table(out / "pairs.csv")
    first = pairs.iloc[0]
    # lock the first pair's officer to another household of its district; forbid its pair
    other = pairs[
        (pairs["household_district"] == first["officer_district"])
        & (pairs["officer_id"] != first["officer_id"])
    ].iloc[0]
    locked = (first["officer_id"], other["household_id"])
    io.write_csv(pd.DataFrame([locked], columns=["officer_id", "household_id"]), tmp_path / "l.csv")
    io.write_csv(pairs.iloc[[0]][["officer_id", "household_id"]], tmp_path / "f.csv")
    policy = tmp_path / "policy.toml"
    policy.write_text("[policy]\nsame_district = true\n", encoding="utf-8")
    rules = ["--locked", tmp_path / "l.csv", "--forbidden", tmp_path / "f.csv"]
    code, _, err = run(capsys, *argv, *rules, "--policy", policy)
    assert code in (0, 1), err
    ruled = io.read_table(out / "pairs.csv")
    chosen = set(zip(ruled["officer_id"], ruled["household_id"], strict=True))
    assert locked in chosen
    assert (first["officer_id"], first["household_id"]) not in chosen
    assert (ruled["officer_district"] == ruled["household_district"]).all()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["policy"]["same_district"] is True


def test_solve_locked_pair_not_allowed_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], inputs: Path
) -> None:
    officers = io.read_table(inputs / "officers.csv")
    households = io.read_table(inputs / "households.csv")
    io.write_csv(
        pd.DataFrame(
            {
                "officer_id": [officers["officer_id"].iloc[0]] * 3,
                "household_id": households["household_id"].iloc[:3].tolist(),
            }
        ),
        tmp_path / "locked.csv",
    )
    code, _, err = run(
        capsys,
        "solve",
        inputs / "officers.csv",
        inputs / "households.csv",
        "--out",
        tmp_path / "out",
        "--locked",
        tmp_path / "locked.csv",
    )
    assert code == 2
    assert "locked households but capacity 2" in err.splitlines()[-1]


def test_diagnose_refuses_a_time_limit_it_would_ignore(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "diagnose", "o.csv", "h.csv", "--time-limit", "3")
    assert code == 2
    assert "--time-limit" in err
