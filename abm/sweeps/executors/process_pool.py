"""The process-pool backend: runs on spawned local processes, one BLAS thread each."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager

from abm.sweeps.executors.base import OnLost, OnRow, RunFn, run_windowed
from abm.sweeps.worker import RunTask

BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def single_threaded_children() -> Iterator[None]:
    """Worker processes started inside get one BLAS thread each (unless the user set one).

    One model per core: multi-threaded OpenBLAS in every worker oversubscribes the cores and
    made a baseline run 2-3x slower in CPU time (docs/sweeps.md).
    """
    saved = {var: os.environ.get(var) for var in BLAS_THREAD_VARS}
    for var in BLAS_THREAD_VARS:
        os.environ.setdefault(var, "1")
    try:
        yield
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def default_workers() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run_on_process_pool(
    tasks: Iterator[RunTask], run: RunFn, on_row: OnRow, on_lost: OnLost, *, workers: int
) -> None:
    """Run tasks on `workers` spawned processes, at most two per worker in flight.

    A killed worker breaks the pool: the runs in flight are reported to `on_lost` (they stay
    pending for --resume) and no more are submitted.
    """
    ctx = multiprocessing.get_context("spawn")
    with (
        single_threaded_children(),
        cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool,
    ):
        try:
            run_windowed(pool, tasks, lambda: 2 * workers, run, on_row, on_lost)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
