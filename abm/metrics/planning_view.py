"""What utilities' planning shows: the tariff, the rate impact, capacity by technology, builds and forecast error.

The tariff and rate impact are energy-weighted means over the utilities (USD/MWh); the rate
impact is what builds since 2025 and their network upgrades add to every MWh, which customers
other than data centres pay on their energy ("who pays"). Capacity is the grid's nameplate by
technology after builds, merchant arrivals and retirements.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from abm.grid.build_spec import BUILD_OPTIONS
from abm.grid.topology import TECHS

Model = Any  # metrics never import abm.model
Reporter = Callable[[dict[str, Any]], Any]


class PlanningView:
    """Monthly tariff, rate impact and capacity columns, and the run's planning KPIs."""

    def __init__(self, model: Model) -> None:
        """A view of `model`'s utilities and grid, with the run's running sums."""
        self.model = model
        self.months = 0
        self.tariff_sum = 0.0
        self.rate_impact_sum = 0.0
        self.rate_impact_peak = 0.0

    def observe(self) -> dict[str, float]:
        """This month's energy-weighted tariff and rate impact (USD/MWh); accumulates the run's means."""
        utilities = self.model.roster.utilities
        energy = np.array([u.energy_mwh for u in utilities])
        weight = energy / energy.sum() if energy.sum() > 0 else np.full(len(utilities), 0.0)
        tariff = float(
            sum(w * u.tariff_usd_per_mwh for w, u in zip(weight, utilities, strict=True))
        )
        impact = float(
            sum(
                w * u.tariff.rate_impact_usd_per_mwh for w, u in zip(weight, utilities, strict=True)
            )
        )
        self.months += 1
        self.tariff_sum += tariff
        self.rate_impact_sum += impact
        self.rate_impact_peak = max(self.rate_impact_peak, impact)
        return {"tariff": tariff, "rate_impact": impact}

    def reporters(self) -> list[tuple[str, Reporter]]:
        """Columns: tariff_usd_per_mwh, rate_impact_usd_per_mwh, generation_capacity_gw_<tech>."""
        m = self.model

        def capacity(i: int) -> Reporter:
            return lambda _: float(m.grid.gen_cap_mw[:, i].sum()) / 1000.0

        return [
            ("tariff_usd_per_mwh", lambda month: month["planning"]["tariff"]),
            ("rate_impact_usd_per_mwh", lambda month: month["planning"]["rate_impact"]),
            *[(f"generation_capacity_gw_{t}", capacity(i)) for i, t in enumerate(TECHS)],
        ]

    def kpis(self) -> dict[str, Any]:
        """Run means of the tariff and rate impact, who paid for new builds, GW built by option and retired."""
        m = self.model
        utilities = m.roster.utilities
        recovered = sum(u.new_cost_recovered_usd_cum for u in utilities)
        others = sum(u.new_cost_paid_by_others_usd_cum for u in utilities)
        retired = m.grid.retired_mw.sum(axis=0)
        built = m.grid.utility_builds.in_service_mw_by_option()
        n = max(self.months, 1)
        return {
            "tariff_usd_per_mwh_mean": self.tariff_sum / n,
            "rate_impact_usd_per_mwh_mean": self.rate_impact_sum / n,
            "rate_impact_usd_per_mwh_peak": self.rate_impact_peak,
            "new_cost_recovered_usd_bn": recovered / 1e9,
            "new_cost_paid_by_others_usd_bn": others / 1e9,
            "cancelled_build_cost_usd_bn": float(m.grid.utility_builds.sunk_usd.sum()) / 1e9,
            "built_gw_by_option": {o: built.get(o, 0.0) / 1000.0 for o in BUILD_OPTIONS},
            "retired_gw_by_tech": {t: float(retired[i]) / 1000.0 for i, t in enumerate(TECHS)},
        }

    def build_gw(self) -> dict[str, float]:
        """Utilities' own builds over the run (GW): filed, cancelled, in service, and gas in service."""
        b = self.model.grid.utility_builds
        return {
            "filed_gw": b.filed_mw_cum / 1000.0,
            "cancelled_gw": b.cancelled_mw_cum / 1000.0,
            "energized_gw": float(b.in_service_mw_cum.sum()) / 1000.0,
            "gas_energized_gw": b.gas_in_service_mw_cum / 1000.0,
        }

    def forecast_overshoot_pct(self) -> float:
        """Mean % by which utilities' forecasts (made `planning.horizon_months` earlier) exceeded the load that came."""
        m = self.model
        lag = round(m.config.planning.horizon_months)
        errors = []
        for u in m.roster.utilities:
            for month, forecast in u.forecast_mw_history.items():
                later = u.actual_mw_history.get(month + lag)
                if later:
                    errors.append((forecast - later) / later * 100.0)
        return float(np.mean(errors)) if errors else float("nan")
