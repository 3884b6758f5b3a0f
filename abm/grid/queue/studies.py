"""Study rules: serial first-come-first-served starts and FERC Order 2023 cluster windows.

Cluster studies that run past their deadline cost the transmission provider a penalty per
business day, credited to the members.
"""

from __future__ import annotations

import numpy as np

from abm.grid.queue.deposits import Deposits
from abm.grid.queue.events import QueueEvents
from abm.grid.queue.rules import QueueRules
from abm.grid.queue.store import Kind, RequestStore, State, whole_months

BUSINESS_DAYS_PER_MONTH = 261.0 / 12.0
"""US business days per month (261 a year); turns a per-business-day penalty into a monthly one."""


class Studies:
    """Start system studies: by capacity in FCFS order (serial) or when a window closes (cluster)."""

    def __init__(self, store: RequestStore, rules: QueueRules, deposits: Deposits) -> None:
        """Start studies for `store` under `rules`; study capacity accrues per territory line."""
        self.store = store
        self.rules = rules
        self.deposits = deposits
        # unused serial study starts per territory and line (loads, generation + storage)
        self.credit = np.zeros((store.n_territories, 2), np.float64)

    def start(self, act: np.ndarray, month: int, ev: QueueEvents) -> None:
        """Move waiting requests into SYSTEM_STUDY by the mode's rule; charge late studies."""
        c, r = self.store.requests, self.rules
        waiting = act[c["state"][act] == State.SUBMITTED]
        if r.mode == "serial":
            self.serial_starts(waiting, month)
        elif (month + 1) % r.cluster_window_months == 0:
            ev.clusters_formed = self.form_clusters(waiting, month, ev)
        if r.mode == "cluster":
            ev.late_study_penalties_usd = self.late_penalties(act, month)

    def serial_starts(self, waiting: np.ndarray, month: int) -> None:
        """Start system studies first-come-first-served per territory line, within study capacity."""
        c, r = self.store.requests, self.rules
        rate = np.array([r.load_studies_per_month_per_territory, r.studies_per_month_per_territory])
        # idle capacity is not banked: the credit holds at most one month's worth (or one study)
        self.credit = np.minimum(self.credit + rate, np.maximum(rate, 1.0))
        slots = np.floor(self.credit + 1e-9).astype(np.int64)
        if waiting.size == 0:
            return
        line = c["territory"][waiting] * 2 + (c["kind"][waiting] != Kind.LOAD)
        order = np.lexsort((c["order_key"][waiting], line))
        w, ln = waiting[order], line[order]
        first = np.searchsorted(ln, ln, side="left")
        rank = np.arange(ln.size) - first
        start = rank < slots.ravel()[ln]
        ids = w[start]
        used = np.bincount(ln[start], minlength=self.credit.size).reshape(self.credit.shape)
        self.credit -= used
        self.store.enter(ids, State.SYSTEM_STUDY, month)
        c["due_month"][ids] = month + whole_months(r.system_study_months)

    def form_clusters(self, waiting: np.ndarray, month: int, ev: QueueEvents) -> int:
        """Close the window: every waiting request joins its territory's load or generation cluster."""
        c, r, cl = self.store.requests, self.rules, self.store.clusters
        if waiting.size == 0:
            return 0
        is_load = c["kind"][waiting] == Kind.LOAD
        key = c["territory"][waiting] * 2 + (~is_load)
        uniq, inv, counts = np.unique(key, return_inverse=True, return_counts=True)
        cids = cl.append(uniq.size)
        stretch = np.maximum(1.0, counts / r.cluster_study_capacity_requests)
        deadline = month + whole_months(r.cluster_study_months)
        due = month + whole_months(r.cluster_study_months * stretch)
        cl["territory"][cids] = uniq // 2
        cl["is_load"][cids] = uniq % 2 == 0
        cl["close_month"][cids] = month
        cl["deadline_month"][cids] = deadline
        cl["late_until_month"][cids] = due
        cl["n_members"][cids] = counts
        c["cluster_id"][waiting] = cids[inv]
        c["order_key"][waiting] = month
        self.store.enter(waiting, State.SYSTEM_STUDY, month)
        c["due_month"][waiting] = due[inv]
        ev.deposits_usd += self.deposits.post(waiting, State.SYSTEM_STUDY)
        cl["deposits_usd"][cids] = np.bincount(
            inv, weights=c["deposits_usd"][waiting], minlength=uniq.size
        )
        return int(uniq.size)

    def late_penalties(self, act: np.ndarray, month: int) -> float:
        """Charge the TP per business day a cluster study runs past its deadline; credit members."""
        c, r, cl = self.store.requests, self.rules, self.store.clusters
        in_study = act[c["state"][act] == State.SYSTEM_STUDY]
        in_study = in_study[c["cluster_id"][in_study] >= 0]  # not those studied before a switch
        if in_study.size == 0 or cl.n == 0:
            return 0.0
        cid = c["cluster_id"][in_study]
        members = np.bincount(cid, minlength=cl.n)
        n = cl.n
        late = (
            (members > 0)
            & (cl["deadline_month"][:n] <= month)
            & (month < cl["late_until_month"][:n])
        )
        cap = r.late_study_penalty_cap_fraction_of_deposits * cl["deposits_usd"][:n]
        room = np.maximum(0.0, cap - cl["late_penalty_usd"][:n])
        charge = np.where(
            late, np.minimum(room, r.late_study_penalty_usd_per_day * BUSINESS_DAYS_PER_MONTH), 0.0
        )
        cl["late_penalty_usd"][:n] += charge
        share = np.divide(charge, members, out=np.zeros(n), where=members > 0)
        c["late_penalty_credit_usd"][in_study] += share[cid]
        return float(charge.sum())
