"""Sweeps: designs, fail-fast validation, identical results on every executor, resume, analysis."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abm import sweep
from abm.cli import main
from abm.errors import InputError
from abm.sensitivity import analyze_sweep, markdown, summary_table
from abm.sweep import (
    derive_seed,
    load_results,
    load_spec,
    load_timeseries,
    parse_spec,
    plan_sweep,
    run_sweep,
)

ROOT = Path(__file__).resolve().parent.parent
SWEEPS = ROOT / "scenarios" / "sweeps"
FAST = {"grid.n_buses": 20}

# 2 modes x 2 grid sources (one file is missing, so those runs fail inside the model) x 2 demand levels x 2 seeds
REFERENCE = {
    "name": "reference",
    "scenario": "baseline",
    "design": "factorial",
    "seed": 11,
    "seeds_per_point": 2,
    "months": 12,
    "fixed": FAST,
    "parameters": {
        "queue.mode": ["serial", "cluster"],
        "grid.source": ["synthetic", "no_such_grid.json"],
        "demand.growth_multiplier": [0.8, 1.2],
    },
}


def _stable(df: pd.DataFrame) -> pd.DataFrame:
    """A results table without timing, sorted by run id, for equality checks."""
    return (
        df.drop(columns=["wall_time_s", "cpu_time_s"]).sort_values("run_id").reset_index(drop=True)
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The reference sweep run serially in this process."""
    return run_sweep(REFERENCE, tmp_path_factory.mktemp("ref") / "out", workers=1, progress=False)


# ---------------------------------------------------------------------------- designs
def test_factorial_design_is_the_full_product_in_spec_order() -> None:
    plan = plan_sweep(
        {
            **REFERENCE,
            "parameters": {
                "queue.mode": ["serial", "cluster"],
                "demand.growth_multiplier": [0.5, 1, 1.5],
            },
        }
    )
    points = [r.params for r in plan.rows if r.replicate == 0]
    assert points == [
        {"queue.mode": m, "demand.growth_multiplier": g}
        for m in ("serial", "cluster")
        for g in (0.5, 1.0, 1.5)
    ]
    assert all(
        isinstance(p["demand.growth_multiplier"], float) for p in points
    )  # 1 and 1.0 are one point
    assert len(plan.rows) == 12 and len(plan.runs) == 12
    assert [(r.point, r.replicate) for r in plan.rows][:3] == [(0, 0), (0, 1), (1, 0)]


def test_sobol_design_is_salib_saltelli_with_integers_rounded() -> None:
    from SALib.sample import sobol

    params = {
        "demand.growth_multiplier": {"min": 0.5, "max": 2.0},
        "hyperscalers.n_hyperscalers": {"min": 2, "max": 10},
        "policy.carbon_price_usd_per_t": {"min": 0, "max": 200},
    }
    spec = {
        "scenario": "baseline",
        "design": "sobol",
        "samples": 8,
        "seed": 5,
        "fixed": FAST,
        "parameters": params,
    }
    plan = plan_sweep(spec)
    problem = {
        "num_vars": 3,
        "names": list(params),
        "bounds": [[0.5, 2.0], [2.0, 10.0], [0.0, 200.0]],
    }
    expected = sobol.sample(problem, 8, calc_second_order=False, seed=5)
    assert len(plan.design.points) == 8 * (3 + 2)
    np.testing.assert_array_equal(plan.design.samples, expected)
    ints = [p["hyperscalers.n_hyperscalers"] for p in plan.design.points]
    assert all(isinstance(v, int) for v in ints)
    assert ints == [round(x) for x in expected[:, 1]]
    second = plan_sweep({**spec, "second_order": True})
    assert len(second.design.points) == 8 * (2 * 3 + 2)


def test_lhs_and_morris_designs() -> None:
    params = {
        "demand.growth_multiplier": {"min": 0.0, "max": 2.0},
        "packs.retirement_multiplier": {"min": 1.0, "max": 3.0},
    }
    lhs = plan_sweep(
        {
            "scenario": "baseline",
            "design": "lhs",
            "samples": 10,
            "seed": 1,
            "fixed": FAST,
            "parameters": params,
        }
    )
    x = np.array([p["demand.growth_multiplier"] for p in lhs.design.points])
    assert sorted(np.floor(x / 0.2).astype(int)) == list(range(10))  # one point per stratum
    morris = plan_sweep(
        {
            "scenario": "baseline",
            "design": "morris",
            "samples": 5,
            "levels": 4,
            "seed": 1,
            "fixed": FAST,
            "parameters": params,
        }
    )
    assert len(morris.design.points) == 5 * (2 + 1)
    assert set(np.round(morris.design.samples[:, 0], 6)) <= {0.0, 0.666667, 1.333333, 2.0}


