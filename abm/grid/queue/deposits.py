"""Money the queue holds and charges: phase deposits, refunds and withdrawal penalties (USD)."""

from __future__ import annotations

import numpy as np

from abm.grid.queue.rules import QueueRules
from abm.grid.queue.store import RequestStore, State


class Deposits:
    """Deposits posted by phase (cluster mode), refunds on leaving, penalties on withdrawal."""

    def __init__(self, store: RequestStore, rules: QueueRules) -> None:
        """Keep the accounts of the requests in `store` under `rules`."""
        self.store = store
        self.rules = rules

    def phase_deposit_usd(self, ids: np.ndarray, state: State) -> np.ndarray:
        """Cluster-mode deposit due on entering `state` (readiness deposit x MW x multiple)."""
        r = self.rules
        return (
            r.readiness_deposit_usd_per_mw
            * r.deposit_readiness_multiple_by_state[state]
            * self.store.requests["mw"][ids]
        )

    def post(self, ids: np.ndarray, state: State) -> float:
        """Add the phase deposit to each request's held deposits and return the total posted."""
        if self.rules.mode != "cluster" or ids.size == 0:
            return 0.0
        amount = self.phase_deposit_usd(ids, state)
        self.store.requests["deposits_usd"][ids] += amount
        return float(amount.sum())

    def refund(self, ids: np.ndarray) -> float:
        """Return all held deposits of requests that leave the queue (penalties are charged apart)."""
        c = self.store.requests
        amount = c["deposits_usd"][ids] - c["refunded_usd"][ids]
        c["refunded_usd"][ids] = c["deposits_usd"][ids]
        return float(amount.sum())

    def penalty_usd(self, ids: np.ndarray) -> np.ndarray:
        """Cluster-mode withdrawal penalty at each request's current state; zero in serial mode."""
        r, c = self.rules, self.store.requests
        if r.mode != "cluster" or ids.size == 0:
            return np.zeros(ids.size)
        st = c["state"][ids]
        base = (
            np.asarray(r.withdrawal_penalty_readiness_multiple_by_state)[st]
            * r.readiness_deposit_usd_per_mw
            * c["mw"][ids]
        )
        late = np.where(
            st >= State.AGREEMENT,
            r.withdrawal_penalty_fraction_of_upgrade * c["upgrade_cost_usd"][ids],
            0.0,
        )
        return base + late
