"""Sweep specs fail fast: every bad spec is one InputError line before any run starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from abm.errors import InputError
from abm.sweeps import RunTask, load_spec, parse_spec, plan_sweep, run_sweep, worker
from tests.sweep_cases import REFERENCE, ROOT


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"desing": "sobol"}, "unknown key 'desing' (did you mean \"design\"?)"),
        ({"design": "sobel"}, 'did you mean "sobol"?'),
        (
            {"parameters": {"demand.growth_multiplyer": [1.0]}},
            'did you mean "demand.growth_multiplier"?',
        ),
        (
            {"parameters": {"queue.mode": ["serial", "clustr"]}},
            "queue.mode = 'clustr'; expected one of: serial, cluster",
        ),
        (
            {
                "design": "sobol",
                "samples": 8,
                "parameters": {"demand.growth_multiplier": {"min": 0.5, "max": 7}},
            },
            "demand.growth_multiplier = 7.0; expected >= 0 and <= 5",
        ),
        (
            {
                "design": "sobol",
                "samples": 12,
                "parameters": {"demand.growth_multiplier": {"min": 0.5, "max": 2}},
            },
            "needs a power of 2 such as 16",
        ),
        (
            {"design": "sobol", "samples": 8, "parameters": {"queue.mode": {"min": 0, "max": 1}}},
            "queue.mode is not numeric",
        ),
        (
            {"design": "lhs", "samples": 4, "parameters": {"demand.growth_multiplier": [1.0, 2.0]}},
            "needs a range { min = ..., max = ... }",
        ),
        ({"parameters": {"run.seed": [1, 2]}}, "'run.seed' cannot be swept"),
        (
            {
                "design": "list",
                "parameters": {},
                "points": [{"queue.mode": "cluster"}, {"demand.growth_multiplier": -1.0}],
            },
            "design point 1: demand.growth_multiplier = -1.0",
        ),
        ({"scenario": "baselin"}, 'did you mean "baseline"?'),
        (
            {"kpis": ["energized_mw.grd"]},
            "unknown KPI 'energized_mw.grd' (did you mean \"energized_mw.grid\"?)",
        ),
        (
            {"kpis": ["co2_mt.recycle_first_counterfactual_total"], "counterfactual": False},
            "counterfactual = false",
        ),
    ],
)
def test_bad_spec_fails_fast_before_any_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: dict[str, Any], message: str
) -> None:
    def no_runs(task: RunTask) -> dict[str, Any]:
        raise AssertionError("a run started for a bad spec")

    monkeypatch.setattr(worker, "execute_run", no_runs)
    with pytest.raises(InputError) as err:
        run_sweep({**REFERENCE, **change}, tmp_path / "out", workers=1, progress=False)
    assert message in str(err.value)
    assert "\n" not in str(err.value)
    assert not (tmp_path / "out" / "runs").exists()


def test_cli_bad_spec_exits_2_with_one_error_line(tmp_path: Path) -> None:
    spec = tmp_path / "bad.toml"
    spec.write_text(
        'scenario = "baseline"\ndesign = "sobol"\nsamples = 8\n[parameters]\n"demand.growth_multiplier" = { min = 0.5, max = 9 }\n'
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "abm", "sweep", str(spec), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert (
        len(lines) == 1
        and lines[0].startswith("error: ")
        and "demand.growth_multiplier = 9.0" in lines[0]
    )
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'scenario = "baseline"\nseeds_per_point = ' + "9" * 5000 + "\n",
            "invalid TOML: seeds_per_point = an integer of more than 4,300 digits",
        ),
        (
            'scenario = "baseline"\njunk = ' + "[" * 3000 + "]" * 3000 + "\n",
            "invalid TOML: arrays or tables nested too deeply",
        ),
        (
            'scenario = "baseline"\ndesign = "lhs"\nsamples = 1099511627776\n[parameters]\n"demand.growth_multiplier" = { min = 0.5, max = 2.0 }\n',
            "samples = 1099511627776; expected a whole number up to 1,000,000",
        ),
        (
            'scenario = "baseline"\nseeds_per_point = 100000\n[parameters]\n"demand.growth_multiplier" = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 0.5, 0.0]\n',
            "11 design points x 100,000 seeds = 1,100,000 runs; expected at most 1,000,000",
        ),
        (
            'scenario = "baselin"\n[parameters]\n"queue.mode" = ["serial"]\n',
            "spec.toml: scenario: unknown scenario 'baselin' (did you mean \"baseline\"?)",
        ),
    ],
    ids=["huge_integer", "deep_nesting", "samples_huge", "too_many_runs", "scenario_misspelt"],
)
def test_pathological_specs_give_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text(text)
    with pytest.raises(InputError) as err:
        plan_sweep(spec)
    assert message in str(err.value) and str(spec) in str(err.value)
    assert "\n" not in str(err.value)


def test_spec_file_resolves_scenario_paths_relative_to_itself(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(
        'name = "mine"\nextends = "baseline"\n[queue]\nmode = "cluster"\n'
    )
    (tmp_path / "s.toml").write_text(
        'scenario = "mine.toml"\n[parameters]\n"demand.growth_multiplier" = [1.0]\n'
    )
    spec = load_spec(tmp_path / "s.toml")
    assert spec.name == "s" and Path(spec.scenario) == tmp_path / "mine.toml"
    assert plan_sweep(spec).base.queue.mode == "cluster"
    with pytest.raises(InputError, match="not found"):
        load_spec(tmp_path / "missing.toml")
    with pytest.raises(InputError, match="missing key 'scenario'"):
        parse_spec({"design": "factorial"})


def test_counterfactual_kpi_switches_the_counterfactual_on() -> None:
    spec = parse_spec(
        {
            "scenario": "baseline",
            "kpis": ["co2_mt.recycle_first_counterfactual_total"],
            "parameters": {"queue.mode": ["cluster"]},
        }
    )
    assert spec.counterfactual
    assert not parse_spec(
        {"scenario": "baseline", "parameters": {"queue.mode": ["cluster"]}}
    ).counterfactual


def test_projects_key_keeps_older_specs_hash_and_is_checked() -> None:
    base = {"scenario": "baseline", "parameters": {"queue.mode": ["cluster"]}}
    off = parse_spec(base)
    assert not off.projects and "projects" not in off.canonical()  # hash of older specs kept
    on = parse_spec({**base, "projects": True})
    assert on.projects and on.canonical()["projects"] is True
    assert plan_sweep(on).spec_hash != plan_sweep(off).spec_hash
    with pytest.raises(InputError, match="projects"):
        parse_spec({**base, "projects": "yes"})
