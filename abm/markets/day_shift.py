"""The representative day's shiftable compute on the grid: the shift in time, then between an owner's sites.

The power exchange clears the day once without shifting, hands its prices here and clears again
with the shifted load. The rules are `abm.shiftable.grid_shift_mw` (dear into cheap hours within
the max delay, where the spread beats the shift cost) and `abm.shift_spatial` (an owner's dearest
site into its cheapest in the same hour); this module wires them and sums what they moved,
saved and cost (docs/shiftable-compute.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm.schema import ScenarioConfig
from abm.shift_clock import reachable
from abm.shift_spatial import left_share, spatial_shift_mw
from abm.shiftable import grid_shift_mw


@dataclass(frozen=True)
class DayShift:
    """(hour, bus) MW moved in time and between sites, the unshifted prices they answered, the cost per MWh."""

    temporal_mw: np.ndarray
    spatial_mw: np.ndarray
    price_usd_per_mwh: np.ndarray
    cost_usd_per_mwh: float

    @property
    def total_mw(self) -> np.ndarray:
        """(hour, bus) MW added to (+) or taken from (-) the data-centre load."""
        return self.temporal_mw + self.spatial_mw

    def totals(self, hours_in_month: np.ndarray, peak_hour: int | None) -> dict[str, float]:
        """The month's MWh moved in time and in space, the spread they captured and the cost paid (USD)."""
        h = hours_in_month[:, None]
        out: dict[str, float] = {}
        for name, mw in (("shifted", self.temporal_mw), ("spatial_shifted", self.spatial_mw)):
            out[f"{name}_mwh"] = float((np.maximum(-mw, 0.0) * h).sum())
            out[f"{name}_saving_usd"] = float(-(mw * self.price_usd_per_mwh * h).sum())
        moved = out["shifted_mwh"] + out["spatial_shifted_mwh"]
        out["shift_cost_usd"] = moved * self.cost_usd_per_mwh
        peak = 0.0 if peak_hour is None else float(-self.temporal_mw[peak_hour].sum())
        out["shifted_peak_cut_mw"] = peak
        return out


def no_shift(n_hour: int, n_bus: int) -> DayShift:
    """Nothing moved (shiftable share 0, or before the day is cleared)."""
    zero = np.zeros((n_hour, n_bus))
    return DayShift(zero, zero, zero, 0.0)


def day_shift(
    cfg: ScenarioConfig,
    names: list[str],
    hours_per_day: np.ndarray,
    price_usd_per_mwh: np.ndarray,
    firm_mw: np.ndarray,
    nameplate_mw: np.ndarray,
    owner_nameplate_mw: np.ndarray,
) -> DayShift:
    """The day's shift at the unshifted day's (hour, bus) prices: in time, then between sites.

    `firm_mw` is each bus's firm data-centre load (flexible connections aside), `nameplate_mw`
    its energised MW and `owner_nameplate_mw` that MW by owner (owner, bus); the room to take
    work is nameplate above average load.
    """
    d = cfg.demand
    lf, cost = d.load_factor, d.shift_cost_usd_per_mwh
    headroom = np.maximum(nameplate_mw * (1.0 - lf), 0.0)
    shiftable = d.shiftable_share * firm_mw
    reach = reachable(names, hours_per_day, d.shift_max_delay_hours)
    temporal = grid_shift_mw(hours_per_day, price_usd_per_mwh, shiftable, headroom, cost, reach)
    firm_share = left_share(nameplate_mw * lf - firm_mw, nameplate_mw * lf)  # flex aside
    owner_shiftable = d.shiftable_share * owner_nameplate_mw * lf * firm_share[None, :]
    spatial = spatial_shift_mw(
        price_usd_per_mwh,
        owner_shiftable,
        owner_nameplate_mw * (1.0 - lf),
        cost,
        left_share(np.maximum(-temporal, 0.0), shiftable[None, :]),
        left_share(np.maximum(temporal, 0.0), headroom[None, :]),
    )
    return DayShift(temporal, spatial, price_usd_per_mwh, cost)
