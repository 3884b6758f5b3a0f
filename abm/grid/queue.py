"""Interconnection queue: a vectorised state machine over requests (serial FCFS or FERC 2023 cluster).

Every request sits in exactly one `State` and remembers the month it entered each state. The
columns are growable numpy arrays (amortised doubling); one `step` advances every active request
by one month with array operations only, so 10,000 active requests step in a few milliseconds.
Rules come from the scenario's `[queue]` section (`QueueRules.from_config`); `docs/grid.md (section "Interconnection queues")` explains them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from abm.errors import InputError

if TYPE_CHECKING:
    from abm.schema import QueueSection

BUSINESS_DAYS_PER_MONTH = 261.0 / 12.0
"""US business days per month (261 a year); turns a per-business-day penalty into a monthly one."""

_NO_MONTH = -1
_ORDER_UNSET = np.iinfo(np.int64).max


class State(IntEnum):
    """Lifecycle of a request; only forward moves, or to WITHDRAWN from any active state."""

    SUBMITTED = 0
    SYSTEM_STUDY = 1
    FACILITIES_STUDY = 2
    AGREEMENT = 3
    CONSTRUCTION = 4
    ENERGIZED = 5
    WITHDRAWN = 6


class Kind(IntEnum):
    """What is being connected: a load (data centre), a generator, or storage."""

    LOAD = 0
    GENERATION = 1
    STORAGE = 2


class Reason(IntEnum):
    """Why a request left the queue without being energised (NONE while it has not)."""

    NONE = 0
    VOLUNTARY = 1
    ATTRITION = 2
    UPGRADE_COST = 3
    TWIN = 4


N_STATES = len(State)


_STUDY_FIELDS = ("studies_per_month_per_territory", "load_studies_per_month_per_territory")
"""The two rules `from_config` computes (national study starts scaled per territory)."""


@dataclass(frozen=True)
class QueueRules:
    """The queue's rules, one field per parameter of the schema's `[queue]` section.

    Meanings, units, ranges and sources live in `abm.schema.queue.QueueSection` (and
    `docs/parameters.md`); build the rules with `from_config`. Only the two study capacities
    differ: the schema gives them nationally, the rules per territory.
    """

    mode: str
    studies_per_month_per_territory: float
    load_studies_per_month_per_territory: float
    system_study_months: float
    facilities_study_months: float
    agreement_months: float
    construction_months_load: float
    construction_months_generation: float
    construction_months_storage: float
    construction_sigma: float
    cluster_window_months: int
    cluster_study_months: float
    cluster_study_capacity_requests: int
    readiness_deposit_usd_per_mw: float
    submitted_deposit_readiness_multiple: float
    system_study_deposit_readiness_multiple: float
    facilities_study_deposit_readiness_multiple: float
    agreement_deposit_readiness_multiple: float
    construction_deposit_readiness_multiple: float
    agreement_deposit_fraction_of_upgrade: float
    withdrawal_penalty_fraction_of_upgrade: float
    submitted_withdrawal_penalty_readiness_multiple: float
    system_study_withdrawal_penalty_readiness_multiple: float
    facilities_study_withdrawal_penalty_readiness_multiple: float
    agreement_withdrawal_penalty_readiness_multiple: float
    construction_withdrawal_penalty_readiness_multiple: float
    late_study_penalty_usd_per_day: float
    late_study_penalty_cap_fraction_of_deposits: float
    serial_deposit_usd: float
    upgrade_cost_usd_per_mw: float
    upgrade_lead_months: float
    generation_drawn_upgrade_cost_median_usd_per_kw: float
    storage_drawn_upgrade_cost_median_usd_per_kw: float
    drawn_upgrade_cost_sigma: float
    restudy_months: float
    max_restudies_per_request: int
    base_withdrawal_hazard_per_month: float
    submitted_hazard_multiplier: float
    system_study_hazard_multiplier: float
    facilities_study_hazard_multiplier: float
    agreement_hazard_multiplier: float
    construction_hazard_multiplier: float
    load_hazard_multiplier: float
    generation_hazard_multiplier: float
    storage_hazard_multiplier: float
    speculative_hazard_multiplier: float
    withdraw_if_upgrade_cost_above_usd_per_kw: float
    load_withdraw_if_upgrade_cost_above_usd_per_kw: float
    upgrade_withdraw_scale_usd_per_kw: float
    upgrade_wait_probability: float
    upgrade_wait_max_months: float
    flexible_speedup_months: float

    @classmethod
    def from_config(cls, queue: QueueSection, studies_scale: float) -> QueueRules:
        """Rules from the validated `[queue]` section.

        `studies_scale` turns the national study starts per month into per-territory ones
        (the model passes its merchant scale over its number of territories).
        """
        names = {f.name for f in fields(cls)} - set(_STUDY_FIELDS)
        values = {k: v for k, v in queue.model_dump().items() if k in names}
        return cls(
            **values,
            studies_per_month_per_territory=queue.studies_per_month_us * studies_scale,
            load_studies_per_month_per_territory=queue.load_studies_per_month_us * studies_scale,
        )

    def __post_init__(self) -> None:
        """Reject values the state machine cannot run with, naming the field."""
        if self.mode not in ("serial", "cluster"):
            raise InputError(f'queue.mode = "{self.mode}": expected "serial" or "cluster"')
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if not np.isfinite(value) or value < 0:
                raise InputError(f"queue.{f.name} = {value}: expected a finite value >= 0")
        if self.cluster_window_months < 1 or self.cluster_study_capacity_requests < 1:
            raise InputError(
                "queue.cluster_window_months and cluster_study_capacity_requests must be >= 1"
            )
        if self.upgrade_withdraw_scale_usd_per_kw <= 0:
            raise InputError("queue.upgrade_withdraw_scale_usd_per_kw must be > 0")
        if self.upgrade_wait_probability > 1:
            raise InputError("queue.upgrade_wait_probability must be <= 1")

    @property
    def deposit_readiness_multiple_by_state(self) -> tuple[float, ...]:
        """Deposit due on entering SUBMITTED..CONSTRUCTION, in readiness deposits x MW."""
        return (
            self.submitted_deposit_readiness_multiple,
            self.system_study_deposit_readiness_multiple,
            self.facilities_study_deposit_readiness_multiple,
            self.agreement_deposit_readiness_multiple,
            self.construction_deposit_readiness_multiple,
        )

    @property
    def withdrawal_penalty_readiness_multiple_by_state(self) -> tuple[float, ...]:
        """Withdrawal penalty in SUBMITTED..CONSTRUCTION, in readiness deposits x MW."""
        return (
            self.submitted_withdrawal_penalty_readiness_multiple,
            self.system_study_withdrawal_penalty_readiness_multiple,
            self.facilities_study_withdrawal_penalty_readiness_multiple,
            self.agreement_withdrawal_penalty_readiness_multiple,
            self.construction_withdrawal_penalty_readiness_multiple,
        )

    @property
    def hazard_multiplier_by_state(self) -> tuple[float, ...]:
        """Attrition hazard multipliers for SUBMITTED..CONSTRUCTION."""
        return (
            self.submitted_hazard_multiplier,
            self.system_study_hazard_multiplier,
            self.facilities_study_hazard_multiplier,
            self.agreement_hazard_multiplier,
            self.construction_hazard_multiplier,
        )

    @property
    def hazard_multiplier_by_kind(self) -> tuple[float, ...]:
        """Attrition hazard multipliers for LOAD, GENERATION, STORAGE."""
        return (
            self.load_hazard_multiplier,
            self.generation_hazard_multiplier,
            self.storage_hazard_multiplier,
        )

    @property
    def construction_months_by_kind(self) -> tuple[float, ...]:
        """Median construction months for LOAD, GENERATION, STORAGE."""
        return (
            self.construction_months_load,
            self.construction_months_generation,
            self.construction_months_storage,
        )


@dataclass
class QueueEvents:
    """What one month of the queue produced; money in USD, ids index `InterconnectionQueue.table()`."""

    energized: np.ndarray
    withdrawn: np.ndarray
    agreements: np.ndarray
    deposits_usd: float = 0.0
    penalties_usd: float = 0.0
    late_study_penalties_usd: float = 0.0
    upgrade_cost_usd: float = 0.0
    refunds_usd: float = 0.0
    restudied: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    clusters_formed: int = 0


_COLUMNS: dict[str, tuple[type, object]] = {
    "kind": (np.int8, 0),
    "mw": (np.float64, 0.0),
    "node": (np.int64, 0),
    "territory": (np.int64, 0),
    "requester": (np.int64, 0),
    "project": (np.int64, 0),
    "dup_group": (np.int64, -1),
    "flexible": (np.bool_, False),
    "speculative": (np.bool_, False),
    "submit_month": (np.int64, _NO_MONTH),
    "state": (np.int8, 0),
    "due_month": (np.int64, _NO_MONTH),
    "order_key": (np.int64, _ORDER_UNSET),
    "cluster_id": (np.int64, -1),
    "restudies": (np.int64, 0),
    "last_restudy_month": (np.int64, _NO_MONTH),
    "waiting_since_month": (np.int64, _NO_MONTH),
    "upgrade_mw": (np.float64, 0.0),
    "upgrade_cost_usd": (np.float64, 0.0),
    "upgrade_lead_months": (np.float64, 0.0),
    "build_months": (np.float64, 0.0),
    "upgrade_in_service_month": (np.int64, _NO_MONTH),
    "curtailable_mw": (np.float64, 0.0),
    "deposits_usd": (np.float64, 0.0),
    "refunded_usd": (np.float64, 0.0),
    "penalty_usd": (np.float64, 0.0),
    "late_penalty_credit_usd": (np.float64, 0.0),
    "withdraw_reason": (np.int8, 0),
    "withdrawn_from_state": (np.int8, -1),
    "resolved_month": (np.int64, _NO_MONTH),
}

_CLUSTER_COLUMNS: dict[str, tuple[type, object]] = {
    "territory": (np.int64, 0),
    "is_load": (np.bool_, False),
    "close_month": (np.int64, 0),
    "deadline_month": (np.int64, 0),
    "late_until_month": (np.int64, 0),
    "n_members": (np.int64, 0),
    "deposits_usd": (np.float64, 0.0),
    "late_penalty_usd": (np.float64, 0.0),
}


def _months(x: np.ndarray | float) -> np.ndarray:
    """Round a duration to whole months, at least one step, so every phase takes a month or more."""
    return np.maximum(1, np.rint(np.asarray(x, dtype=np.float64))).astype(np.int64)


class _Columns:
    """Named growable numpy columns of equal length with amortised doubling."""

    def __init__(self, spec: dict[str, tuple[type, object]], extra_2d: int = 0) -> None:
        """Allocate empty columns; `extra_2d` > 0 adds an (n, extra_2d) int64 `entered` block."""
        self.spec = spec
        self.n = 0
        self.cap = 0
        self.data: dict[str, np.ndarray] = {k: np.empty(0, dt) for k, (dt, _) in spec.items()}
        self.extra_2d = extra_2d
        self.entered = np.empty((0, extra_2d), np.int64)

    def append(self, k: int) -> np.ndarray:
        """Add k rows filled with defaults and return their indices."""
        need = self.n + k
        if need > self.cap:
            new_cap = max(need, 2 * self.cap, 64)
            for name, (dt, default) in self.spec.items():
                grown = np.full(new_cap, default, dtype=dt)
                grown[: self.n] = self.data[name][: self.n]
                self.data[name] = grown
            if self.extra_2d:
                grown2 = np.full((new_cap, self.extra_2d), _NO_MONTH, np.int64)
                grown2[: self.n] = self.entered[: self.n]
                self.entered = grown2
            self.cap = new_cap
        ids = np.arange(self.n, need, dtype=np.int64)
        self.n = need
        return ids

    def __getitem__(self, name: str) -> np.ndarray:
        """The full-capacity array of a column (index it with ids)."""
        return self.data[name]


class InterconnectionQueue:
    """All interconnection requests of a model run and the monthly rules that move them."""

    def __init__(self, rules: QueueRules, n_territories: int, rng: np.random.Generator) -> None:
        """Create an empty queue for `n_territories` utilities; all randomness comes from `rng`."""
        if int(n_territories) < 1:
            raise InputError(f"n_territories = {n_territories}: expected >= 1")
        self.rules = rules
        self.n_territories = int(n_territories)
        self.rng = rng
        self._c = _Columns(_COLUMNS, extra_2d=N_STATES)
        self._clusters = _Columns(_CLUSTER_COLUMNS)
        self._active = np.empty(0, np.int64)
        self._last_step_month: int | None = None
        self._study_credit = np.zeros((self.n_territories, 2), np.float64)
        self._pending_refunds_usd = 0.0
        self._won_groups: set[int] = set()
        self._max_node = -1

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
    ) -> np.ndarray:
        """File new requests (scalars broadcast) and return their ids, in submission (FCFS) order."""
        month = int(month)
        if self._last_step_month is not None and month < self._last_step_month:
            raise InputError(
                f"submit month {month} is before the last queue step {self._last_step_month}"
            )
        arrays = np.broadcast_arrays(
            np.asarray(kind, np.int64),
            np.asarray(mw, np.float64),
            np.asarray(node, np.int64),
            np.asarray(territory, np.int64),
            np.asarray(requester, np.int64),
            np.asarray(project, np.int64),
            np.asarray(dup_group, np.int64),
            np.asarray(flexible, np.bool_),
            np.asarray(speculative, np.bool_),
        )
        k_, mw_, node_, terr_, req_, proj_, dup_, flex_, spec_ = (
            np.atleast_1d(a).ravel() for a in arrays
        )
        if k_.size and (k_.min() < 0 or k_.max() >= len(Kind)):
            raise InputError(
                f"request kind {np.unique(k_)}: expected 0 (load), 1 (generation) or 2 (storage)"
            )
        if mw_.size and (not np.all(np.isfinite(mw_)) or mw_.min() <= 0):
            raise InputError("request mw: expected finite values > 0")
        if terr_.size and (terr_.min() < 0 or terr_.max() >= self.n_territories):
            raise InputError(f"request territory: expected 0..{self.n_territories - 1}")
        if node_.size and node_.min() < 0:
            raise InputError("request node: expected ids >= 0")
        c = self._c
        if node_.size:
            self._max_node = max(self._max_node, int(node_.max()))
        ids = c.append(k_.size)
        c["kind"][ids] = k_
        c["mw"][ids] = mw_
        c["node"][ids] = node_
        c["territory"][ids] = terr_
        c["requester"][ids] = req_
        c["project"][ids] = proj_
        c["dup_group"][ids] = dup_
        c["flexible"][ids] = flex_
        c["speculative"][ids] = spec_
        c["submit_month"][ids] = month
        c["state"][ids] = State.SUBMITTED
        c.entered[ids, State.SUBMITTED] = month
        if self.rules.mode == "serial":
            c["order_key"][ids] = ids
            c["deposits_usd"][ids] = self.rules.serial_deposit_usd
        else:
            c["deposits_usd"][ids] = self._phase_deposit(ids, State.SUBMITTED)
        self._active = np.concatenate([self._active, ids])
        return ids

    def withdraw(self, ids: np.ndarray, month: int) -> float:
        """Voluntary withdrawal by the requester; returns the penalty in USD (ids already resolved are ignored)."""
        ids = np.unique(np.asarray(ids, np.int64).ravel())
        if ids.size and (ids.min() < 0 or ids.max() >= self._c.n):
            raise InputError(f"withdraw: request ids must be in 0..{self._c.n - 1}")
        month = int(month)
        if self._last_step_month is not None and month < self._last_step_month:
            raise InputError(
                f"withdraw month {month} is before the last queue step {self._last_step_month}"
            )
        ids = ids[self._c["state"][ids] < State.ENERGIZED]
        penalty, refund = self._withdraw_now(ids, month, Reason.VOLUNTARY)
        self._pending_refunds_usd += refund
        self._restudy(ids, month)
        self._active = self._active[self._c["state"][self._active] < State.ENERGIZED]
        return penalty

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
        c, r = self._c, self.rules
        hosting = np.asarray(hosting_mw_by_node, np.float64).ravel()
        hosting_gen = (
            None
            if hosting_gen_mw_by_node is None
            else np.asarray(hosting_gen_mw_by_node, np.float64).ravel()
        )
        if hosting.size <= self._max_node or (
            hosting_gen is not None and hosting_gen.size <= self._max_node
        ):
            raise InputError(
                f"hosting capacity arrays cover {hosting.size} nodes; requests use node {self._max_node}"
            )
        self._last_step_month = month
        ev = QueueEvents(
            energized=np.empty(0, np.int64),
            withdrawn=np.empty(0, np.int64),
            agreements=np.empty(0, np.int64),
            refunds_usd=self._pending_refunds_usd,
        )
        self._pending_refunds_usd = 0.0
        withdrawn: list[np.ndarray] = []

        # 1. attrition: a monthly hazard by state, kind and speculative flag
        act = self._active
        if act.size:
            st = c["state"][act]
            h = (
                r.base_withdrawal_hazard_per_month
                * np.asarray(r.hazard_multiplier_by_state)[st]
                * np.asarray(r.hazard_multiplier_by_kind)[c["kind"][act]]
                * np.where(c["speculative"][act], r.speculative_hazard_multiplier, 1.0)
            )
            gone = act[self.rng.random(act.size) < -np.expm1(-h)]
            self._withdraw_into(ev, withdrawn, gone, month, Reason.ATTRITION)
            act = act[c["state"][act] < State.ENERGIZED]

        # 2. phase completions, latest state first, so each request moves at most once a month
        st = c["state"][act]
        due = c["due_month"][act]
        ready = (due != _NO_MONTH) & (due <= month)
        done = act[ready & (st == State.CONSTRUCTION)]
        self._enter(done, State.ENERGIZED, month)
        c["resolved_month"][done] = month
        ev.refunds_usd += self._refund(done)
        ev.energized = done

        signed = act[ready & (st == State.AGREEMENT)]
        self._enter(signed, State.CONSTRUCTION, month)
        c["due_month"][signed] = month + _months(c["build_months"][signed])
        lead = c["upgrade_lead_months"][signed]
        has_up = lead > 0
        c["upgrade_in_service_month"][signed[has_up]] = month + _months(lead[has_up])
        ev.deposits_usd += self._post_deposit(signed, State.CONSTRUCTION)

        deciding = act[
            (st == State.FACILITIES_STUDY) & (ready | (c["waiting_since_month"][act] != _NO_MONTH))
        ]
        self._facilities_decisions(deciding, month, hosting, hosting_gen, ev, withdrawn)

        studied = act[ready & (c["state"][act] == State.SYSTEM_STUDY)]
        self._enter(studied, State.FACILITIES_STUDY, month)
        c["due_month"][studied] = month + _months(r.facilities_study_months)
        ev.deposits_usd += self._post_deposit(studied, State.FACILITIES_STUDY)

        # 3. new studies: serial starts by capacity in FCFS order, or a cluster window closes
        act = act[c["state"][act] < State.ENERGIZED]
        waiting = act[c["state"][act] == State.SUBMITTED]
        if r.mode == "serial":
            self._serial_starts(waiting, month, ev)
        elif (month + 1) % r.cluster_window_months == 0:
            ev.clusters_formed = self._form_clusters(waiting, month, ev)
        if r.mode == "cluster":
            ev.late_study_penalties_usd = self._late_penalties(act, month)

        # 4. restudies forced by this month's withdrawals ahead in line
        all_withdrawn = np.concatenate(withdrawn) if withdrawn else np.empty(0, np.int64)
        ev.restudied = self._restudy(all_withdrawn, month)
        ev.withdrawn = all_withdrawn
        self._active = self._active[c["state"][self._active] < State.ENERGIZED]
        return ev

    # ------------------------------------------------------------------ internals
    def _enter(self, ids: np.ndarray, state: State, month: int) -> None:
        """Move requests into `state` at `month` and record the entry month."""
        self._c["state"][ids] = state
        self._c.entered[ids, state] = month

    def _phase_deposit(self, ids: np.ndarray, state: State) -> np.ndarray:
        """Cluster-mode deposit due on entering `state` (readiness deposit x MW x multiplier)."""
        r = self.rules
        return (
            r.readiness_deposit_usd_per_mw
            * r.deposit_readiness_multiple_by_state[state]
            * self._c["mw"][ids]
        )

    def _post_deposit(self, ids: np.ndarray, state: State) -> float:
        """Add the phase deposit to each request's held deposits and return the total posted."""
        if self.rules.mode != "cluster" or ids.size == 0:
            return 0.0
        amount = self._phase_deposit(ids, state)
        self._c["deposits_usd"][ids] += amount
        return float(amount.sum())

    def _refund(self, ids: np.ndarray) -> float:
        """Return all held deposits of requests that leave the queue (penalties are charged apart)."""
        c = self._c
        amount = c["deposits_usd"][ids] - c["refunded_usd"][ids]
        c["refunded_usd"][ids] = c["deposits_usd"][ids]
        return float(amount.sum())

    def _penalty(self, ids: np.ndarray) -> np.ndarray:
        """Cluster-mode withdrawal penalty at each request's current state; zero in serial mode."""
        r, c = self.rules, self._c
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

    def _withdraw_now(self, ids: np.ndarray, month: int, reason: Reason) -> tuple[float, float]:
        """Withdraw active requests now; return (penalty USD, refund USD)."""
        if ids.size == 0:
            return 0.0, 0.0
        c = self._c
        penalty = self._penalty(ids)
        c["penalty_usd"][ids] += penalty
        c["withdraw_reason"][ids] = reason
        c["resolved_month"][ids] = month
        c["waiting_since_month"][ids] = _NO_MONTH
        c["due_month"][ids] = _NO_MONTH
        c["withdrawn_from_state"][ids] = c["state"][ids]
        self._enter(ids, State.WITHDRAWN, month)
        return float(penalty.sum()), self._refund(ids)

    def _withdraw_into(
        self, ev: QueueEvents, sink: list[np.ndarray], ids: np.ndarray, month: int, reason: Reason
    ) -> None:
        """Withdraw inside a step, adding money to the month's events and ids to `sink`."""
        if ids.size == 0:
            return
        penalty, refund = self._withdraw_now(ids, month, reason)
        ev.penalties_usd += penalty
        ev.refunds_usd += refund
        sink.append(ids)

    def _serial_starts(self, waiting: np.ndarray, month: int, ev: QueueEvents) -> None:
        """Start system studies first-come-first-served per territory line, within study capacity."""
        c, r = self._c, self.rules
        rate = np.array([r.load_studies_per_month_per_territory, r.studies_per_month_per_territory])
        self._study_credit = np.minimum(self._study_credit + rate, np.maximum(rate, 1.0))
        slots = np.floor(self._study_credit + 1e-9).astype(np.int64)
        if waiting.size == 0:
            return
        line = c["territory"][waiting] * 2 + (c["kind"][waiting] != Kind.LOAD)
        order = np.lexsort((c["order_key"][waiting], line))
        w, ln = waiting[order], line[order]
        first = np.searchsorted(ln, ln, side="left")
        rank = np.arange(ln.size) - first
        start = rank < slots.ravel()[ln]
        ids = w[start]
        used = np.bincount(ln[start], minlength=self._study_credit.size).reshape(
            self._study_credit.shape
        )
        self._study_credit -= used
        self._enter(ids, State.SYSTEM_STUDY, month)
        c["due_month"][ids] = month + _months(r.system_study_months)

    def _form_clusters(self, waiting: np.ndarray, month: int, ev: QueueEvents) -> int:
        """Close the window: every waiting request joins its territory's load or generation cluster."""
        c, r, cl = self._c, self.rules, self._clusters
        if waiting.size == 0:
            return 0
        is_load = c["kind"][waiting] == Kind.LOAD
        key = c["territory"][waiting] * 2 + (~is_load)
        uniq, inv, counts = np.unique(key, return_inverse=True, return_counts=True)
        cids = cl.append(uniq.size)
        stretch = np.maximum(1.0, counts / r.cluster_study_capacity_requests)
        deadline = month + _months(r.cluster_study_months)
        due = month + _months(r.cluster_study_months * stretch)
        cl["territory"][cids] = uniq // 2
        cl["is_load"][cids] = uniq % 2 == 0
        cl["close_month"][cids] = month
        cl["deadline_month"][cids] = deadline
        cl["late_until_month"][cids] = due
        cl["n_members"][cids] = counts
        c["cluster_id"][waiting] = cids[inv]
        c["order_key"][waiting] = month
        self._enter(waiting, State.SYSTEM_STUDY, month)
        c["due_month"][waiting] = due[inv]
        ev.deposits_usd += self._post_deposit(waiting, State.SYSTEM_STUDY)
        cl["deposits_usd"][cids] = np.bincount(
            inv, weights=c["deposits_usd"][waiting], minlength=uniq.size
        )
        return int(uniq.size)

    def _late_penalties(self, act: np.ndarray, month: int) -> float:
        """Charge the TP per business day a cluster study runs past its deadline; credit members."""
        c, r, cl = self._c, self.rules, self._clusters
        in_study = act[c["state"][act] == State.SYSTEM_STUDY]
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

    def _headroom_excess_mw(
        self, ids: np.ndarray, hosting: np.ndarray, is_load_class: bool
    ) -> np.ndarray:
        """Excess MW of each request over its node's free hosting capacity, allocated in queue order.

        Free capacity = hosting MW minus what committed (AGREEMENT/CONSTRUCTION) requests of the
        same class take without their own upgrades; requests deciding in the same month share it
        first-come-first-served within each node.
        """
        c = self._c
        act = self._active
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

    def _facilities_decisions(
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
        c, r = self._c, self.rules
        kind = c["kind"][ids]
        mw = c["mw"][ids]
        is_load = kind == Kind.LOAD
        excess = np.zeros(ids.size)
        drawn_cost = np.zeros(ids.size)
        from_hosting = np.ones(ids.size, np.bool_)
        if is_load.any():
            excess[is_load] = self._headroom_excess_mw(ids[is_load], hosting, True)
        gen = ~is_load
        if gen.any():
            if hosting_gen is not None:
                excess[gen] = self._headroom_excess_mw(ids[gen], hosting_gen, False)
            else:
                from_hosting[gen] = False
                median = np.where(
                    kind[gen] == Kind.STORAGE,
                    r.storage_drawn_upgrade_cost_median_usd_per_kw,
                    r.generation_drawn_upgrade_cost_median_usd_per_kw,
                )
                usd_per_kw = median * np.exp(
                    r.drawn_upgrade_cost_sigma * self.rng.standard_normal(gen.sum())
                )
                drawn_cost[gen] = usd_per_kw * mw[gen] * 1000.0
                excess[gen] = np.minimum(
                    mw[gen], drawn_cost[gen] / max(r.upgrade_cost_usd_per_mw, 1e-9)
                )
        raw_cost = np.where(from_hosting, excess * r.upgrade_cost_usd_per_mw, drawn_cost)

        # waiting requests re-check: proceed when headroom appeared or the wait ran out
        was_waiting = c["waiting_since_month"][ids] != _NO_MONTH
        waited = month - c["waiting_since_month"][ids]
        wait_over = was_waiting & ((excess <= 0) | (waited >= r.upgrade_wait_max_months))

        cost = self._pro_rata(ids, raw_cost) if r.mode == "cluster" else raw_cost
        cost_kw = cost / (mw * 1000.0)
        threshold = np.where(
            is_load,
            r.load_withdraw_if_upgrade_cost_above_usd_per_kw,
            r.withdraw_if_upgrade_cost_above_usd_per_kw,
        )
        z = np.clip((cost_kw - threshold) / r.upgrade_withdraw_scale_usd_per_kw, -50.0, 50.0)
        p_withdraw = np.where(cost > 0, 1.0 / (1.0 + np.exp(-z)), 0.0)
        can_wait = (r.mode == "serial") & from_hosting & ~c["flexible"][ids] & (excess > 0)
        u = self.rng.random(ids.size)
        fresh = ~was_waiting
        quit_ = fresh & (u < p_withdraw)
        wait = (
            fresh
            & ~quit_
            & can_wait
            & (u < p_withdraw + (1.0 - p_withdraw) * r.upgrade_wait_probability)
        )
        proceed = (fresh & ~quit_ & ~wait) | wait_over

        self._withdraw_into(ev, sink, ids[quit_], month, Reason.UPGRADE_COST)
        c["waiting_since_month"][ids[wait]] = month

        # duplicate twins: one member of a group proceeds, the rest withdraw at once
        p_ids = ids[proceed]
        p_cost, p_excess = cost[proceed], excess[proceed]
        dup = c["dup_group"][p_ids]
        has_dup = dup >= 0
        losers = has_dup & np.isin(
            dup, np.fromiter(self._won_groups, np.int64, len(self._won_groups))
        )
        has_dup &= ~losers
        if has_dup.any():
            idx = np.flatnonzero(has_dup)
            order = np.lexsort((p_ids[idx], dup[idx]))
            sorted_dup = dup[idx][order]
            is_first = np.ones(order.size, np.bool_)
            is_first[1:] = sorted_dup[1:] != sorted_dup[:-1]
            losers[idx[order[~is_first]]] = True
        self._withdraw_into(ev, sink, p_ids[losers], month, Reason.TWIN)
        win = ~losers
        p_ids, p_cost, p_excess = p_ids[win], p_cost[win], p_excess[win]
        winner_groups = np.unique(c["dup_group"][p_ids][c["dup_group"][p_ids] >= 0])
        if winner_groups.size:
            self._won_groups.update(winner_groups.tolist())
            act = self._active
            live = act[c["state"][act] < State.AGREEMENT]
            twins = live[np.isin(c["dup_group"][live], winner_groups) & ~np.isin(live, p_ids)]
            self._withdraw_into(ev, sink, twins, month, Reason.TWIN)

        if p_ids.size == 0:
            return
        kind_p = c["kind"][p_ids]
        mw_p = c["mw"][p_ids]
        base = np.asarray(r.construction_months_by_kind)[kind_p] * np.exp(
            r.construction_sigma * self.rng.standard_normal(p_ids.size)
        )
        lead = np.where(p_excess > 0, r.upgrade_lead_months * np.minimum(1.0, p_excess / mw_p), 0.0)
        flex = c["flexible"][p_ids] & (kind_p == Kind.LOAD) & (p_excess > 0)
        build = np.where(
            flex, np.maximum(base, lead - r.flexible_speedup_months), np.maximum(base, lead)
        )
        c["upgrade_mw"][p_ids] = p_excess
        c["upgrade_cost_usd"][p_ids] = p_cost
        c["upgrade_lead_months"][p_ids] = lead
        c["build_months"][p_ids] = build
        c["curtailable_mw"][p_ids] = np.where(flex, p_excess, 0.0)
        c["waiting_since_month"][p_ids] = _NO_MONTH
        self._enter(p_ids, State.AGREEMENT, month)
        c["due_month"][p_ids] = month + _months(r.agreement_months)
        ev.deposits_usd += self._post_deposit(p_ids, State.AGREEMENT)
        if r.mode == "cluster":
            extra = r.agreement_deposit_fraction_of_upgrade * p_cost
            c["deposits_usd"][p_ids] += extra
            ev.deposits_usd += float(extra.sum())
        ev.upgrade_cost_usd += float(p_cost.sum())
        ev.agreements = p_ids

    def _pro_rata(self, ids: np.ndarray, raw_cost: np.ndarray) -> np.ndarray:
        """Pool each cluster's upgrade cost over the members deciding now and share it by MW."""
        c = self._c
        cid = c["cluster_id"][ids]
        uniq, inv = np.unique(cid, return_inverse=True)
        total = np.bincount(inv, weights=raw_cost, minlength=uniq.size)
        mw = c["mw"][ids]
        total_mw = np.bincount(inv, weights=mw, minlength=uniq.size)
        return total[inv] * mw / total_mw[inv]

    def _restudy(self, withdrawn: np.ndarray, month: int) -> np.ndarray:
        """Extend studies behind a withdrawal in the same territory (once a month, capped per request)."""
        c, r = self._c, self.rules
        base_case = withdrawn[c["withdrawn_from_state"][withdrawn] >= State.SYSTEM_STUDY]
        if base_case.size == 0:
            return np.empty(0, np.int64)
        min_key = np.full(self.n_territories, _ORDER_UNSET, np.int64)
        np.minimum.at(min_key, c["territory"][base_case], c["order_key"][base_case])
        act = self._active
        st = c["state"][act]
        key = c["order_key"][act]
        behind = (
            key >= min_key[c["territory"][act]]
            if r.mode == "cluster"
            else key > min_key[c["territory"][act]]
        )
        hit = act[
            ((st == State.SYSTEM_STUDY) | (st == State.FACILITIES_STUDY))
            & (c["waiting_since_month"][act] == _NO_MONTH)
            & behind
            & (c["restudies"][act] < r.max_restudies_per_request)
            & (c["last_restudy_month"][act] != month)
        ]
        c["due_month"][hit] += _months(r.restudy_months)
        c["restudies"][hit] += 1
        c["last_restudy_month"][hit] = month
        return hit

    # ------------------------------------------------------------------ queries
    @property
    def n_requests(self) -> int:
        """Number of requests ever submitted (ids are 0..n_requests-1)."""
        return self._c.n

    @property
    def active_ids(self) -> np.ndarray:
        """Ids of requests neither energised nor withdrawn, in submission order."""
        return self._active.copy()

    def column(self, name: str, ids: np.ndarray | None = None) -> np.ndarray:
        """A copy of one column (see `table()` for the names), for all requests or for `ids`."""
        if name not in self._c.data:
            raise InputError(
                f'queue column "{name}" does not exist; expected one of {sorted(self._c.data)}'
            )
        data = self._c[name][: self._c.n]
        return data.copy() if ids is None else data[np.asarray(ids, np.int64)]

    def state_of(self, ids: np.ndarray | int) -> np.ndarray:
        """Current state of each request id."""
        return self._c["state"][: self._c.n][np.asarray(ids, np.int64)].copy()

    def entered_month(self, ids: np.ndarray | int | None = None) -> np.ndarray:
        """Month each request entered each state, shape (n, 7); -1 where never entered."""
        block = self._c.entered[: self._c.n]
        return block.copy() if ids is None else block[np.asarray(ids, np.int64)]

    def months_in_queue(self, month: int) -> np.ndarray:
        """Months from submission to `month` (active) or to energisation/withdrawal (resolved), per id."""
        c = self._c
        end = c["resolved_month"][: c.n]
        end = np.where(end == _NO_MONTH, int(month), end)
        return end - c["submit_month"][: c.n]

    def table(self) -> pd.DataFrame:
        """Every request, one row each, all columns plus the month it entered each state."""
        c = self._c
        df = pd.DataFrame({name: arr[: c.n].copy() for name, arr in c.data.items()})
        df.insert(0, "id", np.arange(c.n, dtype=np.int64))
        for s in State:
            df[f"entered_{s.name.lower()}"] = c.entered[: c.n, s]
        return df

    def clusters(self) -> pd.DataFrame:
        """Every cluster study formed so far (cluster mode), one row each."""
        cl = self._clusters
        df = pd.DataFrame({name: arr[: cl.n].copy() for name, arr in cl.data.items()})
        df.insert(0, "cluster_id", np.arange(cl.n, dtype=np.int64))
        return df

    def counts_by_state(self) -> np.ndarray:
        """Number of requests in each state, shape (7,); sums to n_requests."""
        return np.bincount(self._c["state"][: self._c.n], minlength=N_STATES).astype(np.int64)

    def _kind_mask(self, kind: int | None) -> np.ndarray:
        """Mask over all requests of one kind (all when None)."""
        k = self._c["kind"][: self._c.n]
        return np.ones(k.size, np.bool_) if kind is None else k == int(kind)

    def backlog_mw(self, kind: int | None = None) -> float:
        """Active (not energised or withdrawn) MW, optionally of one kind."""
        act = self._active
        mw = self._c["mw"][act]
        if kind is not None:
            mw = mw[self._c["kind"][act] == int(kind)]
        return float(mw.sum())

    def mw_by_node(
        self, n_nodes: int, kind: int | None = None, states: tuple[int, ...] = (State.ENERGIZED,)
    ) -> np.ndarray:
        """MW per node of requests in `states` (energised by default), optionally of one kind."""
        c = self._c
        mask = np.isin(c["state"][: c.n], np.asarray(states)) & self._kind_mask(kind)
        return np.bincount(
            c["node"][: c.n][mask], weights=c["mw"][: c.n][mask], minlength=int(n_nodes)
        )

    def curtailable_mw_by_node(self, n_nodes: int, month: int) -> np.ndarray:
        """MW per node of energised flexible loads that must curtail until their upgrade is in service."""
        c = self._c
        n = c.n
        mask = (
            (c["state"][:n] == State.ENERGIZED)
            & (c["curtailable_mw"][:n] > 0)
            & (c["upgrade_in_service_month"][:n] > int(month))
        )
        return np.bincount(
            c["node"][:n][mask], weights=c["curtailable_mw"][:n][mask], minlength=int(n_nodes)
        )

    def median_wait_months(
        self, kind: int | None = None, month: int | None = None, window_months: int | None = None
    ) -> float:
        """Median months from request to energisation, over requests energised by `month`.

        With `window_months`, only those energised in the last `window_months` up to `month`
        (LBNL reports the median for projects built in given years). NaN when there are none.
        """
        c = self._c
        n = c.n
        e = c.entered[:n, State.ENERGIZED]
        mask = (c["state"][:n] == State.ENERGIZED) & self._kind_mask(kind)
        if month is not None:
            mask &= e <= int(month)
            if window_months is not None:
                mask &= e > int(month) - int(window_months)
        if not mask.any():
            return float("nan")
        return float(np.median(e[mask] - c["submit_month"][:n][mask]))

    def withdrawn_share(self, kind: int | None = None, by_mw: bool = True) -> float:
        """Share of resolved requests (energised or withdrawn) that withdrew, by MW or by count."""
        c = self._c
        n = c.n
        st = c["state"][:n]
        mask = self._kind_mask(kind)
        w = np.where(by_mw, c["mw"][:n], 1.0)
        gone = float(w[mask & (st == State.WITHDRAWN)].sum())
        done = float(w[mask & (st == State.ENERGIZED)].sum())
        return gone / (gone + done) if gone + done > 0 else float("nan")

    def phantom_mask(self) -> np.ndarray:
        """True for each duplicate twin beyond one real project per group (loads only).

        In each duplicate group of loads the member that reached AGREEMENT is the real project;
        in groups where none did, the first-filed member stands for it. Every other member is
        phantom.
        """
        c = self._c
        n = c.n
        mask = np.zeros(n, np.bool_)
        idx = np.flatnonzero((c["kind"][:n] == Kind.LOAD) & (c["dup_group"][:n] >= 0))
        if idx.size == 0:
            return mask
        group = c["dup_group"][idx]
        proceeded = c.entered[idx, State.AGREEMENT] != _NO_MONTH
        order = np.lexsort((idx, ~proceeded, group))
        g_sorted = group[order]
        first = np.ones(order.size, np.bool_)
        first[1:] = g_sorted[1:] != g_sorted[:-1]
        mask[idx[order[~first]]] = True
        return mask

    def phantom_share_of_requested_mw(self, include_speculative: bool = False) -> float:
        """MW of phantom twins (see `phantom_mask`) over all requested load MW.

        With `include_speculative`, load requests flagged speculative count as phantom too.
        """
        c = self._c
        n = c.n
        load = c["kind"][:n] == Kind.LOAD
        total = float(c["mw"][:n][load].sum())
        if total <= 0:
            return 0.0
        mask = self.phantom_mask()
        if include_speculative:
            mask |= load & c["speculative"][:n]
        return float(c["mw"][:n][mask].sum()) / total

    def forecast_mw_by_territory(self, probability: float) -> np.ndarray:
        """A utility's queue-based load forecast: active load MW per territory, twins counted, x probability."""
        p = float(probability)
        act = self._active
        load = act[self._c["kind"][act] == Kind.LOAD]
        mw = np.bincount(
            self._c["territory"][load], weights=self._c["mw"][load], minlength=self.n_territories
        )
        return p * mw
