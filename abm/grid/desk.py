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

from abm.catalogue import choice_of
from abm.grid import retirement_schedule, transmission_plan, wait_signal
from abm.grid.build_spec import UtilityBuild, default_build
from abm.grid.flow import DCNetwork
from abm.grid.queue import InterconnectionQueue, Kind, QueueRules, Reason, State
from abm.grid.reinforcement import build_upgrades
from abm.grid.topology import TECHS, PlanningCriteria, build_grid
from abm.grid.utility_builds import UtilityBuildBook
from abm.history import merchant_mix
from abm.markets.order_book import OrderBook
from abm.scenario import scenarios_dir
from abm.schema.national import scaled_to_grid
from abm.streams import Streams, entity_key
from abm.vocabulary import Choice, Path, Project, Status
from abm.water_factors import water_factor

if TYPE_CHECKING:
    from abm.ports import Books, Clock, LmpView, ProjectDesk, TariffTaker
    from abm.schema import ScenarioConfig

# withdrawals that mean a filing did not get through (not a twin's or an owner's own cancellation)
_FAILURES = [
    int(r) for r in (Reason.VOLUNTARY, Reason.ATTRITION, Reason.UPGRADE_COST, Reason.SWITCH)
]


class GridDesk:
    """Topology, per-bus capacity arrays, the queue and the request maps, for one run."""

    def __init__(
        self, config: ScenarioConfig, clock: Clock, streams: Streams, ledger: Books
    ) -> None:
        """Build the grid (from its own stream), the DC network and the queue."""
        self.config, self.clock, self.streams, self.ledger = config, clock, streams, ledger
        self.projects: ProjectDesk | None = None  # bound once the book exists (see `bind`)
        self.prices: LmpView | None = None  # bound once the power exchange exists
        cfg = config
        self.graph = build_grid(
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
        growth = (1 + self.config.grid.load_growth_per_year) ** (1 / 12)
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
        n = int(rng.poisson(mean_mw / (q.merchant_request_mw_median * np.exp(sigma**2 / 2))))
        if n == 0:
            return
        mw = rng.lognormal(np.log(q.merchant_request_mw_median), sigma, size=n)
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

    # ------------------------------------------------------------------ sites and filings
    def choose_site(self, path: str, mw: float, pid: int, switches: int) -> int:
        """A node for project `pid` on its `switches`-th path: grid weighs hosting room and prices, modular sun.

        The draw is keyed by (pid, switches), so the same project picks the same site whenever
        the weights are the same.
        """
        choice, weight = choice_of(path), np.ones(self.n_bus)
        if choice == Choice.GRID:
            room = np.clip(np.nan_to_num(self.hosting_mw, posinf=1e6), 0, None)
            assert self.prices is not None, "GridDesk.bind was not called"
            weight = (room + mw) / np.maximum(self.prices.lmp_by_bus, 1.0)
        elif choice == Choice.MODULAR:
            weight = self.solar_cf**self.config.vendors.site_solar_weight_exponent
        return self.streams.choice("grid.site", weight * water_factor(self, path), pid, switches)

    def choose_site_in_territory(self, territory: int, mw: float, pid: int) -> int:
        """A node in one territory for a duplicate filing of project `pid`, weighted by hosting room."""
        nodes = np.flatnonzero(self.bus_territory == territory)
        room = np.clip(np.nan_to_num(self.hosting_mw[nodes], posinf=1e6), 0, None) + mw
        return int(nodes[self.streams.choice("grid.duplicate_site", room, pid, labels=nodes)])

    def file_grid_requests(self, project: Project, month: int) -> None:
        """File a grid request at the site, plus the duplicate filings its owner asked for (phantom load).

        The owner decides how many utilities (`project.filings`, abm.agents.filing); where the
        duplicates go and whether the connection is flexible come from the project's own stream
        (keyed by its id, and its switch count once it has refiled or switched); its j-th filing
        is keyed (pid, j) in the queue, (pid, switches, j) after.
        """
        h = self.config.hyperscalers
        key = (project.pid,) if project.switches == 0 else (project.pid, project.switches)
        rng = self.streams.generator("grid.filings", *key)
        extra = max(project.filings - 1, 0)
        territories = [int(self.bus_territory[project.node])]
        others = [t for t in range(self.n_territories) if t != territories[0]]
        if extra and others:
            territories += [
                int(t) for t in rng.choice(others, size=min(extra, len(others)), replace=False)
            ]
        nodes = [project.node] + [
            self.choose_site_in_territory(t, project.mw, project.pid) for t in territories[1:]
        ]
        flexible_u = rng.random()
        project.flexible = bool(
            self.config.queue.flexible_connections and flexible_u < h.flexible_share
        )
        project.dup_group = project.pid if len(nodes) > 1 else -1
        ids = self.queue.submit(
            month,
            kind=np.full(len(nodes), int(Kind.LOAD)),
            mw=np.full(len(nodes), project.mw),
            node=np.array(nodes),
            territory=np.array(territories),
            requester=np.full(len(nodes), project.owner),
            project=np.full(len(nodes), project.pid),
            dup_group=np.full(len(nodes), project.dup_group),
            flexible=np.full(len(nodes), project.flexible),
            speculative=np.array([False] + [True] * (len(nodes) - 1)),
            draw_key=entity_key("project_filing", *key, np.arange(len(nodes))),
        )
        project.queue_ids = [int(i) for i in ids]
        for i in ids:
            self.request_project[int(i)] = project

    def load_filing_record(self) -> tuple[int, int]:
        """(signed, failed): committed load filings that signed, and that withdrew for a queue reason.

        What the market shows of large-load filings' fate (twins and owners' own cancellations
        aside): owners weigh it when they decide how many utilities to file with.
        """
        q = self.queue
        committed = (q.column("kind") == int(Kind.LOAD)) & ~q.column("speculative")
        state, left_from = q.column("state"), q.column("withdrawn_from_state")
        signed = committed & (
            ((state >= State.AGREEMENT) & (state <= State.ENERGIZED))
            | ((state == State.WITHDRAWN) & (left_from >= State.AGREEMENT))
        )
        reason = q.column("withdraw_reason")
        failed = committed & ~signed & np.isin(reason, _FAILURES)
        return int(signed.sum()), int(failed.sum())

    def project_has_agreement(self, project: Project) -> bool:
        """Whether any of a grid project's requests has signed (it is then committed)."""
        if not project.queue_ids:
            return False
        states = self.queue.state_of(np.array(project.queue_ids))
        return bool(((states >= State.AGREEMENT) & (states <= State.ENERGIZED)).any())

    def project_has_live_request(self, project: Project) -> bool:
        """Whether any of a project's queue requests is still active (neither energised nor withdrawn)."""
        if not project.queue_ids:
            return False
        return bool((self.queue.state_of(np.array(project.queue_ids)) < State.ENERGIZED).any())

    def withdraw_requests(self, project: Project, reason: Reason = Reason.VOLUNTARY) -> None:
        """Withdraw a project's active queue requests for `reason` and book the penalty."""
        ids = np.array(project.queue_ids, dtype=np.int64)
        active = ids[self.queue.state_of(ids) < State.ENERGIZED] if ids.size else ids
        if active.size:
            penalty = self.queue.withdraw(active, self.clock.month, reason)
            self.ledger.transfer(
                project.owner,
                "external:transmission_provider",
                float(penalty),
                "withdrawal penalty",
            )

    def connect_load(self, project: Project) -> None:
        """An energised grid project's load joins the network at its node."""
        self.dc_grid_load_mw[project.node] += project.mw

    def submit_utility_build(
        self,
        utility: TariffTaker,
        node: int,
        kind: Kind,
        mw: float,
        build: UtilityBuild | None = None,
    ) -> None:
        """A utility files a generation or storage build in its own queue (marked as its own).

        `build` says which plant (option, grid technology, firm MW, lead, capex); without it a
        generation build is a combined cycle and a storage build storage, as configured.
        """
        spec = build or default_build(self.config, kind, mw)
        ids = self.queue.submit(
            self.clock.month,
            kind=int(kind),
            mw=mw,
            node=node,
            territory=utility.territory,
            requester=utility.unique_id,
            project=-1,
            draw_key=entity_key("utility_build", utility.unique_id, self.clock.month, int(kind)),
            utility_build=True,
        )
        for i in np.atleast_1d(ids):
            self.utility_builds.filed(utility, int(i), mw, spec)
            if spec.tech == "gas":  # a gas plant orders its turbines when it files
                self.turbine_orders[int(i)] = (self.clock.month + self.turbines.order(mw), mw)

    def unsigned_utility_builds(self, utility: TariffTaker) -> list[tuple[int, float, int]]:
        """(request id, MW, month filed) of a utility's builds still before their agreement."""
        ids = self.queue.active_ids
        q = self.queue
        mine = ids[
            q.column("utility_build", ids)
            & (q.column("requester", ids) == utility.unique_id)
            & (q.column("state", ids) < int(State.AGREEMENT))
        ]
        mw, filed = q.column("mw", mine), q.column("submit_month", mine)
        return [(int(r), float(w), int(f)) for r, w, f in zip(mine, mw, filed, strict=True)]

    def utility_build_costs(self, territory: int) -> tuple[dict[str, float], float]:
        """A territory's builds in service (nameplate MW by option) and the upgrade USD they drew."""
        return self.utility_builds.costs(territory)

    def cancel_utility_build(self, utility: TariffTaker, rid: int) -> None:
        """A utility cancels one of its builds: it leaves the queue and is no longer pending."""
        mw = float(self.queue.column("mw", np.array([rid]))[0])
        penalty = self.queue.withdraw(np.array([rid]), self.clock.month, Reason.CANCELLED)
        self.utility_builds.cancelled(rid, mw)
        self._cancel_turbines(rid)
        self.ledger.transfer(
            utility.unique_id,
            "external:transmission_provider",
            float(penalty),
            "withdrawal penalty",
        )

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
        for rid in np.atleast_1d(events.energized):
            self._connect(int(rid))
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

    def _connect(self, rid: int) -> None:
        """One energised request: a waiting grid project, a utility build or a merchant plant."""
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
            self._connect_merchant(rid)

    def build_lead_months(self, kind: int, rid: int | None = None) -> float:
        """Filing-to-service months of a utility build's plant: its own lead, and a gas plant's turbines' delivery."""
        if rid is None or rid not in self.utility_builds.spec:
            return default_build(self.config, Kind(kind), 0.0).lead_months
        lead = self.utility_builds.spec[rid].lead_months
        if rid not in self.turbine_orders:
            return lead
        filed = float(self.queue.column("submit_month", np.array([rid]))[0])
        return max(lead, self.turbine_orders[rid][0] - filed)

    def _cancel_turbines(self, rid: int) -> None:
        """A withdrawn gas build not yet delivered gives its turbine slot back to the book."""
        delivery, mw = self.turbine_orders.pop(rid, (0.0, 0.0))
        if mw > 0 and self.clock.month < delivery - self.turbines.min_lead_months:
            self.turbines.cancel(mw)  # still in the backlog, not yet produced

    def _connect_utility_build(self, rid: int) -> None:
        """A utility build whose interconnection is done enters service once its plant's lead time has passed."""
        kind = int(self.queue.column("kind", np.array([rid]))[0])
        filed = float(self.queue.column("submit_month", np.array([rid]))[0])
        self.utility_builds.interconnected(rid, filed + self.build_lead_months(kind, rid))

    def _builds_online(self, month: int) -> None:
        """Utility builds with both their interconnection and their lead time done enter service."""
        for rid in self.utility_builds.due(month):
            self._build_in_service(rid)

    def _build_in_service(self, rid: int) -> None:
        """A utility's build enters service: its technology's capacity grows; plants book their capex, storage is bought."""
        kind, mw, node = self._request_info(rid)
        spec = self.utility_builds.spec[rid]
        upgrade = float(self.queue.column("upgrade_cost_usd", np.array([rid]))[0])
        utility = self.utility_builds.in_service(rid, kind, mw, upgrade)
        self.gen_cap_mw[node, self.techs.index(spec.tech)] += mw
        if kind == Kind.STORAGE:  # bought in the pack market
            utility.storage_need_kwh += mw * self.config.utilities.storage_hours * 1000.0
        else:
            self.ledger.transfer(
                utility.unique_id,
                "external:construction",
                mw * 1000.0 * spec.capex_usd_per_kw,
                "gas build" if spec.tech == "gas" else "utility build",
            )

    def _connect_merchant(self, rid: int) -> None:
        """A merchant project enters service: storage, or generation by the LBNL queue mix."""
        kind, mw, node = self._request_info(rid)
        if kind == Kind.STORAGE:
            tech = "storage"
        else:  # generation requests by the LBNL 2025 mix
            q = self.config.queue
            mix = [q.merchant_solar_share, q.merchant_wind_share, q.merchant_gas_share]
            key = int(self.queue.column("draw_key", np.array([rid]))[0])
            tech = ("solar", "wind", "gas")[self.streams.choice("grid.merchant_tech", mix, key)]
        self.gen_cap_mw[node, self.techs.index(tech)] += mw

    def _request_info(self, rid: int) -> tuple[int, float, int]:
        """(kind, MW, node) of one queue request."""
        ids = np.array([rid])
        return (
            int(self.queue.column("kind", ids)[0]),
            float(self.queue.column("mw", ids)[0]),
            int(self.queue.column("node", ids)[0]),
        )

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
        """The grid path's time-to-power signal (abm.grid.wait_signal)."""
        return wait_signal.grid_wait_months(self.queue, self.config, self.clock.month, projects)
