"""Model-run benchmarks: baseline run, national scale, and scaling in buses and queue requests.

Every run is timed with the monthly phases split out: the benchmark wraps the model's and the
agents' bound methods on the instance with timers (model.py is not touched). Runs that report
peak memory execute in a fresh child process (`python benchmarks/bench_model.py --child SPEC`)
and read its own high-water mark (VmHWM). The reference is Mesa's BoltzmannWealth example with
10,000 agents for 10 steps (Mesa's own "large" benchmark configuration), timed in the parent
right before the runs it normalises: a pure-Python Mesa workload on the same interpreter and
machine, so "x Boltzmann" stays comparable when the machine is busier or faster.
Run `python benchmarks/bench_model.py [--quick]`; import `run(quick)`.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import platform
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

#: Top-level phases of `PowerStackModel.step` ("service.method" on the model, or agent method) -> group.
MODEL_PHASES = {
    "packs.start_month": "world and merchant requests",
    "projects.start_month": "world and merchant requests",
    "grid.start_month": "world and merchant requests",
    "projects.progress_direct_paths": "agents",
    "packs.plan_augmentation": "agents",
    "packs.clear_market": "pack market",
    "grid.advance_queue": "queue",
    "power.clear_month": "power market",
    "packs.age_fleet": "battery ageing",
    "packs.smooth_second_life_supply": "agents",
}
AGENT_PHASES = {
    "Hyperscaler": "plan",
    "OEM": "deliver_packs",
    "Recycler": "grade_and_route",
    "ModularVendor": "build",
    "Utility": "plan_generation",
}
#: Calls nested inside a top-level phase, reported as detail (not added to the groups).
NESTED = {
    "power_market.clear": ("power.market", "clear"),
    "network.hosting_capacity_mw": ("grid.network", "hosting_capacity_mw"),
    "queue.step": ("grid.queue", "step"),
}
#: Service helpers the agents call many times a month, timed as detail (evidence for proposals).
MODEL_DETAIL = (
    "packs.second_life_room_kwh",
    "packs._storage_outlook",
    "packs.modular_wait_months",
    "grid.grid_wait_months",
)
GROUPS = (
    "agents",
    "world and merchant requests",
    "queue",
    "pack market",
    "power market",
    "battery ageing",
    "data collection",
    "other",
)


def _wrap(obj: Any, name: str, acc: dict[str, float], key: str) -> None:
    """Replace `obj.name` by a timed call that adds its wall time to `acc[key]`."""
    original = getattr(obj, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            acc[key] += time.perf_counter() - started

    setattr(obj, name, timed)


def _owner(model: Any, dotted: str) -> tuple[Any, str]:
    """(object, method name) of a dotted "service.method" path under the model."""
    *path, name = dotted.split(".")
    obj = model
    for attr in path:
        obj = getattr(obj, attr)
    return obj, name


def instrument(model: Any) -> dict[str, float]:
    """Time the monthly phases of one model instance; returns the accumulator it fills."""
    acc: dict[str, float] = defaultdict(float)
    for name in MODEL_PHASES:
        _wrap(*_owner(model, name), acc, name)
    _wrap(model.recorder, "record", acc, "recorder.record")
    _wrap(model.datacollector, "collect", acc, "datacollector.collect")
    for agent in model.agents:
        method = AGENT_PHASES.get(type(agent).__name__)
        if method is not None:
            _wrap(agent, method, acc, f"{type(agent).__name__}.{method}")
    for key, (attr, method) in NESTED.items():
        _wrap(*_owner(model, f"{attr}.{method}"), acc, key)
    for name in MODEL_DETAIL:
        _wrap(*_owner(model, name), acc, name)
    return acc


def group_phases(acc: dict[str, float], step_s: float) -> dict[str, float]:
    """Sum top-level phase times into the issue's groups; 'other' is the rest of `step`."""
    groups = dict.fromkeys(GROUPS, 0.0)
    for name, group in MODEL_PHASES.items():
        groups[group] += acc.get(name, 0.0)
    for cls, method in AGENT_PHASES.items():
        groups["agents"] += acc.get(f"{cls}.{method}", 0.0)
    groups["data collection"] = acc.get("recorder.record", 0.0) + acc.get(
        "datacollector.collect", 0.0
    )
    groups["other"] = max(0.0, step_s - sum(v for k, v in groups.items() if k != "other"))
    return groups


