"""Fake ports for agent decision tests: each a few lines, no model, no services, no grid.

An agent is built on a bare `mesa.Model(rng=...)` with only the ports its decision reads;
the fakes record what the agent asked of them so a test can assert the decision.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import mesa
import numpy as np
import pytest

from abm.batteries import FadeParams
from abm.schema import ScenarioConfig
from abm.vocabulary import Project, Status


@pytest.fixture
def model() -> mesa.Model:
    """A bare Mesa model: agents need one to register with, nothing more."""
    return mesa.Model(rng=7)


@pytest.fixture
def config() -> Callable[..., ScenarioConfig]:
    """Scenario defaults with section overrides, e.g. `config(packs={"routing": "recycle_first"})`."""

    def make(**sections: dict[str, Any]) -> ScenarioConfig:
        return ScenarioConfig.model_validate(sections)

    return make


class FakeLedger:
    """Books: records every transfer."""

    def __init__(self) -> None:
        self.transfers: list[tuple[int | str, int | str, float, str]] = []

    def transfer(self, payer: int | str, payee: int | str, usd: float, kind: str) -> None:
        self.transfers.append((payer, payee, usd, kind))

    def paid(self, kind: str) -> float:
        return sum(t[2] for t in self.transfers if t[3] == kind)


class FakeDesk:
    """ProjectDesk: flat demand, a fixed path list, and a record of what was started or changed."""

    def __init__(self, demand_mw: float = 0.0, existing_mw: float = 0.0, paths=("grid",)) -> None:
        self.flat_demand_mw, self.existing_mw, self.paths = demand_mw, existing_mw, list(paths)
        self.started: list[Project] = []
        self.switched: list[tuple[Project, str]] = []
        self.energized: list[Project] = []
        self._pid = 0

    def demand_mw(self, month: int) -> float:
        return self.flat_demand_mw

    def next_project_id(self, owner: int, month: int | None) -> int:
        self._pid += 1
        return self._pid

    def available_paths(self) -> list[str]:
        return list(self.paths)

    def start_project(self, project: Project, filed_month: int | None = None) -> None:
        self.started.append(project)

    def switch_project(self, project: Project, new_path: str) -> None:
        self.switched.append((project, new_path))
        project.path, project.switches = new_path, project.switches + 1

    def cancel_project(self, project: Project) -> None:
        project.status = Status.CANCELLED

    def energize_project(self, project: Project) -> None:
        project.status = Status.ENERGIZED
        self.energized.append(project)


class FakeSites:
    """SiteDesk: every site is bus 0; pids in `signed` have an agreement, pids in `lost` no live request."""

    def __init__(self, signed: tuple[int, ...] = (), lost: tuple[int, ...] = ()) -> None:
        self.signed, self.lost = set(signed), set(lost)

    def choose_site(self, path: str, mw: float, pid: int, switches: int) -> int:
        return 0

    def project_has_agreement(self, project: Project) -> bool:
        return project.pid in self.signed

    def project_has_live_request(self, project: Project) -> bool:
        return project.pid not in self.lost


class FakePacks:
    """PackDesk: fixed grades, values and second-life room; records installs and returns."""

    def __init__(self, wtp_usd_per_kwh=(100.0, 90.0, 80.0, 200.0)) -> None:
        self.grade_share = np.array([0.4, 0.3, 0.2, 0.1])  # A, B, C, below C
        self.grade_soh = np.array([0.9, 0.8, 0.7, 1.0])  # A, B, C, new
        self.fade_params = FadeParams()
        self.retiring_gwh_this_month = 0.0
        self.wtp_usd_per_kwh = list(wtp_usd_per_kwh)
        self.preferred, self.room_kwh, self.room_asked_months = True, 0.0, None
        self.open_kwh = self.competing_kwh = 0.0  # other buyers' open second-life demand
        self.pack_delivery_months, self.new_wait_months = 0.0, 6.0
        self.delivery_asked_kwh: list[float] = []
        self.installed: list[tuple] = []
        self.returned: list[tuple[int, float, float]] = []
        self.wtp_duties: list[tuple[int, Any]] = []  # (product, duty) of each WTP asked
        self._owner = -1
        self.repurpose_usd_per_kwh = 40.0  # the packs.repurpose_cost_usd_per_kwh default
        self.yield_share = 0.9  # a fixed chemistry mix: one grading yield and recycling value
        self.recycling_usd_per_kwh = 10.0

    def storage_wtp_usd_per_kwh(self, product: int, duty: Any = None) -> float:
        self.wtp_duties.append((product, duty))
        return self.wtp_usd_per_kwh[product]

    def new_storage_price_usd_per_kwh(self) -> float:
        return self.wtp_usd_per_kwh[3]

    def repurpose_cost_usd_per_kwh(self) -> float:
        return self.repurpose_usd_per_kwh

    def second_life_yield(self) -> float:
        return self.yield_share

    def recycling_value_usd_per_kwh(self) -> float:
        return self.recycling_usd_per_kwh

    def second_life_preferred(self) -> bool:
        return self.preferred

    def second_life_room_kwh(self, months_ahead: float) -> float:
        self.room_asked_months = months_ahead
        return self.room_kwh

    def second_life_open_kwh(self) -> float:
        return self.open_kwh

    def second_life_competing_kwh(self) -> float:
        return self.competing_kwh

    def second_life_delivery_months(self, kwh_ahead: float) -> float:
        self.delivery_asked_kwh.append(kwh_ahead)
        return self.pack_delivery_months

    def new_storage_wait_months(self) -> float:
        return self.new_wait_months

    def quoting(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def new_storage_owner(self) -> int:
        self._owner += 1
        return self._owner

    signed_contracts: tuple[int, ...] = ()  # pids of the sites a vendor signed

    def sign_contract(self, project: Project) -> None:
        self.signed_contracts = (*self.signed_contracts, project.pid)

    def install_storage(self, owner, product, usable_kwh, soh, c_rate, efc, duty) -> None:
        self.installed.append(("storage", owner, product, usable_kwh))

    def install_site_storage(self, project, usable_kwh, nameplate_kwh) -> None:
        self.installed.append(("site", project.pid, float(usable_kwh.sum())))

    def install_augmentation(self, vendor, product, usable_kwh, soh) -> None:
        self.installed.append(("augmentation", product, usable_kwh))

    def return_unallocated_storage(self, product: int, usable_kwh: float, soh: float) -> None:
        self.returned.append((product, usable_kwh, soh))

    credit_usd_per_kwh = 0.0  # the 45X credit on a second-life sale
    production_credits: tuple[tuple[int, float], ...] = ()

    def second_life_credit_usd_per_kwh(self) -> float:
        return self.credit_usd_per_kwh

    def pay_production_credit(self, seller: int, usable_kwh: float) -> None:
        self.production_credits = (*self.production_credits, (seller, usable_kwh))


class FakeRecycler:
    """What an OEM sees of a recycler: its spot bid, its backlog, and the packs it receives."""

    def __init__(self, unique_id: int, bid_usd_per_kwh: float, backlog_gwh: float = 0.0) -> None:
        self.unique_id, self.bid, self.awaiting_test_gwh = unique_id, bid_usd_per_kwh, backlog_gwh
        self.received_gwh = 0.0

    def spot_bid_usd_per_kwh(self) -> float:
        return self.bid

    def receive(self, gwh: float) -> None:
        self.received_gwh += gwh


def territory_grid(techs=("gas",), **arrays: Any) -> SimpleNamespace:
    """TerritoryGrid of two buses in territory 0 (one bus in territory 1); records build filings.

    `unsigned` lists each territory's builds not yet signed, as (request id, MW, month filed);
    cancellations are recorded in `cancelled` as (territory, request id).
    """
    grid = SimpleNamespace(
        techs=tuple(techs),
        bus_territory=np.array([0, 0, 1]),
        base_load_mw=np.array([300.0, 100.0, 50.0]),
        dc_grid_load_mw=np.zeros(3),
        gen_cap_mw=np.zeros((3, len(techs))),
        queue_load_mw_by_territory=np.zeros(2),
        signed_load_mw_by_territory=np.zeros(2),
        pending_utility_build_mw=np.zeros(2),
        filings=[],
        unsigned={0: [], 1: []},
        cancelled=[],
    )
    for name, value in arrays.items():
        setattr(grid, name, value)
    grid.builds = []  # the UtilityBuild of each filing
    grid.retire_mw_per_month = np.zeros_like(grid.gen_cap_mw)  # the retirement schedule
    grid.in_service = {0: {}, 1: {}}  # territory -> nameplate MW in service by build option
    grid.upgrade_usd = np.zeros(2)

    def submit(utility: Any, node: int, kind: Any, mw: float, build: Any = None) -> None:
        grid.filings.append((node, kind, mw))
        grid.builds.append(build)

    grid.submit_utility_build = submit
    grid.scheduled_retirement_mw = lambda months: np.minimum(
        grid.retire_mw_per_month * months, np.maximum(grid.gen_cap_mw, 0.0)
    )
    grid.utility_build_costs = lambda t: (dict(grid.in_service[t]), float(grid.upgrade_usd[t]))
    grid.unsigned_utility_builds = lambda utility: list(grid.unsigned[utility.territory])
    grid.cancel_utility_build = lambda utility, rid: grid.cancelled.append((utility.territory, rid))
    return grid


@pytest.fixture
def ledger() -> FakeLedger:
    return FakeLedger()


@pytest.fixture
def packs() -> FakePacks:
    return FakePacks()


@pytest.fixture
def clock() -> SimpleNamespace:
    """Clock at month 0; tests move `clock.month` by hand."""
    return SimpleNamespace(month=0)


# Test modules cannot import from a conftest, so the parameterised fakes come as factories.
@pytest.fixture
def make_desk() -> type[FakeDesk]:
    return FakeDesk


@pytest.fixture
def make_sites() -> type[FakeSites]:
    return FakeSites


@pytest.fixture
def make_recycler() -> type[FakeRecycler]:
    return FakeRecycler


@pytest.fixture
def make_grid() -> Callable[..., SimpleNamespace]:
    return territory_grid
