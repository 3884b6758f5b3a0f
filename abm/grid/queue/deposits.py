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
        """Withdrawal penalty at each request's current state (cluster), or the serial deposit.

        Serial mode forfeits the request's deposit: it paid for a study that led nowhere.
        """
        r, c = self.rules, self.store.requests
        if ids.size == 0:
            return np.zeros(0)
        if r.mode != "cluster":
            return np.full(ids.size, r.serial_deposit_usd)
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


def months_before_signing(rules: QueueRules) -> tuple[float, float, float]:
    """Months a request spends submitted, in its system study and in its facilities study.

    Cluster requests wait half a window on average for the cluster to close.
    """
    if rules.mode == "cluster":
        return (
            rules.cluster_window_months / 2.0,
            rules.cluster_study_months,
            rules.facilities_study_months,
        )
    return 0.0, rules.system_study_months, rules.facilities_study_months


def twin_cost_usd(rules: QueueRules, mw: float, carry_rate_per_month: float) -> float:
    """Expected cost (USD) of a duplicate filing that withdraws when its lead signs.

    The lead signs at the end of its facilities study, when the twin (filed the same month) is
    in its own: cluster mode forfeits that phase's penalty and carries the phase deposits posted
    until then (at `carry_rate_per_month`); serial mode forfeits the serial deposit.
    """
    if rules.mode != "cluster":
        return rules.serial_deposit_usd
    readiness = rules.readiness_deposit_usd_per_mw * mw
    phases = months_before_signing(rules)
    multiples = rules.deposit_readiness_multiple_by_state[: len(phases)]
    held_months = [sum(phases[i:]) for i in range(len(phases))]
    carry = sum(m * h for m, h in zip(multiples, held_months, strict=True))
    penalty = rules.withdrawal_penalty_readiness_multiple_by_state[State.FACILITIES_STUDY]
    return readiness * (penalty + carry * carry_rate_per_month)
