"""Every notebook in notebooks/ is executed on CPU with small parameters (QUICK=True).

Notebooks are stored without outputs; papermill injects the parameters after the cell tagged
``parameters`` and runs the notebook in a temporary folder, so nothing is written into the repo.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, f"no notebooks found in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_clean(path: Path) -> None:
    cells = _cells(path)
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code cells"
    for i, cell in enumerate(code):
        assert not cell.get("outputs"), f"{path.name}: code cell {i} is stored with outputs"
        assert cell.get("execution_count") is None, f"{path.name}: code cell {i} has a count"
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: expected one cell tagged 'parameters'"
    assert "QUICK" in "".join(tagged[0]["source"]), f"{path.name}: parameters cell lacks QUICK"
    assert any(c["cell_type"] == "markdown" for c in cells), f"{path.name}: no prose"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    papermill = pytest.importorskip("papermill")
    env_backup = dict(os.environ)
    os.environ["MPLBACKEND"] = "Agg"
    try:
        papermill.execute_notebook(
            str(path),
            str(tmp_path / path.name),
            parameters={"QUICK": True},
            cwd=str(tmp_path),
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=600,
        )
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    executed = json.loads((tmp_path / path.name).read_text(encoding="utf-8"))
    errors = [
        o
        for c in executed["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, f"{path.name} raised: {errors[0].get('ename')}: {errors[0].get('evalue')}"
