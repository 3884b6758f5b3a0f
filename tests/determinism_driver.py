"""One run of the determinism test in a fresh process: a chosen executor, outputs to a folder.

    python tests/determinism_driver.py EXECUTOR OUT_DIR SCENARIO MONTHS SEED [KEY=VALUE ...]

EXECUTOR is `serial` (this process), `process_pool` (a spawned worker of the sweeps' pool),
`dask` (a worker of a local Dask cluster) or `serial_after_other` (this process, after another
run with a different seed and grid, to catch state kept between runs). The outputs go through
`abm.runner.write_outputs`, so every file a run writes is there to compare. `blas.json` beside
the folder records the OpenBLAS core type each bundled library loaded (threadpoolctl), so the
test knows the kernel really changed; `simd.json` the SIMD targets numpy dispatched to
(`NPY_DISABLE_CPU_FEATURES` turns them off).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from abm.runner import RunResult, run_scenario, write_outputs
from abm.scenario import config_with, load_scenario
from abm.schema import ScenarioConfig
from abm.sweeps.worker import RunTask


def run_task(task: RunTask) -> dict[str, Any]:
    """Run one task the way a sweep worker builds its config; return the whole result."""
    cfg = config_with(ScenarioConfig.model_validate(task.base), {"run.seed": task.seed}, "test")
    return {"result": run_scenario(cfg, counterfactual=task.counterfactual)}


def _lost(task: RunTask, exc: BaseException) -> None:
    raise RuntimeError(f"run {task.run_id} lost") from exc


def run_with(executor: str, cfg: ScenarioConfig) -> RunResult:
    """The run of `cfg` on the named executor."""
    task = RunTask("det", 0, 0, cfg.run.seed, {}, cfg.model_dump(), True, None, True)
    rows: list[dict[str, Any]] = []
    if executor == "process_pool":
        from abm.sweeps.executors.process_pool import run_on_process_pool

        run_on_process_pool(iter([task]), run_task, rows.append, _lost, workers=1)
    elif executor == "dask":
        from abm.sweeps.executors.dask_cluster import run_on_dask

        run_on_dask(
            iter([task]), run_task, rows.append, _lost, scheduler=None, dask_local=True, workers=1
        )
    else:
        if executor == "serial_after_other":
            other = config_with(cfg, {"run.seed": cfg.run.seed + 1, "grid.n_buses": 60}, "other")
            run_scenario(other, counterfactual=True)
        elif executor != "serial":
            raise SystemExit(f"unknown executor {executor!r}")
        rows.append(run_task(task))
    return rows[0]["result"]


def main(argv: list[str]) -> None:
    """Parse the command line, run, write the outputs, the BLAS cores loaded and numpy's SIMD targets."""
    executor, out, scenario, months, seed, *sets = argv
    cfg = load_scenario(scenario, overrides=[f"run.months={months}", f"run.seed={seed}", *sets])
    result = run_with(executor, cfg)
    write_outputs(result, Path(out))
    from threadpoolctl import threadpool_info

    cores = sorted(
        {str(i.get("architecture")) for i in threadpool_info() if i["user_api"] == "blas"}
    )
    Path(out + ".blas.json").write_text(json.dumps(cores))
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    simd = sorted(f for f in __cpu_dispatch__ if __cpu_features__.get(f))
    Path(out + ".simd.json").write_text(json.dumps(simd))


if __name__ == "__main__":
    main(sys.argv[1:])
