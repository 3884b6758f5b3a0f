"""PowerExchange: the monthly power market as a service: representative hours on the network.

It keeps the append-only generator list (so the DC-OPF warm-starts month to month), clears the
representative hours with one cold retry, publishes LMPs, grid CO2 and shedding, hands tariffs
to utilities and recomputes hosting capacity from the peak dispatch. The clearing itself is
`abm.markets.power.PowerMarket`; this module imports neither agents nor the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from abm.catalogue import TECHNOLOGY_CATALOGUE, config_value
from abm.markets.day_shift import DayShift, day_shift, no_shift
from abm.markets.month_sums import MonthSums
from abm.markets.offers import (
    BlockList,
    block_list,
    block_offers,
    block_shares,
    committed,
    heat_rate_factors,
    solar_availability,
)
from abm.markets.power import NetworkArrays, PowerMarket
from abm.markets.storage_day import (
    REFILL_TOL,
    ClearedHour,
    charged_share,
    energy_plan,
    refill_share,
    storage_plan,
)
from abm.world import HOURS_PER_MONTH

if TYPE_CHECKING:
    from abm.grid.flow import DCNetwork
    from abm.ports import Clock, TariffTaker
    from abm.schema import ScenarioConfig
    from abm.world import Calendar

#: Shedding (MW, summed over buses) below this is solver round-off, not a loss-of-load hour.
SHED_TOL_MW = 1e-6
#: Re-clearings of a month at most, each with the stores' plans cut to the recharge they got.
REFILL_PASSES = 3
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
    dc_grid_load_by_owner: dict[int, np.ndarray]
    grid_peak_mw: float
    queue: Any
    streams: Any

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
        # LMPs per representative hour and bus last month: commitment and storage plans read them
        self._lmp_hours = np.full((len(HOUR_NAMES), grid.n_bus), self.expected_lmp_usd_per_mwh)
        self._block_cache: tuple[np.ndarray, BlockList] | None = None
        self._heat_rate_cache = np.zeros(0)  # heat-rate factor of each plant in list order
        self.generation_share = np.zeros(len(grid.techs))
        self.grid_co2_marginal_t_per_mwh = self.grid_co2_t_per_mwh
        self.dc_co2_marginal_t_per_mwh = self.grid_co2_t_per_mwh

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
        """Step 8: clear the representative hours on the network; prices, CO2, shedding, curtailment.

        Offers come from `abm.markets.offers` (must-run blocks at the floor for committed coal
        and nuclear); hydro and storage follow their day plans (`abm.markets.storage_day`),
        storage's recharging entering the hours it charges in as interruptible load at its bus.
        """
        grid, techs = self.grid, self.grid.techs
        self.market.set_ratings(grid.network.rating_mw)  # upgrades in service build network
        plant_bus, plant_tech = self._generator_list()
        blocks = self._blocks(plant_tech)
        bus = plant_bus[blocks.plant]
        day = self._day_plan(blocks, bus)
        pmax = grid.gen_cap_mw[plant_bus, plant_tech][blocks.plant] * block_shares(
            blocks, techs, self.config
        )
        factor = self._heat_rate_factors(plant_bus, plant_tech)
        true_cost, co2 = block_offers(blocks, techs, self.config, factor)
        cost = self._committed_costs(true_cost, blocks, bus, pmax, day)
        is_storage = blocks.tech == techs.index("storage")
        cost[is_storage] = day["storage_offer"]
        dc_firm = grid.dc_grid_load_mw * self.config.demand.load_factor
        # flexible loads connected ahead of their upgrade curtail their excess when the network binds
        flex = (
            np.minimum(
                grid.queue.curtailable_mw_by_node(grid.n_bus, self.clock.month),
                grid.dc_grid_load_mw,
            )
            * self.config.demand.load_factor
        )
        day["shift"] = no_shift(len(day["names"]), grid.n_bus)
        cleared = self._clear_day(day, blocks, bus, pmax, cost, co2, dc_firm - flex, flex)
        if self.config.demand.shiftable_share > 0:  # shiftable compute answers the day's prices
            day["shift"] = self._load_shift(day, cleared, dc_firm - flex)
            cleared = self._clear_day(day, blocks, bus, pmax, cost, co2, dc_firm - flex, flex)
        for _ in range(REFILL_PASSES):  # stores discharge only what they could refill
            share = refill_share(cleared, day["weight"] * HOURS_PER_MONTH, grid.n_bus)
            if not (share < 1.0 - REFILL_TOL).any():
                break
            store_bus = bus[is_storage]
            day["discharge"][:, is_storage] *= share[store_bus][None, :]
            day["charge"] = day["charge"] * charged_share(cleared, store_bus)
            cleared = self._clear_day(day, blocks, bus, pmax, cost, co2, dc_firm - flex, flex)
        self._account(cleared, day, blocks, bus, true_cost - cost, dc_firm)

    def _clear_day(
        self,
        day: dict[str, Any],
        blocks: BlockList,
        bus: np.ndarray,
        pmax: np.ndarray,
        cost: np.ndarray,
        co2: np.ndarray,
        firm_dc: np.ndarray,
        flex: np.ndarray,
    ) -> list[ClearedHour]:
        """Clear each representative hour; storage recharging is interruptible load at its bus.

        A store bids to recharge, it is not firm demand: where the network cannot deliver the
        recharge the LP curtails it (below VOLL) rather than shed customers.
        """
        grid = self.grid
        is_storage = blocks.tech == grid.techs.index("storage")
        out = []
        for h in range(len(day["names"])):
            charging = np.bincount(
                bus[is_storage], weights=day["charge"][h] * pmax[is_storage], minlength=grid.n_bus
            )
            load = grid.base_load_mw * day["load_factor"][h] + firm_dc + day["shift"].total_mw[h]
            cap = pmax * self._availability(h, blocks, bus, day)
            res = self._clear_hour(load, bus, cap, cost, co2, flex + charging)
            out.append(ClearedHour(res, load, flex, charging))
        return out

    def _account(
        self,
        cleared: list[ClearedHour],
        day: dict[str, Any],
        blocks: BlockList,
        bus: np.ndarray,
        cost_gap: np.ndarray,
        dc_firm: np.ndarray,
    ) -> None:
        """Sum the cleared hours into the month's results; keep their LMPs for next month's plans."""
        grid = self.grid
        acc = MonthSums(grid.n_bus, len(grid.techs))
        loss_of_load_h = 0.0  # hours the representative hours with shedding stand for
        for h, (name, c) in enumerate(zip(day["names"], cleared, strict=True)):
            hours = day["weight"][h] * HOURS_PER_MONTH
            customers = replace(c.res, flex_curtailed_mw=c.res.flex_curtailed_mw - c.charge_cut_mw)
            dc_mw = dc_firm + day["shift"].total_mw[h]
            acc.add(customers, c.load, c.flex, dc_mw, blocks.tech, hours, cost_gap)
            loss_of_load_h += hours * float(c.res.shed_mw.sum() > SHED_TOL_MW)
            self._lmp_hours[h] = c.res.lmp_usd_per_mwh
            acc.lmp += c.res.lmp_usd_per_mwh * day["weight"][h]
            if name == "peak":
                self._record_peak(c.res, bus, c.load, c.flex + c.charging)
        totals = acc.totals()
        totals["loss_of_load_h"] = loss_of_load_h
        peak = day["names"].index("peak") if "peak" in day["names"] else None
        totals.update(
            day["shift"].totals(day["weight"] * HOURS_PER_MONTH, peak)
        )  # shiftable compute
        self._publish(acc.lmp, totals, acc.energy)
        self._publish_mix(acc)

    def _load_shift(
        self, day: dict[str, Any], cleared: list[ClearedHour], firm_mw: np.ndarray
    ) -> DayShift:
        """The day's shift in time and between an owner's sites (`abm.markets.day_shift`).

        The prices are the day cleared without shifting (a day-ahead answer, not last month's:
        month-old LMPs swing too much to shift on).
        """
        grid = self.grid
        price = np.array([c.res.lmp_usd_per_mwh for c in cleared])
        by_owner = [grid.dc_grid_load_by_owner[k] for k in sorted(grid.dc_grid_load_by_owner)]
        owners = np.array(by_owner) if by_owner else np.zeros((0, grid.n_bus))
        hours = day["weight"] * 24.0
        args = (price, firm_mw, grid.dc_grid_load_mw, owners)
        return day_shift(self.config, day["names"], hours, *args)

    def _heat_rate_factors(self, plant_bus: np.ndarray, plant_tech: np.ndarray) -> np.ndarray:
        """Each plant's heat-rate factor, drawn once per plant (keyed by bus and technology)."""
        known = self._heat_rate_cache
        if len(known) < len(plant_bus):  # the plant list is append-only
            new_bus, new_tech = plant_bus[len(known) :], plant_tech[len(known) :]
            u = np.atleast_1d(self.grid.streams.uniform("market.heat_rate", new_bus, new_tech))
            spread = self.config.market.heat_rate_spread_share
            fresh = heat_rate_factors(new_tech, self.grid.techs, spread, u)
            self._heat_rate_cache = np.concatenate((known, fresh))
        return self._heat_rate_cache[: len(plant_bus)]

    def _blocks(self, plant_tech: np.ndarray) -> BlockList:
        """The offer blocks of the plant list, rebuilt only when plants were appended."""
        cache = self._block_cache
        if cache is None or len(cache[0]) != len(plant_tech):
            n_old = 0 if cache is None else len(cache[0])
            prefix = cache is not None and np.array_equal(cache[0], plant_tech[:n_old])
            known = cache[1] if prefix and cache is not None else None
            self._block_cache = (plant_tech.copy(), block_list(plant_tech, self.grid.techs, known))
        return self._block_cache[1]

    def _day_plan(self, blocks: BlockList, bus: np.ndarray) -> dict[str, Any]:
        """The representative day: hours' weights and factors, hydro's and storage's plans."""
        mk, techs = self.config.market, self.grid.techs
        hours = representative_hours(mk)[: mk.representative_hours]
        weight = np.array([h[1] for h in hours])
        weight = weight / weight.sum()
        solar_factor = np.array([h[3] for h in hours])
        hours_per_day = weight * 24.0
        price = self._lmp_hours[: len(hours)][:, bus]  # (hour, block): each block's bus
        n_block = len(bus)
        hydro = np.zeros((len(hours), n_block))
        is_hydro = blocks.tech == techs.index("hydro")
        hydro[:, is_hydro] = energy_plan(
            hours_per_day, price[:, is_hydro], mk.hydro_capacity_factor * 24.0
        )
        discharge, charge = np.zeros((len(hours), n_block)), np.zeros((len(hours), n_block))
        is_storage = blocks.tech == techs.index("storage")
        discharge[:, is_storage], charge[:, is_storage], offer = storage_plan(
            hours_per_day,
            price[:, is_storage],
            self.config.utilities.storage_hours,
            mk.storage_round_trip_efficiency,
        )
        return {
            "names": [h[0] for h in hours],
            "weight": weight,
            "load_factor": np.array([h[2] for h in hours]),
            "solar_factor": solar_factor,
            "mean_solar_factor": float((weight * solar_factor).sum()),
            "hydro": hydro,
            "discharge": discharge,
            "charge": charge[:, is_storage],
            "storage_offer": offer,
        }

    def _committed_costs(
        self,
        cost: np.ndarray,
        blocks: BlockList,
        bus: np.ndarray,
        pmax: np.ndarray,
        day: dict[str, Any],
    ) -> np.ndarray:
        """Block offers with the must-run blocks of committed plants at the price floor."""
        out = cost.copy()
        must = np.flatnonzero(blocks.is_must_run)
        if must.size == 0:
            return out
        # a must-run block is followed by its plant's "rest" block (offers.BLOCKS)
        total = pmax[must] + pmax[must + 1]
        min_share = np.where(total > 0, pmax[must] / np.maximum(total, 1e-9), 1.0)
        lmp = self._lmp_hours[: len(day["weight"])][:, bus[must]]
        on = committed(cost[must], min_share, lmp, day["weight"])
        out[must[on]] = self.config.market.must_run_offer_usd_per_mwh
        return out

    def _availability(
        self, h: int, blocks: BlockList, bus: np.ndarray, day: dict[str, Any]
    ) -> np.ndarray:
        """Output available per MW of each block in representative hour `h`."""
        mk, techs = self.config.market, self.grid.techs
        tech = blocks.tech
        avail = np.ones(len(tech))
        solar = tech == techs.index("solar")
        avail[solar] = solar_availability(
            self.grid.solar_cf[bus[solar]],
            day["solar_factor"][h],
            day["mean_solar_factor"],
        )
        avail[tech == techs.index("wind")] = mk.wind_availability
        avail[tech == techs.index("nuclear")] = mk.nuclear_availability
        hydro, storage = tech == techs.index("hydro"), tech == techs.index("storage")
        avail[hydro] = day["hydro"][h, hydro]
        avail[storage] = day["discharge"][h, storage]
        return avail

    def _publish_mix(self, acc: MonthSums) -> None:
        """Generation shares by technology and the marginal emission factors of the month."""
        total = acc.gen_mwh.sum()
        self.generation_share = acc.gen_mwh / total if total > 0 else np.zeros_like(acc.gen_mwh)
        self.grid_co2_marginal_t_per_mwh = acc.marginal_co2_t / max(acc.energy.sum(), 1e-9)
        dc = acc.dc_mwh
        self.dc_co2_marginal_t_per_mwh = (
            acc.dc_marginal_co2_t / dc if dc > 0 else self.grid_co2_marginal_t_per_mwh
        )

    @property
    def dc_co2_charged_t_per_mwh(self) -> float:
        """Emission factor grid-connected data centres are charged, on the scenario's basis."""
        if self.config.market.dc_co2_basis == "marginal":
            return self.dc_co2_marginal_t_per_mwh
        return self.grid_co2_t_per_mwh

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
