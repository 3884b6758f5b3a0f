"""Hyperscalers: open projects to cover AI demand and pick a site and power path by logit.

Expected waits and costs are adaptive expectations updated from what the market shows
(energised projects' time-to-power, vendor backlogs, prices), never read from the truth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from abm import contracts, wildcard
from abm.agents import firm_types, modular_choice
from abm.agents.bridging import should_bridge
from abm.agents.choice_record import ChoiceLog, waits_of
from abm.agents.filing import filings_for
from abm.agents.rates import grid_charges
from abm.agents.tariff import cancel_signed_surplus, tariff_cost_usd_per_mw_month
from abm.catalogue import PATH_CATALOGUE, choice_of, choice_spec, choices, config_value, paths
from abm.finance import capital_recovery_factor_per_month
from abm.numerics import elementary
from abm.shiftable import modular_storage_mwh_per_mw
from abm.streams import label_ids
from abm.vocabulary import Choice, Path, Project, Status
from abm.world import HOURS_PER_MONTH

_CANCELLABLE = (Path.GRID, Path.ONSITE_GAS)  # surplus grid filings and gas orders (penalties apply)

if TYPE_CHECKING:
    from abm.ports import ProjectDesk, SiteDesk
    from abm.schema import FirmType, ScenarioConfig
    from abm.signals import Signals
    from abm.streams import Streams


class Hyperscaler(mesa.Agent):
    """A cloud or AI lab with a share of the AI demand and a value on time-to-power.

    Its type (`firm_type`, one of `hyperscalers.types`) sets what it values: time, carbon, queue
    risk, campus size (docs/hyperscalers.md, "Firms that differ"). Ports: `projects` (open,
    start, switch, cancel; demand), `sites` (siting, queue agreements, live requests),
    `streams` (the run's random streams: a project's size, spin-up month and path-choice
    draws are keyed by its id, see docs/randomness.md); planning signals come per stage.
    """

    def __init__(
        self,
        model: mesa.Model,
        share: float,
        *,
        config: ScenarioConfig,
        streams: Streams,
        projects: ProjectDesk,
        sites: SiteDesk,
        firm_type: FirmType | None = None,
    ) -> None:
        """A hyperscaler with `share` of AI demand, of `firm_type` (the first type if None), and priors on each path's wait."""
        super().__init__(model)
        cfg = self.config = config
        self.streams, self.desk, self.sites = streams, projects, sites
        self.share = share
        self.firm_type = firm_type if firm_type is not None else cfg.hyperscalers.types[0]
        self.projects: list[Project] = []
        # Priors from the scenario (sources in the schema): large-load queue waits, vendor
        # delivery plus permitting, and each direct path's lead time (engines for gas).
        self.expected_wait_months: dict[str, float] = {
            Choice.GRID: cfg.queue.system_study_months
            + cfg.queue.facilities_study_months
            + cfg.queue.agreement_months
            + cfg.queue.construction_months_load
            + cfg.hyperscalers.grid_wait_prior_buffer_months,
            Choice.MODULAR: cfg.vendors.delivery_months + cfg.vendors.solar_permit_months,
        }
        self.expected_wait_months.update(modular_choice.prior_waits_months(cfg))
        for choice in choices():
            if choice not in self.expected_wait_months:
                self.expected_wait_months[choice] = config_value(cfg, choice_spec(choice).lead_key)
        self.choice_log = ChoiceLog()  # every path decision, for "why did it choose that"

    # --- demand -------------------------------------------------------------------------
    def committed_mw(self) -> float:
        """MW energised or on the way (waiting projects)."""
        return sum(p.mw for p in self.projects if p.status is not Status.CANCELLED)

    def energized_mw(self) -> float:
        """MW powered."""
        return sum(p.mw for p in self.projects if p.status is Status.ENERGIZED)

    def expected_ready_mw(self, by_month: float) -> float:
        """MW powered now or expected to be by `by_month`, judged by the learned wait of each path."""

        def ready(p: Project) -> bool:
            if p.status is Status.ENERGIZED:
                return True
            return (
                p.status is Status.WAITING
                and p.month_opened
                + self.expected_wait_months[
                    modular_choice.wait_key(p.path, self.expected_wait_months)
                ]
                <= by_month
            )

        return sum(p.mw for p in self.projects if ready(p))

    def plan(self, signals: Signals) -> None:
        """Open projects for demand the look-ahead shows uncovered; cancel surplus; reconsider stuck ones."""
        m = self.desk
        cfg = self.config.hyperscalers
        horizon = signals.month + cfg.lookahead_months
        target = self.share * (m.demand_mw(horizon) - m.existing_mw)
        ceiling = self.share * (m.demand_mw(horizon + cfg.overcommit_months) - m.existing_mw)
        gap = min(target - self.expected_ready_mw(horizon), ceiling - self.committed_mw())
        opened = 0
        while gap > 1.0 and opened < cfg.max_projects_per_month:
            pid = self.desk.next_project_id(self.unique_id, signals.month)
            size = self.campus_mw(pid)
            gap -= self.open_project(pid, min(size, max(gap, cfg.campus_mw_min)), signals).mw
            opened += 1
        self.cancel_surplus(cfg.surplus_cancel_factor * ceiling, signals.month)
        self.reconsider_stuck_projects(signals)

    def campus_mw(self, pid: int) -> float:
        """Campus MW wished for project `pid`: the type's lognormal keyed by the id, clipped to the size range."""
        cfg, firm = self.config.hyperscalers, self.firm_type
        z = float(self.streams.normal("project.size", pid))
        mw = elementary.exp(elementary.log(firm.campus_mw_median) + firm.campus_mw_sigma * z)
        return float(np.clip(mw, cfg.campus_mw_min, cfg.campus_mw_max))

    def cancel_surplus(self, limit_mw: float, month: int = 0) -> None:
        """When committed MW exceeds the limit (demand fell or was overestimated), withdraw the newest grid projects still in study.

        A signed one goes too when a large-load tariff makes keeping it idle cost more than its
        exit fee (`exit_pays`).
        """
        surplus = self.committed_mw() - limit_mw
        if surplus <= 0:
            return
        for project in sorted(self.projects, key=lambda p: -p.month_opened):
            if surplus <= 0:
                break
            if project.status is not Status.WAITING or project.path not in _CANCELLABLE:
                continue
            if not self.sites.project_has_agreement(project) or self.exit_pays(project, month):
                self.desk.cancel_project(project)
                surplus -= project.mw

    def exit_pays(self, project: Project, month: int) -> bool:
        """Under a large-load tariff: the months a signed project would idle cost more than its exit fee."""
        start = max(month, round(project.month_opened + self.expected_wait_months[Choice.GRID]))
        return cancel_signed_surplus(self.config, self._need_mw, self.committed_mw(), start)

    def _need_mw(self, month: int) -> float:
        """This hyperscaler's share of the demand above the existing fleet in a month (MW)."""
        return self.share * (self.desk.demand_mw(month) - self.desk.existing_mw)

    def initial_pipeline(self, total_mw: float) -> list[Project]:
        """Grid projects this hyperscaler already has in queues at the start, opened over the past four years."""
        spin_up_months = self.config.queue.spin_up_months
        out = []
        while total_mw > 1.0:
            pid = self.desk.next_project_id(self.unique_id, None)
            size = min(self.campus_mw(pid), total_mw)
            u = float(self.streams.uniform("project.spin_up", pid))
            project = Project(
                pid=pid,
                owner=self.unique_id,
                mw=size,
                path=Path.GRID,
                node=self.sites.choose_site(Path.GRID, size, pid, 0),
                month_opened=-1 - int(u * spin_up_months),
            )
            self.projects.append(project)
            out.append(project)
            total_mw -= size
        return out

    def open_project(
        self, pid: int, mw: float, signals: Signals, exclude: tuple[str, ...] = ()
    ) -> Project:
        """Create project `pid`, choose its path and site, and hand it to the market."""
        path = self.choose_path(mw, signals, pid, exclude=exclude)
        if choice_of(path) == Choice.MODULAR:
            mw = min(mw, self.config.vendors.max_site_mw)
        node = self.sites.choose_site(path, mw, pid, 0)
        project = Project(
            pid=pid,
            owner=self.unique_id,
            mw=mw,
            path=path,
            node=node,
            month_opened=signals.month,
        )
        self.projects.append(project)
        project.contract = self.choose_contract(path, signals)
        self.desk.start_project(project)
        return project

    def request_filings(self, project: Project) -> None:
        """How many utilities a grid project is filed with, decided when it files (abm.agents.filing)."""
        u = float(self.streams.uniform("project.filing_cap", project.pid, project.switches))
        project.filings = filings_for(
            self.config,
            project.mw,
            self.expected_wait_months[Choice.GRID],
            self.sites.load_filing_record(),
            u,
            self.sites.n_territories,
            self.firm_type.value_of_time_multiplier,
        )

    # --- choice -------------------------------------------------------------------------
    def path_costs_usd_per_mw_month(self, mw: float, signals: Signals) -> dict[str, float]:
        """Expected all-in cost of each available path per MW-month over the planning horizon, to this type."""
        cfg, firm = self.config, self.firm_type
        h = cfg.hyperscalers
        mwh = HOURS_PER_MONTH * cfg.demand.load_factor
        annuity = capital_recovery_factor_per_month(h.discount_rate, h.planning_horizon_months)
        delay = firm_types.delay_usd_per_mw_month(firm, cfg)
        conventional = cfg.hyperscalers.conventional_capex_usd_per_mw * annuity
        costs: dict[str, float] = {}
        for path in modular_choice.logit_options(self.desk.available_paths(), cfg):
            if path == Choice.GRID:
                energy = (signals.expected_lmp_usd_per_mwh + grid_charges(signals, cfg)) * mwh
                co2_t = signals.grid_co2_t_per_mwh * mwh
                capex = (
                    conventional
                    + cfg.queue.upgrade_cost_usd_per_mw * annuity * signals.expected_upgrade_share
                    + self.tariff_cost_usd_per_mw_month()
                )
            else:
                energy, co2_t = self._fuel_costs(path, mwh)
                capex = conventional
                if choice_of(path) == Choice.MODULAR:  # its contract prices the fuel too
                    capex, energy = self._modular_capex(path, signals, annuity), 0.0
                if path == Choice.OTHER:  # the wildcard's learning curve (abm.wildcard)
                    energy *= wildcard.cost_factor(cfg, signals.month)
            wait = firm_types.wait_months_counted(
                firm, self.expected_wait_months[path], queued=path == Choice.GRID
            )
            carbon = firm_types.carbon_usd_per_mw_month(firm, co2_t, cfg)
            costs[path] = capex + energy + carbon + wait * delay
        return costs

    def tariff_cost_usd_per_mw_month(self) -> float:
        """The large-load tariff's collateral and minimum bill on the grid path (USD per MW-month)."""
        return tariff_cost_usd_per_mw_month(self.config)

    def _modular_capex(self, option: str, signals: Signals, annuity: float) -> float:
        """A modular site's facility annuity and O&M per MW-month plus its power (solar, storage, backup fuel) under the contract it would choose.

        The firm's own risk loading picks the contract; the path compares the expected payments
        of that contract, as it compares the grid's and gas's expected bills, which carry none.
        """
        v, site = self.config.vendors, self._site_power(option, signals)
        loaded = contracts.contract_costs_usd_per_mw_month(site, annuity, self.config)
        pick = contracts.choose_contract(loaded)
        power = contracts.contract_costs_usd_per_mw_month(site, annuity, self.config, False)[pick]
        return (
            v.facility_capex_usd_per_mw * (1 + v.margin) * annuity + power + v.om_usd_per_mw_month
        )

    def contract_costs(
        self, option: str, signals: Signals, annuity: float, loaded: bool = True
    ) -> dict[str, float]:
        """What a site on `option` booked now would cost this firm per MW-month for its power, under each contract (abm.contracts), its risk loading counted if `loaded`."""
        site = self._site_power(option, signals)
        return contracts.contract_costs_usd_per_mw_month(site, annuity, self.config, loaded)

    def _site_power(self, option: str, signals: Signals) -> contracts.SitePower:
        """The power terms of a site on `option` booked now: storage price, size and fade from this month's signals."""
        cfg = self.config
        second_life = option == Path.MODULAR_SECOND_LIFE
        return contracts.site_power(
            cfg,
            modular_choice.storage_cost_usd_per_kwh(option, signals),
            modular_storage_mwh_per_mw(cfg) * 1000.0,
            signals.second_life_fade_per_year if second_life else signals.new_fade_per_year,
            second_life,
        )

    def choose_contract(self, path: str, signals: Signals) -> str:
        """The contract of a site on `path` booked now: the cheapest to this firm, its own risk loading counted ("" off the modular path)."""
        if choice_of(path) != Choice.MODULAR:
            return ""
        h = self.config.hyperscalers
        annuity = capital_recovery_factor_per_month(h.discount_rate, h.planning_horizon_months)
        option = path if path != Choice.MODULAR else Path.MODULAR_NEW
        return contracts.choose_contract(self.contract_costs(option, signals, annuity))

    def _fuel_costs(self, choice: str, mwh: float) -> tuple[float, float]:
        """Energy cost (USD per MW-month) and CO2 (t per MW-month) of the fuel a choice burns, by its catalogue keys."""
        # an option has its own catalogue row; a choice stands for its first row
        spec = PATH_CATALOGUE.get(choice) or choice_spec(choice)
        cost, co2 = (
            config_value(self.config, spec.cost_key),
            config_value(self.config, spec.co2_key),
        )
        fuel_mwh = (
            mwh * config_value(self.config, spec.fuel_share_key) if spec.fuel_share_key else mwh
        )
        return fuel_mwh * cost, fuel_mwh * co2

    def choose_path(
        self,
        mw: float,
        signals: Signals,
        pid: int,
        switches: int = 0,
        exclude: tuple[str, ...] = (),
    ) -> str:
        """Multinomial logit over expected cost, time-to-power and carbon, for project `pid`.

        The scale is a share of the cheapest path's cost (`hyperscalers.choice_scale_share_of_cost`),
        so a clearly cheaper and faster path wins most draws and types, not noise, make firms differ.

        A keyed Gumbel-max race (`Streams.choice`, by pid, switches and path name): the same
        project facing nearly the same costs picks the same path in every scenario of a seed.
        """
        costs = {
            p: c
            for p, c in self.path_costs_usd_per_mw_month(mw, signals).items()
            if p not in exclude
        }
        if not costs:
            return Choice.ONSITE_GAS
        names = list(costs)
        values = [costs[p] for p in names]
        v = -np.array(values) / firm_types.choice_scale_usd_per_mw_month(values, self.config)
        prob = elementary.exp(v - v.max())
        prob /= prob.sum()
        pick = self.streams.choice(
            "project.path_choice", prob, pid, switches, labels=label_ids(names)
        )
        waits = waits_of(self.expected_wait_months, names, self.firm_type, self.config)
        self.choice_log.record(signals.month, pid, mw, switches, exclude, costs, prob, pick, waits)
        return names[pick]

    # --- learning and switching -----------------------------------------------------------
    def observe(self, signals: dict[str, float]) -> None:
        """Adaptive expectations: move expected waits toward what the market shows this month."""
        alpha = self.config.hyperscalers.expectation_weight
        for path, value in signals.items():
            if path in self.expected_wait_months and np.isfinite(value):
                self.expected_wait_months[path] += alpha * (value - self.expected_wait_months[path])

    def reconsider_stuck_projects(self, signals: Signals) -> None:
        """Grid projects that waited too long switch path when another now looks cheaper."""
        limit = self.config.hyperscalers.switch_wait_months
        for project in self.projects:
            if (
                project.status is not Status.WAITING
                or project.path != Path.GRID
                or project.switches
            ):
                continue
            waited = signals.month - project.month_opened
            if waited < limit or self.sites.project_has_agreement(project):
                continue
            costs = self.path_costs_usd_per_mw_month(project.mw, signals)
            remaining = {p: c for p, c in costs.items() if p != Choice.GRID}
            if remaining and min(remaining.values()) < costs.get(Choice.GRID, np.inf):
                new_path = self.choose_path(
                    project.mw, signals, project.pid, project.switches + 1, exclude=(Choice.GRID,)
                )
                self._switch(project, new_path, signals)

    def _switch(self, project: Project, new_path: str, signals: Signals) -> None:
        """Move a grid project to `new_path`, deciding its contract first if it goes modular."""
        project.contract = self.choose_contract(new_path, signals)
        self.desk.switch_project(project, new_path)

    def replan_lost_projects(self, signals: Signals) -> None:
        """Grid projects whose every filing has withdrawn: cancel, refile or switch path, this month.

        The owner sees it through its site desk the month the last filing leaves. It cancels
        when its other committed MW already reach the demand ceiling it plans to (the same
        ceiling `plan` opens projects under); otherwise it chooses a path again by the same
        logit, the grid included (then it refiles), keyed by (pid, switches + 1).
        """
        cfg = self.config.hyperscalers
        horizon = signals.month + cfg.lookahead_months + cfg.overcommit_months
        ceiling = self.share * (self.desk.demand_mw(horizon) - self.desk.existing_mw)
        for project in self.projects:
            if (
                project.status is not Status.WAITING
                or project.path != Path.GRID
                or self.sites.project_has_live_request(project)
            ):
                continue
            if self.committed_mw() - project.mw >= ceiling:
                self.desk.cancel_project(project)
                continue
            new_path = self.choose_path(project.mw, signals, project.pid, project.switches + 1)
            self._switch(project, new_path, signals)

    def consider_bridges(self, signals: Signals) -> None:
        """Waiting grid projects without a bridge order on-site gas when it pays (`abm.agents.bridging`).

        The remaining wait is this firm's expected grid wait less the months since the project
        (re)filed; the bridge's lead is the order books' quote, read through the project desk;
        the firm's type sets the carbon price it pays and what a month of compute is worth.
        """
        cfg, firm = self.config, self.firm_type
        carbon = cfg.policy.carbon_price_usd_per_t + firm.internal_carbon_price_usd_per_t
        for project in self.projects:
            if project.status is not Status.WAITING or project.path != Path.GRID:
                continue
            if project.bridge_mw > 0:
                continue
            filed = project.switch_log[-1].month if project.switch_log else project.month_opened
            remaining = self.expected_wait_months[Choice.GRID] - (signals.month - filed)
            quote = self.desk.gas_quote_months(project.mw)
            if should_bridge(cfg, remaining, quote, carbon, firm.value_of_time_multiplier):
                self.desk.order_bridge(project)

    def time_to_power(self) -> dict[str, list[float]]:
        """Realised time-to-power of this hyperscaler's energised projects, by path."""
        out: dict[str, list[float]] = {p: [] for p in paths()}
        for p in self.projects:
            ttp = p.time_to_power_months()
            if ttp is not None:
                out[p.path].append(ttp)
        return out
