"""Monthly time series, end-of-run KPIs and invariant checks, read from the model's state.

One `MonthRecorder` per model computes a flat row each month (scalars only, so the Mesa
DataCollector stays cheap) and the KPI dict of the run contract at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import mesa
import numpy as np

from abm import contracts
from abm.carbon import embodied_storage_t
from abm.catalogue import PATH_CATALOGUE, PRODUCTS, choice_of, config_value, path_enabled
from abm.metrics.contracts_view import contract_reporters
from abm.metrics.dispatch_view import DispatchView, dispatch_reporters
from abm.metrics.hindcast_view import hindcast_reporters
from abm.metrics.invariants import check_invariants
from abm.metrics.planning_view import PlanningView
from abm.metrics.second_use_saving import SecondUseAccount
from abm.metrics.story_views import StoryViews, launch_co2_t
from abm.shiftable import modular_storage_mwh_per_mw
from abm.vocabulary import Choice, Path, Product, Project, Status
from abm.world import HOURS_PER_MONTH

# The recorder reads the model's services (`packs`, `grid`, `power`, `projects`, `roster`);
# it is typed as Any so that metrics never imports abm.model.
Model = Any

PRODUCT_NAMES = PRODUCTS  # the pack-market products, named in abm.catalogue
# A monthly column's reader: this month's computed flows in, the column's value out.
Reporter = Callable[[dict[str, Any]], Any]


def row_value(model: Model, key: str) -> Any:
    """DataCollector reporter: one column of the recorder's current row (module-level, picklable)."""
    return model.recorder.row[key]


def make_datacollector(columns: list[str]) -> mesa.DataCollector:
    """A DataCollector with one model reporter per time-series column."""
    return mesa.DataCollector(model_reporters={c: partial(row_value, key=c) for c in columns})


