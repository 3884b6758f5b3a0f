"""Utility builds: outside merchant attrition, cancelled only by their utility, in service after interconnection and lead time."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from abm.clock import Clock
from abm.grid.build_spec import UtilityBuild
from abm.grid.desk import GridDesk
from abm.grid.queue import Kind, Reason, State
from abm.runner import simulate
from abm.scenario import config_with
from abm.schema import ScenarioConfig
from abm.streams import Streams
from abm.world import Calendar
from tests import queue_helpers
from tests.agents.conftest import FakeLedger


def desk_at(lead_gas_months: float, lead_storage_months: float) -> GridDesk:
    """A small grid's desk with the given build lead times, at month 0."""
    cfg = ScenarioConfig.model_validate(
        {
            "grid": {"n_buses": 30},
            # turbines on hand: the plant's own lead binds (the shared turbine book that can
            # hold it longer is tested in tests/test_bridge_power.py)
            "gas": {"turbine_backlog_mw": 0.0, "turbine_min_lead_months": 0.0},
            "utilities": {
                "build_lead_months_gas": lead_gas_months,
                "build_lead_months_storage": lead_storage_months,
            },
        }
    )
    clock = Clock(Calendar.from_config(cfg), month=0)
    return GridDesk(cfg, clock, Streams(3), FakeLedger())


def file_and_energise(desk: GridDesk, kind: Kind, mw: float, at_month: int) -> SimpleNamespace:
    """File one utility build at month 0 and have the queue energise it at `at_month`."""
    utility = SimpleNamespace(territory=0, unique_id=1, storage_need_kwh=0.0)
    before = desk.queue.n_requests
    desk.submit_utility_build(utility, 0, kind, mw)
    rid = before  # request ids are assigned in filing order
    desk.clock.month = at_month
    desk._connect(rid)
    return utility


@pytest.mark.parametrize(("kind", "tech"), [(Kind.GENERATION, "gas"), (Kind.STORAGE, "storage")])
def test_build_waits_for_its_lead_time_after_the_queue_energises_it(kind: Kind, tech: str) -> None:
    desk = desk_at(lead_gas_months=60.0, lead_storage_months=30.0)
    lead = desk.build_lead_months(int(kind))
    col = desk.techs.index(tech)
    cap0 = desk.gen_cap_mw[0, col]
    utility = file_and_energise(desk, kind, 100.0, at_month=20)
    desk._builds_online(20)
    assert desk.gen_cap_mw[0, col] == cap0  # energised in the queue, plant not ready
    assert desk.utility_builds.pending_mw[0] == pytest.approx(100.0)  # still firm in the plan
    desk._builds_online(int(lead) - 1)
    assert desk.gen_cap_mw[0, col] == cap0
    desk._builds_online(int(lead))
    assert desk.gen_cap_mw[0, col] == pytest.approx(cap0 + 100.0)
    assert desk.utility_builds.pending_mw[0] == pytest.approx(0.0)
    assert desk.utility_builds.in_service_mw_cum[kind] == pytest.approx(100.0)
    assert (utility.storage_need_kwh > 0) == (kind == Kind.STORAGE)


def test_build_whose_lead_time_passed_enters_service_when_the_queue_energises_it() -> None:
    desk = desk_at(lead_gas_months=12.0, lead_storage_months=12.0)
    col = desk.techs.index("gas")
    cap0 = desk.gen_cap_mw[0, col]
    file_and_energise(desk, Kind.GENERATION, 50.0, at_month=40)
    desk._builds_online(40)
    assert desk.gen_cap_mw[0, col] == pytest.approx(cap0 + 50.0)


def test_attrition_and_upgrade_costs_never_withdraw_a_utility_build() -> None:
    """With a certain monthly hazard and prohibitive upgrade costs, merchants leave and the utility's plant stays."""
    rules = replace(
        queue_helpers.DEFAULT,
        base_withdrawal_hazard_per_month=50.0,  # 1 - exp(-50): every request at risk leaves
        withdraw_if_upgrade_cost_above_usd_per_kw=0.0,
    )
    q = queue_helpers.make(rules)
    common = {"kind": int(Kind.GENERATION), "mw": 100.0, "node": 0, "territory": 0, "project": -1}
    merchant = q.submit(0, requester=-1, **common)
    own = q.submit(0, requester=7, utility_build=True, **common)
    states = [q.step(m, queue_helpers.FREE) and q.state_of(own)[0] for m in range(1, 80)]
    assert q.state_of(merchant)[0] == State.WITHDRAWN
    assert q.column("withdraw_reason", merchant)[0] == Reason.ATTRITION
    assert State.WITHDRAWN not in states and states[-1] == State.ENERGIZED


def test_a_cancelled_build_leaves_the_queue_for_its_utility_reason() -> None:
    desk = desk_at(lead_gas_months=60.0, lead_storage_months=12.0)
    utility = SimpleNamespace(territory=0, unique_id=1, storage_need_kwh=0.0)
    desk.submit_utility_build(utility, 0, Kind.GENERATION, 70.0)
    desk.submit_utility_build(utility, 0, Kind.STORAGE, 30.0)
    builds = desk.unsigned_utility_builds(utility)
    assert [(mw, filed) for _, mw, filed in builds] == [(70.0, 0), (30.0, 0)]
    assert desk.unsigned_utility_builds(SimpleNamespace(territory=1, unique_id=2)) == []
    rid = builds[0][0]
    desk.cancel_utility_build(utility, rid)
    assert desk.queue.column("withdraw_reason", np.array([rid]))[0] == Reason.CANCELLED
    assert desk.utility_builds.pending_mw[0] == pytest.approx(30.0)
    assert desk.utility_builds.cancelled_mw_cum == pytest.approx(70.0)
    assert [b[0] for b in desk.unsigned_utility_builds(utility)] == [builds[1][0]]