def run_instrumented(spec: dict[str, Any]) -> dict[str, Any]:
    """One full run (construction, monthly steps, time series and KPIs) with phase timings."""
    from abm.metrics import timeseries_frame
    from abm.model import PowerStackModel
    from abm.runner import run_model

    overrides = dict(spec.get("overrides", {}))
    if spec.get("months") is not None:
        overrides["run.months"] = int(spec["months"])
    gc.collect()
    cpu0 = time.process_time()
    started = time.perf_counter()
    model = PowerStackModel(spec.get("scenario", "baseline"), rng=spec.get("seed", 1), **overrides)
    init_s = time.perf_counter() - started
    requests_at_start = model.grid.queue.n_requests
    acc = instrument(model)
    step_started = time.perf_counter()
    run_model(model)
    step_s = time.perf_counter() - step_started
    frame = timeseries_frame(model)
    model.recorder.kpis()
    wall_s = time.perf_counter() - started
    months = len(frame)
    return {
        "label": spec.get("label", ""),
        "scenario": spec.get("scenario", "baseline"),
        "overrides": overrides,
        "n_bus": int(model.grid.n_bus),
        "n_line": int(model.grid.network.n_line),
        "n_hyperscalers": len(model.roster.hyperscalers),
        "months": months,
        "queue_requests": int(model.grid.queue.n_requests),
        "queue_requests_in_run": int(model.grid.queue.n_requests - requests_at_start),
        "wall_s": wall_s,
        "cpu_s": time.process_time() - cpu0,
        "init_s": init_s,
        "step_s": step_s,
        "ms_per_month": 1e3 * step_s / max(months, 1),
        "phases_s": dict(acc),
        "groups_s": group_phases(acc, step_s),
    }


def run_child(spec: dict[str, Any], timeout_s: float = 900.0) -> dict[str, Any]:
    """Run `run_instrumented(spec)` in a fresh process; adds its peak resident memory (MB)."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed for {spec}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    """This process's peak resident memory (MB): VmHWM, which starts afresh at exec.

    `ru_maxrss` is not used on Linux: a child keeps the parent's peak from before its exec.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_measured(spec: dict[str, Any], isolate: bool) -> dict[str, Any]:
    """A run with peak memory: in a child process, or (quick smoke runs) in this process."""
    if isolate:
        return run_child(spec)
    result = run_instrumented(spec)
    result["peak_rss_mb"] = peak_rss_mb()
    result["rss_after_imports_mb"] = math.nan  # not separable in a shared process
    return result


def _child_main(spec_text: str) -> None:
    """Entry point of the child process: run, then print the result with peak memory as JSON."""
    import warnings

    warnings.simplefilter("ignore")
    imported_rss_mb = peak_rss_mb()  # interpreter and numpy, before the model is imported
    result = run_instrumented(json.loads(spec_text))
    result["peak_rss_mb"] = peak_rss_mb()
    result["rss_after_imports_mb"] = imported_rss_mb
    print(json.dumps(result))


#: Agents in the reference model: Mesa's "large" BoltzmannWealth; quick smoke runs use fewer.
REFERENCE_AGENTS = 10_000
QUICK_REFERENCE_AGENTS = 1_000


def reference_s(reps: int = 3, n_agents: int = REFERENCE_AGENTS, steps: int = 10) -> float:
    """Fastest-of-`reps` wall time of Mesa's BoltzmannWealth (init + run), gc disabled."""
    from mesa.examples.basic.boltzmann_wealth_model.model import (
        BoltzmannScenario,
        BoltzmannWealth,
    )

    side = max(10, int(math.sqrt(n_agents)))
    best = math.inf
    for rep in range(reps):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            model = BoltzmannWealth(
                BoltzmannScenario(n=n_agents, width=side, height=side, rng=42 + rep)
            )
            model.run_for(steps)
            best = min(best, time.perf_counter() - started)
        finally:
            gc.enable()
    return best


def quick_aware_reference_s(quick: bool) -> float:
    """The reference: fastest of 3 at full size; one small run in quick smoke runs."""
    if quick:
        return reference_s(1, QUICK_REFERENCE_AGENTS)
    return reference_s(3)


