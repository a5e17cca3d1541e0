"""The README's Python examples run, and print what the README says they print."""

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def _expected(block: str) -> list[str]:
    """Full-line comments right after a ``print(...)`` statement are its output."""
    out, in_print, in_output = [], False, False
    for line in block.splitlines():
        stripped = line.strip()
        if stripped.startswith("print("):
            in_print, in_output = True, False
        elif in_print and stripped.startswith("#"):
            in_output = True
        elif in_print and not in_output and (line.startswith((" ", ")")) or not stripped):
            continue
        else:
            in_print = in_output = False
        if in_output:
            out.append(stripped[2:] if stripped.startswith("# ") else stripped[1:])
    return out


def test_readme_has_examples():
    assert len(_blocks()) >= 3


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> list[list[str]]:
    """What each block prints, running the blocks once, in order, in one namespace
    (later blocks continue from earlier ones, "continuing from the block above"), in a
    temporary folder."""
    import os

    namespace: dict = {}
    out = []
    here = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("readme"))
    try:
        for block in _blocks():
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                exec(compile(block, "README.md", "exec"), namespace)
            out.append([line.rstrip() for line in buffer.getvalue().splitlines()])
    finally:
        os.chdir(here)
    return out


@pytest.mark.parametrize("index", range(len(_blocks())))
def test_readme_example(index, printed):
    assert printed[index] == [line.rstrip() for line in _expected(_blocks()[index])]
