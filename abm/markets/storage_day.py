"""Energy-limited plants over the representative day: hydro's water and storage's charge.

Each plant plans its day from the LMPs its own bus saw in each representative hour last month
(arrays are (hour, plant)). Hydro spends the day's water (capacity factor x 24 h) in the
dearest hours first. Storage has an energy limit (power x duration), a round-trip efficiency
and a state of charge that returns to where it started each day: it discharges in the dearest
hours up to its energy, where the price beats its charging price over the efficiency, and
recharges what it gave (over the efficiency) in the cheapest other hours, buying at their LMP.
Its discharge offer is that charging price over the efficiency. The recharge is a bid, not
firm load: the market curtails it where the network cannot deliver it, and a store discharges
only the share of its plan it could refill (`refill_share`). Pure functions; shares are of the
plant's power.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: A refill share this close to 1 is solver round-off: the day's plan stands.
REFILL_TOL = 1e-9


@dataclass(frozen=True)
class ClearedHour:
    """One cleared representative hour: the result, customers' firm and flexible load, recharging (MW per bus)."""

    res: Any
    load: np.ndarray
    flex: np.ndarray
    charging: np.ndarray

    @property
    def charge_cut_mw(self) -> np.ndarray:
        """Recharging the market curtailed at each bus: curtailment falls on the store's bid first.

        The LP curtails a bus's flexible load as one block; the store's recharge is worth its
        arbitrage spread, far below a data centre's curtailment price, so it is cut first.
        """
        return np.minimum(self.res.flex_curtailed_mw, self.charging)


def energy_plan(
    hours_per_day: np.ndarray, price_usd_per_mwh: np.ndarray, energy_hours: float
) -> np.ndarray:
    """Share of power each plant runs in each hour, dearest hours first, until the day's energy is spent."""
    n_hour, n_plant = price_usd_per_mwh.shape
    cols = np.arange(n_plant)
    share = np.zeros((n_hour, n_plant))
    left_h = np.full(n_plant, float(energy_hours))
    for h in np.argsort(-price_usd_per_mwh, axis=0, kind="stable"):
        share[h, cols] = np.minimum(1.0, np.maximum(left_h, 0.0) / hours_per_day[h])
        left_h -= share[h, cols] * hours_per_day[h]
    return share


def storage_plan(
    hours_per_day: np.ndarray, price_usd_per_mwh: np.ndarray, energy_hours: float, efficiency: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(discharge share, charge share, discharge offer USD/MWh) of each storage plant's day."""
    n_hour, n_plant = price_usd_per_mwh.shape
    cols = np.arange(n_plant)
    cheapest = np.argmin(price_usd_per_mwh, axis=0)
    offer = price_usd_per_mwh[cheapest, cols] / efficiency
    discharge = np.zeros((n_hour, n_plant))
    left_h = np.full(n_plant, float(energy_hours))  # a full store, emptied once a day
    for h in np.argsort(-price_usd_per_mwh, axis=0, kind="stable"):
        pays = (price_usd_per_mwh[h, cols] > offer) & (h != cheapest)
        discharge[h, cols] = np.where(pays, np.minimum(1.0, left_h / hours_per_day[h]), 0.0)
        left_h -= discharge[h, cols] * hours_per_day[h]
    need_h = (energy_hours - left_h) / efficiency
    charge = np.zeros((n_hour, n_plant))
    left_need = need_h.copy()
    for h in np.argsort(price_usd_per_mwh, axis=0, kind="stable"):
        free = discharge[h, cols] == 0
        charge[h, cols] = np.where(free, np.minimum(1.0, left_need / hours_per_day[h]), 0.0)
        left_need -= charge[h, cols] * hours_per_day[h]
    # a store that cannot refill in its charging hours discharges only what it refilled
    refilled = np.where(need_h > 0, 1.0 - left_need / np.maximum(need_h, 1e-12), 1.0)
    return discharge * refilled, charge, offer


def refill_share(cleared: list[ClearedHour], hours: np.ndarray, n_bus: int) -> np.ndarray:
    """Share of its planned recharge (MWh) each bus's store received over the day (1 where none planned)."""
    planned, cut = np.zeros(n_bus), np.zeros(n_bus)
    for c, h in zip(cleared, hours, strict=True):
        planned += c.charging * h
        cut += c.charge_cut_mw * h
    return np.where(planned > 0, 1.0 - cut / np.where(planned > 0, planned, 1.0), 1.0)


def charged_share(cleared: list[ClearedHour], store_bus: np.ndarray) -> np.ndarray:
    """(hour, store): share of each store's planned recharge the market delivered in each hour."""
    return np.array(
        [
            np.where(
                c.charging[store_bus] > 0,
                1.0
                - c.charge_cut_mw[store_bus]
                / np.where(c.charging[store_bus] > 0, c.charging[store_bus], 1.0),
                1.0,
            )
            for c in cleared
        ]
    )
