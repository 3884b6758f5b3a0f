"""Tests for the interconnection queue state machine: invariants, ordering rules, money, phantom load."""

from __future__ import annotations

import time
from dataclasses import fields, replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abm.errors import InputError
from abm.grid.queue import (
    BUSINESS_DAYS_PER_MONTH,
    InterconnectionQueue,
    Kind,
    QueueRules,
    Reason,
    State,
)
from abm.schema import QueueSection

FREE = np.full(10, 1e9)  # hosting capacity that never binds

# the schema's defaults; 1/20 splits the national study starts over ~20 US territories, the
# calibration's 6 (and 4 load) study starts per territory and month
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
    """A queue with the given rules and a seeded generator."""
    return InterconnectionQueue(rules, n_territories, np.random.default_rng(seed))


def run_until(q: InterconnectionQueue, start: int, stop: int, hosting: np.ndarray = FREE) -> list:
    """Step months start..stop-1 and return the events."""
    return [q.step(m, hosting) for m in range(start, stop)]


# ---------------------------------------------------------------- property test: the state machine
ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("submit"),
            st.integers(1, 6),
            st.integers(0, 2**31 - 1),
        ),
        st.tuples(st.just("withdraw"), st.integers(1, 4), st.integers(0, 2**31 - 1)),
        st.tuples(st.just("step"), st.integers(1, 3), st.integers(0, 2**31 - 1)),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ops=ops,
    mode=st.sampled_from(["serial", "cluster"]),
    seed=st.integers(0, 1000),
    hazard=st.sampled_from([0.0, 0.05, 0.3]),
)
def test_state_machine_invariants(ops: list, mode: str, seed: int, hazard: float) -> None:
    """Random submissions, withdrawals and steps never lose, duplicate or move a request backwards."""
    rules = replace(
        DEFAULT,
        mode=mode,
        base_withdrawal_hazard_per_month=hazard,
        cluster_window_months=3,
        studies_per_month_per_territory=1.5,
        load_studies_per_month_per_territory=0.5,
        system_study_months=2,
        facilities_study_months=1,
        agreement_months=1,
        construction_months_load=2,
        construction_months_generation=2,
        construction_months_storage=1,
        upgrade_lead_months=4,
        upgrade_wait_max_months=2,
        upgrade_wait_probability=0.5,
    )
    q = make(rules, n_territories=3, seed=seed)
    hosting = np.array([0.0, 50.0, 1e9, 20.0, 1e9])
    month = 0
    prev = [np.empty(0, np.int8)]
    expected_n = 0
    for op, size, op_seed in ops:
        r = np.random.default_rng(op_seed)
        if op == "submit":
            ids = q.submit(
                month,
                r.integers(0, 3, size),
                r.uniform(1, 100, size),
                r.integers(0, 5, size),
                r.integers(0, 3, size),
                0,
                r.integers(0, 5, size),
                dup_group=np.where(r.random(size) < 0.5, r.integers(0, 3, size), -1),
                flexible=r.random(size) < 0.3,
                speculative=r.random(size) < 0.3,
            )
            assert np.array_equal(ids, np.arange(expected_n, expected_n + size))
            expected_n += size
            _check_invariants(q, expected_n, prev)
        elif op == "withdraw" and q.n_requests:
            q.withdraw(r.integers(0, q.n_requests, size), month)
            _check_invariants(q, expected_n, prev)
        else:
            for _ in range(size):
                q.step(month, hosting)
                month += 1
                _check_invariants(q, expected_n, prev)


