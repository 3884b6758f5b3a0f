"""Ports: the small interfaces agents and services see of each other (structural `Protocol`s).

Agents are built with the ports they need (never the model), so a decision can be tested on a
bare `mesa.Model()` with fakes; the services in `abm/markets`, `abm/grid/desk.py` and
`abm/projects.py` satisfy them (the pack-market buyer and seller are in `abm.vocabulary`).
Units are in the member names.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

import numpy as np

from abm.vocabulary import PackSeller, StorageBuyer

if TYPE_CHECKING:
    from abm.batteries import Duty, FadeParams
    from abm.grid.build_spec import UtilityBuild
    from abm.grid.queue import Kind
    from abm.vocabulary import Project


class Clock(Protocol):
    """The month index being simulated (-1 before the first step)."""

    month: int


class Books(Protocol):
    """The money ledger: every payment is a transfer between two accounts."""

    def transfer(self, payer: int | str, payee: int | str, usd: float, kind: str) -> None:
        """Move `usd` from payer to payee, booked under `kind`."""
        ...


class ProjectDesk(Protocol):
    """What hyperscalers and vendors do with projects: open, route, switch, cancel, energise."""

    existing_mw: float

    def demand_mw(self, month: int) -> float:
        """Facility MW of data-centre demand in a month index."""
        ...

    def next_project_id(self, owner: int, month: int | None) -> int:
        """A fresh id for the next project `owner` opens in `month` (None: the initial pipeline)."""
        ...

    def available_paths(self) -> list[str]:
        """Paths a hyperscaler may choose now (the wildcard path fills up as projects take it)."""
        ...

    def start_project(self, project: Project, filed_month: int | None = None) -> None:
        """Hand a new project to its path."""
        ...

    def switch_project(self, project: Project, new_path: str) -> None:
        """Withdraw a grid project and restart it on another path (the grid again: refile)."""
        ...

    def cancel_project(self, project: Project) -> None:
        """Drop a grid project still in study."""
        ...

    def energize_project(self, project: Project) -> None:
        """Mark a project powered."""
        ...

    def gas_quote_months(self, mw: float = 0.0) -> float:
        """Months to delivery of `mw` of on-site gas ordered today (the earlier of the engine and turbine books)."""
        ...

    def order_bridge(self, project: Project) -> None:
        """Order bridge gas for a waiting grid project."""
        ...


class SiteDesk(Protocol):
    """Where a project can go, whether its grid requests have signed, and how load filings fare."""

    n_territories: int

    def choose_site(self, path: str, mw: float, pid: int, switches: int) -> int:
        """A bus index for project `pid` on its `switches`-th path `path` (draw keyed by both)."""
        ...

    def project_has_agreement(self, project: Project) -> bool:
        """Whether any of a grid project's requests has signed."""
        ...

    def project_has_live_request(self, project: Project) -> bool:
        """Whether any of a grid project's requests is still in the queue (not energised or withdrawn)."""
        ...

    def load_filing_record(self) -> tuple[int, int]:
        """(signed, failed) committed load filings the market has seen."""
        ...


class LmpView(Protocol):
    """Locational prices of the last cleared month (USD/MWh per bus) and its peak-hour injections (MW)."""

    lmp_by_bus: np.ndarray
    peak_injection_mw: np.ndarray | None


