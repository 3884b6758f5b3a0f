"""The notebooks of docs/notebooks/ run top to bottom at reduced size, and are stored clean.

Each notebook is executed with nbclient in a fresh kernel started from the project root (so
`import abm` is this checkout) at POWERSTACK_NOTEBOOK_SCALE=0.25 and in one process
(POWERSTACK_NOTEBOOK_WORKERS=1); a cell that raises fails the test with its traceback.
Committed notebooks hold no outputs, so they never go stale against the model's results.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))
REDUCED = {"POWERSTACK_NOTEBOOK_SCALE": "0.25", "POWERSTACK_NOTEBOOK_WORKERS": "1"}


def _need(module: str) -> ModuleType:
    """The module, else a skip (a failure in CI, which installs the [docs] extra)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{module} is missing: CI installs the [docs] extra (Makefile EXTRAS)")
        pytest.skip(f"{module} not installed (pip install -c constraints.txt -e '.[docs]')")


def test_the_three_notebooks_exist() -> None:
    names = {p.stem for p in NOTEBOOKS}
    assert {"first_run", "paired_comparison", "sweep_and_discovery"} <= names, names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    nbformat = _need("nbformat")
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    dirty = [
        i
        for i, cell in enumerate(book.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} hold outputs; clear them before committing"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_at_reduced_size(
    path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    nbformat, nbclient = _need("nbformat"), _need("nbclient")
    _need("ipykernel")
    for key, value in {**REDUCED, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        book, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()  # raises CellExecutionError (with the cell and traceback) on any error
    errors = [
        out for cell in book.cells for out in cell.get("outputs", []) if out.output_type == "error"
    ]
    assert not errors