def _check_invariants(q: InterconnectionQueue, expected_n: int, prev: list[np.ndarray]) -> None:
    """Every request in exactly one state; forward-only moves; entered months consistent."""
    state = q.column("state")
    entered = q.entered_month()
    n = q.n_requests
    assert n == expected_n and state.size == n
    counts = q.counts_by_state()
    assert counts.sum() == n and counts.shape == (7,)
    assert np.array_equal(counts, np.bincount(state, minlength=7))
    assert np.array_equal(q.active_ids, np.flatnonzero(state < State.ENERGIZED))
    assert q.backlog_mw() == pytest.approx(q.column("mw")[state < State.ENERGIZED].sum())
    assert np.all(entered[np.arange(n), state] >= 0)
    # states only move forward (one phase per call at most) or to WITHDRAWN from an active state
    old = prev[0]
    new = state[: old.size]
    resolved = old >= State.ENERGIZED
    assert np.array_equal(new[resolved], old[resolved])
    moved = new != old
    ok = (new == State.WITHDRAWN) | ((new >= old) & (new - old <= 1))
    assert np.all(ok[moved])
    prev[0] = state.copy()
    # entered months: visited states form a prefix, monotone, WITHDRAWN last
    path = entered[:, : State.WITHDRAWN]
    visited = path >= 0
    k = visited.sum(axis=1)
    assert np.all(visited == (np.arange(State.WITHDRAWN) < k[:, None]))
    masked = np.where(visited, path, np.iinfo(np.int64).max)
    assert np.all((np.diff(masked, axis=1) >= 0) | ~visited[:, 1:])
    last = np.where(visited, path, -1).max(axis=1)
    withdrawn = state == State.WITHDRAWN
    assert np.all(entered[withdrawn, State.WITHDRAWN] >= last[withdrawn])
    assert np.all(entered[~withdrawn, State.WITHDRAWN] == -1)
    assert np.array_equal(k[~withdrawn] - 1, state[~withdrawn])
    # a duplicate group never has two members past the facilities study
    table = q.table()
    signed = table[(table.dup_group >= 0) & (table.entered_agreement >= 0)]
    assert not signed.dup_group.duplicated().any()
    # deposits are never refunded twice
    assert np.all(q.column("refunded_usd") <= q.column("deposits_usd") + 1e-6)


# ---------------------------------------------------------------- serial ordering
def test_serial_fcfs_within_territory_and_capacity() -> None:
    """Studies start in submission order per territory, no more than the capacity per month."""
    q = make(replace(CALM, studies_per_month_per_territory=1.0))
    ids0 = q.submit(0, Kind.GENERATION, 10.0, 0, 0, 0, np.arange(5))
    ids1 = q.submit(0, Kind.GENERATION, 10.0, 1, 1, 0, 9)
    run_until(q, 0, 8)
    start = q.entered_month(ids0)[:, State.SYSTEM_STUDY]
    assert list(start) == [0, 1, 2, 3, 4]
    assert q.entered_month(ids1)[0, State.SYSTEM_STUDY] == 0  # other territory is independent


def test_serial_fractional_capacity_and_separate_load_line() -> None:
    """Half a study a month starts one every two months; loads queue on their own line."""
    rules = replace(
        CALM, studies_per_month_per_territory=0.5, load_studies_per_month_per_territory=1.0
    )
    q = make(rules)
    gen = q.submit(0, Kind.GENERATION, 10.0, 0, 0, 0, np.arange(3))
    load = q.submit(0, Kind.LOAD, 10.0, 0, 0, 0, 7)
    run_until(q, 0, 6)
    assert list(q.entered_month(gen)[:, State.SYSTEM_STUDY]) == [1, 3, 5]
    assert q.entered_month(load)[0, State.SYSTEM_STUDY] == 0


def test_serial_restudy_after_withdrawal_ahead() -> None:
    """A withdrawal ahead in the same territory adds restudy months to studies behind, not ahead."""
    rules = replace(
        CALM, studies_per_month_per_territory=3.0, restudy_months=2.0, system_study_months=4
    )
    q = make(rules)
    a, b, c = q.submit(0, Kind.GENERATION, 10.0, 0, 0, 0, [1, 2, 3])
    (other,) = q.submit(0, Kind.GENERATION, 10.0, 0, 1, 0, 4)
    q.step(0, FREE)
    assert np.all(q.state_of([a, b, c, other]) == State.SYSTEM_STUDY)
    due_before = q.column("due_month", [a, b, c, other])
    assert q.withdraw([b], 1) == 0.0  # serial mode: no penalty
    due_after = q.column("due_month", [a, b, c, other])
    assert due_after[0] == due_before[0]  # a is ahead of b
    assert due_after[2] == due_before[2] + 2  # c is behind b
    assert due_after[3] == due_before[3]  # other territory
    # a second withdrawal in the same month does not restudy again
    q.withdraw([a], 1)
    assert q.column("due_month", [c])[0] == due_before[2] + 2
    assert q.column("restudies", [c])[0] == 1
    run_until(q, 1, 10)
    assert q.entered_month([c])[0, State.FACILITIES_STUDY] == 6