def test_planning_reads_the_pending_builds_of_the_last_queue_step() -> None:
    """A build filed this month joins the pending MW utilities plan on after the next queue step,
    so every utility of a month sees the same system whatever order they plan in."""
    desk = desk_at(lead_gas_months=60.0, lead_storage_months=12.0)
    utility = SimpleNamespace(territory=0, unique_id=1, storage_need_kwh=0.0)
    desk.submit_utility_build(utility, 0, Kind.GENERATION, 70.0)
    assert desk.pending_utility_build_mw[0] == 0.0
    desk._update_queue_views()
    assert desk.pending_utility_build_mw[0] == pytest.approx(70.0)


def test_utility_builds_are_conserved_and_leave_only_by_cancellation() -> None:
    """A short system (a 30 % reserve target on the baseline grid): MW filed = cancelled + in service + pending."""
    cfg = config_with(
        ScenarioConfig(),
        {
            "run.months": 96,
            "utilities.reserve_margin": 0.3,
            "utilities.build_cancel_surplus_share": 0.0,
        },
        "test",
    )
    model, ts = simulate(cfg)
    grid, book = model.grid, model.grid.utility_builds
    assert book.filed_mw_cum > 0 and book.cancelled_mw_cum > 0 and book.in_service_mw_cum.sum() > 0
    accounted = book.cancelled_mw_cum + book.in_service_mw_cum.sum() + book.pending_mw.sum()
    assert accounted == pytest.approx(book.filed_mw_cum)
    ids = np.array(sorted(book.owner))
    assert (grid.queue.column("utility_build", ids)).all()
    left = ids[grid.queue.state_of(ids) == State.WITHDRAWN]
    assert set(grid.queue.column("withdraw_reason", left)) == {Reason.CANCELLED}
    assert ts["utility_builds_filed_mw_cum"].iloc[-1] == pytest.approx(book.filed_mw_cum)
    assert ts["utility_gas_energized_mw_cum"].is_monotonic_increasing


def test_a_solar_build_enters_service_as_solar_after_its_own_lead_and_orders_no_turbines() -> None:
    desk = desk_at(lead_gas_months=60.0, lead_storage_months=30.0)
    spec = UtilityBuild("solar", "solar", firm_mw=30.0, lead_months=18.0, capex_usd_per_kw=1000.0)
    utility = SimpleNamespace(territory=0, unique_id=1, storage_need_kwh=0.0)
    rid = desk.queue.n_requests
    desk.submit_utility_build(utility, 0, Kind.GENERATION, 100.0, spec)
    assert rid not in desk.turbine_orders
    assert desk.utility_builds.pending_mw[0] == pytest.approx(30.0)  # firm MW, not nameplate
    desk.clock.month = 10
    desk._connect(rid)
    col = desk.techs.index("solar")
    cap0 = desk.gen_cap_mw[0, col]
    desk._builds_online(17)
    assert desk.gen_cap_mw[0, col] == cap0
    desk._builds_online(18)
    assert desk.gen_cap_mw[0, col] == pytest.approx(cap0 + 100.0)
    assert desk.utility_builds.in_service_mw(0) == {"solar": pytest.approx(100.0)}
    assert desk.ledger.transfers[-1][2:] == (
        pytest.approx(100.0 * 1000.0 * 1000.0),
        "utility build",
    )


def test_the_2025_coal_fleet_retires_on_schedule() -> None:
    desk = desk_at(lead_gas_months=60.0, lead_storage_months=30.0)
    coal = desk.techs.index("coal")
    start = desk.gen_cap_mw[:, coal].sum()
    assert start > 0
    for _ in range(12):
        desk.retire_month()
    share = desk.config.planning.retire_coal_share_per_year
    assert desk.gen_cap_mw[:, coal].sum() == pytest.approx(start * (1 - share))
    assert desk.retired_mw[:, coal].sum() == pytest.approx(start * share)


def test_a_cancelled_gas_build_forfeits_its_turbine_reservation_and_its_territory_recovers_it() -> (
    None
):
    desk = desk_at(lead_gas_months=60.0, lead_storage_months=12.0)
    utility = SimpleNamespace(territory=0, unique_id=1, storage_need_kwh=0.0)
    desk.submit_utility_build(utility, 0, Kind.GENERATION, 70.0)
    desk.submit_utility_build(utility, 0, Kind.STORAGE, 30.0)
    (gas_rid, _, _), (storage_rid, _, _) = desk.unsigned_utility_builds(utility)
    _, network_before = desk.utility_build_costs(0)
    desk.cancel_utility_build(utility, gas_rid)
    cfg = desk.config
    forfeit = (
        cfg.gas.order_cancel_penalty_share * cfg.utilities.gas_capex_usd_per_kw * 1000.0 * 70.0
    )
    assert forfeit > 0
    paid = {
        note: usd for _, to, usd, note in desk.ledger.transfers if to == "external:engine_makers"
    }
    assert paid == {"turbine order cancelled": pytest.approx(forfeit)}
    _, network_after = desk.utility_build_costs(0)
    assert network_after - network_before >= forfeit  # plus the queue's withdrawal penalty, if any
    assert desk.utility_build_costs(1)[1] == 0.0  # another territory's bill does not carry it
    desk.cancel_utility_build(utility, storage_rid)  # storage orders no turbines: no forfeit
    assert len([t for t in desk.ledger.transfers if t[1] == "external:engine_makers"]) == 1
