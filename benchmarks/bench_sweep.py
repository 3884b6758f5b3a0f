"""Sweep throughput: runs per minute at 1 and 2 workers through `abm.sweeps.run_sweep`.

The same sweep (a small factorial over demand growth, several seeds) runs once in this process
(1 worker, the serial executor), once on a local pool of 2 spawned processes and (full size,
with the [cluster] extra) once on a Dask LocalCluster of 2 workers (`--dask-local`), each into
its own temporary folder. Parallel efficiency = throughput at 2 workers / (2 x throughput at
1 worker); process start-up and result writing are included, as a user would see them. On a
shared machine the workers get only part of a core each, so the CPU the runs actually got
(their CPU seconds / wall seconds, "cores obtained") is reported beside it.
Run `python benchmarks/bench_sweep.py [--quick]`; import `run(quick)`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def sweep_spec(quick: bool) -> dict[str, Any]:
    """The benchmark sweep: demand growth levels x seeds on the baseline, no counterfactual."""
    return {
        "name": "bench_throughput",
        "description": "Benchmark of sweep throughput (benchmarks/bench_sweep.py).",
        "scenario": "baseline",
        "design": "factorial",
        "seed": 10,
        "seeds_per_point": 1 if quick else 2,
        "months": 6 if quick else 192,
        "counterfactual": False,
        "parameters": {"demand.growth_multiplier": [0.8, 1.2] if quick else [0.8, 1.0, 1.2, 1.5]},
    }


def _one(spec: dict[str, Any], workers: int, dask_local: bool = False) -> dict[str, Any]:
    """Run the sweep with `workers` into a fresh temporary folder; throughput and run times."""
    from abm.sweeps import run_sweep

    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        df = run_sweep(
            spec, Path(tmp) / "out", workers=workers, dask_local=dask_local, progress=False
        )
        wall = time.perf_counter() - started
        info = df.attrs["sweep"]
    return {
        "workers": workers,
        "executor": info["executor"],
        "runs": info["ran"],
        "failed": info["failed"],
        "wall_s": wall,
        "runs_per_minute": info["ran"] / wall * 60.0,
        "mean_run_wall_s": info["mean_run_wall_s"],
        "mean_run_cpu_s": info["mean_run_cpu_s"],
        "cores_obtained": info["ran"] * info["mean_run_cpu_s"] / wall,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
    }


def worker_startup_s(reps: int = 3) -> float:
    """Fastest wall time of a fresh interpreter importing what a sweep worker imports."""
    best = float("inf")
    for _ in range(reps):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import abm.sweeps, abm.runner"], check=True)
        best = min(best, time.perf_counter() - started)
    return best


def run(quick: bool) -> dict[str, Any]:
    """Throughput at 1 and 2 workers and the parallel efficiency at 2."""
    spec = sweep_spec(quick)
    startup = worker_startup_s(1 if quick else 3)
    one = _one(spec, 1)
    two = _one(spec, 2)
    rows = [one, two]
    out: dict[str, Any] = {}
    if not quick and importlib.util.find_spec("distributed") is not None:
        dask = _one(spec, 2, dask_local=True)  # a LocalCluster of 2 worker processes
        rows.append(dask)
        out["parallel_efficiency_2_dask_workers"] = dask["runs_per_minute"] / (
            2.0 * one["runs_per_minute"]
        )
    # with perfect sharing, 2 workers take half the serial time plus one worker start-up
    best_two_wall = one["wall_s"] / 2.0 + startup
    return {
        **out,
        "benchmark": "sweep",
        "quick": quick,
        "spec": spec,
        "rows": rows,
        "speedup_2_workers": two["runs_per_minute"] / one["runs_per_minute"],
        "parallel_efficiency_2_workers": two["runs_per_minute"] / (2.0 * one["runs_per_minute"]),
        "cpu_per_run_ratio_2_vs_1": two["mean_run_cpu_s"] / one["mean_run_cpu_s"],
        "worker_startup_s": startup,
        "efficiency_bound_from_startup": (one["wall_s"] / 2.0) / best_two_wall,
    }


def main() -> None:
    """Command line: print the throughput figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small CI smoke run")
    print(json.dumps(run(parser.parse_args().quick), indent=1))


if __name__ == "__main__":
    main()