def test_restudy_is_capped() -> None:
    """No request absorbs more than max_restudies_per_request restudies."""
    rules = replace(
        CALM,
        studies_per_month_per_territory=10.0,
        max_restudies_per_request=1,
        system_study_months=12,
    )
    q = make(rules)
    ids = q.submit(0, Kind.GENERATION, 10.0, 0, 0, 0, np.arange(4))
    q.step(0, FREE)
    q.withdraw([ids[0]], 1)
    q.step(1, FREE)
    q.withdraw([ids[1]], 2)
    assert q.column("restudies", [ids[3]])[0] == 1


# ---------------------------------------------------------------- cluster mode
def test_cluster_window_batches_and_common_completion() -> None:
    """Requests in one window form one cluster, start together and finish the study together."""
    rules = replace(CALM, mode="cluster", cluster_window_months=6, cluster_study_months=5)
    q = make(rules)
    a = q.submit(0, Kind.GENERATION, 10.0, 0, 0, 0, 1)
    b = q.submit(2, Kind.GENERATION, 30.0, 1, 0, 0, 2)
    run_until(q, 0, 2)
    c = q.submit(2, Kind.STORAGE, 20.0, 2, 0, 0, 3)
    run_until(q, 2, 6)
    d = q.submit(6, Kind.GENERATION, 10.0, 0, 0, 0, 4)
    events = run_until(q, 6, 20)
    first = np.concatenate([a, b, c])
    e = q.entered_month(first)
    assert np.all(e[:, State.SYSTEM_STUDY] == 5)
    assert np.all(e[:, State.FACILITIES_STUDY] == 10)
    assert len(set(q.column("cluster_id", first))) == 1
    assert q.entered_month(d)[0, State.SYSTEM_STUDY] == 11
    assert q.state_of(d)[0] != State.SUBMITTED
    assert sum(ev.clusters_formed for ev in events) == 1  # the month-11 window


def test_cluster_pro_rata_upgrade_shares_sum_to_cost() -> None:
    """The cluster's upgrade cost is shared by MW over its members and the shares add up."""
    rules = replace(CALM, mode="cluster", cluster_window_months=1, upgrade_cost_usd_per_mw=1000.0)
    q = make(rules)
    ids = q.submit(0, Kind.LOAD, [60.0, 40.0, 100.0], [0, 0, 1], 0, 0, [1, 2, 3])
    hosting = np.array([30.0, 1e9] + [1e9] * 8)  # node 0 short by 70 MW
    events = run_until(q, 0, 13, hosting)
    share = q.column("upgrade_cost_usd", ids)
    total = 70.0 * 1000.0
    assert share.sum() == pytest.approx(total)
    assert share == pytest.approx(total * np.array([60, 40, 100]) / 200)
    assert sum(ev.upgrade_cost_usd for ev in events) == pytest.approx(total)
    assert q.column("upgrade_mw", ids).sum() == pytest.approx(70.0)


def test_cluster_deposits_penalties_and_refunds_by_phase() -> None:
    """Deposits are posted at entry and each phase; penalties rise by phase; deposits come back."""
    rules = replace(
        CALM,
        mode="cluster",
        cluster_window_months=1,
        readiness_deposit_usd_per_mw=100.0,
        system_study_months=2,
        cluster_study_months=2,
        facilities_study_months=2,
        agreement_months=2,
        max_restudies_per_request=0,
    )
    q = make(rules)
    ids = q.submit(0, Kind.GENERATION, 10.0, 0, 0, 0, np.arange(4))
    assert q.column("deposits_usd", ids) == pytest.approx([1000.0] * 4)  # 1x at entry
    q.step(0, FREE)  # cluster closes: SYSTEM_STUDY
    assert q.withdraw([ids[0]], 1) == pytest.approx(1.0 * 100 * 10)
    run_until(q, 1, 3)  # month 2: FACILITIES_STUDY, +1x deposit
    assert q.state_of(ids[1]) == State.FACILITIES_STUDY
    assert q.column("deposits_usd", [ids[1]])[0] == pytest.approx(2000.0)
    assert q.withdraw([ids[1]], 3) == pytest.approx(5.0 * 100 * 10)
    ev = q.step(3, FREE)
    ev = q.step(4, FREE)  # AGREEMENT
    assert set(ev.agreements) == {ids[2], ids[3]}
    assert q.withdraw([ids[2]], 5) == pytest.approx(5.0 * 100 * 10)  # no upgrade cost here
    events = run_until(q, 5, 40)
    energized = np.concatenate([e.energized for e in events])
    assert list(energized) == [ids[3]]
    assert q.column("refunded_usd", ids) == pytest.approx(q.column("deposits_usd", ids))
    assert q.column("penalty_usd", ids) == pytest.approx([1000.0, 5000.0, 5000.0, 0.0])


