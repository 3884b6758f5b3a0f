"""Utilities: own a territory's generation, plan builds from an (inflated) forecast, buy grid storage.

The queue itself is one vectorised object shared by all territories (`abm.grid.queue`); each
utility reads every territory's slice of it, because whether capacity is short is decided for
the whole interconnection (`abm.agents.planning`): a territory short on its own imports from
neighbours with room before it builds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from abm.agents import pack_pricing, planning, rates
from abm.agents.build_choice import cheapest_option
from abm.batteries import Duty
from abm.grid.build_spec import UtilityBuild
from abm.vocabulary import Order, Product
from abm.world import HOURS_PER_MONTH

if TYPE_CHECKING:
    from abm.ports import Clock, PackDesk, TerritoryGrid
    from abm.schema import ScenarioConfig


class Utility(mesa.Agent):
    """A utility running one territory: forecast, generation builds, grid storage, tariff.

    Ports: `clock`, `grid` (every territory's load, capacity and queue views; its own build
    filings and cancellations) and `packs` (storage values and installing bought storage).
    """

    def __init__(
        self,
        model: mesa.Model,
        territory: int,
        *,
        config: ScenarioConfig,
        clock: Clock,
        grid: TerritoryGrid,
        packs: PackDesk,
    ) -> None:
        """The utility of `territory`, with its own storage-fleet owner index."""
        super().__init__(model)
        self.config, self.clock, self.grid, self.packs = config, clock, grid, packs
        self.territory = territory
        self.nodes = np.flatnonzero(grid.bus_territory == territory)
        self.storage_need_kwh = 0.0  # usable kWh of grid storage to buy
        self.storage_owner = packs.new_storage_owner()
        # grid storage's duty: it values second-life packs and ages the storage it installs; a
        # store of `storage_hours` charges and discharges at full power over that duration
        u = config.utilities
        self.storage_duty = Duty(
            c_rate=1.0 / u.storage_hours, efc_per_month=u.storage_efc_per_month
        )
        self.forecast_mw_history: dict[
            int, float
        ] = {}  # month -> forecast of peak `planning.horizon_months` on
        self.actual_mw_history: dict[int, float] = {}  # month -> peak load that month
        self.tariff = rates.tariff(0.0, 0.0, 0.0, 0.0, config)
        self.tariff_usd_per_mwh = self.tariff.total_usd_per_mwh
        self.grid_charges_usd_per_mwh = self.tariff.charges_usd_per_mwh
        self.energy_mwh = 0.0  # energy served last month
        self.new_cost_recovered_usd_cum = 0.0  # builds and upgrades recovered through the tariff
        self.new_cost_paid_by_others_usd_cum = 0.0  # of which customers other than data centres

    def peak_load_mw(self) -> float:
        """Current peak load in the territory: existing load plus energised grid data centres."""
        m = self.grid
        return float(m.base_load_mw[self.nodes].sum() + m.dc_grid_load_mw[self.nodes].sum())

    def forecast_mw(self) -> float:
        """Peak forecast: today's load, growth, signed DC load and a share of queued DC requests (duplicates included)."""
        return float(planning.forecast_mw_by_territory(self.grid, self.config)[self.territory])

    def firm_capacity_mw(self) -> float:
        """Firm capacity in the territory, including its builds pending in the queue."""
        return float(planning.firm_mw_by_territory(self.grid)[self.territory])

    def plan_generation(self) -> None:
        """Record the forecast; build its share of a system shortfall, or cancel its share of a surplus.

        Need = forecast x (1 + reserve margin) in every territory. When the system's need exceeds
        its firm capacity, the shortfall is shared among the territories short on their own
        (`planning.shortfall_share_mw`) and this utility files its share as gas and storage at
        its largest-load bus. When the system's firm capacity exceeds its need by more than
        `build_cancel_surplus_share`, the surplus is shared among the utilities with builds
        pending (by their pending MW) and this one cancels not-yet-signed builds of its own
        within its share, latest filed first.
        """
        u = self.config.utilities
        month = self.clock.month
        forecast = planning.forecast_mw_by_territory(self.grid, self.config)
        firm = planning.firm_mw_by_territory(self.grid, self.config.planning.horizon_months)
        self.forecast_mw_history[month] = float(forecast[self.territory])
        self.actual_mw_history[month] = self.peak_load_mw()
        need = forecast * (1 + u.reserve_margin)
        shortfall = planning.shortfall_share_mw(need, firm, self.territory)
        if shortfall > 1.0:
            self.file_builds(shortfall)
            return
        ceiling = need * (1 + u.build_cancel_surplus_share)
        pending = self.grid.pending_utility_build_mw
        surplus = planning.surplus_share_mw(firm, ceiling, pending, self.territory)
        if surplus > 0.0:
            builds = self.grid.unsigned_utility_builds(self)
            for rid in planning.builds_to_cancel(builds, surplus):
                self.grid.cancel_utility_build(self, rid)

    def file_builds(self, firm_mw: float) -> None:
        """File `firm_mw` of firm capacity at the largest-load bus, as the least-cost option (abm.agents.build_choice).

        A firm MW of an option with capacity credit c takes 1/c MW of nameplate.
        """
        m = self.grid
        node = int(self.nodes[np.argmax(m.base_load_mw[self.nodes])])
        option = cheapest_option(self.config)
        nameplate = firm_mw / option.capacity_credit
        build = UtilityBuild(
            option.name, option.tech, firm_mw, option.lead_months, option.capex_usd_per_kw
        )
        m.submit_utility_build(self, node, option.kind, nameplate, build)

    def storage_bids(self) -> list[Order]:
        """Grid storage bought in the pack market: new storage, and grade-A second life at its bankable value under grid duty."""
        if self.storage_need_kwh <= 0:
            return []
        m, duty = self.packs, self.storage_duty
        grade_a = pack_pricing.bankable_bid_usd_per_kwh(
            m.storage_wtp_usd_per_kwh(Product.A, duty),
            self.config.utilities.second_life_bankability_discount,
        )
        return [
            Order(Product.A, self.storage_need_kwh, grade_a),
            Order(Product.NEW, self.storage_need_kwh, m.storage_wtp_usd_per_kwh(Product.NEW, duty)),
        ]

    def receive_storage(self, product: int, usable_kwh: float, soh: float) -> None:
        """Install bought grid storage at the territory's largest load node."""
        m = self.packs
        take = min(usable_kwh, self.storage_need_kwh)
        self.storage_need_kwh -= take
        d = self.storage_duty
        m.install_storage(
            self.storage_owner,
            product,
            take,
            soh,
            d.c_rate,
            d.efc_per_month,
            d.ai_duty_fade_multiplier,
        )
        if usable_kwh - take > 1e-6:
            m.return_unallocated_storage(product, usable_kwh - take, soh)

    def set_tariff(self, mean_lmp_usd_per_mwh: float, energy_mwh: float = 0.0) -> None:
        """Tariff = energy (mean LMP) + capacity (builds in service) + network (2025 wires, build upgrades).

        `energy_mwh` is the month's energy served in the territory; the new cost the tariff
        recovers is split by energy between data centres and everyone else (abm.agents.rates).
        """
        in_service, upgrade_usd = self.grid.utility_build_costs(self.territory)
        cfg = self.config
        self.energy_mwh = energy_mwh
        self.tariff = rates.tariff(
            mean_lmp_usd_per_mwh,
            energy_mwh,
            rates.builds_usd_per_month(in_service, cfg),
            rates.upgrades_usd_per_month(upgrade_usd, cfg),
            cfg,
        )
        self.tariff_usd_per_mwh = self.tariff.total_usd_per_mwh
        self.grid_charges_usd_per_mwh = self.tariff.charges_usd_per_mwh
        dc_mwh = float(self.grid.dc_grid_load_mw[self.nodes].sum()) * cfg.demand.load_factor
        dc_share = min(1.0, dc_mwh * HOURS_PER_MONTH / energy_mwh) if energy_mwh > 0 else 0.0
        self.new_cost_recovered_usd_cum += self.tariff.new_cost_usd
        self.new_cost_paid_by_others_usd_cum += self.tariff.new_cost_usd * (1.0 - dc_share)
