"""Execute the example notebooks in ``examples/`` and fail on any error output.

Each notebook has a cell tagged ``parameters`` (sizes); a cell inserted right
after it sets small sizes so the run takes seconds.  The kernel is this
interpreter (``sys.executable``, so the project's venv), from a kernel spec
written into a temporary folder: no user-wide kernel is installed or used.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
#: Small sizes injected after each notebook's parameter cell.
SMALL = "HOUSEHOLDS = 60\nOFFICERS = 40\nTIME_LIMIT = 2\n"
KERNEL = "kuseo-test"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory: pytest.TempPathFactory) -> KernelSpecManager:
    root = tmp_path_factory.mktemp("kernels")
    spec = root / KERNEL
    spec.mkdir()
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "kuseo_match tests",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    return KernelSpecManager(kernel_dirs=[str(root)])


def test_examples_exist() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert names == [
        "01_khon_kaen_quickstart.ipynb",
        "02_bring_your_own_data.ipynb",
        "03_guangxi_rules.ipynb",
        "04_a_year_of_changes.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_without_errors(
    path: Path, tmp_path: Path, kernel_specs: KernelSpecManager
) -> None:
    nb = nbformat.read(path, as_version=4)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "a notebook needs exactly one cell tagged 'parameters'"
    nb.cells.insert(tagged[0] + 1, nbformat.v4.new_code_cell(SMALL))

    manager = KernelManager(kernel_name=KERNEL, kernel_spec_manager=kernel_specs)
    client = NotebookClient(
        nb,
        km=manager,
        timeout=300,
        allow_errors=True,  # collect every error, then report them all
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()

    errors = [
        f"cell {i}: {out.ename}: {out.evalue}"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors, "\n".join(errors)
    shown = [
        out.get("data", {}).get("text/plain", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    ]
    assert any("'households': 60" in text for text in shown), "the small sizes were not used"
