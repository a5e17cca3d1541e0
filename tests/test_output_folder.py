"""An output folder holds one whole run or the one before it, never a mix
(:mod:`kuseo_match.io.folder`): runs stopped inside each output's write, by
Ctrl-C (SIGINT, in-process) and by SIGKILL (a subprocess), after an earlier run
into the same folder; a second run at the same time; a run killed while moving
its files into place."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import kuseo_match as km
from kuseo_match import cli, io
from kuseo_match.io import folder as folder_module
from kuseo_match.io.folder import JOURNAL_NAME, LOCK_NAME, STAGING_PREFIX, OutputFolder

#: What a plain ``solve`` writes, in order.
WRITTEN = tuple(n for n in io.outputs_of("match"))


def snapshot(folder: Path) -> dict[str, str]:
    """Every visible file of ``folder`` and the hash of its bytes."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def tables(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seed 1 and seed 2 differ in size too, so that a mix of their files shows."""
    return km.synthetic_province(officers=12, households=18 + seed, developable=10, seed=seed)


@pytest.fixture
def runs(tmp_path: Path) -> tuple[list[str], list[str], Path]:
    """Arguments of two different runs into one folder; the first has been run."""
    args = []
    for seed in (1, 2):
        folder = tmp_path / f"in{seed}"
        officers, households = tables(seed)
        io.write_csv(officers, folder / "officers.csv")
        io.write_csv(households, folder / "households.csv")
        args.append(["solve", str(folder / "officers.csv"), str(folder / "households.csv")])
    out = tmp_path / "out"
    first = [*args[0], "--out", str(out), "--quiet"]
    second = [*args[1], "--out", str(out), "--quiet"]
    assert cli.main(first) == 0
    return first, second, out


def complete_run(folder: Path) -> bool:
    """Whether ``folder`` holds every output of one run and nothing in between."""
    names = set(snapshot(folder))
    if names != set(WRITTEN):
        return False
    pairs = io.read_table(folder / "pairs.csv")
    summary = pd.read_json(folder / "summary.json", typ="series")
    households = io.read_table(folder / "households.csv")
    return int(summary["paired"]) == len(pairs) and int(summary["households"]) == len(households)


