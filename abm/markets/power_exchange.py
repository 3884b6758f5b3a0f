"""PowerExchange: the monthly power market as a service: representative hours on the network.

It keeps the append-only generator list (so the DC-OPF warm-starts month to month), clears the
representative hours with one cold retry, publishes LMPs, grid CO2 and shedding, hands tariffs
to utilities and recomputes hosting capacity from the peak dispatch. The clearing itself is
`abm.markets.power.PowerMarket`; this module imports neither agents nor the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from abm.catalogue import TECHNOLOGY_CATALOGUE, config_value
from abm.markets.power import NetworkArrays, PowerMarket
from abm.world import HOURS_PER_MONTH

if TYPE_CHECKING:
    from abm.grid.flow import DCNetwork
    from abm.ports import Clock, TariffTaker
    from abm.schema import ScenarioConfig
    from abm.world import Calendar

# The representative hours, in clearing order; their shares and factors are `market` parameters.
HOUR_NAMES: tuple[str, ...] = ("peak", "solar_midday", "shoulder", "off_peak")


def representative_hours(market: Any) -> list[tuple[str, float, float, float]]:
    """(name, share of the month's hours, load factor vs peak, solar factor) of each hour."""
    return [
        (
            name,
            getattr(market, f"{name}_hours_share"),
            getattr(market, f"{name}_load_factor"),
            getattr(market, f"{name}_solar_factor"),
        )
        for name in HOUR_NAMES
    ]


class GridState(Protocol):
    """The grid arrays a month's clearing reads, and where its hosting result goes."""

    graph: Any
    network: DCNetwork
    techs: tuple[str, ...]
    n_bus: int
    base_load_mw: np.ndarray
    solar_cf: np.ndarray
    gen_cap_mw: np.ndarray
    dc_grid_load_mw: np.ndarray
    grid_peak_mw: float
    queue: Any

    def set_hosting_mw(self, hosting_mw: np.ndarray) -> None:
        """Hosting room per bus from the month's peak dispatch."""
        ...


class PowerExchange:
    """Clears the representative hours each month and keeps the prices agents learn from."""

    def __init__(
        self,
        config: ScenarioConfig,
        clock: Clock,
        calendar: Calendar,
        grid: GridState,
        utilities: Sequence[TariffTaker],
    ) -> None:
        """Build the power market on the grid's network; seed prices from the grid's merit order."""
        self.config, self.clock, self.calendar = config, clock, calendar
        self.grid, self.utilities = grid, utilities
        net = grid.network
        arrays = NetworkArrays(
            n_bus=net.n_bus,
            slack=net.slack,
            base_mva=float(grid.graph.graph.get("base_mva", 100.0)),
            line_from=net.line_from,
            line_to=net.line_to,
            x_pu=net.x_pu,
            rating_mw=net.rating_mw,
        )
        self.market = PowerMarket(
            arrays,
            copper_plate=config.market.copper_plate,
            voll_usd_per_mwh=config.market.voll_usd_per_mwh,
        )
        self._gen_codes = np.zeros(0, dtype=np.int64)
        self.totals: dict[str, float] = {}
        self._seed_signals()

    def _seed_signals(self) -> None:
        """Market signals hyperscalers learn from, seeded from the grid's own merit order."""
        grid = self.grid
        costs = self.tech_costs()
        capacity = grid.gen_cap_mw.sum(axis=0)
        order = np.argsort(costs)
        cum = np.cumsum(capacity[order])
        marginal = order[
            np.searchsorted(cum, grid.grid_peak_mw * self.config.market.initial_price_merit_point)
        ]
        self.expected_lmp_usd_per_mwh = float(costs[min(marginal, len(costs) - 1)])
        self.lmp_mean_usd_per_mwh = self.expected_lmp_usd_per_mwh
        self.lmp_by_bus = np.full(grid.n_bus, self.expected_lmp_usd_per_mwh)
        # utilities' capacity + network charges (energy-weighted): the grid path pays them on top of energy
        self.grid_charges_usd_per_mwh = self.config.market.tariff_adder_usd_per_mwh
        co2 = self.tech_co2()
        self.grid_co2_t_per_mwh = float((capacity * co2).sum() / max(capacity.sum(), 1e-9))
        self.line_loading = np.zeros(grid.network.n_line)
        self.peak_injection_mw: np.ndarray | None = None

    def tech_costs(self) -> np.ndarray:
        """Marginal cost per technology (USD/MWh), in TECHS order (keys in `abm.catalogue`)."""
        return self._tech_values("cost_key")

    def tech_co2(self) -> np.ndarray:
        """Emission factor per technology (t/MWh), in TECHS order (keys in `abm.catalogue`)."""
        return self._tech_values("co2_key")

    def _tech_values(self, key: str) -> np.ndarray:
        """The scenario value each technology's catalogue `key` names (0 where it names none)."""
        out = []
        for t in self.grid.techs:
            field = getattr(TECHNOLOGY_CATALOGUE[t], key)
            out.append(config_value(self.config, field) if field else 0.0)
        return np.array(out)

    def clear_month(self) -> None:
        """Step 8: clear the representative hours on the network; prices, CO2, shedding, curtailment."""
        mk = self.config.market
        grid = self.grid
        techs = grid.techs
        costs, co2 = self.tech_costs(), self.tech_co2()
        gen_bus, gen_tech = self._generator_list()
        pmax = grid.gen_cap_mw[gen_bus, gen_tech]
        hours = representative_hours(mk)[: mk.representative_hours]
        weight = np.array([h[1] for h in hours])
        weight = weight / weight.sum()
        dc_firm = grid.dc_grid_load_mw * self.config.demand.load_factor
        # flexible loads connected ahead of their upgrade curtail their excess when the network binds
        flex = (
            np.minimum(
                grid.queue.curtailable_mw_by_node(grid.n_bus, self.clock.month),
                grid.dc_grid_load_mw,
            )
            * self.config.demand.load_factor
        )
        lmp_acc, energy_acc = np.zeros(grid.n_bus), np.zeros(grid.n_bus)
        tot = {"cost": 0.0, "co2": 0.0, "load": 0.0, "shed": 0.0, "curtailed": 0.0}
        for (name, _, load_factor, solar_factor), w in zip(hours, weight, strict=True):
            avail = np.ones(len(pmax))
            solar = gen_tech == techs.index("solar")
            avail[solar] = np.clip(
                grid.solar_cf[gen_bus[solar]] * mk.solar_peak_to_mean * solar_factor, 0, 1
            )
            avail[gen_tech == techs.index("wind")] = mk.wind_availability
            cap = pmax * avail
            is_storage = gen_tech == techs.index("storage")
            cap[is_storage] = pmax[is_storage] if name == "peak" else 0.0
            load = grid.base_load_mw * load_factor + dc_firm - flex
            res = self._clear_hour(load, gen_bus, cap, costs[gen_tech], co2[gen_tech], flex)
            hours_in_month = w * HOURS_PER_MONTH
            tot["cost"] += res.cost_usd_per_h * hours_in_month
            tot["co2"] += res.co2_t_per_h * hours_in_month
            tot["load"] += (load.sum() + flex.sum()) * hours_in_month
            energy_acc += (load + flex) * hours_in_month
            tot["shed"] += res.shed_mw.sum() * hours_in_month
            tot["curtailed"] += res.flex_curtailed_mw.sum() * hours_in_month
            lmp_acc += res.lmp_usd_per_mwh * w
            if name == "peak":
                self._record_peak(res, gen_bus, load, flex)
        self._publish(lmp_acc, tot, energy_acc)

    def _record_peak(
        self, res: Any, gen_bus: np.ndarray, load: np.ndarray, flex: np.ndarray
    ) -> None:
        """Line loading and net injection per bus at the peak hour (hosting capacity reads them)."""
        grid = self.grid
        self.line_loading = np.abs(res.line_flow_mw) / grid.network.rating_mw
        inj = np.bincount(gen_bus, weights=res.gen_mw, minlength=grid.n_bus) - (
            load + flex - res.shed_mw - res.flex_curtailed_mw
        )
        self.peak_injection_mw = inj

    def _publish(self, lmp_acc: np.ndarray, tot: dict[str, float], energy: np.ndarray) -> None:
        """Month results: LMPs, expected LMP, grid CO2, totals, utility tariffs and hosting room."""
        grid = self.grid
        self.lmp_by_bus = lmp_acc
        load_w = grid.base_load_mw + grid.dc_grid_load_mw
        self.lmp_mean_usd_per_mwh = float((lmp_acc * load_w).sum() / load_w.sum())
        alpha = self.config.hyperscalers.expectation_weight
        self.expected_lmp_usd_per_mwh += alpha * (
            self.lmp_mean_usd_per_mwh - self.expected_lmp_usd_per_mwh
        )
        self.grid_co2_t_per_mwh = tot["co2"] / max(
            tot["load"] - tot["shed"] - tot["curtailed"], 1e-9
        )
        self.totals = tot
        served = [float(energy[u.nodes].sum()) for u in self.utilities]
        for u, mwh in zip(self.utilities, served, strict=True):
            paid = float((lmp_acc * energy)[u.nodes].sum())  # energy bought at each bus's LMP
            u.set_tariff(paid / mwh if mwh > 0 else float(lmp_acc[u.nodes].mean()), mwh)
        if sum(served) > 0:
            charges = [
                u.grid_charges_usd_per_mwh * mwh
                for u, mwh in zip(self.utilities, served, strict=True)
            ]
            self.grid_charges_usd_per_mwh = sum(charges) / sum(served)
        grid.set_hosting_mw(grid.network.hosting_capacity_mw(self.peak_injection_mw))

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
            res = self.market.clear(
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
                self.market = PowerMarket(
                    self.market.net,
                    copper_plate=mk.copper_plate,
                    voll_usd_per_mwh=mk.voll_usd_per_mwh,
                )
        raise RuntimeError(
            f"month {self.calendar.label(self.clock.month)}: power market failed twice ({res.status}); please report this scenario and seed"
        )

    def _generator_list(self) -> tuple[np.ndarray, np.ndarray]:
        """(bus, tech) of every plant, append-only so the power market can warm-start month to month."""
        n_tech = len(self.grid.techs)
        new_bus, new_tech = np.nonzero(self.grid.gen_cap_mw > 0)
        code = new_bus * n_tech + new_tech
        fresh = code[~np.isin(code, self._gen_codes)]
        if fresh.size:
            self._gen_codes = np.concatenate([self._gen_codes, fresh])
        return self._gen_codes // n_tech, self._gen_codes % n_tech
