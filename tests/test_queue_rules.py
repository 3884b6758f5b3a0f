"""Queue rules: serial and cluster studies, money, upgrades, flexible loads and phantom duplicates."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from abm.grid.queue import BUSINESS_DAYS_PER_MONTH, Kind, Reason, State
from tests.queue_helpers import CALM, DEFAULT, FREE, make, run_until


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
    assert q.withdraw([b], 1) == rules.serial_deposit_usd  # serial mode: the deposit is forfeited
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
    if mode == "serial":  # the serial deposit is forfeited
        assert np.all(penalties == q.rules.serial_deposit_usd)
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


def test_committed_loads_leave_only_for_a_reason_speculative_filings_keep_a_hazard() -> None:
    q = make(replace(CALM, base_withdrawal_hazard_per_month=0.2))
    n = 200
    speculative = np.arange(n) % 2 == 1
    ids = q.submit(
        0,
        kind=int(Kind.LOAD),
        mw=50.0,
        node=0,
        territory=0,
        requester=1,
        project=np.arange(n),
        speculative=speculative,
    )
    gen = q.submit(
        0,
        kind=int(Kind.GENERATION),
        mw=np.full(n, 50.0),
        node=1,
        territory=1,
        requester=-1,
        project=-1,
    )
    run_until(q, 1, 13)
    reason = q.column("withdraw_reason", ids)
    assert (reason[~speculative] == Reason.NONE).all()  # no committed load dies at random
    assert (reason[speculative] == Reason.ATTRITION).sum() > n / 4
    assert (q.column("withdraw_reason", gen) == Reason.ATTRITION).sum() > n / 4
    owned = ids[~speculative][:2]
    q.withdraw(owned, 13, Reason.SWITCH)  # the owner's reason is what the queue records
    assert (q.column("withdraw_reason", owned) == Reason.SWITCH).all()


def test_a_request_waiting_for_its_study_withdraws_at_half_the_base_hazard() -> None:
    """Withdrawals come later: before its study a request has learnt nothing about its cost.

    Under the schema's defaults and no study capacity, a year in SUBMITTED withdraws
    1 - exp(-12 h m) of the requests (h the base hazard, m the pre-study multiplier, 0.5).
    """
    assert DEFAULT.submitted_hazard_multiplier == 0.5
    assert DEFAULT.submitted_hazard_multiplier < DEFAULT.system_study_hazard_multiplier
    q = make(replace(DEFAULT, studies_per_month_per_territory=1e-9), n_territories=1)
    n = 5000
    q.submit(0, np.full(n, int(Kind.GENERATION)), 100.0, 0, 0, -1, -1)
    run_until(q, 0, 12)
    withdrawn = float(np.mean(q.state_of(np.arange(n)) == State.WITHDRAWN))
    h = DEFAULT.base_withdrawal_hazard_per_month * DEFAULT.submitted_hazard_multiplier
    assert withdrawn == pytest.approx(1.0 - np.exp(-12 * h), abs=0.015)
    no_study = np.isin(q.state_of(np.arange(n)), [State.SUBMITTED, State.WITHDRAWN])
    assert no_study.all()  # nothing was studied: only the pre-study hazard acted


def test_a_phase_due_in_the_spin_ups_last_month_still_ends() -> None:
    """Spin-up months are negative: a phase due at month -1 is not read as "no clock" (NO_MONTH).

    With NO_MONTH = -1 every request whose study, agreement or build fell due at -1 stayed in
    that phase for good (baseline seed 1: ~47 GW of generation and storage and 3 GW of load).
    """
    q = make()
    ids = []
    for month in range(-40, 60):
        if month < 0:
            ids.append(int(q.submit(month, Kind.GENERATION, 100.0, 0, 0, -1, -1)[0]))
        q.step(month, FREE)
    entered = q.entered_month(np.array(ids))
    # some phase ended (the next one was entered) in month -1, past the submission
    assert (entered[:, State.SYSTEM_STUDY + 1 : State.ENERGIZED] == -1).any()
    assert (q.state_of(np.array(ids)) == State.ENERGIZED).all()
