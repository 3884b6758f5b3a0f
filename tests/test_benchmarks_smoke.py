"""Smoke test of the benchmark harness: `run_all.py --quick` runs and writes well-formed results.

No timing is asserted (the machine is shared); only that every benchmark ran and that its
figures are finite, positive where they should be, and reported in results.json and the
markdown report.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = (
    "reference",
    "baseline",
    "cold_shell",
    "national",
    "power_market",
    "scaling",
    "sweep",
    "app_ensemble",
    "optimisations",
    "profile",
)


def _positive(value: Any) -> bool:
    """A finite number > 0."""
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def _check_run(row: dict[str, Any], memory: bool = True) -> None:
    """One instrumented model run: sizes, times and a phase split that adds up."""
    keys = ("wall_s", "cpu_s", "init_s", "step_s", "ms_per_month")
    for key in keys + (("peak_rss_mb",) if memory else ()):
        assert _positive(row[key]), (key, row[key])
    assert row["months"] >= 1 and row["n_bus"] >= 20 and row["queue_requests"] > 0
    groups = row["groups_s"]
    assert set(groups) >= {"agents", "queue", "pack market", "power market", "data collection"}
    assert all(v >= 0 for v in groups.values())
    assert sum(groups.values()) == pytest.approx(row["step_s"], rel=0.05)
    assert row["phases_s"]["power_market.clear"] > 0


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """Run the quick benchmark once into a temporary folder; return the JSON and markdown."""
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((out / "results.json").read_text()), (out / "performance.md").read_text()


def test_every_benchmark_ran(quick_results: tuple[dict[str, Any], str]) -> None:
    results, _ = quick_results
    assert results["quick"] is True
    for name in SECTIONS:
        assert name in results, name
    assert _positive(results["total_wall_s"])
    machine = results["machine"]
    assert machine["nproc"] >= 1 and machine["cpu_model"] and machine["python"]
    assert {"numpy", "scipy", "highspy"} <= set(machine["packages"])
    for name, timing in results["sections"].items():
        assert _positive(timing["wall_s"]), name


def test_model_runs_are_well_formed(quick_results: tuple[dict[str, Any], str]) -> None:
    results, _ = quick_results
    assert _positive(results["reference"]["boltzmann_s"])
    baseline = results["baseline"]
    _check_run(baseline, memory=False)
    assert _positive(baseline["wall_over_reference"])
    assert len(baseline["wall_s_all"]) >= 1
    cold = results["cold_shell"]
    for key in ("python_s", "import_mesa_s", "import_model_s", "run_baseline_s"):
        assert _positive(cold[key]), key
    assert cold["import_model_s"] > cold["python_s"]
    assert results["national"]
    for row in results["national"]:
        _check_run(row)
        assert row["n_hyperscalers"] == 50
    for part in ("buses", "queue_requests"):
        rows = results["scaling"][part]["rows"]
        assert len(rows) >= 2
        for row in rows:
            _check_run(row)
        assert math.isfinite(results["scaling"][part]["exponent_wall"])
    sizes = [row["n_bus"] for row in results["scaling"]["buses"]["rows"]]
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)


def test_market_sweep_and_optimisation_figures(quick_results: tuple[dict[str, Any], str]) -> None:
    results, _ = quick_results
    market = results["power_market"]
    if "skipped" not in market:
        assert market["rows"]
        for row in market["rows"]:
            for key in (
                "rundcopp_ms",
                "ours_cold_ms",
                "ours_warm_ms_per_hour",
                "bare_highs_cold_ms",
            ):
                assert _positive(row[key]), key
            assert row["objective_rel_gap_vs_pandapower"] < 1e-4
    sweep = results["sweep"]
    assert [row["workers"] for row in sweep["rows"]] == [1, 2]
    assert all(row["failed"] == 0 and row["runs"] >= 1 for row in sweep["rows"])
    assert _positive(sweep["parallel_efficiency_2_workers"])
    app = results["app_ensemble"]
    assert app["seeds"] >= 2 and app["failed_seeds"] == 0 and app["workers"] >= 1
    assert 0 < app["page_seed_s"] <= app["band_s"]
    for row in results["optimisations"]["hosting"]:
        assert row["max_rel_diff"] < 1e-9
        assert _positive(row["before_ms"]) and _positive(row["after_ms"])
    for row in results["optimisations"]["market"]:
        assert row["after_max_rel_cost_diff"] < 1e-7
        assert _positive(row["speedup"])
    assert "PowerStackModel.step" in results["profile"]["tree"]


def test_markdown_report_has_every_section(quick_results: tuple[dict[str, Any], str]) -> None:
    _, markdown = quick_results
    for heading in (
        "## Machine",
        "## Targets",
        "## 1. Baseline run",
        "## 2. National scale",
        "## 3. Power market",
        "## 4. Scaling",
        "## 5. Sweep throughput",
        "## 6. The app's ensemble band",
        "## Optimisations",
        "## Profile of a baseline run",
    ):
        assert heading in markdown, heading
    assert "quick smoke run" in markdown
    targets = markdown.split("## Targets", 1)[1].split("## 1.", 1)[0]
    assert targets.count("| met |") + targets.count("| **missed** |") >= 8
    assert "ensemble band complete" in targets