@pytest.mark.parametrize("name", WRITTEN)
def test_ctrl_c_inside_a_write_leaves_the_earlier_run(
    runs, name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _first, second, out = runs
    before = snapshot(out)
    real = OutputFolder.write

    def write(self, output, writer):
        if output != name:
            return real(self, output, writer)
        writer(self.path(output))
        staged = self.path(output)
        staged.write_bytes(staged.read_bytes()[: staged.stat().st_size // 2])  # half written
        signal.raise_signal(signal.SIGINT)
        raise AssertionError("not interrupted")  # pragma: no cover

    monkeypatch.setattr(OutputFolder, "write", write)
    assert cli.main(second) == 130
    assert "interrupted" in capsys.readouterr().err
    assert snapshot(out) == before
    assert complete_run(out)
    assert not any(p.name.startswith(STAGING_PREFIX) for p in out.iterdir())
    assert not (out / LOCK_NAME).exists()


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from kuseo_match import cli
    from kuseo_match.io.folder import OutputFolder
    name, argv = sys.argv[1], sys.argv[2:]
    real = OutputFolder.write
    def write(self, output, writer):
        if output != name:
            return real(self, output, writer)
        writer(self.path(output))
        staged = self.path(output)
        staged.write_bytes(staged.read_bytes()[: staged.stat().st_size // 2])
        os.kill(os.getpid(), signal.SIGKILL)
    OutputFolder.write = write
    sys.exit(cli.main(argv))
    """
)


def test_sigkill_inside_each_write_leaves_the_earlier_run(runs) -> None:
    """One subprocess per output, each killed while writing it."""
    _first, second, out = runs
    before = snapshot(out)
    for name in WRITTEN:
        done = subprocess.run(
            [sys.executable, "-c", KILLER, name, *second], capture_output=True, timeout=120
        )
        assert done.returncode == -signal.SIGKILL, done.stderr.decode()
        assert snapshot(out) == before, name
        assert complete_run(out)
        assert any(p.name.startswith(STAGING_PREFIX) for p in out.iterdir())  # its leftovers
    # the next run clears the killed runs' staging folders and replaces the outputs
    assert cli.main(second) == 0
    assert complete_run(out)
    assert snapshot(out) != before
    assert sorted(p.name for p in out.iterdir()) == sorted(WRITTEN)


def test_sigkill_while_moving_is_finished_by_the_next_command(runs, tmp_path: Path) -> None:
    """Killed after two of the moves: the journal lets the next command on the
    folder finish them, so that the folder holds the killed run whole."""
    _first, second, out = runs
    mover = textwrap.dedent(
        """
        import os, signal, sys
        from kuseo_match import cli
        from kuseo_match.io import folder
        moves = []
        real = os.replace
        def replace(a, b):
            real(a, b)
            if str(a).endswith(".tmp"):
                return
            moves.append(b)
            if len(moves) == 2:
                os.kill(os.getpid(), signal.SIGKILL)
        folder.os.replace = replace
        sys.exit(cli.main(sys.argv[1:]))
        """
    )
    done = subprocess.run([sys.executable, "-c", mover, *second], capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    assert (out / JOURNAL_NAME).exists()  # a mix for now, and the journal says so
    assert not complete_run(out)
    assert cli.main(["report", str(out), "--quiet"]) == 0  # any command on the folder
    assert not (out / JOURNAL_NAME).exists()
    assert complete_run(out)
    officers, _ = tables(2)
    assert set(io.read_table(out / "officers.csv")["officer_id"]) == set(officers["officer_id"])


def test_ctrl_c_while_moving_waits_for_the_moves(
    runs, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _first, second, out = runs
    real = folder_module.os.replace
    calls = []

    def replace(a, b):
        calls.append(b)
        if len(calls) == 2:
            signal.raise_signal(signal.SIGINT)  # held until the moves end
        real(a, b)

    monkeypatch.setattr(folder_module.os, "replace", replace)
    assert cli.main(second) == 130
    monkeypatch.undo()
    assert not (out / JOURNAL_NAME).exists()
    assert complete_run(out)
    officers, _ = tables(2)
    assert set(io.read_table(out / "officers.csv")["officer_id"]) == set(officers["officer_id"])


def test_a_second_run_into_the_folder_is_refused_naming_the_lock(
    runs, capsys: pytest.CaptureFixture[str]
) -> None:
    _first, second, out = runs
    before = snapshot(out)
    with pytest.raises(RuntimeError), OutputFolder(out, "match"):  # another run, going on
        assert cli.main(second) == 2
        err = capsys.readouterr().err
        assert "another kuseo-match run" in err and LOCK_NAME in err
        assert snapshot(out) == before
        raise RuntimeError("the other run fails: the folder stays as it was")
    assert snapshot(out) == before
    assert cli.main(second) == 0  # once the first has ended


def test_a_failed_run_keeps_the_folder_and_names_the_file(
    runs, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _first, second, out = runs
    before = snapshot(out)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(km.report, "write_map", full)
    assert cli.main(second) == 2
    err = capsys.readouterr().err
    assert "map.png" in err and "No space left on device" in err
    assert snapshot(out) == before


def test_an_unwritable_folder_is_refused_before_the_solve(
    tmp_path: Path, runs, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _first, second, _out = runs
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    called = []
    monkeypatch.setattr(cli.command, "match", lambda *a, **k: called.append(1))
    argv = [*second[:3], "--out", str(blocker / "out"), "--quiet"]
    assert cli.main(argv) == 2
    assert "cannot create the output folder" in capsys.readouterr().err
    assert called == []


def test_a_run_replaces_only_its_own_kind_of_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "changes.csv").write_text("an earlier rematch's")
    with OutputFolder(out, "match") as folder:
        folder.write("pairs.csv", lambda p: p.write_text("new"))
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "pairs.csv"]
    with pytest.raises(ValueError, match="not an output"), OutputFolder(out, "report") as folder:
        folder.write("pairs.csv", lambda p: p.write_text("x"))
    assert (out / "pairs.csv").read_text() == "new"


def test_the_outputs_list_drives_the_help_and_the_readme() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for output in io.OUTPUTS:
        assert f"| `{output.name}` |" in readme, output.name
    helps = {c.name: c.description for c in cli.SUBCOMMANDS}
    for name in io.outputs_of("match"):
        assert name in helps["solve"] and name in helps["demo"], name
    assert "changes.csv" in helps["rematch"]
    assert folder_module.outputs_of("report") == ("map.png", "report.html")


def test_a_writer_that_fails_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    """Each writer alone (the library, without a folder) replaces its file whole."""
    path = io.write_csv(pd.DataFrame({"a": [1, 2]}), tmp_path / "t.csv")
    before = path.read_bytes()

    def half(p: Path) -> None:
        p.write_bytes(before[:5])
        raise OSError(28, "No space left on device")

    with pytest.raises(km.ValidationError, match=r"t\.csv.*No space left"):
        io.replace_file(path, half)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]