def test_cluster_penalty_includes_upgrade_share_after_facilities() -> None:
    """Past the facilities study the penalty adds 20% of the allocated upgrade cost."""
    rules = replace(CALM, mode="cluster", cluster_window_months=1, readiness_deposit_usd_per_mw=0.0)
    q = make(rules)
    ids = q.submit(0, Kind.LOAD, 100.0, 0, 0, 0, 1)
    hosting = np.array([50.0] + [1e9] * 9)
    run_until(q, 0, 12, hosting)
    assert q.state_of(ids)[0] == State.AGREEMENT
    cost = q.column("upgrade_cost_usd", ids)[0]
    assert cost == pytest.approx(50.0 * rules.upgrade_cost_usd_per_mw)
    assert q.withdraw(ids, 12) == pytest.approx(0.2 * cost)


def test_late_cluster_study_penalties() -> None:
    """A cluster above study capacity runs late; the TP pays per business day, capped by deposits."""
    rules = replace(
        CALM,
        mode="cluster",
        cluster_window_months=1,
        cluster_study_months=5,
        cluster_study_capacity_requests=2,
        readiness_deposit_usd_per_mw=1000.0,
    )
    q = make(rules)
    ids = q.submit(0, Kind.GENERATION, 100.0, 0, 0, 0, np.arange(4))  # 2x capacity -> 10 months
    events = run_until(q, 0, 12)
    cl = q.clusters()
    assert cl.deadline_month[0] == 5 and cl.late_until_month[0] == 10
    late = [ev.late_study_penalties_usd for ev in events]
    per_month = 1000.0 * BUSINESS_DAYS_PER_MONTH
    assert late[5:10] == pytest.approx([per_month] * 5)
    assert sum(late[:5]) == 0.0 and sum(late[10:]) == 0.0
    assert np.all(q.entered_month(ids)[:, State.FACILITIES_STUDY] == 10)
    assert q.column("late_penalty_credit_usd", ids).sum() == pytest.approx(5 * per_month)
    # the cap: tiny deposits bound the total penalty
    capped = make(replace(rules, readiness_deposit_usd_per_mw=1.0))
    capped.submit(0, Kind.GENERATION, 100.0, 0, 0, 0, np.arange(4))
    total = sum(ev.late_study_penalties_usd for ev in run_until(capped, 0, 12))
    assert total == pytest.approx(400.0)


# ---------------------------------------------------------------- upgrades and flexible loads
def test_upgrade_path_cost_and_lead_time() -> None:
    """A load above hosting capacity gets an upgrade priced per excess MW and waits for its lead time."""
    rules = replace(CALM, upgrade_lead_months=48.0)
    q = make(rules)
    ids = q.submit(0, Kind.LOAD, 100.0, 0, 0, 0, 1)
    hosting = np.array([50.0] + [1e9] * 9)
    events = run_until(q, 0, 80, hosting)
    e = q.entered_month(ids)[0]
    assert q.column("upgrade_mw", ids)[0] == pytest.approx(50.0)
    assert q.column("upgrade_cost_usd", ids)[0] == pytest.approx(50 * rules.upgrade_cost_usd_per_mw)
    assert e[State.ENERGIZED] - e[State.CONSTRUCTION] == 24  # 48 x 50/100 > 18 months build
    assert sum(ev.upgrade_cost_usd for ev in events) == pytest.approx(
        50 * rules.upgrade_cost_usd_per_mw
    )


def test_committed_requests_take_headroom_in_queue_order() -> None:
    """Two loads at one node: the earlier takes the headroom, the later pays the upgrade."""
    q = make(replace(CALM, studies_per_month_per_territory=5.0))
    ids = q.submit(0, Kind.LOAD, [60.0, 60.0], 0, 0, 0, [1, 2])
    run_until(q, 0, 20, np.array([100.0] + [1e9] * 9))
    assert q.column("upgrade_mw", ids) == pytest.approx([0.0, 20.0])


