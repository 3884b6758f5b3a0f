"""Sensitivity analysis of sweeps: Sobol and Morris recover known functions; unfinished sweeps refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from abm.cli import main
from abm.errors import InputError
from abm.sweeps import (
    RunTask,
    Sensitivity,
    analyze_sweep,
    load_results,
    load_spec,
    markdown,
    run_sweep,
    summary_table,
    worker,
)
from tests.conftest import slow_scale
from tests.sweep_cases import FAST, SWEEPS


def _fake_run(task: RunTask) -> dict[str, Any]:
    """A known function of the parameters instead of the model (plus a constant and a failing KPI)."""
    x = task.params
    g, c, d = (
        x["demand.growth_multiplier"],
        x["policy.carbon_price_usd_per_t"],
        x["hyperscalers.duplicate_filings"],
    )
    return {
        "run_id": task.run_id,
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
        **x,
        "energized_mw.grid": 10.0 * g + 0.01 * c,  # g dominates, d has no effect
        "co2_mt.total": 3.0,  # constant
        "queue.median_wait_months": None if g > 1.9 else d,  # undefined at a few points
        "packs.second_life_gwh": None if g > 1.0 else g,  # undefined at most points
        "status": "ok",
        "error": None,
        "wall_time_s": 0.0,
        "cpu_time_s": 0.0,
    }


LEVERS = {
    "demand.growth_multiplier": {"min": 0.5, "max": 2.0},
    "policy.carbon_price_usd_per_t": {"min": 0, "max": 100},
    "hyperscalers.duplicate_filings": {"min": 1, "max": 4},
}


def check_sobol_outputs(result: Sensitivity) -> None:
    """The known-function Sobol result's table columns, files and reading table."""
    assert set(result.table.columns) == {
        "method",
        "kpi",
        "parameter",
        "index",
        "value",
        "conf",
        "samples",
        "complete",
    }
    assert {p.name for p in result.paths.values()} == {
        "sensitivity.csv",
        "sensitivity.parquet",
        "sensitivity.png",
    }
    assert pd.read_csv(result.paths["csv"]).shape == result.table.shape
    cells = summary_table(result)
    assert re.fullmatch(
        r"0\.9\d \(0\.9\d\)", cells.loc["demand.growth_multiplier", "energized_mw.grid"]
    )
    assert list(cells.index) == [*LEVERS, "sum of S1"]
    assert markdown(cells).startswith("| parameter | `energized_mw.grid` |")


def test_sobol_analysis_recovers_a_known_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "execute_run", _fake_run)
    spec = {
        "name": "known",
        "scenario": "baseline",
        "design": "sobol",
        "samples": 64,
        "seeds_per_point": 2,
        "months": 1,
        "fixed": FAST,
        "parameters": LEVERS,
        "kpis": [
            "energized_mw.grid",
            "co2_mt.total",
            "queue.median_wait_months",
            "packs.second_life_gwh",
        ],
    }
    run_sweep(spec, tmp_path / "s", workers=1, progress=False)
    strict = analyze_sweep(tmp_path / "s", write=False)
    # the complete KPI gets indices; KPIs with holes are refused with the count, not estimated
    assert strict.kpis == ["energized_mw.grid"] and strict.table["complete"].all()
    assert strict.skipped["co2_mt.total"] == "constant across the design"
    for kpi in ("queue.median_wait_months", "packs.second_life_gwh"):
        assert re.fullmatch(
            r"refused: \d+ of 64 Saltelli blocks incomplete \(no value at \d+ of 320 design "
            r"points: failed runs or undefined KPI\); indices on the rest would be unreliable",
            strict.skipped[kpi],
        )
    assert set(strict.incomplete) == {"queue.median_wait_months", "packs.second_life_gwh"}
    result = analyze_sweep(tmp_path / "s", allow_incomplete=True)
    t = result.table.set_index(["kpi", "index", "parameter"])["value"]
    # analytic: Var(10 g) = 100 * 1.5**2 / 12, Var(0.01 c) = 100**2 * 1e-4 / 12
    var_g, var_c = 100 * 1.5**2 / 12, 1.0 / 12
    assert t["energized_mw.grid", "S1", "demand.growth_multiplier"] == pytest.approx(
        var_g / (var_g + var_c), abs=0.05
    )
    assert t["energized_mw.grid", "ST", "hyperscalers.duplicate_filings"] == pytest.approx(
        0.0, abs=1e-9
    )
    assert set(result.skipped) == {"co2_mt.total", "packs.second_life_gwh"}
    assert result.skipped["packs.second_life_gwh"].startswith("only ")
    # with allow_incomplete, blocks with a hole are dropped and the KPI is flagged unreliable
    assert set(result.incomplete) == {"queue.median_wait_months", "packs.second_life_gwh"}
    assert t["queue.median_wait_months", "S1", "hyperscalers.duplicate_filings"] == pytest.approx(
        1.0, abs=0.1
    )
    wait = result.table[result.table["kpi"] == "queue.median_wait_months"]
    assert 32 <= wait["samples"].iloc[0] < 64 and wait["samples"].nunique() == 1
    assert not wait["complete"].any()
    assert "queue.median_wait_months (UNRELIABLE)" in summary_table(result).columns
    check_sobol_outputs(result)


