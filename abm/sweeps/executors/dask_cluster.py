"""The Dask backend: runs on a scheduler address, a `distributed.Client`, or a LocalCluster."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from abm.errors import InputError
from abm.sweeps.executors.base import OnLost, OnRow, RunFn, run_windowed
from abm.sweeps.worker import RunTask


def dask_client(scheduler: Any, dask_local: bool, workers: int) -> tuple[Any, Any, bool]:
    """(client, cluster, owned) for a scheduler address, an existing Client, or a LocalCluster."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(
            "Dask is not installed; install the cluster extra: pip install 'powerstack[cluster]'"
        ) from None
    if scheduler is not None and not isinstance(scheduler, str):
        return scheduler, None, False
    if scheduler is not None:
        try:
            return Client(scheduler, timeout="20s"), None, True
        except (OSError, TimeoutError) as exc:
            raise InputError(
                f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})"
            ) from None
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster, True


def run_on_dask(
    tasks: Iterator[RunTask],
    run: RunFn,
    on_row: OnRow,
    on_lost: OnLost,
    *,
    scheduler: Any,
    dask_local: bool,
    workers: int,
) -> None:
    """Run tasks on Dask, two per worker thread in flight (at least four); close what we opened."""
    client, cluster, owned = dask_client(scheduler, dask_local, workers)

    def window() -> int:
        return max(4, 2 * sum(client.nthreads().values()))

    try:
        run_windowed(client.get_executor(pure=False), tasks, window, run, on_row, on_lost)
    finally:
        if owned:
            client.close()
            if cluster is not None:
                cluster.close()
