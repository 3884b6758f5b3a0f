"""PowerStackModel: builds the world from a scenario and steps one month in the order of DESIGN.md.

1 world drivers, 2 hyperscalers, 3 OEMs, 4 recyclers, 5 pack market, 6 vendors, 7 utilities and
queues, 8 power market, 9 battery ageing, 10 ledger and metrics. Passive state (capacities per
bus, queue entries, storage cohorts) lives in numpy arrays; agents are the decision makers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

import mesa
import numpy as np

from abm.agents.hyperscaler import Hyperscaler
from abm.agents.oem import OEM
from abm.agents.recycler import Recycler
from abm.agents.utility import Utility
from abm.agents.vendor import ModularVendor
from abm.batteries import (
    US_EV_SALES_GWH_BY_YEAR,
    FadeParams,
    StorageFleet,
    ev_retirements_gwh,
    grade_fractions,
    grade_mean_soh,
    quality_adjusted_wtp_for,
)
from abm.carbon import CarbonFactors
from abm.errors import InputError
from abm.grid.flow import DCNetwork
from abm.grid.queue import InterconnectionQueue, Kind, QueueRules, State
from abm.grid.topology import TECHS, build_grid
from abm.ledger import Ledger
from abm.markets.packs import clear_call_auction
from abm.markets.power import NetworkArrays, PowerMarket
from abm.metrics import MonthRecorder, make_datacollector
from abm.projects import MODULAR, MODULAR_PATHS, Project, Status
from abm.scenario import config_with, load_scenario, scenarios_dir
from abm.schema import ScenarioConfig
from abm.world import (
    HOURS_PER_MONTH,
    Calendar,
    ai_demand_mw,
    credit_45x_usd_per_kwh,
    new_storage_price_usd_per_kwh,
)

# Representative hours: (name, share of the month's hours, load factor vs peak, solar availability factor)
REPRESENTATIVE_HOURS: tuple[tuple[str, float, float, float], ...] = (
    ("peak", 0.10, 1.00, 0.25),
    ("solar_midday", 0.25, 0.85, 1.00),
    ("shoulder", 0.35, 0.75, 0.10),
    ("off_peak", 0.30, 0.60, 0.00),
)
PRODUCTS = ("A", "B", "C", "new")
SPIN_UP_MONTHS = 48  # queue history simulated before the first month


class PowerStackModel(mesa.Model):
    """The AI power stack: five agent types trading packs and power over a grid with queues."""

    def __init__(self, config: ScenarioConfig | str | None = None, **overrides: Any) -> None:
        rng = overrides.pop("rng", None)
        mesa_scenario = overrides.pop("scenario", None)  # SolaraViz's Reset passes a mesa Scenario
        if mesa_scenario is not None:
            if not hasattr(mesa_scenario, "rng"):
                raise InputError(
                    f"scenario = {mesa_scenario!r}; expected a mesa Scenario (use the first argument for a powerstack scenario)"
                )
            rng = mesa_scenario.rng if rng is None else rng
        cfg = resolve_config(config, overrides)
        seed = cfg.run.seed if rng is None else rng
        if isinstance(seed, (int, np.integer)) and int(seed) != cfg.run.seed:
            cfg = config_with(cfg, {"run.seed": int(seed)})
        super().__init__(rng=seed)
        self.config = cfg
        self.calendar = Calendar.from_config(cfg)
        self.month = -1  # index of the month being simulated; -1 before the first step
        self.ledger = Ledger()
        self._project_counter = 0
        self._storage_owner_counter = 0
        self._build_grid()
        self._build_packs()
        self._build_agents()
        self._init_signals()
        self._open_initial_pipeline()
        self.recorder = MonthRecorder(self)
        self.datacollector = make_datacollector(self.recorder.columns)

    # ------------------------------------------------------------------ construction
    def _build_grid(self) -> None:
        """Topology, DC network, power market, queue and per-bus capacity arrays."""
        cfg = self.config
        self.graph = build_grid(
            cfg.grid.source,
            n_buses=cfg.grid.n_buses,
            n_territories=cfg.grid.n_territories,
            peak_load_mw=cfg.grid.peak_load_mw,
            rng=self.rng,
            base_dir=scenarios_dir(),
        )
        self.network = DCNetwork(self.graph)
        nodes = sorted(self.graph.nodes)
        self.techs = TECHS
        self.n_bus = len(nodes)
        self.bus_territory = np.array([self.graph.nodes[n]["territory"] for n in nodes], dtype=int)
        self.n_territories = int(self.bus_territory.max()) + 1
        self.base_load_mw = np.array([self.graph.nodes[n]["load_mw"] for n in nodes], dtype=float)
        self.solar_cf = np.array([self.graph.nodes[n]["solar_cf"] for n in nodes], dtype=float)
        self.gen_cap_mw = np.array(
            [[self.graph.nodes[n][f"gen_{t}_mw"] for t in TECHS] for n in nodes], dtype=float
        )
        self.grid_peak_mw = float(self.base_load_mw.sum())
        self.merchant_scale = (
            self.grid_peak_mw / 745_000.0
        )  # this grid's size relative to the US peak
        self.dc_grid_load_mw = np.zeros(self.n_bus)  # energised grid DC facility MW per bus
        self.hosting_mw = np.full(self.n_bus, np.inf)
        self._gen_codes = np.zeros(0, dtype=np.int64)
        self.upgrade_mw_by_node = np.zeros(self.n_bus)  # network upgrades built for connected loads
        net = self.network
        arrays = NetworkArrays(
            n_bus=net.n_bus,
            slack=net.slack,
            base_mva=float(self.graph.graph.get("base_mva", 100.0)),
            line_from=net.line_from,
            line_to=net.line_to,
            x_pu=net.x_pu,
            rating_mw=net.rating_mw,
        )
        self.power_market = PowerMarket(
            arrays,
            copper_plate=cfg.market.copper_plate,
            voll_usd_per_mwh=cfg.market.voll_usd_per_mwh,
        )
        rule_fields = {f.name for f in fields(QueueRules)}
        rules = {k: v for k, v in cfg.queue.model_dump().items() if k in rule_fields}
        per_territory = (
            self.merchant_scale / self.n_territories
        )  # national study capacity, split over territories
        rules["studies_per_month_per_territory"] = cfg.queue.studies_per_month_us * per_territory
        rules["load_studies_per_month_per_territory"] = (
            cfg.queue.load_studies_per_month_us * per_territory
        )
        self.queue = InterconnectionQueue(QueueRules(**rules), self.n_territories, self.rng)
        self.request_project: dict[int, Project] = {}
        self.request_utility: dict[int, Utility] = {}
        self.pending_utility_build_mw = np.zeros(self.n_territories)
        self.queue_load_mw_by_territory = np.zeros(self.n_territories)
        self.signed_load_mw_by_territory = np.zeros(self.n_territories)

    def _build_packs(self) -> None:
        """Retirement flows, grading shares, degradation parameters and the storage fleet."""
        cfg = self.config
        p = cfg.packs
        self.retirements_gwh = (
            ev_retirements_gwh(
                US_EV_SALES_GWH_BY_YEAR,
                self.calendar.start_year,
                self.calendar.start_month,
                cfg.run.months,
                p.ev_lifetime_weibull_shape,
                p.ev_lifetime_weibull_scale_years,
            )
            * p.retirement_multiplier
        )
        self.grade_share = grade_fractions(p.soh_mean, p.soh_sd)
        self.grade_soh = np.append(grade_mean_soh(p.soh_mean, p.soh_sd)[:3], 1.0)  # A, B, C, new
        self.fade_params = FadeParams()
        self.carbon = CarbonFactors()
        self.fleet = StorageFleet()
        self.retiring_gwh_this_month = 0.0
        self.pack_price_usd_per_kwh = np.full(4, np.nan)
        self.pack_price_history: list[np.ndarray] = []
        self.pack_stocks = {
            "in_delivery_gwh": 0.0,
            "second_life_installed_gwh": 0.0,
            "second_life_retired_gwh": 0.0,
        }
        self.storage_bought_kwh = np.zeros(4)  # usable kWh bought per product (for embodied CO2)
        self.storage_bought_nameplate_kwh = np.zeros(4)
        self._wtp_cache: dict[tuple[int, int], float] = {}
        self._sl_supply_kwh_per_month = 0.0
        self._outlook_key: tuple[int, int] | None = None
        self._outlook: tuple[bool, float] = (False, 0.0)

    def _build_agents(self) -> None:
        """All five agent types; shares are equal, contracts pair OEMs with recyclers round-robin."""
        cfg = self.config
        self.utility_by_territory = [Utility(self, t) for t in range(self.n_territories)]
        n_r = cfg.recyclers.n_recyclers
        recyclers = [
            Recycler(self, cfg.recyclers.test_capacity_gwh_per_month / n_r) for _ in range(n_r)
        ]
        n_o = cfg.oems.n_oems
        for i in range(n_o):
            OEM(
                self,
                1.0 / n_o,
                recyclers[i % n_r],
                int(self.rng.integers(1, cfg.packs.contract_months + 1)),
            )
        for _ in range(cfg.vendors.n_vendors):
            ModularVendor(self)
        n_h = cfg.hyperscalers.n_hyperscalers
        for _ in range(n_h):
            Hyperscaler(self, 1.0 / n_h)
        self.existing_mw = ai_demand_mw(cfg, self.calendar, 0)
        self.projects: list[Project] = []
        self._gas_ordered_mw = 0.0
        self._engine_mw_left = cfg.gas.recip_capacity_mw_per_month

    def _open_initial_pipeline(self) -> None:
        """Spin the queue up over the four years before the start: merchant requests and the
        hyperscalers' grid pipeline are filed month by month and studied, so the run starts with
        requests in every stage. Load energised before the start is part of the existing fleet."""
        total = self.config.hyperscalers.initial_grid_pipeline_mw
        pipeline = [p for h in self.hyperscalers() for p in h.initial_pipeline(total * h.share)]
        by_month: dict[int, list[Project]] = {}
        for project in sorted(pipeline, key=lambda p: (p.month_opened, p.pid)):
            by_month.setdefault(project.month_opened, []).append(project)
        for month in range(-SPIN_UP_MONTHS, 0):
            self._merchant_requests(month)
            for project in by_month.get(month, []):
                self.start_project(project, filed_month=month)
            events = self.queue.step(month, self.hosting_mw)
            for rid in np.atleast_1d(events.energized):
                project = self.request_project.get(int(rid))
                if project is not None and project.status is Status.WAITING:
                    self._withdraw_requests(project)  # its twins leave the queue with it
                    self.projects.remove(project)
                    next(
                        h for h in self.hyperscalers() if h.unique_id == project.owner
                    ).projects.remove(project)
                    project.status = Status.CANCELLED

    def _init_signals(self) -> None:
        """Market signals hyperscalers learn from, seeded from the grid's own merit order."""
        cfg = self.config.market
        costs = self.tech_costs()
        capacity = self.gen_cap_mw.sum(axis=0)
        order = np.argsort(costs)
        cum = np.cumsum(capacity[order])
        marginal = order[np.searchsorted(cum, self.grid_peak_mw * 0.75)]
        self.expected_lmp_usd_per_mwh = float(costs[min(marginal, len(costs) - 1)])
        self.lmp_mean_usd_per_mwh = self.expected_lmp_usd_per_mwh
        self.lmp_by_bus = np.full(self.n_bus, self.expected_lmp_usd_per_mwh)
        co2 = self.tech_co2()
        self.grid_co2_t_per_mwh = float((capacity * co2).sum() / max(capacity.sum(), 1e-9))
        self.expected_upgrade_share = 0.5
        self.line_loading = np.zeros(self.network.n_line)
        self.peak_injection_mw = None
        self.last_dispatch_cost_usd = 0.0
        del cfg

    # ------------------------------------------------------------------ helpers used by agents
    def hyperscalers(self) -> list[Hyperscaler]:
        """Hyperscaler agents in creation order."""
        return list(self.agents_by_type[Hyperscaler])

    def recyclers(self) -> list[Recycler]:
        """Recycler agents in creation order."""
        return list(self.agents_by_type[Recycler])

    def vendors(self) -> list[ModularVendor]:
        """Vendor agents in creation order."""
        return list(self.agents_by_type[ModularVendor])

    def oems(self) -> list[OEM]:
        """OEM agents in creation order."""
        return list(self.agents_by_type[OEM])

    def next_project_id(self) -> int:
        """A fresh project id."""
        self._project_counter += 1
        return self._project_counter

    def new_storage_owner(self) -> int:
        """A fresh owner index for the storage fleet (one per site or utility)."""
        self._storage_owner_counter += 1
        return self._storage_owner_counter - 1

    def demand_mw(self, m: int) -> float:
        """Facility MW of data-centre demand in month index m."""
        return ai_demand_mw(self.config, self.calendar, m)

    def available_paths(self) -> list[str]:
        """Paths a hyperscaler may choose this month."""
        paths = ["grid", MODULAR, "onsite_gas"]
        o = self.config.other
        if (
            o.enabled
            and self.month >= self.calendar.index_of(o.available_from)
            and self.other_remaining_mw() > 0
        ):
            paths.append("other")
        return paths

    def other_remaining_mw(self) -> float:
        """MW the wildcard path can still take."""
        used = sum(
            p.mw for p in self.projects if p.path == "other" and p.status is not Status.CANCELLED
        )
        return self.config.other.capacity_cap_mw - used

    def tech_costs(self) -> np.ndarray:
        """Marginal cost per technology (USD/MWh), in TECHS order."""
        mk = self.config.market
        table = {
            "gas": mk.cost_gas_usd_per_mwh,
            "coal": mk.cost_coal_usd_per_mwh,
            "nuclear": mk.cost_nuclear_usd_per_mwh,
            "wind": 0.0,
            "solar": 0.0,
            "hydro": mk.cost_hydro_usd_per_mwh,
            "storage": mk.cost_storage_usd_per_mwh,
            "other": mk.cost_other_usd_per_mwh,
        }
        return np.array([table[t] for t in self.techs])

    def tech_co2(self) -> np.ndarray:
        """Emission factor per technology (t/MWh), in TECHS order."""
        mk = self.config.market
        table = {
            "gas": mk.co2_gas_t_per_mwh,
            "coal": mk.co2_coal_t_per_mwh,
            "other": mk.co2_other_t_per_mwh,
        }
        return np.array([table.get(t, 0.0) for t in self.techs])

    def new_storage_price_usd_per_kwh(self) -> float:
        """New storage price this month on the learning curve, net of the 45X credit passed through."""
        m = max(self.month, 0)
        year, _ = self.calendar.year_month(m)
        return max(
            1.0,
            new_storage_price_usd_per_kwh(self.config, m)
            - credit_45x_usd_per_kwh(self.config, year),
        )

    def storage_wtp_usd_per_kwh(self, product: int) -> float:
        """Willingness to pay per usable kWh: new storage at its price; second life by remaining life and O&M risk."""
        key = (self.month, product)
        if key in self._wtp_cache:
            return self._wtp_cache[key]
        b = self.config.batteries
        new_price = self.new_storage_price_usd_per_kwh()
        if product == 3:
            wtp = new_price * 1.05
        else:
            wtp = quality_adjusted_wtp_for(
                new_price,
                float(self.grade_soh[product]),
                b.second_life_eol_soh,
                self.fade_params,
                b,
                self.config.hyperscalers.discount_rate,
                new_eol_soh=b.new_eol_soh,
            )
        self._wtp_cache[key] = wtp
        return wtp

    def expected_price_usd_per_kwh(self, product: int) -> float:
        """Expected price per usable kWh of a product: last clearing price, else the cheapest ask, else its value."""
        price = self.pack_price_usd_per_kwh[product]
        if np.isfinite(price):
            return float(price)
        if product < 3:
            asks = [a for r in self.recyclers() for g, _, a in r.asks() if g == product]
            if asks:
                return float(min(asks))
        return self.storage_wtp_usd_per_kwh(product)

    def second_life_value_ratio(self) -> float:
        """Best second-life price-to-value ratio across grades (below new's ratio means second life is the better buy)."""
        return min(
            self.expected_price_usd_per_kwh(g) / max(self.storage_wtp_usd_per_kwh(g), 1e-9)
            for g in range(3)
        )

    def _storage_outlook(self) -> tuple[bool, float]:
        """(second life preferred, value-equivalent modular storage cost), computed once per pack-market state."""
        key = (self.month, len(self.pack_price_history))
        if self._outlook_key != key:
            new_price = self.expected_price_usd_per_kwh(3)
            sl_ratio = self.second_life_value_ratio()
            preferred = (
                self.config.packs.routing != "recycle_first"
                and sl_ratio < new_price / self.storage_wtp_usd_per_kwh(3)
            )
            cost = sl_ratio * self.storage_wtp_usd_per_kwh(3) if preferred else new_price
            self._outlook_key, self._outlook = key, (preferred, cost)
        return self._outlook

    def second_life_preferred(self) -> bool:
        """Second life is the better buy per unit of value than new storage, and routing allows it."""
        return self._storage_outlook()[0]

    def modular_storage_cost_usd_per_kwh(self) -> float:
        """Value-equivalent storage cost a modular site expects: new price, or second life's if it is the better buy."""
        return self._storage_outlook()[1]

    def second_life_supply_kwh_per_month(self) -> float:
        """Usable kWh recyclers route to second life per month, smoothed over recent months."""
        return self._sl_supply_kwh_per_month

    def second_life_room_kwh(self, months_ahead: float) -> float:
        """Second-life kWh not yet spoken for: stock plus supply until `months_ahead`, less open second-life orders."""
        stock = sum(float(r.inventory_gwh @ r.inventory_soh) for r in self.recyclers()) * 1e6
        committed = sum(
            o.storage_outstanding_kwh() for v in self.vendors() for o in v.orders if o.second_life
        )
        return stock + self.second_life_supply_kwh_per_month() * months_ahead - committed

    # ------------------------------------------------------------------ projects
    def choose_site(self, path: str, mw: float) -> int:
        """A node for the project: grid projects weigh hosting room and prices; modular sites weigh sun."""
        if path == "grid":
            room = np.clip(np.nan_to_num(self.hosting_mw, posinf=1e6), 0, None)
            weight = (room + mw) / np.maximum(self.lmp_by_bus, 1.0)
        elif path == MODULAR or path in MODULAR_PATHS:
            weight = self.solar_cf**4
        else:
            weight = np.ones(self.n_bus)
        weight = weight / weight.sum()
        return int(self.rng.choice(self.n_bus, p=weight))

    def start_project(self, project: Project, filed_month: int | None = None) -> None:
        """Hand a new project to its path: queue filings, a vendor order, or an engine/turbine order."""
        self.projects.append(project)
        if project.path == "grid":
            self._file_grid_requests(project, self.month if filed_month is None else filed_month)
        elif project.path == MODULAR or project.path in MODULAR_PATHS:
            vendor = min(self.vendors(), key=lambda v: (v.expected_delivery_months(), v.unique_id))
            vendor.take_order(project)
        elif project.path == "onsite_gas":
            project.ready_month = self.month + self._gas_lead_months(project.mw)
        else:
            project.ready_month = self.month + self.config.other.lead_time_months

    def _gas_lead_months(self, mw: float) -> float:
        """Engines when this month's engine supply allows, turbines otherwise; air permits may add delay."""
        g = self.config.gas
        self._gas_ordered_mw += mw
        if self._engine_mw_left >= mw:
            self._engine_mw_left -= mw
            lead = g.recip_lead_time_months
        else:
            lead = g.turbine_lead_time_months
        if self.rng.random() < g.air_permit_risk:
            lead += g.air_permit_delay_months
        return lead

    def _file_grid_requests(self, project: Project, month: int) -> None:
        """File a grid request at the site, plus duplicate filings in other territories (phantom load)."""
        h = self.config.hyperscalers
        extra = int(self.rng.poisson(max(h.duplicate_filings - 1.0, 0.0)))
        territories = [int(self.bus_territory[project.node])]
        others = [t for t in range(self.n_territories) if t != territories[0]]
        if extra and others:
            territories += [
                int(t) for t in self.rng.choice(others, size=min(extra, len(others)), replace=False)
            ]
        nodes = [project.node] + [
            self.choose_site_in_territory(t, project.mw) for t in territories[1:]
        ]
        project.flexible = bool(
            self.config.queue.flexible_connections and self.rng.random() < h.flexible_share
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
        )
        project.queue_ids = [int(i) for i in ids]
        for i in ids:
            self.request_project[int(i)] = project

    def choose_site_in_territory(self, territory: int, mw: float) -> int:
        """A node in one territory, weighted by hosting room."""
        nodes = np.flatnonzero(self.bus_territory == territory)
        room = np.clip(np.nan_to_num(self.hosting_mw[nodes], posinf=1e6), 0, None) + mw
        return int(self.rng.choice(nodes, p=room / room.sum()))

    def project_has_agreement(self, project: Project) -> bool:
        """Whether any of a grid project's requests has signed (it is then committed)."""
        if not project.queue_ids:
            return False
        states = self.queue.state_of(np.array(project.queue_ids))
        return bool(((states >= State.AGREEMENT) & (states <= State.ENERGIZED)).any())

    def switch_project(self, project: Project, new_path: str) -> None:
        """Withdraw a stuck grid project's requests and restart it on another path (keeps its start month)."""
        self._withdraw_requests(project)
        project.queue_ids = []
        project.path = new_path
        project.switches += 1
        if (
            new_path == MODULAR
        ):  # a campus moved to modular becomes one site; the rest is re-planned
            project.mw = min(project.mw, self.config.vendors.max_site_mw)
        project.node = self.choose_site(new_path, project.mw)
        self.projects.remove(project)
        self.start_project(project)

    def cancel_project(self, project: Project) -> None:
        """A hyperscaler drops a grid project still in study: its requests withdraw (penalties apply)."""
        self._withdraw_requests(project)
        project.status = Status.CANCELLED

    def _withdraw_requests(self, project: Project) -> None:
        """Withdraw a project's active queue requests and book the penalty."""
        ids = np.array(project.queue_ids, dtype=np.int64)
        active = ids[self.queue.state_of(ids) < State.ENERGIZED] if ids.size else ids
        if active.size:
            penalty = self.queue.withdraw(active, self.month)
            self.ledger.transfer(
                project.owner,
                "external:transmission_provider",
                float(penalty),
                "withdrawal penalty",
            )

    def energize_project(self, project: Project) -> None:
        """Mark a project powered and, for the grid path, add its load to the network."""
        project.status = Status.ENERGIZED
        project.month_energized = self.month
        self.recorder.observe_energized(project)
        if project.path == "grid":
            self.dc_grid_load_mw[project.node] += project.mw

    def submit_utility_build(self, utility: Utility, node: int, kind: Kind, mw: float) -> None:
        """A utility files a generation or storage build in its own queue."""
        ids = self.queue.submit(
            self.month,
            kind=int(kind),
            mw=mw,
            node=node,
            territory=utility.territory,
            requester=utility.unique_id,
            project=-1,
        )
        for i in np.atleast_1d(ids):
            self.request_utility[int(i)] = utility
        self.pending_utility_build_mw[utility.territory] += mw

    # ------------------------------------------------------------------ packs
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
        """Put bought packs into service; second-life packs move from 'in delivery' to 'in service'."""
        if usable_kwh <= 0:
            return
        gwh = usable_kwh / soh / 1e6
        self.fleet.add(product, owner, gwh, soh, self.month, c_rate, efc_per_month, duty)
        if product < 3:
            self.pack_stocks["in_delivery_gwh"] -= gwh
            self.pack_stocks["second_life_installed_gwh"] += gwh

    def install_site_storage(
        self, project: Project, usable_kwh: np.ndarray, nameplate_kwh: np.ndarray
    ) -> None:
        """Put a finished modular site's packs into the fleet under the site's owner index."""
        b = self.config.batteries
        for product in range(4):
            if nameplate_kwh[product] > 0:
                soh = usable_kwh[product] / nameplate_kwh[product]
                self.install_storage(
                    project.storage_owner,
                    product,
                    usable_kwh[product],
                    soh,
                    b.c_rate,
                    b.efc_per_month,
                    b.ai_duty_fade_multiplier,
                )

    def install_augmentation(
        self, vendor: ModularVendor, product: int, usable_kwh: float, soh: float
    ) -> None:
        """Spread augmentation packs over the vendor's faded sites in proportion to their shortfall."""
        b = self.config.batteries
        short = self._site_shortfalls(vendor)
        total = sum(short.values())
        if total <= 0:
            self.return_unallocated_storage(product, usable_kwh, soh)
            return
        owners = np.array([p.storage_owner for p in short])
        usable = usable_kwh * np.array(list(short.values())) / total
        self.fleet.add_many(
            product,
            owners,
            usable / soh / 1e6,
            soh,
            self.month,
            b.c_rate,
            b.efc_per_month,
            b.ai_duty_fade_multiplier,
        )
        if product < 3:
            self.pack_stocks["in_delivery_gwh"] -= usable_kwh / soh / 1e6
            self.pack_stocks["second_life_installed_gwh"] += usable_kwh / soh / 1e6

    def return_unallocated_storage(self, product: int, usable_kwh: float, soh: float) -> None:
        """Packs bought but not placed go back to a recycler's inventory (second life) or are resold (new)."""
        if product < 3 and usable_kwh > 0:
            gwh = usable_kwh / soh / 1e6
            self.pack_stocks["in_delivery_gwh"] -= gwh
            self.recyclers()[0].restock(product, gwh, soh)

    def _site_shortfalls(self, vendor: ModularVendor) -> dict[Project, float]:
        """Usable kWh each energised site of a vendor needs to get back to design, for sites below the trigger."""
        v = self.config.vendors
        usable = self.fleet.usable_gwh_by_owner(self._storage_owner_counter)
        out = {}
        for p in self.projects:
            if p.vendor == vendor.unique_id and p.status is Status.ENERGIZED:
                design = p.mw * v.storage_mwh_per_mw * 1000.0
                have = usable[p.storage_owner] * 1e6
                if have < v.augmentation_trigger * design:
                    out[p] = design - have
        return out

    def clear_pack_market(self) -> None:
        """Step 5: a call auction per product, best quality first; residual second-life demand moves down the grades."""
        bids: list[tuple[Any, int, float, float]] = []
        for agent in (*self.vendors(), *self.utility_by_territory):
            bids += [(agent, prod, qty, price) for prod, qty, price in agent.storage_bids()]
        asks: list[tuple[Any, int, float, float]] = []
        for r in self.recyclers():
            asks += [(r, g, qty, price) for g, qty, price in r.asks()]
        for o in self.oems():
            asks += [(o, prod, qty, price) for prod, qty, price in o.asks()]
        prices = np.full(4, np.nan)
        bought_by: dict[Any, float] = {}
        for product in range(4):
            pb = [(a, q, p) for a, prod, q, p in bids if prod == product]
            pa = [(a, q, p) for a, prod, q, p in asks if prod == product]
            if not pb or not pa:
                continue
            # second-life buyers already served in a better grade bid only for the rest
            qty_b = np.array(
                [max(0.0, q - (bought_by.get(a, 0.0) if product < 3 else 0.0)) for a, q, _ in pb]
            )
            result = clear_call_auction(
                np.zeros(len(pb), dtype=int),
                qty_b,
                np.array([p for _, _, p in pb]),
                np.zeros(len(pa), dtype=int),
                np.array([q for _, q, _ in pa]),
                np.array([p for _, _, p in pa]),
                1,
            )
            price = float(result.price_usd_per_kwh[0])
            prices[product] = price
            if not np.isfinite(price):
                continue
            soh = self._sell_asks(pa, result.ask_fill_kwh, product, price)
            for (agent, _, _), fill in zip(pb, result.bid_fill_kwh, strict=True):
                if fill <= 0:
                    continue
                if product < 3:
                    bought_by[agent] = bought_by.get(agent, 0.0) + fill
                    self.pack_stocks["in_delivery_gwh"] += fill / soh / 1e6
                self.storage_bought_kwh[product] += fill
                self.storage_bought_nameplate_kwh[product] += fill / soh
                self.ledger.transfer(
                    agent.unique_id, "market:packs", fill * price, f"storage {PRODUCTS[product]}"
                )
                agent.receive_storage(product, float(fill), soh)
        self.pack_price_usd_per_kwh = prices
        self.pack_price_history.append(prices)
        for r in self.recyclers():
            r.observe_prices(prices)

    def _sell_asks(
        self, asks: list[tuple[Any, float, float]], fills: np.ndarray, product: int, price: float
    ) -> float:
        """Take sold kWh from sellers and pay them; returns the (capacity-weighted) SoH of what was sold."""
        nameplate = 0.0
        usable = 0.0
        for (seller, _, _), fill in zip(asks, fills, strict=True):
            if fill <= 0:
                continue
            self.ledger.transfer(
                "market:packs", seller.unique_id, fill * price, f"storage {PRODUCTS[product]}"
            )
            credit = (
                credit_45x_usd_per_kwh(self.config, self.calendar.year_month(self.month)[0]) * fill
            )
            self.ledger.transfer("external:treasury", seller.unique_id, credit, "45X credit")
            self.recorder.incentives_usd += credit
            if product < 3:
                gwh, _ = seller.sold(product, float(fill), price)
                nameplate += gwh * 1e6
            else:
                nameplate += fill
            usable += fill
        return usable / nameplate if nameplate > 0 else 1.0

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """Advance one month in the order of DESIGN.md."""
        self.month = int(round(self.time)) - 1
        self.ledger.start_month(self.month)
        self._world()  # 1
        self.agents_by_type[Hyperscaler].shuffle_do("plan")  # 2
        self._progress_direct_paths()
        self.agents_by_type[OEM].do("deliver_packs")  # 3
        self.agents_by_type[Recycler].shuffle_do("grade_and_route")  # 4
        self._plan_augmentation()
        self.clear_pack_market()  # 5
        self.agents_by_type[ModularVendor].shuffle_do("build")  # 6
        self._advance_queue()  # 7
        for u in self.utility_by_territory:
            u.plan_generation()
        self.clear_power_market()  # 8
        self._age_batteries()  # 9
        added = sum(r.second_life_added_kwh for r in self.recyclers())
        self._sl_supply_kwh_per_month += self.config.hyperscalers.expectation_weight * (
            added - self._sl_supply_kwh_per_month
        )
        self._publish_signals()
        self.recorder.record()  # 10
        self.datacollector.collect(self)
        if self.month >= self.config.run.months - 1:
            self.running = False

    def _world(self) -> None:
        """Step 1: exogenous drivers for this month."""
        cfg = self.config
        self.retiring_gwh_this_month = (
            float(self.retirements_gwh[self.month])
            if self.month < len(self.retirements_gwh)
            else 0.0
        )
        self.recorder.retired_gwh_cum += self.retiring_gwh_this_month
        self._engine_mw_left = cfg.gas.recip_capacity_mw_per_month
        self._gas_ordered_mw = 0.0
        growth = (1 + cfg.grid.load_growth_per_year) ** (1 / 12)
        self.base_load_mw *= growth
        self._merchant_requests()

    def _merchant_requests(self, month: int | None = None) -> None:
        """Merchant generation and storage requests arrive (LBNL volumes, scaled to this grid)."""
        month = self.month if month is None else month
        q = self.config.queue
        mean_mw = q.merchant_gw_per_year * 1000.0 / 12.0 * self.merchant_scale
        sigma = 0.8
        n = int(self.rng.poisson(mean_mw / (q.merchant_request_mw_median * np.exp(sigma**2 / 2))))
        if n == 0:
            return
        mw = self.rng.lognormal(np.log(q.merchant_request_mw_median), sigma, size=n)
        kind = np.where(
            self.rng.random(n) < 0.39, int(Kind.STORAGE), int(Kind.GENERATION)
        )  # storage ~39 % (DOMAIN-NUMBERS #2)
        node = self.rng.integers(0, self.n_bus, size=n)
        self.queue.submit(
            month,
            kind=kind,
            mw=mw,
            node=node,
            territory=self.bus_territory[node],
            requester=np.full(n, -1),
            project=np.full(n, -1),
            speculative=self.rng.random(n) < 0.5,
        )

    def _progress_direct_paths(self) -> None:
        """On-site gas and wildcard projects come online when their lead time has passed."""
        for p in self.projects:
            if (
                p.status is Status.WAITING
                and p.ready_month is not None
                and self.month >= p.ready_month
            ):
                self.energize_project(p)

    def _plan_augmentation(self) -> None:
        """Vendors restore faded sites' usable storage to design (the augmentation demand)."""
        for vendor in self.vendors():
            short = self._site_shortfalls(vendor)
            sl = sum(k for p, k in short.items() if p.path == "modular_second_life")
            new = sum(k for p, k in short.items() if p.path == "modular_new")
            vendor.plan_augmentation(sl, new)

    def _advance_queue(self) -> None:
        """Step 7: the queue moves; energised loads and builds are connected; utilities learn forecasts."""
        events = self.queue.step(self.month, self.hosting_mw + self.upgrade_mw_by_node)
        self.ledger.transfer(
            "external:requesters",
            "external:transmission_provider",
            float(events.deposits_usd),
            "readiness deposits",
        )
        for rid in np.atleast_1d(events.energized):
            rid = int(rid)
            if rid in self.request_project:
                project = self.request_project[rid]
                if project.status is Status.WAITING and project.path == "grid":
                    project.node = int(self.queue.column("node", np.array([rid]))[0])
                    self.upgrade_mw_by_node[project.node] += float(
                        self.queue.column("upgrade_mw", np.array([rid]))[0]
                    )
                    self.energize_project(project)
            elif rid in self.request_utility:
                self._connect_utility_build(rid)
            else:
                self._connect_merchant(rid)
        for rid in np.atleast_1d(events.withdrawn):
            utility = self.request_utility.get(int(rid))
            if utility is not None:  # a utility build that dropped out is no longer pending
                mw = float(self.queue.column("mw", np.array([int(rid)]))[0])
                self.pending_utility_build_mw[utility.territory] = max(
                    0.0, self.pending_utility_build_mw[utility.territory] - mw
                )
        self._update_queue_views()

    def _connect_utility_build(self, rid: int) -> None:
        """A utility's gas or storage build enters service."""
        utility = self.request_utility[rid]
        kind, mw, node = self._request_info(rid)
        self.pending_utility_build_mw[utility.territory] = max(
            0.0, self.pending_utility_build_mw[utility.territory] - mw
        )
        tech = "storage" if kind == Kind.STORAGE else "gas"
        self.gen_cap_mw[node, self.techs.index(tech)] += mw
        if kind == Kind.STORAGE:
            utility.storage_need_kwh += mw * self.config.utilities.storage_hours * 1000.0
        else:
            self.ledger.transfer(
                utility.unique_id,
                "external:construction",
                mw * 1000.0 * self.config.utilities.gas_capex_usd_per_kw,
                "gas build",
            )

    def _connect_merchant(self, rid: int) -> None:
        """A merchant project enters service: storage, or generation by the LBNL queue mix."""
        kind, mw, node = self._request_info(rid)
        if kind == Kind.STORAGE:
            tech = "storage"
        else:  # generation requests: solar 956, wind 271, gas 136 GW (LBNL 2025, DOMAIN-NUMBERS §1)
            tech = ("solar", "wind", "gas")[int(self.rng.choice(3, p=[0.702, 0.198, 0.100]))]
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
        """Per-territory DC load MW still in study (twins included) and signed, which feed utility forecasts."""
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

    def clear_power_market(self) -> None:
        """Step 8: clear the representative hours on the network; prices, CO2, shedding, curtailment."""
        mk = self.config.market
        costs, co2 = self.tech_costs(), self.tech_co2()
        gen_bus, gen_tech = self._generator_list()
        pmax = self.gen_cap_mw[gen_bus, gen_tech]
        hours = REPRESENTATIVE_HOURS[: mk.representative_hours]
        weight = np.array([h[1] for h in hours])
        weight = weight / weight.sum()
        dc_firm = self.dc_grid_load_mw * self.config.demand.load_factor
        # flexible loads connected ahead of their upgrade curtail their excess when the network binds
        flex = (
            np.minimum(
                self.queue.curtailable_mw_by_node(self.n_bus, self.month), self.dc_grid_load_mw
            )
            * self.config.demand.load_factor
        )
        lmp_acc = np.zeros(self.n_bus)
        tot = {"cost": 0.0, "co2": 0.0, "load": 0.0, "shed": 0.0, "curtailed": 0.0}
        for (name, _, load_factor, solar_factor), w in zip(hours, weight, strict=True):
            avail = np.ones(len(pmax))
            solar = gen_tech == self.techs.index("solar")
            avail[solar] = np.clip(self.solar_cf[gen_bus[solar]] * 4.0 * solar_factor, 0, 1)
            avail[gen_tech == self.techs.index("wind")] = mk.wind_availability
            cap = pmax * avail
            is_storage = gen_tech == self.techs.index("storage")
            cap[is_storage] = pmax[is_storage] if name == "peak" else 0.0
            load = self.base_load_mw * load_factor + dc_firm - flex
            res = self._clear_hour(load, gen_bus, cap, costs[gen_tech], co2[gen_tech], flex)
            hours_in_month = w * HOURS_PER_MONTH
            tot["cost"] += res.cost_usd_per_h * hours_in_month
            tot["co2"] += res.co2_t_per_h * hours_in_month
            tot["load"] += (load.sum() + flex.sum()) * hours_in_month
            tot["shed"] += res.shed_mw.sum() * hours_in_month
            tot["curtailed"] += res.flex_curtailed_mw.sum() * hours_in_month
            lmp_acc += res.lmp_usd_per_mwh * w
            if name == "peak":
                self.line_loading = np.abs(res.line_flow_mw) / self.network.rating_mw
                inj = np.bincount(gen_bus, weights=res.gen_mw, minlength=self.n_bus) - (
                    load + flex - res.shed_mw - res.flex_curtailed_mw
                )
                self.peak_injection_mw = inj
        self.lmp_by_bus = lmp_acc
        load_w = self.base_load_mw + self.dc_grid_load_mw
        self.lmp_mean_usd_per_mwh = float((lmp_acc * load_w).sum() / load_w.sum())
        alpha = self.config.hyperscalers.expectation_weight
        self.expected_lmp_usd_per_mwh += alpha * (
            self.lmp_mean_usd_per_mwh - self.expected_lmp_usd_per_mwh
        )
        self.grid_co2_t_per_mwh = tot["co2"] / max(
            tot["load"] - tot["shed"] - tot["curtailed"], 1e-9
        )
        self.power_totals = tot
        for u in self.utility_by_territory:
            u.set_tariff(float(self.lmp_by_bus[u.nodes].mean()))
        self.hosting_mw = self.network.hosting_capacity_mw(self.peak_injection_mw)

    def _clear_hour(
        self,
        load: np.ndarray,
        gen_bus: np.ndarray,
        cap: np.ndarray,
        cost: np.ndarray,
        co2: np.ndarray,
        flex: np.ndarray,
    ) -> Any:
        """Clear one representative hour; if the warm-started solve is not optimal, rebuild the market cold and retry once."""
        mk = self.config.market
        for attempt in range(2):
            res = self.power_market.clear(
                load,
                gen_bus,
                cap,
                cost,
                co2,
                flex_load_mw=flex,
                flex_curtail_cost_usd_per_mwh=mk.flex_curtail_cost_usd_per_mwh,
            )
            if res.status == "optimal" and np.all(np.isfinite(res.lmp_usd_per_mwh)):
                return res
            if attempt == 0:
                self.power_market = PowerMarket(
                    self.power_market.net,
                    copper_plate=mk.copper_plate,
                    voll_usd_per_mwh=mk.voll_usd_per_mwh,
                )
        raise RuntimeError(
            f"month {self.calendar.label(self.month)}: power market failed twice ({res.status}); please report this scenario and seed"
        )

    def _generator_list(self) -> tuple[np.ndarray, np.ndarray]:
        """(bus, tech) of every plant, append-only so the power market can warm-start month to month."""
        new_bus, new_tech = np.nonzero(self.gen_cap_mw > 0)
        code = new_bus * len(self.techs) + new_tech
        fresh = code[~np.isin(code, self._gen_codes)]
        if fresh.size:
            self._gen_codes = np.concatenate([self._gen_codes, fresh])
        return self._gen_codes // len(self.techs), self._gen_codes % len(self.techs)

    def _age_batteries(self) -> None:
        """Step 9: the fleet fades; packs past end of life come back to recyclers."""
        b = self.config.batteries
        self.fleet.age(1.0, self.fade_params)
        retired = self.fleet.retire_by_eol(b.second_life_eol_soh, b.new_eol_soh)
        second = float(retired[:3].sum())
        if second > 0:
            self.pack_stocks["second_life_installed_gwh"] -= second
            self.pack_stocks["second_life_retired_gwh"] += second
            recycler = self.recyclers()[self.month % len(self.recyclers())]
            recycler.recycle(second)

    def path_wait_signals(self) -> dict[str, float]:
        """What the market shows this month about each path's time-to-power (hyperscalers learn from it)."""
        cfg = self.config
        q = cfg.queue
        signals: dict[str, float] = {}
        ids = self.queue.active_ids
        load = ids[
            (self.queue.column("kind", ids) == int(Kind.LOAD))
            & ~self.queue.column("speculative", ids)
        ]
        if load.size:
            phases = np.array(
                [
                    q.system_study_months,
                    q.system_study_months,
                    q.facilities_study_months,
                    q.agreement_months,
                    q.construction_months_load,
                ]
            )
            remaining = np.cumsum(phases[::-1])[
                ::-1
            ]  # months left from the start of each active state
            state = self.queue.column("state", load)
            age = self.month - self.queue.column("submit_month", load)
            signals["grid"] = float(np.median(age + remaining[state]))
        recent = [
            p.time_to_power_months()
            for p in self.projects
            if p.path == "grid"
            and p.month_energized is not None
            and p.month_energized > self.month - 24
        ]
        if len(recent) >= 3:
            signals["grid"] = max(signals.get("grid", 0.0), float(np.median(recent)))
        delivery = min(v.expected_delivery_months() for v in self.vendors())
        sl_need = sum(
            o.storage_outstanding_kwh()
            for v in self.vendors()
            for o in v.orders_due()
            if o.second_life
        )
        sl_stock = sum(float(r.inventory_gwh @ r.inventory_soh) for r in self.recyclers()) * 1e6
        pack_wait = max(0.0, sl_need - sl_stock) / max(self.second_life_supply_kwh_per_month(), 1.0)
        new_need = sum(
            o.storage_outstanding_kwh()
            for v in self.vendors()
            for o in v.orders
            if not o.second_life
        )
        new_wait = cfg.oems.lead_time_months + new_need / (cfg.oems.production_gwh_per_month * 1e6)
        signals[MODULAR] = delivery + min(pack_wait, max(0.0, new_wait - delivery))
        g = cfg.gas
        engine_share = min(1.0, g.recip_capacity_mw_per_month / max(self._gas_ordered_mw, 1e-9))
        gas = (
            engine_share * g.recip_lead_time_months
            + (1 - engine_share) * g.turbine_lead_time_months
        )
        signals["onsite_gas"] = gas + g.air_permit_risk * g.air_permit_delay_months
        signals["other"] = cfg.other.lead_time_months
        return signals

    def _publish_signals(self) -> None:
        """Hyperscalers update their expected waits from this month's market signals."""
        signals = self.path_wait_signals()
        for h in self.hyperscalers():
            h.observe(signals)

    # ------------------------------------------------------------------ running
    def run(self, progress: Any = None) -> None:
        """Run every month of the scenario; `progress(month)` is called after each one."""
        while self.running:
            self.step()
            if progress is not None:
                progress(self.month)


def resolve_config(
    config: ScenarioConfig | str | None, overrides: Mapping[str, Any]
) -> ScenarioConfig:
    """A scenario config from an object, a name/path, or the baseline, with keyword overrides applied."""
    if config is None:
        cfg = load_scenario("baseline")
    elif isinstance(config, ScenarioConfig):
        cfg = config
    elif isinstance(config, str):
        cfg = load_scenario(config)
    else:
        raise InputError(
            f"config = {config!r}; expected a ScenarioConfig, a scenario name or a path"
        )
    if overrides:
        cfg = config_with(
            cfg,
            {k.replace("__", "."): v for k, v in overrides.items()},
            where="model keyword arguments",
        )
    return cfg