def test_list_design_fills_unset_parameters_from_the_base() -> None:
    plan = plan_sweep(
        {
            "scenario": "baseline",
            "design": "list",
            "fixed": FAST,
            "points": [{"queue.mode": "cluster"}, {"demand": {"growth_multiplier": 2}}],
        }
    )
    assert [r.params for r in plan.rows] == [
        {"queue.mode": "cluster", "demand.growth_multiplier": 1.0},
        {"queue.mode": "serial", "demand.growth_multiplier": 2.0},
    ]


def test_seeds_depend_on_point_and_replicate_not_on_order() -> None:
    a = plan_sweep(REFERENCE)
    reordered = {
        **REFERENCE,
        "parameters": {k: list(reversed(v)) for k, v in REFERENCE["parameters"].items()},
    }
    b = plan_sweep(reordered)
    assert {r.run_id: r.seed for r in a.runs} == {r.run_id: r.seed for r in b.runs}
    crn = plan_sweep({**REFERENCE, "common_random_numbers": True})
    assert {r.seed for r in crn.rows if r.replicate == 0} == {crn.rows[0].seed}
    assert len({r.seed for r in a.rows}) == len(a.rows)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), x=st.floats(0, 5, allow_nan=False), rep=st.integers(0, 1000))
def test_derived_seed_is_a_valid_run_seed(seed: int, x: float, rep: int) -> None:
    s = derive_seed(seed, {"demand.growth_multiplier": x}, rep)
    assert 0 <= s < 2**32
    assert s == derive_seed(seed, {"demand.growth_multiplier": x}, rep)


def test_example_specs_are_valid() -> None:
    specs = sorted(SWEEPS.glob("*.toml"))
    assert {p.stem for p in specs} >= {
        "factorial_queue",
        "lhs_demand",
        "morris_screening",
        "sobol_baseline",
    }
    for path in specs:
        plan = plan_sweep(path)
        assert plan.runs, path
    sobol = plan_sweep(SWEEPS / "sobol_baseline.toml")
    assert sobol.spec.design == "sobol" and len(sobol.design.names) >= 5
    assert 900 <= len(sobol.runs) <= 1200


# ---------------------------------------------------------------------------- fail fast
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
    def no_runs(task: sweep.RunTask) -> dict[str, Any]:
        raise AssertionError("a run started for a bad spec")

    monkeypatch.setattr(sweep, "execute_run", no_runs)
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


# ---------------------------------------------------------------------------- running
def test_failing_point_is_recorded_and_the_rest_finish(reference: pd.DataFrame) -> None:
    assert len(reference) == 16 and reference["run_id"].is_unique
    failed = reference[reference["status"] == "failed"]
    ok = reference[reference["status"] == "ok"]
    assert set(failed["grid.source"]) == {"no_such_grid.json"} and len(failed) == 8
    assert (
        failed["error"].str.contains("InputError: grid file .*no_such_grid.json: not found").all()
    )
    assert (
        failed["error"].str.contains(r"\[at abm/grid/topology/files\.py:\d+ load_grid_file\]").all()
    )
    assert failed["energized_mw.grid"].isna().all()
    assert len(ok) == 8 and ok["error"].isna().all() and ok["energized_mw.grid"].notna().all()
    summary = reference.attrs["sweep"]
    assert (summary["ok"], summary["failed"], summary["remaining"]) == (8, 8, 0)


def test_rows_match_a_direct_run(reference: pd.DataFrame) -> None:
    from abm.runner import run_scenario

    row = reference[(reference["status"] == "ok")].iloc[0]
    overrides = {
        **FAST,
        "queue.mode": row["queue.mode"],
        "demand.growth_multiplier": row["demand.growth_multiplier"],
    }
    direct = run_scenario(
        "baseline", seed=int(row["seed"]), months=12, overrides=overrides, counterfactual=False
    )
    assert row["energized_mw.onsite_gas"] == pytest.approx(
        direct.kpis["energized_mw"]["onsite_gas"], rel=0, abs=0
    )
    assert row["co2_mt.total"] == direct.kpis["co2_mt"]["total"]


def test_process_pool_gives_the_same_table(tmp_path: Path, reference: pd.DataFrame) -> None:
    df = run_sweep(REFERENCE, tmp_path / "pool", workers=2, progress=False)
    assert df.attrs["sweep"]["executor"] == "process"
    pd.testing.assert_frame_equal(_stable(df), _stable(reference))


