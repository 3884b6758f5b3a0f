"""GridDesk: the grid as a service: per-bus arrays, the interconnection queue and who filed what.

It owns the graph and DC network, the per-bus load/generation/hosting arrays, the queue and
the maps from queue requests to projects and utilities; it files requests (with duplicate
filings), brings merchant arrivals, advances the queue and connects what energised, and
reports the grid path's wait. The physics it drives (topology, flow, queue) know no owner.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from abm.grid import retirement_schedule, transmission_plan, wait_signal
from abm.grid.desk_builds import UtilityBuildDesk
from abm.grid.desk_filings import FilingDesk
from abm.grid.flow import DCNetwork
from abm.grid.queue import InterconnectionQueue, Kind, QueueRules, State
from abm.grid.reinforcement import build_upgrades
from abm.grid.topology import TECHS, PlanningCriteria, shared_grid
from abm.grid.utility_builds import UtilityBuildBook
from abm.history import merchant_mix
from abm.markets.order_book import OrderBook
from abm.numerics import elementary, variates
from abm.scenario import scenarios_dir
from abm.schema.national import scaled_to_grid
from abm.streams import Streams, entity_key
from abm.vocabulary import Path, Project, Status

if TYPE_CHECKING:
    from abm.ports import Books, Clock, LmpView, ProjectDesk
    from abm.schema import ScenarioConfig


class GridDesk(FilingDesk, UtilityBuildDesk):
    """Topology, per-bus capacity arrays, the queue and the request maps, for one run.

    Sites and filings are `FilingDesk` (abm.grid.desk_filings); utilities' builds from filing to
    service are `UtilityBuildDesk` (abm.grid.desk_builds).
    """

    def __init__(
        self, config: ScenarioConfig, clock: Clock, streams: Streams, ledger: Books
    ) -> None:
        """Build the grid (from its own stream), the DC network and the queue."""
        self.config, self.clock, self.streams, self.ledger = config, clock, streams, ledger
        self.projects: ProjectDesk | None = None  # bound once the book exists (see `bind`)
        self.prices: LmpView | None = None  # bound once the power exchange exists
        cfg = config
        self.graph = shared_grid(
            cfg.grid.source,
            n_buses=cfg.grid.n_buses,
            n_territories=cfg.grid.n_territories,
            peak_load_mw=cfg.grid.peak_load_mw,
            rng=streams.generator("grid.topology"),
            base_dir=scenarios_dir(),
            planning=PlanningCriteria.from_grid(cfg.grid),
            fuel_rng=streams.generator("grid.fuel_types"),
        )
        self.network = DCNetwork(self.graph)
        self.network.dfax_cutoff = cfg.grid.hosting_dfax_cutoff
        nodes = sorted(self.graph.nodes)
        attrs = self.graph.nodes
        self.techs = TECHS
        self.n_bus = len(nodes)
        self.bus_territory = np.array([attrs[n]["territory"] for n in nodes], dtype=int)
        self.n_territories = int(self.bus_territory.max()) + 1
        self.base_load_mw = np.array([attrs[n]["load_mw"] for n in nodes], dtype=float)
        self.solar_cf = np.array([attrs[n]["solar_cf"] for n in nodes], dtype=float)
        self.gen_cap_mw = np.array(
            [[attrs[n][f"gen_{t}_mw"] for t in TECHS] for n in nodes], dtype=float
        )
        self.gen_cap_2025_mw = self.gen_cap_mw.copy()  # the fleet the retirement schedule retires
        self.retired_mw = np.zeros_like(self.gen_cap_mw)
        self._retire_share = retirement_schedule.share_per_month(config, TECHS)
        self.grid_peak_mw = float(self.base_load_mw.sum())
        # the one scaling rule: national quantities x this grid's share of the US peak (to 1e-9:
        # a synthetic grid's summed bus loads carry round-off, not a difference in size)
        self.us_peak_share = round(self.grid_peak_mw / cfg.grid.us_peak_mw, 9)
        self.config = config = scaled_to_grid(cfg, self.us_peak_share)
        self.dc_grid_load_mw = np.zeros(self.n_bus)  # energised grid DC facility MW per bus
        self.dc_grid_load_by_owner: dict[int, np.ndarray] = {}  # owner -> its MW per bus
        self.hosting_mw = np.full(self.n_bus, np.inf)
        self.upgrade_mw_by_node = np.zeros(self.n_bus)  # network upgrades built for connected loads
        self.network_added_mw = 0.0  # line MW that upgrades in service added (reinforcement)
        self.transmission_added_mw = 0.0  # of which the planner's rolling assessments added
        self.expected_upgrade_share = config.hyperscalers.initial_expected_upgrade_share
        self.queue = InterconnectionQueue(self._queue_rules(), self.n_territories, streams)
        self.request_project: dict[int, Project] = {}
        self.utility_builds = UtilityBuildBook(self.n_territories)
        # utility builds pending per territory as of the last queue step: what utilities plan on
        self.pending_utility_build_mw = np.zeros(self.n_territories)
        self.turbines = self._turbine_book()
        # utility gas builds' turbine orders: request id -> (delivery month, MW)
        self.turbine_orders: dict[int, tuple[float, float]] = {}
        self.queue_load_mw_by_territory = np.zeros(self.n_territories)
        self.signed_load_mw_by_territory = np.zeros(self.n_territories)

    def adopt(self, config: ScenarioConfig) -> ScenarioConfig:
        """From now on the desk reads `config` scaled to this grid (the one rule) and the queue runs under its rules.

        Returns the scaled config, the one every other service and agent reads. The queue adopts
        new rules only when they differ, so requests keep their order when the queue is untouched.
        """
        self.config = scaled_to_grid(config, self.us_peak_share)
        rules = self._queue_rules()
        if rules != self.queue.rules:
            self.queue.adopt_rules(rules)
        return self.config

    def _queue_rules(self) -> QueueRules:
        """Queue rules from the config; national study capacity (scaled to the grid) is split over territories."""
        return QueueRules.from_config(self.config.queue, 1.0 / self.n_territories)

    def _turbine_book(self) -> OrderBook:
        """The gas-turbine book utilities and on-site buyers share: world volumes (scaled to the grid) x the US share."""
        g = self.config.gas
        return OrderBook(
            g.turbine_production_mw_per_month * g.turbine_us_share,
            g.turbine_backlog_mw * g.turbine_us_share,
            g.turbine_min_lead_months,
        )

    def bind(self, projects: ProjectDesk, prices: LmpView) -> None:
        """The project book energises grid projects that connect; siting reads the exchange's LMPs."""
        self.projects, self.prices = projects, prices

    # ------------------------------------------------------------------ stage 1
    def start_month(self) -> None:
        """Existing load grows; merchant generation and storage requests arrive."""
        growth = elementary.power(1 + self.config.grid.load_growth_per_year, 1 / 12)
        self.base_load_mw *= growth
        self.turbines.produce_month()
        self.retire_month()
        self.merchant_requests()

    def retire_month(self) -> None:
        """The month's scheduled retirements of the 2025 coal and gas fleet leave service."""
        out = self.scheduled_retirement_mw(1.0)
        self.gen_cap_mw -= np.minimum(out, self.gen_cap_mw)
        self.retired_mw += out

    def scheduled_retirement_mw(self, months: float) -> np.ndarray:
        """MW (bus x technology) of the 2025 fleet scheduled to retire within `months`."""
        return retirement_schedule.scheduled_mw(
            self.gen_cap_2025_mw, self.retired_mw, self._retire_share, months
        )

    def merchant_requests(self, month: int | None = None) -> None:
        """Merchant generation and storage requests arrive (LBNL's US volumes, scaled to this grid).

        Each month's arrivals come from their own stream keyed by the month, so they are the
        same whatever the projects did; the k-th arrival of a month is keyed (month, k).
        """
        month = self.clock.month if month is None else month
        q = self.config.queue
        rng = self.streams.generator("grid.merchant_arrivals", month)
        volume, storage_share = merchant_mix(self.config, month)
        mean_mw = q.merchant_gw_per_year * 1000.0 / 12.0 * volume
        sigma = q.merchant_request_mw_sigma
        n = variates.poisson(
            rng, mean_mw / (q.merchant_request_mw_median * elementary.exp(sigma * sigma / 2))
        )
        if n == 0:
            return
        mw = variates.lognormal(rng, elementary.log(q.merchant_request_mw_median), sigma, n)
        kind = np.where(rng.random(n) < storage_share, int(Kind.STORAGE), int(Kind.GENERATION))
        node = rng.integers(0, self.n_bus, size=n)
        self.queue.submit(
            month,
            kind=kind,
            mw=mw,
            node=node,
            territory=self.bus_territory[node],
            requester=np.full(n, -1),
            project=np.full(n, -1),
            speculative=rng.random(n) < q.merchant_speculative_share,
            draw_key=entity_key("merchant", month, np.arange(n)),
        )

    def connect_load(self, project: Project) -> None:
        """An energised grid project's load joins the network at its node."""
        self.dc_grid_load_mw[project.node] += project.mw
        owned = self.dc_grid_load_by_owner.setdefault(project.owner, np.zeros(self.n_bus))
        owned[project.node] += project.mw  # spatial shifting moves load between an owner's sites

    def set_hosting_mw(self, hosting_mw: np.ndarray) -> None:
        """Hosting room per bus, recomputed by the power exchange from the month's peak dispatch."""
        self.hosting_mw = hosting_mw

    # ------------------------------------------------------------------ stage 7
    def advance_queue(self) -> None:
        """Step 7: the queue moves; energised loads and builds are connected; the views utilities read update."""
        events = self.queue.step(self.clock.month, self.hosting_mw)  # upgrades are in the network
        self.ledger.transfer(
            "external:requesters",
            "external:transmission_provider",
            float(events.deposits_usd),
            "readiness deposits",
        )
        energized = np.atleast_1d(events.energized).astype(np.int64)
        q = self.queue  # the columns merchants read, for all at once (fixed from submission)
        merchant_info = zip(
            *(q.column(name, energized).tolist() for name in ("kind", "mw", "node", "draw_key")),
            strict=True,
        )
        for rid, info in zip(energized.tolist(), merchant_info, strict=True):
            self._connect(rid, info)
        self._builds_online(self.clock.month)
        self._update_queue_views()
        peak_mw = None if self.prices is None else self.prices.peak_injection_mw
        self.network_added_mw += build_upgrades(self.network, self.queue, self.clock.month, peak_mw)
        if transmission_plan.assessment_due(
            self.clock.month, self.config.grid.transmission_assessment_years
        ):
            self.assess_transmission(peak_mw)

    def assess_transmission(self, peak_injection_mw: np.ndarray | None) -> None:
        """The planner's rolling assessment (abm.grid.transmission_plan): lines short of N-1 are raised, their capex booked to the territories they touch."""
        g, net = self.config.grid, self.network
        criteria = PlanningCriteria.from_grid(g)
        load = self.base_load_mw * criteria.load_scale + (
            self.dc_grid_load_mw * self.config.demand.load_factor
        )
        lines, new_mw = transmission_plan.short_lines(
            net, load, self.gen_cap_mw, self.techs, criteria, peak_injection_mw
        )
        if lines.size == 0:
            return
        added = new_mw - net.rating_mw[lines]
        ends = (net.line_from[lines], net.line_to[lines])
        km = np.array([self.graph.edges[a, b]["length_km"] for a, b in zip(*ends, strict=True)])
        usd = added * km * g.transmission_cost_usd_per_mw_km / 2.0  # half to each end's territory
        for end in ends:
            np.add.at(self.utility_builds.transmission_usd, self.bus_territory[end], usd)
        net.raise_ratings(lines, new_mw)
        self.network_added_mw += float(added.sum())
        self.transmission_added_mw += float(added.sum())

    def _connect(self, rid: int, info: tuple[int, float, int, int] | None = None) -> None:
        """One energised request: a waiting grid project, a utility build or a merchant plant.

        `info`: the request's (kind, MW, node, draw key), what a merchant plant needs, when the
        caller read them already (`advance_queue` reads them for all energised requests at once).
        """
        if rid in self.request_project:
            project = self.request_project[rid]
            if project.status is Status.WAITING and project.path == Path.GRID:
                project.node = int(self.queue.column("node", np.array([rid]))[0])
                self.upgrade_mw_by_node[project.node] += float(
                    self.queue.column("upgrade_mw", np.array([rid]))[0]
                )
                assert self.projects is not None, "GridDesk.bind was not called"
                self.projects.energize_project(project)
        elif rid in self.utility_builds.owner:
            self._connect_utility_build(rid)
        else:
            if info is None:
                key = int(self.queue.column("draw_key", np.array([rid]))[0])
                info = (*self._request_info(rid), key)
            self._connect_merchant(*info)

    def _connect_merchant(self, kind: int, mw: float, node: int, key: int) -> None:
        """A merchant project (its request's kind, MW, node and draw key) enters service: storage, or generation by the LBNL queue mix."""
        if kind == Kind.STORAGE:
            tech = "storage"
        else:  # generation requests by the LBNL 2025 mix
            q = self.config.queue
            mix = [q.merchant_solar_share, q.merchant_wind_share, q.merchant_gas_share]
            tech = ("solar", "wind", "gas")[self.streams.choice("grid.merchant_tech", mix, key)]
        self.gen_cap_mw[node, self.techs.index(tech)] += mw

    def _update_queue_views(self) -> None:
        """Per-territory DC load MW in study (twins included) and signed, and utility builds pending: what utilities plan on."""
        ids = self.queue.active_ids
        q = self.queue
        load = q.column("kind", ids) == int(Kind.LOAD)
        signed = load & (q.column("state", ids) >= int(State.AGREEMENT))
        terr, mw = q.column("territory", ids), q.column("mw", ids)
        self.signed_load_mw_by_territory = np.bincount(
            terr[signed], weights=mw[signed], minlength=self.n_territories
        )
        studying = load & ~signed
        self.queue_load_mw_by_territory = np.bincount(
            terr[studying], weights=mw[studying], minlength=self.n_territories
        )
        self.pending_utility_build_mw = self.utility_builds.pending_mw.copy()

    def spin_up_month(self, month: int) -> list[Project]:
        """One month of the pre-start queue history; returns projects whose requests energised."""
        events = self.queue.step(month, self.hosting_mw)
        out = []
        for rid in np.atleast_1d(events.energized):
            project = self.request_project.get(int(rid))
            if project is not None:
                out.append(project)
        return out

    # ------------------------------------------------------------------ signals
    def grid_wait_months(self, projects: Iterable[Project]) -> float | None:
        """The grid path's time-to-power signal a new request reads (abm.grid.wait_signal)."""
        return wait_signal.grid_wait_months(self.queue, self.config, self.clock.month, projects)

    def queue_wait_months(self, projects: Iterable[Project]) -> float | None:
        """The whole load queue's median age plus remaining phases (what a trigger watches)."""
        month = self.clock.month
        return wait_signal.grid_wait_months(self.queue, self.config, month, projects, False)