def test_upgrade_cost_withdrawal() -> None:
    """Above the cost threshold the requester withdraws, with reason UPGRADE_COST."""
    rules = replace(
        CALM,
        load_withdraw_if_upgrade_cost_above_usd_per_kw=10.0,
        upgrade_withdraw_scale_usd_per_kw=1.0,
    )
    q = make(rules)
    ids = q.submit(0, Kind.LOAD, 100.0, 0, 0, 0, 1)
    run_until(q, 0, 20, np.array([0.0] + [1e9] * 9))
    assert q.state_of(ids)[0] == State.WITHDRAWN
    assert q.column("withdraw_reason", ids)[0] == Reason.UPGRADE_COST
    assert q.column("withdrawn_from_state", ids)[0] == State.FACILITIES_STUDY


def test_wait_for_headroom_then_proceed_without_upgrade() -> None:
    """A waiting requester proceeds with no upgrade once hosting capacity appears."""
    q = make(replace(CALM, upgrade_wait_probability=1.0, upgrade_wait_max_months=24))
    ids = q.submit(0, Kind.LOAD, 100.0, 0, 0, 0, 1)
    short = np.array([10.0] + [1e9] * 9)
    run_until(q, 0, 15, short)
    assert q.state_of(ids)[0] == State.FACILITIES_STUDY
    assert q.column("waiting_since_month", ids)[0] == 11
    q.step(15, FREE)
    assert q.state_of(ids)[0] == State.AGREEMENT
    assert q.column("upgrade_mw", ids)[0] == 0.0
    # and a wait that runs out accepts the upgrade
    q2 = make(replace(CALM, upgrade_wait_probability=1.0, upgrade_wait_max_months=3))
    ids2 = q2.submit(0, Kind.LOAD, 100.0, 0, 0, 0, 1)
    run_until(q2, 0, 15, short)
    assert q2.entered_month(ids2)[0, State.AGREEMENT] == 14
    assert q2.column("upgrade_mw", ids2)[0] == pytest.approx(90.0)


def test_flexible_load_connects_earlier_and_is_curtailable() -> None:
    """On a constrained node a flexible load energises earlier and is flagged for curtailment."""
    rules = replace(CALM, upgrade_lead_months=48.0, flexible_speedup_months=30.0)
    q = make(rules)
    firm, flex = q.submit(0, Kind.LOAD, 100.0, [0, 1], 0, 0, [1, 2], flexible=[False, True])
    hosting = np.array([0.0, 0.0] + [1e9] * 8)
    run_until(q, 0, 90, hosting)
    e = q.entered_month([firm, flex])[:, State.ENERGIZED]
    assert e[1] < e[0]
    assert e[0] - e[1] == 30  # build 48 vs max(18, 48 - 30)
    assert q.column("curtailable_mw", [firm, flex]) == pytest.approx([0.0, 100.0])
    in_service = q.column("upgrade_in_service_month", [flex])[0]
    assert q.curtailable_mw_by_node(10, int(e[1]))[1] == pytest.approx(100.0)
    assert q.curtailable_mw_by_node(10, int(in_service))[1] == 0.0
    # with headroom there is nothing to skip: flexible and firm are equally fast
    q2 = make(rules)
    a, b = q2.submit(0, Kind.LOAD, 100.0, [2, 3], 0, 0, [1, 2], flexible=[False, True])
    run_until(q2, 0, 60)
    e2 = q2.entered_month([a, b])[:, State.ENERGIZED]
    assert e2[0] == e2[1]


