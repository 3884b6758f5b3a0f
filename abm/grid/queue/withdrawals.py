"""Withdrawals from the queue: monthly attrition, the bookkeeping of leaving, and restudies.

A withdrawal ahead in line forces a restudy on the studies behind it.
"""

from __future__ import annotations

import numpy as np

from abm.grid.queue.deposits import Deposits
from abm.grid.queue.events import QueueEvents
from abm.grid.queue.rules import QueueRules
from abm.grid.queue.store import (
    NO_MONTH,
    ORDER_UNSET,
    Kind,
    Reason,
    RequestStore,
    State,
    whole_months,
)
from abm.numerics import elementary
from abm.streams import Streams


class Withdrawals:
    """Take requests out of the queue (any reason) and restudy the ones behind them."""

    def __init__(
        self, store: RequestStore, rules: QueueRules, deposits: Deposits, streams: Streams
    ) -> None:
        """Withdraw from `store` under `rules`; attrition draws from `streams`."""
        self.store = store
        self.rules = rules
        self.deposits = deposits
        self.streams = streams

    def now(self, ids: np.ndarray, month: int, reason: Reason) -> tuple[float, float]:
        """Withdraw active requests now; return (penalty USD, refund USD)."""
        if ids.size == 0:
            return 0.0, 0.0
        c = self.store.requests
        penalty = self.deposits.penalty_usd(ids)
        c["penalty_usd"][ids] += penalty
        c["withdraw_reason"][ids] = reason
        c["resolved_month"][ids] = month
        c["waiting_since_month"][ids] = NO_MONTH
        c["due_month"][ids] = NO_MONTH
        c["withdrawn_from_state"][ids] = c["state"][ids]
        self.store.enter(ids, State.WITHDRAWN, month)
        return float(penalty.sum()), self.deposits.refund(ids)

    def into(
        self, ev: QueueEvents, sink: list[np.ndarray], ids: np.ndarray, month: int, reason: Reason
    ) -> None:
        """Withdraw inside a step, adding money to the month's events and ids to `sink`."""
        if ids.size == 0:
            return
        penalty, refund = self.now(ids, month, reason)
        ev.penalties_usd += penalty
        ev.refunds_usd += refund
        sink.append(ids)

    def attrition(
        self, act: np.ndarray, month: int, ev: QueueEvents, sink: list[np.ndarray]
    ) -> np.ndarray:
        """Withdraw each request at risk with its monthly hazard; return those still active.

        At risk: merchant generation and storage, and speculative load filings. A committed load
        (a load filing not marked speculative) leaves only for a reason its owner or the queue
        records (upgrade cost, a twin signing, a switch, a cancellation), and a utility's own
        build only when its utility cancels it; neither ever at random. The hazard is the base hazard
        times the multipliers of the request's state and kind, and the speculative multiplier
        for speculative filings; each request's uniform is keyed by (its draw key, month).
        """
        if act.size == 0:
            return act
        c, r = self.store.requests, self.rules
        committed_load = (c["kind"][act] == Kind.LOAD) & ~c["speculative"][act]
        risk = act[~committed_load & ~c["utility_build"][act]]
        h = (
            r.base_withdrawal_hazard_per_month
            * np.asarray(r.hazard_multiplier_by_state)[c["state"][risk]]
            * np.asarray(r.hazard_multiplier_by_kind)[c["kind"][risk]]
            * np.where(c["speculative"][risk], r.speculative_hazard_multiplier, 1.0)
        )
        u = self.streams.uniform("queue.attrition", c["draw_key"][risk], month)
        gone = risk[u < -elementary.expm1(-h)]
        self.into(ev, sink, gone, month, Reason.ATTRITION)
        return act[c["state"][act] < State.ENERGIZED]

    def restudy(self, withdrawn: np.ndarray, month: int) -> np.ndarray:
        """Extend studies behind a withdrawal in the same territory (once a month, capped per request).

        Serial mode: behind = filed later. Cluster mode: behind = this cluster or a later one.
        """
        c, r = self.store.requests, self.rules
        base_case = withdrawn[c["withdrawn_from_state"][withdrawn] >= State.SYSTEM_STUDY]
        if base_case.size == 0:
            return np.empty(0, np.int64)
        min_key = np.full(self.store.n_territories, ORDER_UNSET, np.int64)
        np.minimum.at(min_key, c["territory"][base_case], c["order_key"][base_case])
        act = self.store.active
        st = c["state"][act]
        key = c["order_key"][act]
        behind = (
            key >= min_key[c["territory"][act]]
            if r.mode == "cluster"
            else key > min_key[c["territory"][act]]
        )
        hit = act[
            ((st == State.SYSTEM_STUDY) | (st == State.FACILITIES_STUDY))
            & (c["waiting_since_month"][act] == NO_MONTH)
            & behind
            & (c["restudies"][act] < r.max_restudies_per_request)
            & (c["last_restudy_month"][act] != month)
        ]
        c["due_month"][hit] += whole_months(r.restudy_months)
        c["restudies"][hit] += 1
        c["last_restudy_month"][hit] = month
        return hit
