"""Interconnection queue: a vectorised state machine over requests (serial FCFS or FERC 2023 cluster).

Every request sits in exactly one `State` and remembers the month it entered each state. The
requests are growable numpy columns (`store`); one `InterconnectionQueue.step` advances every
active request by one month with array operations only, so 10,000 active requests step in a
few milliseconds. The rules come from the scenario's `[queue]` section (`QueueRules.from_config`);
`docs/grid.md` (section "Interconnection queues") explains them.

Modules: `store` (states, kinds, request columns), `rules` (`QueueRules`), `deposits`,
`withdrawals` (attrition, restudies), `studies` (serial and cluster), `facilities` (upgrade
decisions, twins, agreements), `reporting` (summaries), `interconnection` (the queue itself).
"""

from __future__ import annotations

from abm.grid.queue.events import QueueEvents
from abm.grid.queue.interconnection import InterconnectionQueue
from abm.grid.queue.rules import QueueRules
from abm.grid.queue.store import N_STATES, Kind, Reason, State
from abm.grid.queue.studies import BUSINESS_DAYS_PER_MONTH

__all__ = [
    "BUSINESS_DAYS_PER_MONTH",
    "N_STATES",
    "InterconnectionQueue",
    "Kind",
    "QueueEvents",
    "QueueRules",
    "Reason",
    "State",
]