@pytest.mark.cluster
def test_dask_local_cluster_gives_the_same_table(tmp_path: Path, reference: pd.DataFrame) -> None:
    pytest.importorskip("distributed")
    df = run_sweep(REFERENCE, tmp_path / "dask", workers=2, dask_local=True, progress=False)
    assert df.attrs["sweep"]["executor"] == "dask"
    pd.testing.assert_frame_equal(_stable(df), _stable(reference))


@pytest.mark.cluster
def test_dask_client_passed_in(tmp_path: Path, reference: pd.DataFrame) -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        df = run_sweep(REFERENCE, tmp_path / "client", scheduler=client, progress=False)
    pd.testing.assert_frame_equal(_stable(df), _stable(reference))


def _free_port() -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.cluster
@pytest.mark.slow
def test_cli_sweep_on_a_scheduler_and_workers_started_by_hand(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    """The multi-machine recipe of docs/sweeps.md, on one machine: `dask scheduler`, `dask worker`."""
    pytest.importorskip("distributed")
    import tomli_w

    dask = Path(sys.executable).with_name("dask")
    if not dask.exists():
        pytest.skip("the dask command is not installed beside this Python")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    scheduler = subprocess.Popen(
        [str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        **quiet,
    )
    worker = subprocess.Popen(
        [str(dask), "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
        **quiet,
    )
    try:
        spec = tmp_path / "reference.toml"
        spec.write_text(tomli_w.dumps(REFERENCE))
        cmd = [sys.executable, "-m", "abm", "sweep", str(spec), "--out", str(tmp_path / "o")]
        proc = subprocess.run(
            [*cmd, "--scheduler", address], capture_output=True, text=True, env=env, timeout=600
        )
        assert proc.returncode == 0, proc.stderr
        assert "8 ok, 8 failed" in proc.stdout
        pd.testing.assert_frame_equal(_stable(load_results(tmp_path / "o")), _stable(reference))
    finally:
        for proc_ in (worker, scheduler):
            proc_.terminate()
            proc_.wait(60)


def test_resume_after_a_partial_sweep_has_no_duplicates(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    out = tmp_path / "out"
    first = run_sweep(REFERENCE, out, workers=1, max_runs=5, progress=False, flush_rows=2)
    assert len(first) == 5 and first.attrs["sweep"]["remaining"] == 11
    with pytest.raises(InputError, match="pass --resume"):
        run_sweep(REFERENCE, out, workers=1, progress=False)
    second = run_sweep(REFERENCE, out, workers=1, resume=True, progress=False)
    assert second.attrs["sweep"]["already_recorded"] == 5 and second.attrs["sweep"]["ran"] == 11
    assert second["run_id"].is_unique
    pd.testing.assert_frame_equal(_stable(second), _stable(reference))
    again = run_sweep(REFERENCE, out, workers=1, resume=True, progress=False)
    assert again.attrs["sweep"]["ran"] == 0 and len(again) == 16
    with pytest.raises(InputError, match="holds a different sweep"):
        run_sweep({**REFERENCE, "seed": 12}, out, workers=1, resume=True, progress=False)


def test_resume_after_kill_leaves_no_torn_files_or_duplicates(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    spec = {**REFERENCE, "seeds_per_point": 6, "months": 12}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    out = tmp_path / "out"
    script = (
        "import json, sys\nfrom abm.sweep import run_sweep\n"
        f"run_sweep(json.load(open({str(tmp_path / 'spec.json')!r})), {str(out)!r}, workers=1, flush_rows=1, progress=False)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    deadline = time.monotonic() + 120
    while (
        time.monotonic() < deadline
        and len(list((out / "runs").glob("part-*.parquet"))) < 3
        and proc.poll() is None
    ):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    parts_at_kill = len(list((out / "runs").glob("part-*.parquet")))
    assert 3 <= parts_at_kill < 48, "the sweep finished before it could be killed"
    (out / "runs" / ".part-torn.parquet.tmp").write_bytes(b"PAR1 half a file")  # a write cut short
    df = run_sweep(spec, out, workers=1, resume=True, progress=False)
    assert not list(out.rglob(".*.tmp"))
    assert len(df) == 48 and df["run_id"].is_unique
    assert df.attrs["sweep"]["already_recorded"] >= parts_at_kill
    shared = _stable(df[df["run_id"].isin(reference["run_id"])])
    pd.testing.assert_frame_equal(shared, _stable(reference))


def test_timeseries_table(tmp_path: Path) -> None:
    spec = {
        "scenario": "baseline",
        "design": "list",
        "months": 6,
        "fixed": FAST,
        "timeseries": True,
        "seeds_per_point": 2,
        "points": [{"queue.mode": "cluster"}],
        "kpis": ["energized_mw"],
    }
    df = run_sweep(spec, tmp_path / "ts", workers=1, progress=False)
    assert [c for c in df.columns if "." in c and c != "queue.mode"] == [
        f"energized_mw.{p}" for p in ("grid", "modular_second_life", "modular_new", "onsite_gas")
    ]
    ts = load_timeseries(tmp_path / "ts")
    assert len(ts) == 12 and set(ts["run_id"]) == set(df["run_id"])
    assert list(ts["month"][:6]) == list(range(6))
    one = load_timeseries(tmp_path / "ts", run_ids=[df["run_id"][0]])
    assert len(one) == 6


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


# ---------------------------------------------------------------------------- analysis
def _fake_run(task: sweep.RunTask) -> dict[str, Any]:
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


def test_sobol_analysis_recovers_a_known_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sweep, "execute_run", _fake_run)
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
    result = analyze_sweep(tmp_path / "s")
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
    assert result.skipped["co2_mt.total"] == "constant across the design"
    assert result.skipped["packs.second_life_gwh"].startswith("only ")
    # blocks with a hole are dropped; on the rest the KPI is duplicate_filings alone
    assert list(result.notes) == ["queue.median_wait_months"]
    assert re.match(r"\d+ of 64 Saltelli blocks used", result.notes["queue.median_wait_months"])
    assert t["queue.median_wait_months", "S1", "hyperscalers.duplicate_filings"] == pytest.approx(
        1.0, abs=0.1
    )
    used = result.table.loc[result.table["kpi"] == "queue.median_wait_months", "samples"]
    assert 32 <= used.iloc[0] < 64 and used.nunique() == 1
    assert set(result.table.columns) == {
        "method",
        "kpi",
        "parameter",
        "index",
        "value",
        "conf",
        "samples",
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


def test_morris_analysis_recovers_a_known_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sweep, "execute_run", _fake_run)
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
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: pd.DataFrame
) -> None:
    with pytest.raises(InputError, match="needs a sobol or morris sweep"):
        analyze_sweep(reference.attrs["sweep"]["out_dir"])
    monkeypatch.setattr(sweep, "execute_run", _fake_run)
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
        'name = "small"\nscenario = "baseline"\ndesign = "sobol"\nsamples = 4\nseed = 3\nmonths = 12\n'
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
    assert load_results(tmp_path / "o")["status"].eq("ok").all()


# ---------------------------------------------------------------------------- Mesa
def test_mesa_batch_run_still_works() -> None:
    import mesa

    from abm.model import PowerStackModel
    from abm.runner import run_scenario

    rows = mesa.batch_run(
        PowerStackModel,
        {"queue.mode": ["serial", "cluster"], "run.months": 12, "grid.n_buses": 20},
        rng=[1, 2],
        max_steps=12,
        number_processes=1,
        display_progress=False,
    )
    df = pd.DataFrame(rows)
    assert len(df) == 4 and set(zip(df["queue.mode"], df["rng"], strict=True)) == {
        (m, s) for m in ("serial", "cluster") for s in (1, 2)
    }
    assert (df["Step"] == 12).all()
    direct = run_scenario(
        "baseline",
        seed=2,
        months=12,
        overrides={**FAST, "queue.mode": "cluster"},
        counterfactual=False,
    )
    row = df[(df["queue.mode"] == "cluster") & (df["rng"] == 2)].iloc[0]
    assert row["energized_mw_onsite_gas"] == direct.timeseries["energized_mw_onsite_gas"].iloc[-1]


# ---------------------------------------------------------------------------- slow
@pytest.mark.slow
def test_sobol_baseline_spec_at_reduced_size(tmp_path: Path) -> None:
    scale = float(os.environ.get("POWERSTACK_SLOW_SCALE", "1"))
    spec = load_spec(SWEEPS / "sobol_baseline.toml")
    months = max(12, int(48 * scale))
    data = {**spec.canonical(), "samples": 8, "months": months, "fixed": {**spec.fixed, **FAST}}
    data = {k: v for k, v in data.items() if v not in (None, [])}
    df = run_sweep(data, tmp_path / "sobol", workers=2, progress=False)
    assert len(df) == 8 * (len(spec.parameters) + 2) and df["status"].eq("ok").all()
    result = analyze_sweep(tmp_path / "sobol")
    assert set(result.table["parameter"]) == set(spec.parameters)
    assert result.paths["plot"].is_file()
