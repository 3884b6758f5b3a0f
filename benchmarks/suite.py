"""Run every benchmark section of issue 10 and collect the results (what results.json holds).

Each section records its own wall time and the 1-minute load average before and after it,
so a figure measured on a busy machine can be read as such.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import warnings
from collections.abc import Callable
from typing import Any

import bench_app
import bench_cold
import bench_model
import bench_optimisations
import bench_power_market
import bench_sweep
from machine import machine_info, package_version
from targets import TARGETS

Log = Callable[[str], None]


def profile_baseline(quick: bool) -> dict[str, Any]:
    """Profile one baseline run with pyinstrument; the call tree above 2 % of the time."""
    from pyinstrument import Profiler

    from abm.metrics import timeseries_frame
    from abm.model import PowerStackModel
    from abm.runner import run_model

    overrides = {"run.months": 24} if quick else {}
    profiler = Profiler(interval=0.001)
    profiler.start()
    model = PowerStackModel("baseline", rng=1, **overrides)
    run_model(model)
    timeseries_frame(model)
    profiler.stop()
    session = profiler.last_session
    text = profiler.output_text(
        unicode=False,
        color=False,
        time="percent_of_total",
        processor_options={"filter_threshold": 0.02},
    )
    lines = [ln.rstrip() for ln in text.splitlines()]
    start = next((i for i, ln in enumerate(lines) if ln.startswith("Profile at")), 0)
    return {
        "duration_s": session.duration,
        "cpu_s": session.cpu_time,
        "months": model.month + 1,
        "tree": "\n".join(ln for ln in lines[start + 1 :] if ln.strip()),
    }


def _reference(quick: bool) -> dict[str, Any]:
    """Mesa's BoltzmannWealth reference time (s) and its number of agents."""
    return {
        "boltzmann_s": bench_model.quick_aware_reference_s(quick)
        if quick
        else bench_model.reference_s(5),
        "agents": bench_model.QUICK_REFERENCE_AGENTS if quick else bench_model.REFERENCE_AGENTS,
    }


class _Sections:
    """Runs named sections into one results dict, timing each and noting the load around it."""

    def __init__(self, results: dict[str, Any], log: Log, started: float) -> None:
        self.results = results
        self.log = log
        self.started = started

    def elapsed_s(self) -> float:
        """Wall seconds since the benchmark run started."""
        return time.perf_counter() - self.started

    def run(self, name: str, fn: Callable[[], Any]) -> None:
        """Run one section with warnings silenced; store its value and its timing."""
        self.log(f"[{self.elapsed_s():6.0f} s] {name} ...")
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = fn()
        self.results[name] = value
        self.results["sections"][name] = {
            "wall_s": time.perf_counter() - t0,
            "load_average_before": load_before,
            "load_average_after": os.getloadavg()[0],
        }


def run_benchmarks(quick: bool, log: Log = print) -> dict[str, Any]:
    """Run every section; each records its own wall time and the load average around it."""
    started = time.perf_counter()
    results: dict[str, Any] = {
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": quick,
        "machine": machine_info(),
        "targets": TARGETS,
        "sections": {},
    }
    sections = _Sections(results, log, started)

    def progress(message: str) -> None:
        log(f"         {message}")

    sections.run("reference", lambda: _reference(quick))
    sections.run("baseline", lambda: bench_model.bench_baseline(quick, progress))
    ref_s = results["reference"]["boltzmann_s"]
    sections.run("cold_shell", lambda: bench_cold.run(quick, ref_s))  # issue 22
    sections.run("national", lambda: bench_model.bench_national(quick, progress))
    if package_version("pandapower") == "not installed":
        results["power_market"] = {"skipped": "pandapower (the [grids] extra) is not installed"}
    else:
        sections.run("power_market", lambda: bench_power_market.run(quick))
    sections.run("scaling", lambda: bench_model.bench_scaling(quick, progress))
    sections.run("sweep", lambda: bench_sweep.run(quick))
    sections.run("app_ensemble", lambda: bench_app.run(quick))
    sections.run("optimisations", lambda: bench_optimisations.run(quick))
    sections.run("profile", lambda: profile_baseline(quick))
    results["total_wall_s"] = sections.elapsed_s()
    log(f"[{results['total_wall_s']:6.0f} s] done")
    return results
