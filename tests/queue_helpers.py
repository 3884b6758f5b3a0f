"""Shared set-up of the queue tests: schema-default rules, deterministic rules, a stepping helper."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from abm.grid.queue import InterconnectionQueue, QueueRules
from abm.schema import QueueSection
from abm.streams import Streams

FREE = np.full(10, 1e9)  # hosting capacity that never binds

# the schema's defaults; 1/20 splits the national study starts over ~20 US territories:
# 10 (and 4 load) study starts per territory and month
DEFAULT = QueueRules.from_config(QueueSection(), studies_scale=1 / 20)

# deterministic rules: no attrition, no duration spread, no cost-driven withdrawals
CALM = replace(
    DEFAULT,
    base_withdrawal_hazard_per_month=0.0,
    construction_sigma=0.0,
    upgrade_wait_probability=0.0,
    withdraw_if_upgrade_cost_above_usd_per_kw=1e9,
    load_withdraw_if_upgrade_cost_above_usd_per_kw=1e9,
    generation_drawn_upgrade_cost_median_usd_per_kw=0.0,
    storage_drawn_upgrade_cost_median_usd_per_kw=0.0,
)


def make(rules: QueueRules = CALM, n_territories: int = 3, seed: int = 0) -> InterconnectionQueue:
    """A queue with the given rules and the streams of a seed."""
    return InterconnectionQueue(rules, n_territories, Streams(seed))


def run_until(q: InterconnectionQueue, start: int, stop: int, hosting: np.ndarray = FREE) -> list:
    """Step months start..stop-1 and return the events."""
    return [q.step(m, hosting) for m in range(start, stop)]
