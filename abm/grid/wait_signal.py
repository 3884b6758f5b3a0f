"""The grid path's time-to-power signal: what a new request faces, from recent filings and waits.

A newcomer judges the grid by the requests filed within `hyperscalers.wait_signal_window_months`
(their age so far plus the phases left), not by every active request: the stragglers of years
ago (stuck behind upgrades at congested buses) grow older every month while nobody files, and a
signal made of their ages rises without end, so that no project would ever file again (the
baseline chose no grid connection after 2025 with it). With no recent filing the newcomer
expects the phases alone. The whole queue's median (`newcomer=False`) is what a policy trigger
watches: how long the requests in line have waited and have still to wait.
"""

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
    queue: InterconnectionQueue,
    config: ScenarioConfig,
    month: int,
    projects: Iterable[Project],
    newcomer: bool = True,
) -> float | None:
    """Median age plus remaining phases of the (recently filed) load requests, or recent realised waits."""
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
        totals = age + remaining[state]
        if newcomer:
            fresh = age <= config.hyperscalers.wait_signal_window_months
            wait = float(np.median(totals[fresh])) if fresh.any() else float(remaining[0])
        else:
            wait = float(np.median(totals))
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
