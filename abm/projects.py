"""The project book: every data-centre project of the run and what happens to it on its path."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Protocol

from abm import wildcard
from abm.catalogue import (
    PATH_CATALOGUE,
    choice_of,
    choice_spec,
    choices,
    config_value,
    path_enabled,
)
from abm.grid.queue import Reason
from abm.markets.order_book import OrderBook
from abm.vocabulary import Choice, Path, Project, Status, Switch
from abm.world import ai_demand_mw, facility_demand_mw, gas_cancel_penalty_usd

if TYPE_CHECKING:
    from abm.clock import Clock
    from abm.schema import ScenarioConfig
    from abm.streams import Streams
    from abm.world import Calendar


class EnergizeRecorder(Protocol):
    """The run recorder books one-off effects of a project coming online."""

    def observe_energized(self, project: Project) -> None:
        """Book one-off effects of a project coming online."""
        ...


class OrderTaker(Protocol):
    """A modular vendor as the book hands it orders."""

    unique_id: int

    def expected_delivery_months(self, path: str | None = None) -> float:
        """Months a buyer of a site on `path` (None: the storage the vendor would pick) would expect to wait today."""
        ...

    def take_order(self, project: Project) -> None:
        """Book a modular site."""
        ...

    def quoting(self) -> AbstractContextManager[None]:
        """A stretch of quotes by the vendors (pure reads) that reads the pack market's figures once."""
        ...


class PipelineOwner(Protocol):
    """A hyperscaler as the book spins up its initial grid pipeline."""

    unique_id: int
    share: float
    projects: list[Project]

    def initial_pipeline(self, total_mw: float) -> list[Project]:
        """Grid projects already in queues at the start."""
        ...

    def request_filings(self, project: Project) -> None:
        """Set how many utilities a grid project of its own is filed with."""
        ...


class GridFiling(Protocol):
    """The grid desk as the project book uses it."""

    turbines: OrderBook  # the gas-turbine book shared with utilities' gas plants

    def choose_site(self, path: str, mw: float, pid: int, switches: int) -> int:
        """A bus index for project `pid` on its `switches`-th path `path`."""
        ...

    def file_grid_requests(self, project: Project, month: int) -> None:
        """File a grid project's requests (and duplicates) in month `month`."""
        ...

    def withdraw_requests(self, project: Project, reason: Reason = Reason.VOLUNTARY) -> None:
        """Withdraw a project's active requests for `reason`, booking the penalty."""
        ...

    def project_has_live_request(self, project: Project) -> bool:
        """Whether any of a project's requests is still active."""
        ...

    def connect_load(self, project: Project) -> None:
        """Add an energised grid project's load to its bus."""
        ...

    def merchant_requests(self, month: int | None = None) -> None:
        """Merchant generation and storage requests arrive."""
        ...

    def spin_up_month(self, month: int) -> list[Project]:
        """One month of pre-start queue history; projects whose requests energised."""
        ...


