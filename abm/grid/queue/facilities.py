"""Facilities-study decisions: price upgrades, accept / wait / withdraw, drop twins, sign.

Each request whose facilities study finished learns its network-upgrade cost, then accepts,
waits for headroom (serial) or withdraws; one filing of a duplicate group signs.
"""

from __future__ import annotations

import numpy as np

from abm.grid.queue.deposits import Deposits
from abm.grid.queue.events import QueueEvents
from abm.grid.queue.rules import QueueRules
from abm.grid.queue.store import NO_MONTH, Kind, Reason, RequestStore, State, whole_months
from abm.grid.queue.withdrawals import Withdrawals
from abm.numerics import elementary
from abm.streams import Streams


class Facilities:
    """Decide the requests whose facilities study finished (or who wait for headroom)."""

    def __init__(
        self,
        store: RequestStore,
        rules: QueueRules,
        deposits: Deposits,
        withdrawals: Withdrawals,
        streams: Streams,
    ) -> None:
        """Decide for `store` under `rules`; cost, decision and build-time draws come from `streams`."""
        self.store = store
        self.rules = rules
        self.deposits = deposits
        self.withdrawals = withdrawals
        self.streams = streams
        self.won_groups: set[int] = set()  # duplicate groups one of whose filings signed

    def decide(
        self,
        ids: np.ndarray,
        month: int,
        hosting: np.ndarray,
        hosting_gen: np.ndarray | None,
        ev: QueueEvents,
        sink: list[np.ndarray],
    ) -> None:
        """Price upgrades for finished facilities studies; requesters accept, wait or withdraw."""
        if ids.size == 0:
            return
        excess, raw_cost, from_hosting = self.price_upgrades(ids, hosting, hosting_gen)
        c = self.store.requests
        was_waiting = c["waiting_since_month"][ids] != NO_MONTH
        cost = self.pro_rata(ids, raw_cost) if self.rules.mode == "cluster" else raw_cost
        quit_, wait, proceed = self._choose(ids, month, excess, cost, from_hosting, was_waiting)
        self.withdrawals.into(ev, sink, ids[quit_], month, Reason.UPGRADE_COST)
        c["waiting_since_month"][ids[wait]] = month
        p_ids, p_cost, p_excess = ids[proceed], cost[proceed], excess[proceed]
        win = self._drop_twins(p_ids, month, ev, sink)
        self._sign(p_ids[win], p_cost[win], p_excess[win], month, ev)

    def price_upgrades(
        self, ids: np.ndarray, hosting: np.ndarray, hosting_gen: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(excess MW, upgrade cost USD, priced from a hosting array) for each request.

        Loads, and generation and storage when `hosting_gen` is given, need an upgrade for their
        MW beyond the free hosting capacity; otherwise generation and storage draw a cost per kW
        from a lognormal and the implied upgrade MW is cost / upgrade cost per MW.
        """
        c, r = self.store.requests, self.rules
        kind = c["kind"][ids]
        mw = c["mw"][ids]
        is_load = kind == Kind.LOAD
        excess = np.zeros(ids.size)
        drawn_cost = np.zeros(ids.size)
        from_hosting = np.ones(ids.size, np.bool_)
        if is_load.any():
            excess[is_load] = self.headroom_excess_mw(ids[is_load], hosting, True)
        gen = ~is_load
        if gen.any():
            if hosting_gen is not None:
                excess[gen] = self.headroom_excess_mw(ids[gen], hosting_gen, False)
            else:
                from_hosting[gen] = False
                median = np.where(
                    kind[gen] == Kind.STORAGE,
                    r.storage_drawn_upgrade_cost_median_usd_per_kw,
                    r.generation_drawn_upgrade_cost_median_usd_per_kw,
                )
                usd_per_kw = median * elementary.exp(
                    r.drawn_upgrade_cost_sigma
                    * self.streams.normal("queue.upgrade_cost", c["draw_key"][ids[gen]])
                )
                drawn_cost[gen] = usd_per_kw * mw[gen] * 1000.0
                excess[gen] = np.minimum(
                    mw[gen], drawn_cost[gen] / max(r.upgrade_cost_usd_per_mw, 1e-9)
                )
        raw_cost = np.where(from_hosting, excess * r.upgrade_cost_usd_per_mw, drawn_cost)
        return excess, raw_cost, from_hosting

    def headroom_excess_mw(
        self, ids: np.ndarray, hosting: np.ndarray, is_load_class: bool
    ) -> np.ndarray:
        """Excess MW of each request over its node's free hosting capacity, allocated in queue order.

        Free capacity = hosting MW minus what committed (AGREEMENT/CONSTRUCTION) requests of the
        same class take without their own upgrades; requests deciding in the same month share it
        first-come-first-served within each node.
        """
        c = self.store.requests
        act = self.store.active
        st = c["state"][act]
        same_class = (c["kind"][act] == Kind.LOAD) == is_load_class
        committed = act[same_class & ((st == State.AGREEMENT) | (st == State.CONSTRUCTION))]
        used = np.bincount(
            c["node"][committed],
            weights=c["mw"][committed] - c["upgrade_mw"][committed],
            minlength=hosting.size,
        )[: hosting.size]
        free = np.maximum(0.0, hosting - used)
        order = np.lexsort((ids, c["order_key"][ids], c["node"][ids]))
        s = ids[order]
        node = c["node"][s]
        mw = c["mw"][s]
        csum = np.cumsum(mw)
        first = np.searchsorted(node, node, side="left")
        before = csum - mw - (csum[first] - mw[first])
        excess_sorted = np.maximum(0.0, mw - np.maximum(0.0, free[node] - before))
        excess = np.empty(ids.size)
        excess[order] = excess_sorted
        return excess

    def pro_rata(self, ids: np.ndarray, raw_cost: np.ndarray) -> np.ndarray:
        """Pool each cluster's upgrade cost over the members deciding now and share it by MW."""
        c = self.store.requests
        cid = c["cluster_id"][ids]
        if (cid < 0).any():  # requests studied before a switch to clusters pay their own
            out = raw_cost.copy()
            pooled = cid >= 0
            out[pooled] = self.pro_rata(ids[pooled], raw_cost[pooled])
            return out
        uniq, inv = np.unique(cid, return_inverse=True)
        total = np.bincount(inv, weights=raw_cost, minlength=uniq.size)
        mw = c["mw"][ids]
        total_mw = np.bincount(inv, weights=mw, minlength=uniq.size)
        return total[inv] * mw / total_mw[inv]

    def _choose(
        self,
        ids: np.ndarray,
        month: int,
        excess: np.ndarray,
        cost: np.ndarray,
        from_hosting: np.ndarray,
        was_waiting: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Masks (withdraw, wait for headroom, proceed) from a logistic in the cost per kW.

        Requests already waiting proceed once headroom appeared or their wait ran out; only
        inflexible serial requests priced from a hosting array may choose to wait. A utility's
        own build never withdraws here.
        """
        c, r = self.store.requests, self.rules
        mw = c["mw"][ids]
        waited = month - c["waiting_since_month"][ids]
        wait_over = was_waiting & ((excess <= 0) | (waited >= r.upgrade_wait_max_months))
        cost_kw = cost / (mw * 1000.0)
        threshold = np.where(
            c["kind"][ids] == Kind.LOAD,
            r.load_withdraw_if_upgrade_cost_above_usd_per_kw,
            r.withdraw_if_upgrade_cost_above_usd_per_kw,
        )
        # clipped so exp() cannot overflow; beyond +-50 the logistic is 0 or 1 anyway
        z = np.clip((cost_kw - threshold) / r.upgrade_withdraw_scale_usd_per_kw, -50.0, 50.0)
        p_withdraw = np.where(cost > 0, 1.0 / (1.0 + elementary.exp(-z)), 0.0)
        can_wait = (r.mode == "serial") & from_hosting & ~c["flexible"][ids] & (excess > 0)
        u = self.streams.uniform("queue.upgrade_decision", c["draw_key"][ids], month)
        fresh = ~was_waiting
        # a utility's own plant goes ahead: its upgrade is recovered in rates, and only the
        # utility's plan (Utility.plan_generation) ever withdraws it
        quit_ = fresh & (u < p_withdraw) & ~c["utility_build"][ids]
        wait = (
            fresh
            & ~quit_
            & can_wait
            & (u < p_withdraw + (1.0 - p_withdraw) * r.upgrade_wait_probability)
        )
        proceed = (fresh & ~quit_ & ~wait) | wait_over
        return quit_, wait, proceed

    def _drop_twins(
        self, ids: np.ndarray, month: int, ev: QueueEvents, sink: list[np.ndarray]
    ) -> np.ndarray:
        """One filing of a duplicate group proceeds, its twins withdraw; return the winners' mask.

        A filing of a group that already signed loses; among the rest the earliest filed of each
        group wins, and the winners' twins still before AGREEMENT withdraw this month.
        """
        c = self.store.requests
        dup = c["dup_group"][ids]
        has_dup = dup >= 0
        won = np.fromiter(self.won_groups, np.int64, len(self.won_groups))
        losers = has_dup & np.isin(dup, won)
        has_dup &= ~losers
        if has_dup.any():
            idx = np.flatnonzero(has_dup)
            order = np.lexsort((ids[idx], dup[idx]))
            sorted_dup = dup[idx][order]
            is_first = np.ones(order.size, np.bool_)
            is_first[1:] = sorted_dup[1:] != sorted_dup[:-1]
            losers[idx[order[~is_first]]] = True
        self.withdrawals.into(ev, sink, ids[losers], month, Reason.TWIN)
        win = ~losers
        winners = ids[win]
        winner_groups = np.unique(c["dup_group"][winners][c["dup_group"][winners] >= 0])
        if winner_groups.size:
            self.won_groups.update(winner_groups.tolist())
            act = self.store.active
            live = act[c["state"][act] < State.AGREEMENT]
            twins = live[np.isin(c["dup_group"][live], winner_groups) & ~np.isin(live, winners)]
            self.withdrawals.into(ev, sink, twins, month, Reason.TWIN)
        return win

    def _sign(
        self, ids: np.ndarray, cost: np.ndarray, excess: np.ndarray, month: int, ev: QueueEvents
    ) -> None:
        """Fix upgrade, build time and curtailable MW of accepted requests; enter AGREEMENT.

        Construction takes the kind's months times a lognormal spread, at least the upgrade's
        lead time (a flexible load skips `flexible_speedup_months` of that lead).
        """
        if ids.size == 0:
            return
        c, r = self.store.requests, self.rules
        kind = c["kind"][ids]
        mw = c["mw"][ids]
        base = np.asarray(r.construction_months_by_kind)[kind] * elementary.exp(
            r.construction_sigma * self.streams.normal("queue.build_time", c["draw_key"][ids])
        )
        lead = np.where(excess > 0, r.upgrade_lead_months * np.minimum(1.0, excess / mw), 0.0)
        flex = c["flexible"][ids] & (kind == Kind.LOAD) & (excess > 0)
        build = np.where(
            flex, np.maximum(base, lead - r.flexible_speedup_months), np.maximum(base, lead)
        )
        c["upgrade_mw"][ids] = excess
        c["upgrade_cost_usd"][ids] = cost
        c["upgrade_lead_months"][ids] = lead
        c["build_months"][ids] = build
        c["curtailable_mw"][ids] = np.where(flex, excess, 0.0)
        c["waiting_since_month"][ids] = NO_MONTH
        self.store.enter(ids, State.AGREEMENT, month)
        c["due_month"][ids] = month + whole_months(r.agreement_months)
        ev.deposits_usd += self.deposits.post(ids, State.AGREEMENT)
        if r.mode == "cluster":
            extra = r.agreement_deposit_fraction_of_upgrade * cost
            c["deposits_usd"][ids] += extra
            ev.deposits_usd += float(extra.sum())
        ev.upgrade_cost_usd += float(cost.sum())
        ev.agreements = ids