def fastest(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the smallest wall time, with every repetition's wall time attached."""
    best = dict(min(runs, key=lambda r: r["wall_s"]))
    best["wall_s_all"] = [r["wall_s"] for r in runs]
    return best


def log_log_slope(x: list[float], y: list[float]) -> float:
    """Least-squares slope of log(y) against log(x): the fitted scaling exponent."""
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


def national_specs(quick: bool) -> list[dict[str, Any]]:
    """National-scale configurations: GBnetwork through pandapower and a synthetic grid."""
    common = {"hyperscalers.n_hyperscalers": 50}
    if quick:
        return [
            {
                "label": "synthetic 300 buses (quick)",
                "overrides": {**common, "grid.n_buses": 300},
                "months": 12,
            }
        ]
    return [
        {
            "label": "GBnetwork (pandapower)",
            "scenario": "real_grid",
            "overrides": {**common, "queue.merchant_gw_per_year": 1500.0},
            "months": 180,
        },
        {
            "label": "synthetic 2,000 buses",
            "overrides": {**common, "grid.n_buses": 2000},
            "months": 180,
        },
    ]


def bench_baseline(quick: bool, progress: Callable[[str], None]) -> dict[str, Any]:
    """Benchmark 1: the baseline scenario end to end, fastest of N, against the reference."""
    reps = 1 if quick else 3
    spec = {"label": "baseline", "months": 24 if quick else None}
    ref = quick_aware_reference_s(quick)
    progress(f"baseline x{reps}")
    best = fastest([run_instrumented(spec) for _ in range(reps)])
    best["reference_s"] = ref
    best["wall_over_reference"] = best["wall_s"] / ref
    return best


def bench_national(quick: bool, progress: Callable[[str], None]) -> list[dict[str, Any]]:
    """Benchmark 2: national-scale runs in child processes (wall time, peak memory, phases)."""
    rows = []
    for spec in national_specs(quick):
        ref = quick_aware_reference_s(quick)
        progress(f"national: {spec['label']}")
        row = run_measured(spec, isolate=not quick)
        row["reference_s"] = ref
        row["wall_over_reference"] = row["wall_s"] / ref
        rows.append(row)
    return rows


def scaling_specs(quick: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Runs at 250 / 1,000 / 4,000 buses and at about 1,000 / 10,000 / 50,000 queue requests."""
    if quick:
        buses = [
            {"label": f"{n} buses", "overrides": {"grid.n_buses": n}, "months": 6}
            for n in (60, 120)
        ]
        queue = [
            {
                "label": f"merchant {g} GW/yr",
                "overrides": {"queue.merchant_gw_per_year": g},
                "months": 6,
            }
            for g in (50.0, 200.0)
        ]
        return buses, queue
    buses = [
        {"label": f"{n:,} buses", "overrides": {"grid.n_buses": n}, "months": 60}
        for n in (250, 1000, 4000)
    ]
    # requests (the 48-month spin-up included) grow with merchant arrivals on top of about 900
    # from the hyperscalers in 60 months; these levels give about 1,000, 10,000 and 50,000
    queue = [
        {
            "label": f"merchant {g:g} GW/yr",
            "overrides": {"queue.merchant_gw_per_year": g},
            "months": 60,
        }
        for g in MERCHANT_GW_FOR_REQUESTS
    ]
    return buses, queue


#: queue.merchant_gw_per_year giving ~1,000 / 10,000 / 50,000 requests in 60 baseline months.
MERCHANT_GW_FOR_REQUESTS = (1.0, 215.0, 1135.0)


def bench_scaling(quick: bool, progress: Callable[[str], None]) -> dict[str, Any]:
    """Benchmark 4: wall time against buses and against queue requests, with fitted exponents."""
    bus_specs, queue_specs = scaling_specs(quick)
    ref = quick_aware_reference_s(quick)
    out: dict[str, Any] = {"reference_s": ref}
    for name, specs, size_key in (
        ("buses", bus_specs, "n_bus"),
        ("queue_requests", queue_specs, "queue_requests"),
    ):
        rows = []
        for spec in specs:
            progress(f"scaling: {spec['label']}")
            rows.append(run_measured(spec, isolate=not quick))
        sizes = [r[size_key] for r in rows]
        out[name] = {
            "rows": rows,
            "exponent_wall": log_log_slope(sizes, [r["wall_s"] for r in rows]),
            "exponent_step": log_log_slope(sizes, [r["step_s"] for r in rows]),
        }
        if name == "buses":
            out[name]["exponent_hosting_capacity"] = log_log_slope(
                sizes, [r["phases_s"].get("network.hosting_capacity_mw", 0.0) for r in rows]
            )
            out[name]["exponent_power_market"] = log_log_slope(
                sizes, [r["phases_s"].get("power_market.clear", 0.0) for r in rows]
            )
        else:
            out[name]["exponent_queue_step"] = log_log_slope(
                sizes, [r["phases_s"].get("queue.step", 0.0) for r in rows]
            )
    return out


def run(quick: bool, progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Benchmarks 1, 2 and 4; returns machine-independent ratios and the absolute times."""
    return {
        "benchmark": "model",
        "quick": quick,
        "python": platform.python_version(),
        "baseline": bench_baseline(quick, progress),
        "national": bench_national(quick, progress),
        "scaling": bench_scaling(quick, progress),
    }


def main() -> None:
    """Command line: run the model benchmarks and print them as JSON (or serve as a child)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small CI smoke run")
    parser.add_argument("--child", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child_main(args.child)
        return
    print(json.dumps(run(args.quick, lambda s: print(s, file=sys.stderr)), indent=1))


if __name__ == "__main__":
    main()