def test_morris_analysis_recovers_a_known_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "execute_run", _fake_run)
    spec = {
        "name": "m",
        "scenario": "baseline",
        "design": "morris",
        "samples": 10,
        "months": 1,
        "fixed": FAST,
        "parameters": LEVERS,
        "kpis": ["energized_mw.grid"],
    }
    run_sweep(spec, tmp_path / "m", workers=1, progress=False)
    result = analyze_sweep(tmp_path / "m", plot_path=tmp_path / "m.png")
    t = result.table.set_index(["index", "parameter"])["value"]
    # one Morris step is 2/3 of the range: EE = slope * range
    assert t["mu_star", "demand.growth_multiplier"] == pytest.approx(10.0 * 1.5, rel=1e-9)
    assert t["mu_star", "policy.carbon_price_usd_per_t"] == pytest.approx(0.01 * 100, rel=1e-9)
    assert t["mu_star", "hyperscalers.duplicate_filings"] == pytest.approx(0.0, abs=1e-12)
    assert (tmp_path / "m.png").stat().st_size > 10_000


def test_analyze_refuses_unfinished_or_unsuitable_sweeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "execute_run", _fake_run)
    factorial = {
        "scenario": "baseline",
        "months": 1,
        "fixed": FAST,
        "parameters": {k: [v["min"], v["max"]] for k, v in LEVERS.items()},
        "kpis": ["energized_mw.grid"],
    }
    run_sweep(factorial, tmp_path / "f", workers=1, progress=False)
    with pytest.raises(InputError, match="needs a sobol or morris sweep"):
        analyze_sweep(tmp_path / "f")
    spec = {
        "scenario": "baseline",
        "design": "sobol",
        "samples": 4,
        "months": 1,
        "fixed": FAST,
        "parameters": LEVERS,
        "kpis": ["energized_mw.grid"],
    }
    run_sweep(spec, tmp_path / "u", workers=1, max_runs=3, progress=False)
    with pytest.raises(InputError, match="17 of 20 runs are not recorded yet"):
        analyze_sweep(tmp_path / "u")
    with pytest.raises(InputError, match="not a sweep folder"):
        analyze_sweep(tmp_path)


