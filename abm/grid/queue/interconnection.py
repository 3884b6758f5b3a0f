"""`InterconnectionQueue`: the request store and the monthly rules that move it, behind one API.

`step` is the month as a list of stages (attrition, phase completions, new studies, restudies);
each stage is a call into the object that owns its rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.errors import InputError
from abm.grid.queue import reporting
from abm.grid.queue.deposits import Deposits
from abm.grid.queue.events import QueueEvents
from abm.grid.queue.facilities import Facilities
from abm.grid.queue.rules import QueueRules
from abm.grid.queue.store import NO_MONTH, Reason, RequestStore, State, whole_months
from abm.grid.queue.studies import Studies
from abm.grid.queue.transition import rekey_for_mode
from abm.grid.queue.withdrawals import Withdrawals
from abm.streams import Streams, entity_key

if TYPE_CHECKING:  # pandas only for the tables' types: `import abm` stays without it
    import pandas as pd


class InterconnectionQueue:
    """All interconnection requests of a model run and the monthly rules that move them."""

    def __init__(self, rules: QueueRules, n_territories: int, streams: Streams) -> None:
        """Create an empty queue for `n_territories` utilities; all randomness comes from `streams`."""
        if int(n_territories) < 1:
            raise InputError(f"n_territories = {n_territories}: expected >= 1")
        self.rules = rules
        self.n_territories = int(n_territories)
        self.streams = streams
        self.store = RequestStore(self.n_territories)
        self.deposits = Deposits(self.store, rules)
        self.withdrawals = Withdrawals(self.store, rules, self.deposits, streams)
        self.studies = Studies(self.store, rules, self.deposits)
        self.facilities = Facilities(self.store, rules, self.deposits, self.withdrawals, streams)
        self._last_step_month: int | None = None
        self._pending_refunds_usd = 0.0

    def adopt_rules(self, rules: QueueRules) -> None:
        """Run under `rules` from the next step on (a policy trigger); requests keep their phase."""
        rekey_for_mode(self.store, self.rules.mode, rules.mode)
        self.rules = rules
        for part in (self.deposits, self.withdrawals, self.studies, self.facilities):
            part.rules = rules

    # ------------------------------------------------------------------ input
    def submit(
        self,
        month: int,
        kind: np.ndarray | int,
        mw: np.ndarray | float,
        node: np.ndarray | int,
        territory: np.ndarray | int,
        requester: np.ndarray | int,
        project: np.ndarray | int,
        dup_group: np.ndarray | int = -1,
        flexible: np.ndarray | bool = False,
        speculative: np.ndarray | bool = False,
        draw_key: np.ndarray | int | None = None,
        utility_build: np.ndarray | bool = False,
    ) -> np.ndarray:
        """File new requests (scalars broadcast) and return their ids, in submission (FCFS) order.

        `draw_key` (from `abm.streams.entity_key`) names each request for its random draws, so
        its attrition, upgrade cost and build time do not depend on what else was filed; without
        one, a request is keyed by the order it was filed in. A `utility_build` (a utility's own
        generation or storage plant) leaves the queue only when its utility withdraws it.
        """
        month = self._not_before_last_step(month, "submit")
        if draw_key is None:
            n = np.broadcast_shapes(*(np.shape(x) for x in (kind, mw, node, territory)))
            first = self.store.requests.n
            draw_key = entity_key("queue_request", first + np.arange(int(np.prod(n, dtype=int))))
        filing = {
            "kind": kind,
            "mw": mw,
            "node": node,
            "territory": territory,
            "requester": requester,
            "project": project,
            "dup_group": dup_group,
            "flexible": flexible,
            "speculative": speculative,
            "draw_key": draw_key,
            "utility_build": utility_build,
        }
        ids = self.store.add(month, filing)
        c = self.store.requests
        if self.rules.mode == "serial":
            c["order_key"][ids] = ids
            c["deposits_usd"][ids] = self.rules.serial_deposit_usd
        else:
            c["deposits_usd"][ids] = self.deposits.phase_deposit_usd(ids, State.SUBMITTED)
        return ids

    def withdraw(self, ids: np.ndarray, month: int, reason: Reason = Reason.VOLUNTARY) -> float:
        """Withdrawal by the requester for `reason`; returns the penalty in USD (ids already resolved are ignored)."""
        ids = np.unique(np.asarray(ids, np.int64).ravel())
        n = self.store.requests.n
        if ids.size and (ids.min() < 0 or ids.max() >= n):
            raise InputError(f"withdraw: request ids must be in 0..{n - 1}")
        month = self._not_before_last_step(month, "withdraw")
        ids = ids[self.store.requests["state"][ids] < State.ENERGIZED]
        penalty, refund = self.withdrawals.now(ids, month, reason)
        self._pending_refunds_usd += refund
        self.withdrawals.restudy(ids, month)
        self.store.drop_resolved()
        return penalty

    def _not_before_last_step(self, month: int, what: str) -> int:
        """`month` as an int; filings and withdrawals cannot go back before the last step."""
        month = int(month)
        if self._last_step_month is not None and month < self._last_step_month:
            raise InputError(
                f"{what} month {month} is before the last queue step {self._last_step_month}"
            )
        return month

    # ------------------------------------------------------------------ step
    def step(
        self,
        month: int,
        hosting_mw_by_node: np.ndarray,
        hosting_gen_mw_by_node: np.ndarray | None = None,
    ) -> QueueEvents:
        """Advance every active request by one month and return what happened."""
        month = int(month)
        if self._last_step_month is not None and month <= self._last_step_month:
            raise InputError(f"queue step month {month}: expected > {self._last_step_month}")
        hosting, hosting_gen = self._hosting(hosting_mw_by_node, hosting_gen_mw_by_node)
        self._last_step_month = month
        ev = QueueEvents(refunds_usd=self._pending_refunds_usd)
        self._pending_refunds_usd = 0.0
        withdrawn: list[np.ndarray] = []
        # 1. attrition: a monthly hazard by state, kind and speculative flag
        act = self.withdrawals.attrition(self.store.active, month, ev, withdrawn)
        # 2. phase completions, latest state first, so each request moves at most once a month
        self._complete_phases(act, month, hosting, hosting_gen, ev, withdrawn)
        # 3. new studies: serial starts by capacity in FCFS order, or a cluster window closes
        act = act[self.store.requests["state"][act] < State.ENERGIZED]
        self.studies.start(act, month, ev)
        # 4. restudies forced by this month's withdrawals ahead in line
        ev.withdrawn = np.concatenate(withdrawn) if withdrawn else np.empty(0, np.int64)
        ev.restudied = self.withdrawals.restudy(ev.withdrawn, month)
        self.store.drop_resolved()
        return ev

    def _hosting(
        self, hosting_mw_by_node: np.ndarray, hosting_gen_mw_by_node: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The hosting arrays as flat float arrays; each must cover every node requests use."""
        hosting = np.asarray(hosting_mw_by_node, np.float64).ravel()
        hosting_gen = (
            None
            if hosting_gen_mw_by_node is None
            else np.asarray(hosting_gen_mw_by_node, np.float64).ravel()
        )
        max_node = self.store.max_node
        if hosting.size <= max_node or (hosting_gen is not None and hosting_gen.size <= max_node):
            raise InputError(
                f"hosting capacity arrays cover {hosting.size} nodes; requests use node {max_node}"
            )
        return hosting, hosting_gen

    def _complete_phases(
        self,
        act: np.ndarray,
        month: int,
        hosting: np.ndarray,
        hosting_gen: np.ndarray | None,
        ev: QueueEvents,
        sink: list[np.ndarray],
    ) -> None:
        """Finish due phases, latest state first: energise, build, decide upgrades, study facilities."""
        c, r = self.store.requests, self.rules
        st = c["state"][act]
        due = c["due_month"][act]
        ready = (due != NO_MONTH) & (due <= month)

        done = act[ready & (st == State.CONSTRUCTION)]
        self.store.enter(done, State.ENERGIZED, month)
        c["resolved_month"][done] = month
        ev.refunds_usd += self.deposits.refund(done)
        ev.energized = done

        signed = act[ready & (st == State.AGREEMENT)]
        self.store.enter(signed, State.CONSTRUCTION, month)
        c["due_month"][signed] = month + whole_months(c["build_months"][signed])
        lead = c["upgrade_lead_months"][signed]
        has_up = lead > 0
        c["upgrade_in_service_month"][signed[has_up]] = month + whole_months(lead[has_up])
        ev.deposits_usd += self.deposits.post(signed, State.CONSTRUCTION)

        waiting = c["waiting_since_month"][act] != NO_MONTH
        deciding = act[(st == State.FACILITIES_STUDY) & (ready | waiting)]
        self.facilities.decide(deciding, month, hosting, hosting_gen, ev, sink)

        studied = act[ready & (c["state"][act] == State.SYSTEM_STUDY)]
        self.store.enter(studied, State.FACILITIES_STUDY, month)
        c["due_month"][studied] = month + whole_months(r.facilities_study_months)
        ev.deposits_usd += self.deposits.post(studied, State.FACILITIES_STUDY)

    # ------------------------------------------------------------------ queries
    @property
    def n_requests(self) -> int:
        """Number of requests ever submitted (ids are 0..n_requests-1)."""
        return self.store.requests.n

    @property
    def active_ids(self) -> np.ndarray:
        """Ids of requests neither energised nor withdrawn, in submission order."""
        return self.store.active.copy()

    def column(self, name: str, ids: np.ndarray | None = None) -> np.ndarray:
        """A copy of one column (see `table()` for the names), for all requests or for `ids`."""
        return self.store.column(name, ids)

    def state_of(self, ids: np.ndarray | int) -> np.ndarray:
        """Current state of each request id."""
        c = self.store.requests
        return c["state"][: c.n][np.asarray(ids, np.int64)].copy()

    def any_state_below(self, ids: list[int], state: int) -> bool:
        """Whether any of a few requests (ids as Python ints) is in a state before `state`.

        `(state_of(ids) < state).any()` element by element: a project holds one to a few
        requests, and numpy's fancy indexing costs more than the look-ups for so few.
        """
        states = self.store.requests["state"][: self.store.requests.n]
        return any(states[i] < state for i in ids)

    def entered_month(self, ids: np.ndarray | int | None = None) -> np.ndarray:
        """Month each request entered each state, shape (n, 7); NO_MONTH where never entered."""
        return self.store.entered_month(ids)

    def table(self) -> pd.DataFrame:
        """Every request, one row each, all columns plus the month it entered each state."""
        return self.store.table()

    def clusters(self) -> pd.DataFrame:
        """Every cluster study formed so far (cluster mode), one row each."""
        return self.store.cluster_table()

    def months_in_queue(self, month: int) -> np.ndarray:
        """Months from submission to `month` (active) or to energisation/withdrawal (resolved)."""
        return reporting.months_in_queue(self.store, month)

    def counts_by_state(self) -> np.ndarray:
        """Number of requests in each state, shape (7,); sums to n_requests."""
        return reporting.counts_by_state(self.store)

    def backlog_mw(self, kind: int | None = None) -> float:
        """Active (not energised or withdrawn) MW, optionally of one kind."""
        return reporting.backlog_mw(self.store, kind)

    def mw_by_node(
        self, n_nodes: int, kind: int | None = None, states: tuple[int, ...] = (State.ENERGIZED,)
    ) -> np.ndarray:
        """MW per node of requests in `states` (energised by default), optionally of one kind."""
        return reporting.mw_by_node(self.store, n_nodes, kind, states)

    def curtailable_mw_by_node(self, n_nodes: int, month: int) -> np.ndarray:
        """MW per node of energised flexible loads that must curtail until their upgrade is in service."""
        return reporting.curtailable_mw_by_node(self.store, n_nodes, month)

    def median_wait_months(
        self, kind: int | None = None, month: int | None = None, window_months: int | None = None
    ) -> float:
        """Median months from request to energisation (see `reporting.median_wait_months`)."""
        return reporting.median_wait_months(self.store, kind, month, window_months)

    def withdrawn_share(self, kind: int | None = None, by_mw: bool = True) -> float:
        """Share of resolved requests (energised or withdrawn) that withdrew, by MW or by count."""
        return reporting.withdrawn_share(self.store, kind, by_mw)

    def phantom_mask(self) -> np.ndarray:
        """True for each duplicate twin beyond one real project per group (loads only)."""
        return reporting.phantom_mask(self.store)

    def phantom_share_of_requested_mw(self, include_speculative: bool = False) -> float:
        """MW of phantom twins (and optionally speculative loads) over all requested load MW."""
        return reporting.phantom_share_of_requested_mw(self.store, include_speculative)

    def forecast_mw_by_territory(self, probability: float) -> np.ndarray:
        """A utility's queue-based load forecast: active load MW per territory, twins counted, x probability."""
        return reporting.forecast_mw_by_territory(self.store, probability)
