"""What every executor backend shares: the callback types and a bounded window of futures."""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Iterator
from typing import Any

from abm.sweeps.worker import RunTask

Row = dict[str, Any]
RunFn = Callable[[RunTask], Row]
OnRow = Callable[[Row], None]
OnLost = Callable[[RunTask, BaseException], None]


def run_windowed(
    executor: cf.Executor,
    tasks: Iterator[RunTask],
    window: Callable[[], int],
    run: RunFn,
    on_row: OnRow,
    on_lost: OnLost,
) -> None:
    """Keep at most window() runs in flight on an executor; hand finished rows to on_row."""
    in_flight: dict[cf.Future[Row], RunTask] = {}

    def collect(block: bool) -> None:
        done, _ = cf.wait(
            list(in_flight), timeout=None if block else 0, return_when=cf.FIRST_COMPLETED
        )
        for fut in done:
            task = in_flight.pop(fut)
            exc = fut.exception()
            if exc is None:
                on_row(fut.result())
            else:
                on_lost(task, exc)

    for task in tasks:
        while len(in_flight) >= window():
            collect(block=True)
        try:
            in_flight[executor.submit(run, task)] = task
        except cf.BrokenExecutor as exc:
            on_lost(task, exc)
            break
        collect(block=False)
    while in_flight:
        collect(block=True)
