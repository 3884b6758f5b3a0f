"""`run_sweep`: plan, prepare the folder, execute the pending runs on a backend, summarise.

Results are identical whatever the executor: every run's seed and id come from the plan. Rows
stream into the folder's result store as they finish, so a stopped sweep resumes where it
left off (`resume=True`) without duplicates.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

import abm.sweeps.worker as worker
from abm.errors import InputError
from abm.sweeps.callbacks import Recorder, show_progress
from abm.sweeps.executors.dask_cluster import run_on_dask
from abm.sweeps.executors.process_pool import default_workers, run_on_process_pool
from abm.sweeps.executors.serial import run_serial
from abm.sweeps.folder import prepare_folder
from abm.sweeps.outputs import probe, projects_schema, results_schema, select_kpis
from abm.sweeps.plan import PlannedRun, SweepPlan, plan_sweep
from abm.sweeps.spec import SweepSpec
from abm.sweeps.store import ChunkWriter, load_results
from abm.sweeps.summary import sweep_summary


def _check_options(
    scheduler: Any, dask_local: bool, workers: int | None, max_runs: int | None
) -> None:
    """Execution options that contradict each other or are out of range."""
    if scheduler is not None and dask_local:
        raise InputError("choose either --scheduler or --dask-local, not both")
    if workers is not None and workers < 1:
        raise InputError(f"--workers {workers}: expected a whole number >= 1")
    if max_runs is not None and max_runs < 0:
        raise InputError(f"--max-runs {max_runs}: expected a whole number >= 0")


def _tasks(
    plan: SweepPlan, pending: Sequence[PlannedRun], kpis: Sequence[str]
) -> Iterator[worker.RunTask]:
    """The worker's tasks for the pending runs, in plan order."""
    base = plan.base.model_dump()
    kpi_filter = tuple(kpis)
    for r in pending:
        yield worker.RunTask(
            r.run_id,
            r.point,
            r.replicate,
            r.seed,
            r.params,
            base,
            plan.spec.counterfactual,
            kpi_filter,
            plan.spec.timeseries,
            plan.spec.projects,
        )


def executor_name(workers: int, scheduler: Any, dask_local: bool) -> str:
    """'dask' with a scheduler or --dask-local, else 'serial' for one worker, else 'process'."""
    if scheduler is not None or dask_local:
        return "dask"
    return "serial" if workers == 1 else "process"


def _progress_bar(plan: SweepPlan, already: int, progress: bool | None) -> Any:
    """A tqdm bar over all planned runs, starting at those already recorded."""
    from tqdm import tqdm

    return tqdm(
        total=len(plan.runs),
        initial=already,
        desc=plan.spec.name,
        unit="run",
        disable=not show_progress(progress),
        dynamic_ncols=True,
    )


def _execute(
    name: str, tasks: Iterator[worker.RunTask], recorder: Recorder, options: dict[str, Any]
) -> None:
    """Hand the tasks to the named backend (the run function is looked up now, at call time)."""
    run = worker.execute_run
    if name == "serial":
        run_serial(tasks, run, recorder.on_row)
    elif name == "process":
        run_on_process_pool(
            tasks, run, recorder.on_row, recorder.on_lost, workers=options["workers"]
        )
    else:
        run_on_dask(tasks, run, recorder.on_row, recorder.on_lost, **options)


def run_sweep(
    spec: SweepSpec | Mapping[str, Any] | str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | None = None,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    dask_local: bool = False,
    resume: bool = False,
    max_runs: int | None = None,
    progress: bool | None = None,
    flush_rows: int = 64,
    flush_seconds: float = 30.0,
) -> pd.DataFrame:
    """Run a sweep and return its results table (one row per run; summary in `df.attrs['sweep']`).

    Executes on a local process pool (`workers`, default all cores; 1 = in this process), or
    on Dask with `scheduler` (an address such as "tcp://host:8786", or a `distributed.Client`)
    or `dask_local=True` (a LocalCluster of `workers` processes). Results are identical whatever
    the executor. `resume` skips runs already recorded in `out_dir`; `max_runs` stops after that
    many new runs (the rest can be resumed later).
    """
    started = time.perf_counter()
    plan = plan_sweep(spec)
    _check_options(scheduler, dask_local, workers, max_runs)
    out = Path(out_dir) if out_dir is not None else Path("runs") / "sweeps" / plan.spec.name
    available, ts_schema = probe(plan)
    kpis = select_kpis(available, plan.spec.kpis, f"{plan.spec.source} kpis")
    schema = results_schema(plan.columns, kpis)
    done_ids = prepare_folder(out, plan, resume, schema, kpis)
    pending = [r for r in plan.runs if r.run_id not in done_ids]
    already = len(plan.runs) - len(pending)
    if max_runs is not None:
        pending = pending[:max_runs]
    n_workers = workers or default_workers()
    name = executor_name(n_workers, scheduler, dask_local)
    writer = ChunkWriter(
        out, schema, ts_schema, max(1, flush_rows), flush_seconds, projects_schema(plan)
    )
    recorder = Recorder(writer, _progress_bar(plan, already, progress))
    options = {"scheduler": scheduler, "dask_local": dask_local, "workers": n_workers}
    try:
        _execute(name, _tasks(plan, pending, kpis), recorder, options)
    finally:
        writer.flush()
        recorder.bar.close()
    df = load_results(out)
    context = {
        "name": plan.spec.name,
        "out_dir": str(out),
        "executor": name,
        "workers": n_workers if name != "dask" or dask_local else None,
        "planned_runs": len(plan.runs),
        "already_recorded": already,
    }
    df.attrs["sweep"] = sweep_summary(df, recorder.tally, context, time.perf_counter() - started)
    return df