class TerritoryGrid(Protocol):
    """A utility's view of the grid: every territory's per-bus arrays and queue views, its own builds.

    It reads the other territories' load, capacity and pending builds (the planning data a
    regional operator publishes) to decide with them whether the system is short.
    """

    techs: tuple[str, ...]
    bus_territory: np.ndarray
    base_load_mw: np.ndarray
    dc_grid_load_mw: np.ndarray
    gen_cap_mw: np.ndarray
    queue_load_mw_by_territory: np.ndarray
    signed_load_mw_by_territory: np.ndarray
    pending_utility_build_mw: np.ndarray

    def submit_utility_build(
        self,
        utility: TariffTaker,
        node: int,
        kind: Kind,
        mw: float,
        build: UtilityBuild | None = None,
    ) -> None:
        """File a generation or storage build (`build`: which plant) in the utility's queue."""
        ...

    def scheduled_retirement_mw(self, months: float) -> np.ndarray:
        """MW (bus x technology) of the 2025 fleet scheduled to retire within `months`."""
        ...

    def utility_build_costs(self, territory: int) -> tuple[dict[str, float], float]:
        """A territory's builds in service (nameplate MW by option) and the upgrade USD they drew."""
        ...

    def unsigned_utility_builds(self, utility: TariffTaker) -> list[tuple[int, float, int]]:
        """(request id, MW, month filed) of the utility's builds not yet at their agreement."""
        ...

    def cancel_utility_build(self, utility: TariffTaker, rid: int) -> None:
        """Withdraw one of the utility's builds (its own decision, recorded as cancelled)."""
        ...


class PackDesk(Protocol):
    """The pack economy as agents see it: grades, values, prices and installing storage."""

    grade_share: np.ndarray
    grade_soh: np.ndarray
    fade_params: FadeParams
    retiring_gwh_this_month: float

    def sign_contract(self, project: Project) -> None:
        """Sign a booked modular site's contract (ownership, battery-as-a-service or PPA) and fix its fee or price."""
        ...

    def storage_wtp_usd_per_kwh(self, product: int, duty: Duty | None = None) -> float:
        """Willingness to pay per usable kWh of a product (0-2 grades A-C, 3 new) under a buyer's duty."""
        ...

    def new_storage_price_usd_per_kwh(self) -> float:
        """New storage price this month, net of the 45X credit."""
        ...

    def second_life_credit_usd_per_kwh(self) -> float:
        """The 45X credit a second-life sale earns this month (USD per usable kWh)."""
        ...

    def pay_production_credit(self, seller: int, usable_kwh: float) -> None:
        """Pay the second-life production credit on repurposed usable kWh."""
        ...

    def repurpose_cost_usd_per_kwh(self) -> float:
        """Repurposing cost per second-life kWh this month (on its learning curve)."""
        ...

    def second_life_yield(self) -> float:
        """Usable share of graded capacity that survives repurposing (this month's chemistry mix)."""
        ...

    def recycling_value_usd_per_kwh(self) -> float:
        """Net value of recycling a nameplate kWh of this month's retired packs (chemistry mix)."""
        ...

    def second_life_preferred(self) -> bool:
        """Second life is the better buy per unit of value, and routing allows it."""
        ...

    def second_life_room_kwh(self, months_ahead: float) -> float:
        """Second-life kWh not yet spoken for `months_ahead` on."""
        ...

    def second_life_open_kwh(self) -> float:
        """Every buyer's open second-life demand (usable kWh)."""
        ...

    def second_life_competing_kwh(self) -> float:
        """Second-life demand bidding now: vendors' due orders and other buyers' bids (usable kWh)."""
        ...

    def second_life_delivery_months(self, kwh_ahead: float) -> float:
        """Months until stock plus net supply deliver `kwh_ahead` usable second-life kWh."""
        ...

    def new_storage_wait_months(self) -> float:
        """Months for new storage ordered now."""
        ...

    def quoting(self) -> AbstractContextManager[None]:
        """A stretch of quotes (pure reads) in which market-wide figures are read once."""
        ...

    def new_storage_owner(self) -> int:
        """A fresh owner index in the storage fleet."""
        ...

    def install_storage(
        self,
        owner: int,
        product: int,
        usable_kwh: float,
        soh: float,
        c_rate: float,
        efc_per_month: float,
        duty: float,
    ) -> None:
        """Put bought packs into service."""
        ...

    def install_site_storage(
        self, project: Project, usable_kwh: np.ndarray, nameplate_kwh: np.ndarray
    ) -> None:
        """Put a finished modular site's packs into the fleet."""
        ...

    def install_augmentation(
        self, vendor: VendorBook, product: int, usable_kwh: float, soh: float
    ) -> None:
        """Spread augmentation packs over a vendor's faded sites."""
        ...

    def return_unallocated_storage(self, product: int, usable_kwh: float, soh: float) -> None:
        """Give back packs bought but not placed."""
        ...


