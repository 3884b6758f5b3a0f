"""Queue state machine: invariants under random use, determinism, input errors, speed, rules from the schema."""

from __future__ import annotations

import time
from dataclasses import fields, replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abm.errors import InputError
from abm.grid.queue import InterconnectionQueue, Kind, QueueRules, State
from abm.grid.queue.store import NO_MONTH
from abm.schema import QueueSection
from abm.streams import Streams
from tests.queue_helpers import CALM, DEFAULT, FREE, make, run_until

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
    visited = path != NO_MONTH
    k = visited.sum(axis=1)
    assert np.all(visited == (np.arange(State.WITHDRAWN) < k[:, None]))
    masked = np.where(visited, path, np.iinfo(np.int64).max)
    assert np.all((np.diff(masked, axis=1) >= 0) | ~visited[:, 1:])
    last = np.where(visited, path, NO_MONTH).max(axis=1)
    withdrawn = state == State.WITHDRAWN
    assert np.all(entered[withdrawn, State.WITHDRAWN] >= last[withdrawn])
    assert np.all(entered[~withdrawn, State.WITHDRAWN] == NO_MONTH)
    assert np.array_equal(k[~withdrawn] - 1, state[~withdrawn])
    # a duplicate group never has two members past the facilities study
    table = q.table()
    signed = table[(table.dup_group >= 0) & (table.entered_agreement != NO_MONTH)]
    assert not signed.dup_group.duplicated().any()
    # deposits are never refunded twice
    assert np.all(q.column("refunded_usd") <= q.column("deposits_usd") + 1e-6)


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
    q = InterconnectionQueue(DEFAULT, 20, Streams(0))
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
    assert DEFAULT.studies_per_month_per_territory == 10.0
    assert DEFAULT.load_studies_per_month_per_territory == 4.0
