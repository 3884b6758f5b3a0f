"""The recycle-first counterfactual run, on another core, started before the model is imported.

`powerstack run` reports what the scenario's CO2 would be had every retired pack been recycled:
the same scenario and seed run again with `packs.routing = "recycle_first"`. That second run goes
to a spawned worker on another core. This module imports nothing heavy, so the command line can
start the worker as soon as the input is valid: the worker's imports (~1.3 s) then overlap the
main process's own instead of following them.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from abm.schema import ScenarioConfig

_BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def counterfactual_co2(cfg: ScenarioConfig) -> dict[str, Any]:
    """CO2 KPIs of `cfg` run with `packs.routing = "recycle_first"` (module level: a worker process runs it)."""
    from abm.model import PowerStackModel
    from abm.scenario import config_with

    model = PowerStackModel(config_with(cfg, {"packs.routing": "recycle_first"}, "counterfactual"))
    while model.running:  # abm.runner.run_model's loop; only the KPIs are read back
        model.step()
    return model.recorder.kpis()["co2_mt"]


def _cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def needs_counterfactual_run(cfg: ScenarioConfig) -> bool:
    """Whether the counterfactual is a run of its own (a recycle-first scenario is its own)."""
    return cfg.packs.routing != "recycle_first"


def start_counterfactual(cfg: ScenarioConfig) -> concurrent.futures.Future[dict[str, Any]] | None:
    """Start `counterfactual_co2(cfg)` on another core (a spawned process); None where there is no other core.

    The worker is a fresh interpreter running the same code on the same config, so its KPIs are
    the bytes the run would compute in this process (tests/test_runner_concurrent.py). It gets
    one BLAS thread (unless the user set one), like the sweeps' workers, so that the two runs do
    not oversubscribe the cores; a daemonic process (a worker of a multiprocessing pool) may not
    start children, so it runs the counterfactual itself.
    """
    if _cores() < 2 or multiprocessing.current_process().daemon:
        return None
    saved = {var: os.environ.get(var) for var in _BLAS_THREAD_VARS}
    for var in _BLAS_THREAD_VARS:
        os.environ.setdefault(var, "1")
    try:
        pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn")
        )
        future = pool.submit(counterfactual_co2, cfg)  # the worker process starts here
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
    pool.shutdown(wait=False)  # the worker exits once its one run is done
    return future