def test_cli_sweep_then_analyze(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "small.toml"
    spec.write_text(
        'name = "small"\nscenario = "baseline"\ndesign = "sobol"\nsamples = 4\nseed = 3\nmonths = 3\n'
        'kpis = ["energized_mw.onsite_gas", "co2_mt.total"]\n'
        '[fixed]\n"grid.n_buses" = 20\n'
        "[parameters]\ndemand.growth_multiplier = { min = 0.5, max = 2.0 }\npolicy.carbon_price_usd_per_t = { min = 0, max = 200 }\n"
    )
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o"), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "sweep small: 16 runs" in out and "16 ok, 0 failed" in out
    assert main(["analyze", str(tmp_path / "o"), "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "| `demand.growth_multiplier` |" in out and "sensitivity.png" in out
    assert "| parameter | `co2_mt.total` |" in out  # three months move CO2 (on-site gas stays 0)
    assert load_results(tmp_path / "o")["status"].eq("ok").all()


@pytest.mark.slow
def test_sobol_baseline_spec_at_reduced_size(tmp_path: Path) -> None:
    scale = slow_scale()
    spec = load_spec(SWEEPS / "sobol_baseline.toml")
    months = max(6, round(48 * scale**1.5))  # 48 at full size, 6 at 0.25 (a run is mostly set-up)
    samples = max(4, round(8 * scale))  # Saltelli base samples: 4 at 0.25 size, 8 at full size
    data = {
        **spec.canonical(),
        "samples": samples,
        "months": months,
        "fixed": {**spec.fixed, **FAST},
    }
    data = {k: v for k, v in data.items() if v not in (None, [])}
    df = run_sweep(data, tmp_path / "sobol", workers=2, progress=False)
    assert len(df) == samples * (len(spec.parameters) + 2) and df["status"].eq("ok").all()
    result = analyze_sweep(tmp_path / "sobol")
    assert set(result.table["parameter"]) == set(spec.parameters)
    assert result.paths["plot"].is_file()


def test_cli_analyze_refuses_a_design_with_a_failed_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One failed run of a Sobol sweep: analyze refuses its KPI with the count and exits 1."""

    def one_fails(task: RunTask) -> dict[str, Any]:
        row = _fake_run(task)
        if task.point == 5:
            row.update({"energized_mw.grid": None, "status": "failed", "error": "boom"})
        return row

    monkeypatch.setattr(worker, "execute_run", one_fails)
    spec = {
        "name": "holes",
        "scenario": "baseline",
        "design": "sobol",
        "samples": 8,
        "months": 1,
        "fixed": FAST,
        "parameters": LEVERS,
        "kpis": ["energized_mw.grid"],
    }
    run_sweep(spec, tmp_path / "h", workers=1, progress=False)
    assert main(["analyze", str(tmp_path / "h")]) == 1
    captured = capsys.readouterr()
    assert (
        "skipped energized_mw.grid: refused: 1 of 8 Saltelli blocks incomplete "
        "(no value at 1 of 40 design points" in captured.out
    )
    assert "error: 1 KPIs have an incomplete design (1 failed runs)" in captured.err
    assert main(["analyze", str(tmp_path / "h"), "--allow-incomplete"]) == 1
    out = capsys.readouterr().out
    assert "UNRELIABLE energized_mw.grid: 1 of 8 Saltelli blocks incomplete" in out
    assert "energized_mw.grid (UNRELIABLE)" in out


def test_a_failed_replicate_is_a_hole_not_a_smaller_mean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One of two replicates fails at one point: refused; with allow_incomplete, flagged."""

    def one_replicate_fails(task: RunTask) -> dict[str, Any]:
        row = _fake_run(task)
        if task.point == 3 and task.replicate == 1:
            row.update({"energized_mw.grid": None, "status": "failed", "error": "boom"})
        return row

    monkeypatch.setattr(worker, "execute_run", one_replicate_fails)
    spec = {
        "scenario": "baseline",
        "design": "sobol",
        "samples": 8,
        "seeds_per_point": 2,
        "months": 1,
        "fixed": FAST,
        "parameters": LEVERS,
        "kpis": ["energized_mw.grid"],
    }
    run_sweep(spec, tmp_path / "r", workers=1, progress=False)
    strict = analyze_sweep(tmp_path / "r", write=False)
    assert strict.kpis == [] and strict.failed_runs == 1
    assert strict.skipped["energized_mw.grid"].startswith("refused: 1 of 8 Saltelli blocks")
    loose = analyze_sweep(tmp_path / "r", write=False, allow_incomplete=True)
    assert loose.kpis == ["energized_mw.grid"] and not loose.table["complete"].any()
    assert loose.incomplete["energized_mw.grid"] == (
        "1 of 40 design points averaged over fewer replicates (failed runs or undefined KPI)"
    )
