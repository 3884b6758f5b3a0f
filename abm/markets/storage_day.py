"""Energy-limited plants over the representative day: hydro's water and storage's charge.

Each plant plans its day from the LMPs its own bus saw in each representative hour last month
(arrays are (hour, plant)). Hydro spends the day's water (capacity factor x 24 h) in the
dearest hours first. Storage has an energy limit (power x duration), a round-trip efficiency
and a state of charge that returns to where it started each day: it discharges in the dearest
hours up to its energy, where the price beats its charging price over the efficiency, and
recharges what it gave (over the efficiency) in the cheapest other hours, buying at their LMP.
Its discharge offer is that charging price over the efficiency. Pure functions; shares are of
the plant's power.
"""

from __future__ import annotations

import numpy as np


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
