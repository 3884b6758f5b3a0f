"""What the power market's dispatch shows each month: the generation mix and marginal emissions.

Columns `generation_share_<tech>` (share of the month's generation, storage discharge
included) and `grid_co2_marginal_t_per_mwh` (load-weighted marginal emission factor); KPIs of
the run: the mean mix and the grid-connected data centres' CO2 on the average and the marginal
basis (docs/power-market.md "Marginal emissions").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from abm.grid.topology import TECHS
from abm.world import HOURS_PER_MONTH

Model = Any  # metrics never import abm.model
Reporter = Callable[[dict[str, Any]], Any]


def dispatch_reporters(model: Model) -> list[tuple[str, Reporter]]:
    """Columns: generation_share_<tech> for every technology, grid_co2_marginal_t_per_mwh."""

    def share(i: int) -> Reporter:
        return lambda _: float(model.power.generation_share[i])

    return [
        *[(f"generation_share_{t}", share(i)) for i, t in enumerate(TECHS)],
        ("grid_co2_marginal_t_per_mwh", lambda _: model.power.grid_co2_marginal_t_per_mwh),
    ]


class DispatchView:
    """Run sums of the mix and of grid-connected data centres' CO2 on both bases."""

    def __init__(self, model: Model) -> None:
        """A view of `model`'s power exchange with zero sums."""
        self.model = model
        self.months = 0
        self.share_sum = np.zeros(len(TECHS))
        self.marginal_sum = 0.0
        self.dc_average_t = 0.0
        self.dc_marginal_t = 0.0

    def observe(self, grid_mw: float) -> None:
        """Add this month: the mix, and the CO2 of `grid_mw` of data-centre load served by the grid."""
        power, cfg = self.model.power, self.model.config
        mwh = grid_mw * HOURS_PER_MONTH * cfg.demand.load_factor
        self.months += 1
        self.share_sum += power.generation_share
        self.marginal_sum += power.grid_co2_marginal_t_per_mwh
        self.dc_average_t += mwh * power.grid_co2_t_per_mwh
        self.dc_marginal_t += mwh * power.dc_co2_marginal_t_per_mwh

    def kpis(self) -> dict[str, Any]:
        """Mean generation shares, mean marginal factor, data centres' grid CO2 (Mt) on both bases and as charged."""
        n = max(self.months, 1)
        charged_t = (
            self.dc_marginal_t
            if self.model.config.market.dc_co2_basis == "marginal"
            else self.dc_average_t
        )
        return {
            "generation_share_mean": {t: float(self.share_sum[i]) / n for i, t in enumerate(TECHS)},
            "grid_co2_marginal_t_per_mwh_mean": self.marginal_sum / n,
            "dc_grid_co2_mt": {
                "average_basis": self.dc_average_t / 1e6,
                "marginal_basis": self.dc_marginal_t / 1e6,
                "charged": charged_t / 1e6,  # KPIs are numbers: the basis itself is in run.json
            },
        }