# ---------------------------------------------------------------- phantom duplicates
@pytest.mark.parametrize("mode", ["serial", "cluster"])
def test_twins_withdraw_when_one_signs(mode: str) -> None:
    """When one filing of a project reaches AGREEMENT its twins withdraw that month."""
    rules = replace(CALM, mode=mode, cluster_window_months=1, studies_per_month_per_territory=1.0)
    q = make(rules, n_territories=3)
    # territory 0 is backed up so its twin is slower
    q.submit(0, Kind.GENERATION, 10.0, 0, 0, 0, np.arange(5))
    fast = q.submit(0, Kind.LOAD, 100.0, 1, 1, 7, 42, dup_group=3)
    slow = q.submit(0, Kind.LOAD, 100.0, 0, 0, 7, 42, dup_group=3)
    later = q.submit(3, Kind.LOAD, 100.0, 2, 2, 7, 42, dup_group=3)
    other = q.submit(0, Kind.LOAD, 50.0, 2, 2, 8, 43)
    events = run_until(q, 0, 40)
    signed_month = q.entered_month(fast)[0, State.AGREEMENT]
    assert signed_month >= 0
    for twin in (slow, later):
        assert q.state_of(twin)[0] == State.WITHDRAWN
        assert q.column("withdraw_reason", twin)[0] == Reason.TWIN
        assert q.entered_month(twin)[0, State.WITHDRAWN] == signed_month
    assert q.state_of(other)[0] == State.ENERGIZED
    penalties = q.column("penalty_usd", np.concatenate([slow, later]))
    if mode == "serial":
        assert np.all(penalties == 0)
    else:
        assert np.all(penalties > 0)
    month_events = events[signed_month]
    assert set(month_events.withdrawn) == {slow[0], later[0]}
    assert fast[0] in month_events.agreements
    # phantom share: the twins' MW over all requested load MW
    assert q.phantom_share_of_requested_mw() == pytest.approx(200.0 / 350.0)


def test_twin_filed_after_the_winner_withdraws_when_it_decides() -> None:
    """A member filed after its group already signed withdraws instead of signing too."""
    q = make()
    a = q.submit(0, Kind.LOAD, 10.0, 0, 0, 0, 1, dup_group=5)
    run_until(q, 0, 12)
    assert q.state_of(a)[0] >= State.AGREEMENT
    b = q.submit(12, Kind.LOAD, 10.0, 1, 1, 0, 1, dup_group=5)
    run_until(q, 12, 40)
    assert q.state_of(b)[0] == State.WITHDRAWN
    assert q.column("withdraw_reason", b)[0] == Reason.TWIN


def test_forecast_counts_duplicates() -> None:
    """A utility forecast counts every active load filing, twins included, times the probability."""
    q = make()
    q.submit(
        0, Kind.LOAD, [100.0, 100.0, 40.0], [0, 1, 2], [0, 1, 1], 0, [1, 1, 2], dup_group=[9, 9, -1]
    )
    q.submit(0, Kind.GENERATION, 500.0, 0, 0, 0, 3)
    assert q.forecast_mw_by_territory(0.5) == pytest.approx([50.0, 70.0, 0.0])
    assert q.forecast_mw_by_territory(1.0) == pytest.approx([100.0, 140.0, 0.0])
    assert q.backlog_mw(Kind.LOAD) == pytest.approx(240.0)


# ---------------------------------------------------------------- statistics, determinism, errors
def test_stats_helpers() -> None:
    """Median wait and withdrawn share follow their definitions."""
    q = make(replace(CALM, studies_per_month_per_territory=10.0))
    ids = q.submit(0, Kind.GENERATION, [10.0, 30.0, 60.0], 0, 0, 0, [1, 2, 3])
    q.withdraw([ids[2]], 0)
    run_until(q, 0, 60)
    waits = q.months_in_queue(60)
    e = q.entered_month(ids)
    assert waits[0] == e[0, State.ENERGIZED]
    assert q.median_wait_months(Kind.GENERATION) == e[0, State.ENERGIZED]
    assert np.isnan(q.median_wait_months(Kind.LOAD))
    assert np.isnan(q.median_wait_months(Kind.GENERATION, month=59, window_months=5))
    assert q.withdrawn_share(Kind.GENERATION) == pytest.approx(60.0 / 100.0)
    assert q.withdrawn_share(by_mw=False) == pytest.approx(1.0 / 3.0)
    table = q.table()
    assert len(table) == 3 and {"id", "state", "entered_energized", "upgrade_cost_usd"} <= set(
        table.columns
    )


def _random_run(seed: int, mode: str) -> pd.DataFrame:
    """A busy random run with attrition, upgrades and twins; returns the final table."""
    q = make(replace(DEFAULT, mode=mode), n_territories=4, seed=seed)
    stream = np.random.default_rng(99)
    hosting = stream.uniform(0, 300, 40)
    for month in range(60):
        k = 12
        q.submit(
            month,
            stream.integers(0, 3, k),
            stream.uniform(10, 200, k),
            stream.integers(0, 40, k),
            stream.integers(0, 4, k),
            0,
            stream.integers(0, 30, k),
            dup_group=np.where(stream.random(k) < 0.3, stream.integers(0, 50, k), -1),
            flexible=stream.random(k) < 0.2,
            speculative=stream.random(k) < 0.3,
        )
        q.step(month, hosting)
    return q.table()