class GradedStock(PackSeller, Protocol):
    """A recycler as the pack market sees it: graded inventory it sells, restocks and recycles."""

    inventory_gwh: np.ndarray
    inventory_soh: np.ndarray
    second_life_added_kwh: float

    def sold(self, grade: int, usable_kwh: float, price_usd_per_kwh: float) -> tuple[float, float]:
        """Remove sold kWh; returns (nameplate GWh, SoH)."""
        ...

    def restock(self, grade: int, gwh: float, soh: float) -> None:
        """Take back unplaced packs."""
        ...

    def recycle(self, gwh: float) -> None:
        """Send nameplate GWh to material recovery."""
        ...

    def observe_prices(
        self, price_usd_per_kwh: np.ndarray, best_bid_usd_per_kwh: np.ndarray | None = None
    ) -> None:
        """Learn from the month's clearing prices (and best bids where a product did not trade)."""
        ...


class OrderView(Protocol):
    """One order in a vendor's book."""

    second_life: bool

    def storage_outstanding_kwh(self) -> float:
        """Usable kWh still to buy."""
        ...

    def second_life_outstanding_kwh(self) -> float:
        """Second-life usable kWh still to buy."""
        ...

    def new_outstanding_kwh(self) -> float:
        """New-storage usable kWh still to order."""
        ...


class BookView(Protocol):
    """A vendor's book per order in booking order: usable kWh still to buy."""

    @property
    def second_life_kwh(self) -> Sequence[float]:
        """Second-life usable kWh still to buy, per order."""
        ...

    @property
    def new_kwh(self) -> Sequence[float]:
        """New-storage usable kWh still to order, per order."""
        ...


class VendorBook(StorageBuyer, Protocol):
    """A modular vendor as services see it: orders, delivery times, augmentation wishes."""

    orders: Sequence[OrderView]

    def book_figures(self) -> BookView:
        """What each order still has to buy (kept until the book changes)."""
        ...

    def expected_delivery_months(self, path: str | None = None) -> float:
        """Months a buyer of a site on `path` (None: the storage the vendor would pick) would expect to wait today."""
        ...

    def orders_due(self) -> Sequence[OrderView]:
        """Orders whose storage must be bought now."""
        ...

    def take_order(self, project: Project) -> None:
        """Book a modular site."""
        ...

    def plan_augmentation(self, second_life_kwh: float, new_kwh: float) -> None:
        """Set this month's augmentation wish."""
        ...

    def pack_waits_months(self) -> list[float]:
        """Months each second-life order waited for packs."""
        ...

    def orders_waiting_for_packs(self) -> int:
        """Due orders whose second-life packs are not all bought."""
        ...


class TariffTaker(StorageBuyer, Protocol):
    """A utility as services see it: its territory, buses, storage need and tariff."""

    territory: int
    nodes: np.ndarray
    storage_need_kwh: float

    tariff_usd_per_mwh: float
    grid_charges_usd_per_mwh: float  # capacity + network charges of the tariff

    def set_tariff(self, mean_lmp_usd_per_mwh: float, energy_mwh: float = 0.0) -> None:
        """Set the tariff from the month's mean LMP and the energy (MWh) served in the territory."""
        ...


class PathLearner(Protocol):
    """A hyperscaler as services see it: its projects and what it learns from wait signals."""

    unique_id: int
    share: float
    projects: list[Project]

    def initial_pipeline(self, total_mw: float) -> list[Project]:
        """Grid projects already in queues at the start."""
        ...