class MonthRecorder:
    """Builds the monthly row, accumulates flows, and computes KPIs."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.paths = [p.name for p in PATH_CATALOGUE.values() if path_enabled(model.config, p)]
        self.retired_gwh_cum = 0.0
        self.co2_operational_t = 0.0
        self.co2_embodied_t = 0.0
        self.unserved_mw_months = 0.0
        self.curtailed_compute_mw_months = 0.0
        self.incentives_usd = 0.0
        self.shed_mwh = 0.0
        self.loss_of_load_h = 0.0  # hours with involuntary shedding (LOLE-like, over the run)
        self.flex_curtailed_mwh = 0.0  # flexible grid connections curtailed by the power market
        self.bridge_gas_co2_t = 0.0  # bridge and backup gas, also inside co2_operational_t
        self.bridge_mw_months = 0.0
        self.bridge_peak = (0.0, 0)  # (MW on bridge gas, run month: 1 = first) at its peak
        self.planning = PlanningView(model)  # tariff, rate impact, capacity by technology
        self.dispatch = DispatchView(model)  # generation mix, marginal emissions
        self._embodied_seen: dict[str, Any] = {
            "bought": np.zeros(len(Product)),
            "recycled": 0.0,
            "usable_sl": 0.0,
        }
        self.second_use = SecondUseAccount(model)  # the second-use CO2 counterfactual
        self.story = StoryViews(model, self.paths)  # water, stranded MW, the wildcard
        self.reporters = self._reporters()
        self.columns = [name for name, _ in self.reporters]
        self.row: dict[str, Any] = {}

    # -------------------------------------------------------------- monthly
    def observe_energized(self, project: Project) -> None:
        """Book one-off effects of a project coming online (solar credits, embodied PV)."""
        m = self.model
        if choice_of(project.path) == Choice.MODULAR:
            v = m.config.vendors
            solar_usd = (
                project.mw
                * v.solar_mw_per_mw
                * v.solar_capex_usd_per_mw
                * m.config.policy.solar_credit_share
            )
            # under a PPA the vendor owns the PV and priced the credit into the PPA
            payee = project.vendor if project.contract == contracts.PPA else project.owner
            m.ledger.transfer("external:treasury", payee, solar_usd, "solar credit")
            self.incentives_usd += solar_usd
            self.co2_embodied_t += (
                project.mw * v.solar_mw_per_mw * 1000.0 * m.carbon.solar_kg_per_kw / 1000.0
            )
        elif project.path == Path.OTHER:  # launch and manufacturing (abm.wildcard)
            self.co2_embodied_t += launch_co2_t(m.config, project.mw, project.launch_attempts)

    def energized_mw_by_path(self) -> dict[str, float]:
        """MW powered by path (projects energised during the run)."""
        out = dict.fromkeys(self.paths, 0.0)
        for p in self.model.projects:
            if p.status is Status.ENERGIZED and p.path in out:
                out[p.path] += p.mw
        return out

    def _operational_co2_t(self, energized: dict[str, float]) -> float:
        """This month's operational CO2 of the AI load energised in the run, by path."""
        m = self.model
        mwh_per_mw = HOURS_PER_MONTH * m.config.demand.load_factor
        factors = {p: self._fuel_co2_t_per_mwh(p) for p in energized if p != Path.GRID}
        factors[Path.GRID] = m.power.dc_co2_charged_t_per_mwh
        return sum(energized[p] * mwh_per_mw * factors[p] for p in energized)

    def _fuel_co2_t_per_mwh(self, path: str) -> float:
        """CO2 (t) per MWh of load on an off-grid path: its fuel's factor times the share fuel covers."""
        spec, config = PATH_CATALOGUE[path], self.model.config
        co2 = config_value(config, spec.co2_key)
        return config_value(config, spec.fuel_share_key) * co2 if spec.fuel_share_key else co2

    def _bridge_gas(self) -> dict[str, float]:
        """This month's bridge gas (MW serving waiting grid projects), gas kept as backup (MW) and their CO2 (t).

        A bridge runs at the data centre's load factor; backup runs `gas.backup_hours_per_year`.
        """
        m = self.model
        g = m.config.gas
        bridge = sum(p.bridge_mw for p in m.projects if p.bridge_online(m.month))
        backup = sum(
            p.bridge_mw for p in m.projects if p.gas_backup and p.status is Status.ENERGIZED
        )
        mwh = bridge * HOURS_PER_MONTH * m.config.demand.load_factor
        mwh += backup * g.backup_hours_per_year / 12.0
        return {"mw": bridge, "backup_mw": backup, "co2_t": mwh * g.co2_t_per_mwh}

    def _embodied_co2_t(self) -> float:
        """This month's embodied CO2 of storage bought (nameplate) less recycling credits."""
        m = self.model
        bought = m.packs.storage_bought_nameplate_kwh - self._embodied_seen["bought"]
        self._embodied_seen["bought"] = m.packs.storage_bought_nameplate_kwh.copy()
        c = m.carbon
        recycled = sum(r.recycled_gwh for r in m.roster.stocks())
        recycled_kwh = (recycled - self._embodied_seen["recycled"]) * 1e6
        self._embodied_seen["recycled"] = recycled
        usable_sl = (
            m.packs.storage_bought_kwh[: Product.NEW].sum() - self._embodied_seen["usable_sl"]
        )
        self._embodied_seen["usable_sl"] = m.packs.storage_bought_kwh[: Product.NEW].sum()
        return embodied_storage_t(float(bought[3]), float(usable_sl), float(recycled_kwh), c)[
            "total"
        ]

    def record(self) -> None:
        """Compute this month's row and accumulate flows."""
        m = self.model
        energized = self.energized_mw_by_path()
        demand = m.projects.demand_mw(m.month)
        bridge = self._bridge_gas()
        supplied = m.projects.existing_mw + sum(energized.values()) + bridge["mw"]
        unserved = max(0.0, demand - supplied)
        curtailed = self._curtailed_compute_mw()
        self.unserved_mw_months += unserved
        self.curtailed_compute_mw_months += curtailed
        self.co2_operational_t += self._operational_co2_t(energized) + bridge["co2_t"]
        self.bridge_gas_co2_t += bridge["co2_t"]
        self.bridge_mw_months += bridge["mw"]
        if bridge["mw"] > self.bridge_peak[0]:
            self.bridge_peak = (bridge["mw"], m.month + 1)
        self.co2_embodied_t += self._embodied_co2_t()
        self.second_use.observe_month()
        self.shed_mwh += m.power.totals["shed"]
        self.loss_of_load_h += m.power.totals.get("loss_of_load_h", 0.0)
        self.flex_curtailed_mwh += m.power.totals["curtailed"]
        month = {"demand": demand, "energized": energized, "unserved": unserved}
        month["curtailed"] = curtailed
        month["bridge"] = bridge
        month["planning"] = self.planning.observe()
        self.dispatch.observe(energized.get(Path.GRID, 0.0))
        self.story.observe(demand, energized, bridge["mw"])
        self.row = {name: read(month) for name, read in self.reporters}

    def _reporters(self) -> list[tuple[str, Reporter]]:
        """The monthly table's columns, declared once: each name and how its value is read.

        A reader gets this month's flows (demand, energised MW by path, unserved, curtailed,
        bridge) and reads the rest from the model's services and agents.
        """
        m = self.model

        def recyclers() -> list[Any]:
            return m.roster.stocks()

        def price(i: int) -> Reporter:
            return lambda _: float(m.packs.price_usd_per_kwh[i])

        def energized(path: str) -> Reporter:
            return lambda month: month["energized"][path]

        return [
            ("date", lambda _: m.calendar.label(m.month)),
            ("ai_demand_mw", lambda month: month["demand"]),
            ("existing_mw", lambda _: m.projects.existing_mw),
            *[(f"energized_mw_{p}", energized(p)) for p in self.paths],
            ("unserved_mw", lambda month: month["unserved"]),
            *[(name, _bridge_reader(key)) for name, key in _BRIDGE_COLUMNS],
            ("curtailed_compute_mw", lambda month: month["curtailed"]),
            ("queue_backlog_gw", lambda _: m.grid.queue.backlog_mw() / 1000.0),
            ("queue_load_backlog_gw", lambda _: m.grid.queue.backlog_mw(0) / 1000.0),
            ("queue_active_requests", lambda _: int(m.grid.queue.counts_by_state()[:5].sum())),
            *self._utility_build_reporters(),
            *self.planning.reporters(),
            *[(f"pack_price_usd_per_kwh_{n}", price(i)) for i, n in enumerate(PRODUCT_NAMES)],
            ("packs_retired_gwh_cum", lambda _: self.retired_gwh_cum),
            ("packs_second_life_gwh_cum", lambda _: self.second_life_gwh()),
            ("packs_recycled_gwh_cum", lambda _: sum(r.recycled_gwh for r in recyclers())),
            (
                "packs_inventory_gwh",
                lambda _: float(sum(r.inventory_gwh.sum() for r in recyclers())),
            ),
            ("packs_awaiting_test_gwh", lambda _: sum(r.awaiting_test_gwh for r in recyclers())),
            ("packs_in_service_gwh", lambda _: m.packs.stocks["second_life_installed_gwh"]),
            (
                "recycler_capacity_gwh_per_month",
                lambda _: sum(r.capacity_gwh_per_month for r in recyclers()),
            ),
            *self._modular_reporters(),
            *contract_reporters(m),
            ("lmp_usd_per_mwh_mean", lambda _: m.power.lmp_mean_usd_per_mwh),
            ("grid_co2_t_per_mwh", lambda _: m.power.grid_co2_t_per_mwh),
            *dispatch_reporters(m),
            ("shed_gwh", lambda _: m.power.totals["shed"] / 1000.0),
            ("flex_curtailed_gwh", lambda _: m.power.totals["curtailed"] / 1000.0),
            ("co2_operational_mt_cum", lambda _: self.co2_operational_t / 1e6),
            ("co2_embodied_mt_cum", lambda _: self.co2_embodied_t / 1e6),
            ("co2_mt_cum", lambda _: (self.co2_operational_t + self.co2_embodied_t) / 1e6),
            ("unserved_energy_gwh", lambda _: m.power.totals["shed"] / 1000.0),
            ("loss_of_load_hours", lambda _: m.power.totals.get("loss_of_load_h", 0.0)),
            *self.story.reporters(),
            *hindcast_reporters(m),
            ("triggers_fired", lambda _: m.triggers.fired_in(m.month)),
        ]

    def _utility_build_reporters(self) -> list[tuple[str, Reporter]]:
        """Columns of the utilities' own builds (cumulative MW filed, cancelled, in service, gas in service)."""
        m = self.model
        return [
            ("utility_builds_filed_mw_cum", lambda _: m.grid.utility_builds.filed_mw_cum),
            ("utility_builds_cancelled_mw_cum", lambda _: m.grid.utility_builds.cancelled_mw_cum),
            (
                "utility_builds_energized_mw_cum",
                lambda _: float(m.grid.utility_builds.in_service_mw_cum.sum()),
            ),
            ("utility_gas_energized_mw_cum", lambda _: m.grid.utility_builds.gas_in_service_mw_cum),
        ]

    def _modular_reporters(self) -> list[tuple[str, Reporter]]:
        """Vendors' orders waiting for packs, factory output and lines being built (MW/month), each modular option's best quote (months)."""
        m = self.model
        return [
            (
                "second_life_orders_waiting",
                lambda _: sum(v.orders_waiting_for_packs() for v in m.roster.vendors),
            ),
            (
                "vendor_capacity_mw_per_month",
                lambda _: sum(v.capacity_mw_per_month for v in m.roster.vendors),
            ),
            (
                "vendor_capacity_building_mw_per_month",
                lambda _: sum(mw for v in m.roster.vendors for _, mw in v.factory_lines),
            ),
            *[
                (f"{p}_quote_months", partial(lambda _, p: m.packs.modular_wait_months(p), p=p))
                for p in (Path.MODULAR_SECOND_LIFE, Path.MODULAR_NEW)
            ],
        ]

    def _curtailed_compute_mw(self) -> float:
        """Modular sites whose usable storage faded below design run proportionally less compute."""
        m = self.model
        design_mwh_per_mw = modular_storage_mwh_per_mw(m.config)
        usable = m.packs.fleet.usable_gwh_by_owner(max(m.packs.storage_owner_count, 1))
        total = 0.0
        for p in m.projects:
            if p.status is Status.ENERGIZED and choice_of(p.path) == Choice.MODULAR:
                design_gwh = p.mw * design_mwh_per_mw / 1000.0
                total += p.mw * max(0.0, 1.0 - usable[p.storage_owner] / design_gwh)
        return total

    def second_life_gwh(self) -> float:
        """Nameplate GWh that went to second life: in delivery, in service, or retired again."""
        s = self.model.packs.stocks
        return s["in_delivery_gwh"] + s["second_life_installed_gwh"] + s["second_life_retired_gwh"]

    # -------------------------------------------------------------- checks
    def check_invariants(self) -> None:
        """Packs conserved, no negative stocks or capacities, SoH in [0, 1], money balanced (abm.metrics.invariants)."""
        check_invariants(self.model, self.retired_gwh_cum)

    # -------------------------------------------------------------- KPIs
    def kpis(self) -> dict[str, Any]:
        """The run contract's KPI dict (docs/cli.md), computed from the model's end state."""
        m = self.model
        energized = self.energized_mw_by_path()
        ttp: dict[str, list[float]] = {p: [] for p in self.paths}
        for p in m.projects:
            t = p.time_to_power_months()
            if t is not None and p.path in ttp:
                ttp[p.path].append(t)
        recyclers = m.roster.stocks()
        prices = (
            np.array(m.packs.price_history) if m.packs.price_history else np.full((1, 4), np.nan)
        )
        with np.errstate(all="ignore"):
            mean_prices = {
                n: _finite_or_none(np.nanmean(prices[:, i]))
                if np.isfinite(prices[:, i]).any()
                else None
                for i, n in enumerate(PRODUCT_NAMES)
            }
        return {
            "energized_mw": {p: round(energized[p], 6) for p in self.paths},
            "time_to_power_months_median": {
                p: (float(np.median(v)) if v else None) for p, v in ttp.items()
            },
            "unserved_compute_mw_months": round(self.unserved_mw_months, 6),
            "curtailed_compute_mw_months": round(self.curtailed_compute_mw_months, 6),
            "flex_curtailed_gwh": round(self.flex_curtailed_mwh / 1000.0, 6),
            "queue": self.queue_kpis(),
            "packs": {
                "retired_gwh": self.retired_gwh_cum,
                "second_life_gwh": self.second_life_gwh(),
                "recycled_gwh": sum(r.recycled_gwh for r in recyclers),
                "inventory_gwh_end": float(sum(r.inventory_gwh.sum() for r in recyclers)),
                "awaiting_test_gwh_end": sum(r.awaiting_test_gwh for r in recyclers),
                "price_usd_per_kwh_mean": mean_prices,
                "second_life_pack_wait_months_median": self.pack_wait_months_median(),
            },
            "co2_mt": self.co2_kpis(),
            "dispatch": self.dispatch.kpis(),
            "bridge_gas": self.bridge_kpis(),
            "contracts": m.packs.contracts.kpis(),
            "utility_forecast_overshoot_pct": _finite_or_none(
                self.planning.forecast_overshoot_pct()
            ),
            **self.utility_kpis(),
            "incentives_usd": self.incentives_usd,
            "time_to_power_months_median_by_type": self.time_to_power_median_by_type(),
            "reliability": self.reliability_kpis(),
            **self.story.kpis(),
        }

    def queue_kpis(self) -> dict[str, float | None]:
        """The queue at the end: median waits, backlog, withdrawn shares, the phantom share."""
        m = self.model
        q = m.grid.queue
        return {
            "median_wait_months": _finite_or_none(q.median_wait_months(kind=0, month=m.month)),
            "median_wait_months_generation": _finite_or_none(
                q.median_wait_months(kind=1, month=m.month)
            ),
            "backlog_gw_end": q.backlog_mw() / 1000.0,
            "withdrawn_share": _finite_or_none(q.withdrawn_share()),
            "withdrawn_share_generation": _finite_or_none(q.withdrawn_share(kind=1)),
            "withdrawn_share_storage": _finite_or_none(q.withdrawn_share(kind=2)),
            "phantom_share_of_requested_mw": _finite_or_none(q.phantom_share_of_requested_mw()),
        }

    def reliability_kpis(self) -> dict[str, float]:
        """Involuntary shedding over the run: unserved energy (EUE, GWh) and loss-of-load hours, totals and per year."""
        years = self.model.config.run.months / 12.0
        return {
            "unserved_energy_gwh": round(self.shed_mwh / 1000.0, 6),
            "unserved_energy_gwh_per_year": round(self.shed_mwh / 1000.0 / years, 6),
            "loss_of_load_hours": round(self.loss_of_load_h, 6),
            "loss_of_load_hours_per_year": round(self.loss_of_load_h / years, 6),
        }

    def co2_kpis(self) -> dict[str, Any]:
        """CO2 over the run (Mt), its end-of-horizon credit and the attributional second-use saving."""
        return {
            "operational": self.co2_operational_t / 1e6,
            "embodied": self.co2_embodied_t / 1e6,
            "total": (self.co2_operational_t + self.co2_embodied_t) / 1e6,
            "end_of_horizon_credit": self.second_use.end_of_horizon_credit_t()["total"] / 1e6,
            "second_use_saving": self.second_use.attributional(),
        }

    def bridge_kpis(self) -> dict[str, Any]:
        """Bridge gas over the run: peak MW and its month, MW-months, CO2 (Mt), projects that ordered one, backup MW at the end."""
        return {
            "peak_mw": self.bridge_peak[0],
            "peak_run_month": self.bridge_peak[1] or None,
            "mw_months": round(self.bridge_mw_months, 6),
            "co2_mt": self.bridge_gas_co2_t / 1e6,
            "projects": sum(1 for p in self.model.projects if p.bridge_mw > 0),
            "backup_mw_end": self._bridge_gas()["backup_mw"],
        }

    def pack_wait_months_median(self) -> float | None:
        """Median months a second-life order waited for its packs (due to bought or given up; still waiting: so far)."""
        waits = [w for v in self.model.roster.vendors for w in v.pack_waits_months()]
        return float(np.median(waits)) if waits else None

    def time_to_power_median_by_type(self) -> dict[str, float | None]:
        """Median months from opening to power of energised projects, by owner's hyperscaler type."""
        owner_type = {h.unique_id: h.firm_type.name for h in self.model.roster.hyperscalers}
        ttp: dict[str, list[float]] = {t.name: [] for t in self.model.config.hyperscalers.types}
        for p in self.model.projects:
            t = p.time_to_power_months()
            if t is not None and p.owner in owner_type:
                ttp[owner_type[p.owner]].append(t)
        return {name: (float(np.median(v)) if v else None) for name, v in ttp.items()}

    def utility_kpis(self) -> dict[str, Any]:
        """Utilities' builds (GW) and planning: tariff, rate impact, who paid, built and retired."""
        return {
            "utility_builds": self.planning.build_gw(),
            "utility_planning": self.planning.kpis(),
        }


_BRIDGE_COLUMNS = (
    ("bridge_gas_mw", "mw"),
    ("backup_gas_mw", "backup_mw"),
    ("bridge_gas_co2_t", "co2_t"),
)
"""Bridge-gas columns of the monthly table and the key of this month's bridge flows each reads."""


def _bridge_reader(key: str) -> Reporter:
    """A column reading one of this month's bridge-gas flows."""
    return lambda month: month["bridge"][key]


def _finite_or_none(x: float) -> float | None:
    """JSON-safe number: None for NaN/inf (never a placeholder zero)."""
    return float(x) if x is not None and np.isfinite(x) else None