@pytest.mark.parametrize("mode", ["serial", "cluster"])
def test_same_seed_same_result(mode: str) -> None:
    """Same seed gives an identical table; another seed does not."""
    a = _random_run(3, mode)
    pd.testing.assert_frame_equal(a, _random_run(3, mode))
    assert not a.equals(_random_run(4, mode))


def test_input_errors() -> None:
    """Bad rules and bad calls fail with InputError naming the problem."""
    with pytest.raises(InputError, match="mode"):
        replace(DEFAULT, mode="lottery")
    with pytest.raises(InputError, match="upgrade_cost_usd_per_mw"):
        replace(DEFAULT, upgrade_cost_usd_per_mw=-1.0)
    with pytest.raises(InputError, match="upgrade_withdraw_scale_usd_per_kw"):
        replace(DEFAULT, upgrade_withdraw_scale_usd_per_kw=0.0)
    q = make()
    with pytest.raises(InputError, match="kind"):
        q.submit(0, 7, 10.0, 0, 0, 0, 0)
    with pytest.raises(InputError, match="territory"):
        q.submit(0, Kind.LOAD, 10.0, 0, 5, 0, 0)
    with pytest.raises(InputError, match="mw"):
        q.submit(0, Kind.LOAD, 0.0, 0, 0, 0, 0)
    q.submit(0, Kind.LOAD, 10.0, 9, 0, 0, 0)
    with pytest.raises(InputError, match="hosting"):
        q.step(0, np.ones(3))
    q.step(0, FREE)
    with pytest.raises(InputError, match="step month"):
        q.step(0, FREE)
    with pytest.raises(InputError, match="withdraw"):
        q.withdraw([5], 1)
    with pytest.raises(InputError, match="column"):
        q.column("colour")


def test_ten_thousand_active_requests_step_fast() -> None:
    """A month with ~10,000 active requests takes milliseconds, not seconds."""
    rng = np.random.default_rng(0)
    q = InterconnectionQueue(DEFAULT, 20, rng)
    hosting = np.full(200, 300.0)
    for month in range(12):
        k = 900
        terr = rng.integers(0, 20, k)
        q.submit(month, rng.integers(0, 3, k), rng.uniform(10, 300, k), terr * 10, terr, 0, 0)
        q.step(month, hosting)
    assert q.active_ids.size > 8_000
    t0 = time.perf_counter()
    for month in range(12, 17):
        q.step(month, hosting)
    per_step_s = (time.perf_counter() - t0) / 5
    assert per_step_s < 0.05


def test_phantom_share_with_speculative() -> None:
    """Speculative load filings count as phantom when asked; generation never does."""
    q = make()
    q.submit(
        0,
        Kind.LOAD,
        [100.0, 100.0, 50.0, 50.0],
        [0, 1, 2, 3],
        0,
        0,
        [1, 1, 2, 3],
        dup_group=[4, 4, -1, -1],
        speculative=[False, False, True, False],
    )
    q.submit(0, Kind.GENERATION, 999.0, 0, 0, 0, 9, dup_group=4, speculative=True)
    assert q.phantom_share_of_requested_mw() == pytest.approx(100.0 / 300.0)
    assert q.phantom_share_of_requested_mw(include_speculative=True) == pytest.approx(150.0 / 300.0)
    assert list(q.phantom_mask()) == [False, True, False, False, False]


def test_rules_come_from_the_schema() -> None:
    """Every rule is a schema parameter; only the study capacities are scaled per territory."""
    section = QueueSection()
    rules = QueueRules.from_config(section, studies_scale=0.25)
    assert rules.studies_per_month_per_territory == section.studies_per_month_us * 0.25
    assert rules.load_studies_per_month_per_territory == section.load_studies_per_month_us * 0.25
    for f in fields(QueueRules):
        if f.name not in (
            "studies_per_month_per_territory",
            "load_studies_per_month_per_territory",
        ):
            assert getattr(rules, f.name) == getattr(section, f.name), f.name
    assert DEFAULT.studies_per_month_per_territory == 6.0
    assert DEFAULT.load_studies_per_month_per_territory == 4.0
