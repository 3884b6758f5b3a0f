"""Utility builds enter service only once both their interconnection and their plant's lead time are done."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from abm.clock import Clock
from abm.grid.desk import GridDesk
from abm.grid.queue import Kind
from abm.schema import ScenarioConfig
from abm.streams import Streams
from abm.world import Calendar
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
    assert desk.pending_utility_build_mw[0] == pytest.approx(100.0)  # still firm in the plan
    desk._builds_online(int(lead) - 1)
    assert desk.gen_cap_mw[0, col] == cap0
    desk._builds_online(int(lead))
    assert desk.gen_cap_mw[0, col] == pytest.approx(cap0 + 100.0)
    assert desk.pending_utility_build_mw[0] == pytest.approx(0.0)
    assert (utility.storage_need_kwh > 0) == (kind == Kind.STORAGE)


def test_build_whose_lead_time_passed_enters_service_when_the_queue_energises_it() -> None:
    desk = desk_at(lead_gas_months=12.0, lead_storage_months=12.0)
    col = desk.techs.index("gas")
    cap0 = desk.gen_cap_mw[0, col]
    file_and_energise(desk, Kind.GENERATION, 50.0, at_month=40)
    desk._builds_online(40)
    assert desk.gen_cap_mw[0, col] == pytest.approx(cap0 + 50.0)
