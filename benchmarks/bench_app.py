"""The app's ensemble: from a new setting to a complete N-seed band, as the app runs it.

The app runs the page's own seed with its counterfactual in the server process (the run engine's
thread) and seeds 2..N, each with its counterfactual, in `viz.ensemble.SeedPool`'s workers on the
remaining cores (forkserver processes). The band is complete when the last of them ends. The
pool is warmed first (its workers have imported the model, as after the app's first setting),
so this is the time of a slider release in a session that is already open. Issue 22's target:
a 10-seed band within 10 s on 2 cores. Run `python benchmarks/bench_app.py [--quick]`.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import wait
from typing import Any

#: Seeds in the band and the run's months; quick smoke runs use a few seeds of a few months.
FULL_SEEDS = 10
QUICK_SEEDS = 3
QUICK_MONTHS = 3


def _config(months: int | None, seed: int) -> Any:
    """The baseline at `seed` (all its months unless `months`)."""
    from abm.scenario import load_scenario

    overrides: dict[str, Any] = {"run.seed": seed}
    if months is not None:
        overrides["run.months"] = months
    return load_scenario("baseline", overrides)


def ensemble_s(n_seeds: int, months: int | None, seed: int) -> dict[str, Any]:
    """Wall and CPU seconds of one band: the page's seed here, the others in a warm pool."""
    from abm.runner import run_scenario
    from viz.ensemble import SeedPool, release_ensemble, start_ensemble

    pool = SeedPool()
    try:
        warm = pool.submit(_config(1, seed + 10_000))  # the workers import the model now
        warm.result()
        cfg = _config(months, seed)
        cpu0, started = time.process_time(), time.perf_counter()
        ensemble = start_ensemble(pool, cfg, n_seeds)
        run_scenario(cfg, counterfactual=True)  # the page's seed, in the engine
        page_s = time.perf_counter() - started
        wait(ensemble.futures)
        band_s = time.perf_counter() - started
        failed = sum(f.exception() is not None for f in ensemble.futures)
        release_ensemble(pool, ensemble)
        months_run = cfg.run.months
    finally:
        pool.shutdown()
    return {
        "seeds": n_seeds,
        "months": months_run,
        "workers": pool.workers,
        "cores": os.cpu_count(),
        "page_seed_s": page_s,
        "band_s": band_s,
        "server_cpu_s": time.process_time() - cpu0,
        "failed_seeds": failed,
        "load_average_after": os.getloadavg()[0],
    }


def run(quick: bool) -> dict[str, Any]:
    """The band's time at the target's size (a smoke size with `quick`)."""
    n = QUICK_SEEDS if quick else FULL_SEEDS
    row = ensemble_s(n, QUICK_MONTHS if quick else None, seed=1)
    return {"benchmark": "app_ensemble", "quick": quick, **row}


def main() -> None:
    """Command line: print the band's figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small CI smoke run")
    print(json.dumps(run(parser.parse_args().quick), indent=1))


if __name__ == "__main__":
    main()
