"""The grid path's time-to-power signal hyperscalers read: queue age plus remaining study, or recent waits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from abm.grid.queue import Kind
from abm.vocabulary import Path, Project

if TYPE_CHECKING:
    from abm.grid.queue import InterconnectionQueue
    from abm.schema import ScenarioConfig


def grid_wait_months(
    queue: InterconnectionQueue, config: ScenarioConfig, month: int, projects: Iterable[Project]
) -> float | None:
    """The grid path's time-to-power signal: queue age plus remaining study, or recent realised waits."""
    q = config.queue
    wait: float | None = None
    ids = queue.active_ids
    load = ids[(queue.column("kind", ids) == int(Kind.LOAD)) & ~queue.column("speculative", ids)]
    if load.size:
        phases = np.array(
            [
                q.system_study_months,
                q.system_study_months,
                q.facilities_study_months,
                q.agreement_months,
                q.construction_months_load,
            ]
        )
        # months left from the start of each active state
        remaining = np.cumsum(phases[::-1])[::-1]
        state = queue.column("state", load)
        age = month - queue.column("submit_month", load)
        wait = float(np.median(age + remaining[state]))
    recent = [
        p.time_to_power_months()
        for p in projects
        if p.path == Path.GRID
        and p.month_energized is not None
        and p.month_energized > month - config.hyperscalers.wait_signal_window_months
    ]
    if len(recent) >= 3:
        wait = max(0.0 if wait is None else wait, float(np.median(recent)))
    return wait
