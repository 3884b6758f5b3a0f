"""The serial backend: every run one after another in this process (workers = 1)."""

from __future__ import annotations

from collections.abc import Iterator

from abm.sweeps.executors.base import OnRow, RunFn
from abm.sweeps.worker import RunTask


def run_serial(tasks: Iterator[RunTask], run: RunFn, on_row: OnRow) -> None:
    """Run tasks one after another in this process; an exception stops the sweep."""
    for task in tasks:
        on_row(run(task))