class ProjectBook:
    """Every project of the run, in the order opened, and what happens to them by path.

    Also the demand projects are opened for (existing fleet, AI demand path), the gas lead times
    (the engine book or the turbine book it shares with utilities, whichever delivers first),
    bridge gas for waiting grid projects and the wildcard path's room.
    """

    def __init__(
        self,
        config: ScenarioConfig,
        clock: Clock,
        calendar: Calendar,
        streams: Streams,
        recorder: EnergizeRecorder,
        grid: GridFiling,
        vendors: Sequence[OrderTaker],
        hyperscalers: Sequence[PipelineOwner],
    ) -> None:
        """An empty book; the existing AI fleet is the demand at month 0.

        `vendors` and `hyperscalers` are the run's agent lists (filled after the book exists).
        """
        self.config, self.clock, self.calendar, self.streams = config, clock, calendar, streams
        self.recorder, self.grid = recorder, grid
        self.vendors, self.hyperscalers = vendors, hyperscalers
        self.records: list[Project] = []
        self._opened_count: dict[tuple[int, int], int] = {}  # (owner, month slot) -> projects
        self._demand_mw: tuple[object, dict[tuple[int, int], float]] = (None, {})  # demand_mw
        self.existing_mw = ai_demand_mw(config, calendar, 0)
        g = config.gas
        self.engines = OrderBook(g.recip_capacity_mw_per_month, 0.0, g.recip_lead_time_months)

    def __iter__(self) -> Iterator[Project]:
        """Projects in book order (opening order; a switched project moves to the end)."""
        return iter(self.records)

    def __len__(self) -> int:
        """How many projects the book holds."""
        return len(self.records)

    def demand_mw(self, month: int) -> float:
        """Facility MW of data-centre demand in month index `month` as it is known this month (a slowdown only once it starts)."""
        cfg, key = self.config, (month, self.clock.month)
        if self._demand_mw[0] is not cfg:  # remembered per (frozen) config
            self._demand_mw = (cfg, {})
        known = self._demand_mw[1]
        if key not in known:
            known[key] = facility_demand_mw(cfg, self.calendar, month, self.clock.month)
        return known[key]

    def next_project_id(self, owner: int, month: int | None) -> int:
        """A fresh id for the next project `owner` opens in `month` (None: the initial pipeline).

        The id is `slot * 10**7 + owner * 10**4 + k` for the k-th project of that owner in that
        month slot (0 for the initial pipeline, month + 1 otherwise), so a project keeps its id,
        and the draws keyed by it, when another scenario opens more or fewer projects elsewhere.
        """
        slot = 0 if month is None else month + 1
        k = self._opened_count.get((owner, slot), 0)
        if slot < 0 or not 0 <= owner < 1000 or k >= 10_000:
            raise ValueError(f"project id out of range: month {month}, owner {owner}, k {k}")
        self._opened_count[owner, slot] = k + 1
        return slot * 10**7 + owner * 10**4 + k

    def start_month(self) -> None:
        """A month of engine production works the engine book down (the grid desk runs the turbine book)."""
        self.engines.produce_month()

    # ------------------------------------------------------------------ paths
    def available_paths(self) -> list[str]:
        """Choices a hyperscaler may weigh this month, in catalogue order."""
        return [
            c
            for c in choices()
            if path_enabled(self.config, choice_spec(c))
            and (c != Choice.OTHER or self._other_open())
        ]

    def _other_open(self) -> bool:
        """The wildcard path opens at `other.available_from` and closes when its cap is taken."""
        o = self.config.other
        return self.clock.month >= self.calendar.index_of(o.available_from) and (
            self.other_remaining_mw() > 0
        )

    def other_remaining_mw(self) -> float:
        """MW the wildcard path can still take."""
        used = sum(
            p.mw for p in self.records if p.path == Path.OTHER and p.status is not Status.CANCELLED
        )
        return wildcard.cap_mw(self.config, self.clock.month) - used

    def direct_path_wait_months(self) -> dict[str, float]:
        """Time-to-power signals of the direct paths: on-site gas (the books' quoted lead, permits), then each lead-time path."""
        g = self.config.gas
        waits: dict[str, float] = {
            Choice.ONSITE_GAS: self.gas_quote_months()
            + g.air_permit_risk * g.air_permit_delay_months
        }
        for c in choices():
            if c not in (Choice.GRID, Choice.MODULAR, Choice.ONSITE_GAS):
                waits[c] = self._lead_months(c)
        return waits

    def gas_quote_months(self, mw: float = 0.0) -> float:
        """Months to delivery of `mw` of gas ordered today: the earlier of the engine and turbine books' quotes."""
        return self._gas_book(mw)[1].quoted_lead_months(mw)

    def _gas_book(self, mw: float) -> tuple[str, OrderBook]:
        """The book that delivers `mw` first (engines on a tie), with its name."""
        turbines = self.grid.turbines
        if turbines.quoted_lead_months(mw) < self.engines.quoted_lead_months(mw):
            return "turbines", turbines
        return "engines", self.engines

    def _lead_months(self, path: str) -> float:
        """Order-to-power months of a lead-time path, from its catalogue row."""
        return config_value(self.config, PATH_CATALOGUE[path].lead_key)

    # ------------------------------------------------------------------ lifecycle
    def start_project(self, project: Project, filed_month: int | None = None) -> None:
        """Hand a new project to its path: queue filings, a vendor order, or an engine/turbine order."""
        month = self.clock.month
        self.records.append(project)
        choice = choice_of(project.path)
        if choice == Choice.GRID:
            self._owner(project).request_filings(project)  # the owner decides, the desk files
            self.grid.file_grid_requests(project, month if filed_month is None else filed_month)
        elif choice == Choice.MODULAR:
            quote = project.path if project.path != Choice.MODULAR else None
            with self.vendors[0].quoting() if self.vendors else nullcontext():
                vendor = min(
                    self.vendors, key=lambda v: (v.expected_delivery_months(quote), v.unique_id)
                )
            vendor.take_order(project)
        elif choice == Choice.ONSITE_GAS:
            project.ready_month = month + self._gas_lead_months(project)
        else:
            lead = self._lead_months(project.path)
            if project.path == Path.OTHER:  # a failed launch: rebuilt and relaunched (abm.wildcard)
                u = float(
                    self.streams.uniform("project.launch_failure", project.pid, project.switches)
                )
                project.launch_attempts = wildcard.launch_attempts(self.config, u)
                lead *= project.launch_attempts
            project.ready_month = month + lead

    def _gas_lead_months(self, project: Project) -> float:
        """Order engines or turbines, whichever book delivers first; air permits may add delay.

        The permit draw is keyed by (pid, switches): the same project meets the same permit luck.
        """
        g = self.config.gas
        lead = self._gas_book(project.mw)[1].order(project.mw)
        if float(self.streams.uniform("project.air_permit", project.pid, project.switches)) < (
            g.air_permit_risk
        ):
            lead += g.air_permit_delay_months
        return lead

    def order_bridge(self, project: Project) -> None:
        """A waiting grid project orders bridge gas from the book that delivers first; permits may delay it.

        Its permit draw is keyed by the project id alone: a bridge meets the same permit luck
        in every scenario of a seed.
        """
        g = self.config.gas
        name, book = self._gas_book(project.mw)
        lead = book.order(project.mw)
        if float(self.streams.uniform("project.bridge_permit", project.pid)) < g.air_permit_risk:
            lead += g.air_permit_delay_months
        project.bridge_mw, project.bridge_supply = project.mw, name
        project.bridge_ready_month = self.clock.month + lead

    def _end_bridge(self, project: Project, keep_as_backup: bool = False) -> None:
        """The project no longer needs its bridge: cancel an order still in its book, else retire it (or keep it as backup)."""
        if project.bridge_mw <= 0 or project.bridge_end_month is not None:
            return
        month = self.clock.month
        assert project.bridge_ready_month is not None
        book = self.grid.turbines if project.bridge_supply == "turbines" else self.engines
        if month < project.bridge_ready_month - book.min_lead_months:
            book.cancel(project.bridge_mw)  # never produced: the slot goes to the next buyer
        elif month >= project.bridge_ready_month:
            project.gas_backup = keep_as_backup
        project.bridge_end_month = month

    def switch_project(self, project: Project, new_path: str) -> None:
        """Withdraw a grid project's requests and restart it on another path (keeps its start month).

        `new_path` may be the grid again: the project refiles (new requests, a new site draw).
        """
        self.grid.withdraw_requests(project, Reason.SWITCH)
        if choice_of(new_path) != Choice.GRID:  # a refiled campus keeps its bridge while it waits
            self._end_bridge(project)
        project.queue_ids = []
        project.switch_log.append(Switch(self.clock.month, project.path, new_path))
        project.path = new_path
        project.switches += 1
        if (
            choice_of(new_path) == Choice.MODULAR
        ):  # a campus moved to modular becomes one site; the rest is re-planned
            project.mw = min(project.mw, self.config.vendors.max_site_mw)
        project.node = self.grid.choose_site(new_path, project.mw, project.pid, project.switches)
        self.records.remove(project)
        self.start_project(project)

    def cancel_project(self, project: Project) -> None:
        """A hyperscaler drops a grid project still in study or an on-site gas order: requests withdraw, penalties apply."""
        self.grid.withdraw_requests(project, Reason.CANCELLED)
        if (
            project.path == Path.ONSITE_GAS
        ):  # an engine or turbine order: its reservation is forfeit
            usd = gas_cancel_penalty_usd(self.config, project.mw)
            self.grid.ledger.transfer(
                project.owner, "external:engine_makers", usd, "order cancelled"
            )
        self._end_bridge(project)
        project.status = Status.CANCELLED
        project.month_withdrawn = self.clock.month

    def energize_project(self, project: Project) -> None:
        """Mark a project powered and, for the grid path, add its load to the network."""
        project.status = Status.ENERGIZED
        project.month_energized = self.clock.month
        self.recorder.observe_energized(project)
        if project.path == Path.GRID:
            self.grid.connect_load(project)
            self._end_bridge(project, self.config.gas.bridge_after_grid == "backup")

    def progress_direct_paths(self) -> None:
        """On-site gas and wildcard projects come online when their lead time has passed."""
        for p in self.records:
            if (
                p.status is Status.WAITING
                and p.ready_month is not None
                and self.clock.month >= p.ready_month
            ):
                self.energize_project(p)

    def open_initial_pipeline(self) -> None:
        """Spin the queue up over the four years before the start.

        Merchant requests and the hyperscalers' grid pipeline are filed month by month and
        studied, so the run starts with requests in every stage. Load energised before the
        start is part of the existing fleet.
        """
        hyperscalers = self.hyperscalers  # a project whose filings all withdrew is dropped too
        total = self.config.hyperscalers.initial_grid_pipeline_mw
        pipeline = [p for h in hyperscalers for p in h.initial_pipeline(total * h.share)]
        by_month: dict[int, list[Project]] = {}
        for project in sorted(pipeline, key=lambda p: (p.month_opened, p.pid)):
            by_month.setdefault(project.month_opened, []).append(project)
        for month in range(-self.config.queue.spin_up_months, 0):
            self.grid.merchant_requests(month)
            for project in by_month.get(month, []):
                self.start_project(project, filed_month=month)
            for project in self.grid.spin_up_month(month):
                if project.status is Status.WAITING:
                    self.grid.withdraw_requests(project, Reason.TWIN)  # its twins leave with it
                    self._drop_from_pipeline(project)
            for project in list(self.records):  # every filing withdrew before the start
                if project.status is Status.WAITING and not self.grid.project_has_live_request(
                    project
                ):
                    self._drop_from_pipeline(project)

    def _owner(self, project: Project) -> PipelineOwner:
        """The hyperscaler that owns a project."""
        return next(h for h in self.hyperscalers if h.unique_id == project.owner)

    def _drop_from_pipeline(self, project: Project) -> None:
        """A pipeline project that energised or whose filings all withdrew before the start is not in the book."""
        self.records.remove(project)
        self._owner(project).projects.remove(project)
        project.status = Status.CANCELLED
