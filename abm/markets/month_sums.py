"""Running sums of one month's representative hours: energy, CO2 (average and marginal), the mix.

`PowerExchange.clear_month` adds each cleared hour, weighted by the hours it stands for.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from abm.numerics import exact_dot


class MonthSums:
    """Energy (MWh), cost (USD), CO2 (t) and generation by technology over a month's hours."""

    def __init__(self, n_bus: int, n_tech: int) -> None:
        """Zero sums for a network of `n_bus` buses and `n_tech` technologies."""
        self.lmp = np.zeros(n_bus)
        self.energy = np.zeros(n_bus)
        self.gen_mwh = np.zeros(n_tech)
        self.sums = {"cost": 0.0, "co2": 0.0, "load": 0.0, "shed": 0.0, "curtailed": 0.0}
        self.marginal_co2_t = 0.0
        self.dc_marginal_co2_t = 0.0
        self.dc_mwh = 0.0

    def add(
        self,
        res: Any,
        load: np.ndarray,
        flex: np.ndarray,
        dc_mw: np.ndarray,
        block_tech: np.ndarray,
        hours: float,
        cost_gap: np.ndarray,
    ) -> None:
        """Add one cleared hour standing for `hours` hours of the month.

        `load` is customers' firm load (storage recharging excluded), `dc_mw` the data centres'
        grid load per bus, `cost_gap` each block's true offer less the offer it cleared at
        (non-zero for must-run blocks at the floor), so `cost` sums what generation really cost.
        """
        s = self.sums
        served = load + flex
        s["cost"] += (res.cost_usd_per_h + exact_dot(res.gen_mw, cost_gap)) * hours
        s["co2"] += res.co2_t_per_h * hours
        s["load"] += served.sum() * hours
        s["shed"] += res.shed_mw.sum() * hours
        s["curtailed"] += res.flex_curtailed_mw.sum() * hours
        self.energy += served * hours
        self.gen_mwh += (
            np.bincount(block_tech, weights=res.gen_mw, minlength=len(self.gen_mwh)) * hours
        )
        mef = res.marginal_co2_t_per_mwh
        self.marginal_co2_t += exact_dot(served, mef) * hours
        self.dc_marginal_co2_t += exact_dot(dc_mw, mef) * hours
        self.dc_mwh += float(dc_mw.sum()) * hours

    def totals(self) -> dict[str, float]:
        """The month's totals: cost (USD), CO2 (t), load, shed and curtailed energy (MWh)."""
        return dict(self.sums)
