"""docs/scripts/project_life_figures.py (issue 16's done-when figures in docs/grid.md) stays runnable and honest."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "scripts" / "project_life_figures.py"


def _script():
    """The script imported as a module."""
    spec = importlib.util.spec_from_file_location("project_life_figures", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_short_run_counts_filings_and_finds_no_zombie(capsys):
    module = _script()
    assert module.main(["1", "run.months=12"]) == 0
    row = json.loads(capsys.readouterr().out.strip())
    assert row["seed"] == 1
    assert row["zombie_project_months"] == 0
    assert row["committed_load_filings"] > 0  # the initial pipeline is filed
    assert 0 <= row["withdrawn_at_random"] <= row["withdrawn"] <= row["committed_load_filings"]


def test_no_argument_prints_the_usage_and_exits_2(capsys):
    assert _script().main([]) == 2
    assert "project_life_figures.py" in capsys.readouterr().err
