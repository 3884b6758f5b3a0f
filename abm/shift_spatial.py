"""Spatial shifting: an owner moves shiftable load from its dearest grid site to its cheapest in the same hour.

A hyperscaler with grid-connected data centres at several buses sends, in each representative
hour, the shiftable share of its load at its dearest bus to its cheapest, where the price gap
exceeds `demand.shift_cost_usd_per_mwh` and as far as its own IT headroom there allows; what
the day's shift in time already took or filled at a bus is not offered again. Pure arrays in,
(hour, bus) MW out (docs/shiftable-compute.md).
"""

from __future__ import annotations

import numpy as np

#: Prices (USD/MWh) closer than this are the same price: nothing moves between them.
PRICE_TOL = 1e-6


def left_share(used_mw: np.ndarray, room_mw: np.ndarray) -> np.ndarray:
    """Share of `room_mw` that `used_mw` (>= 0) leaves, 0 where there is no room."""
    return np.where(room_mw > 0, 1.0 - used_mw / np.maximum(room_mw, 1e-12), 0.0).clip(0.0, 1.0)


def spatial_shift_mw(
    price_usd_per_mwh: np.ndarray,
    owner_shiftable_mw: np.ndarray,
    owner_headroom_mw: np.ndarray,
    cost_usd_per_mwh: float,
    give_left: np.ndarray,
    take_left: np.ndarray,
) -> np.ndarray:
    """(hour, bus) MW moved between the sites of each owner; every hour's sum over buses is 0.

    `owner_shiftable_mw` and `owner_headroom_mw` are (owner, bus); `give_left` and `take_left`
    (hour, bus) the shares of each bus's shiftable load and headroom the shift in time left.
    """
    n_hour, n_bus = price_usd_per_mwh.shape
    out = np.zeros((n_hour, n_bus))
    if owner_shiftable_mw.size == 0:
        return out
    present = (owner_shiftable_mw > 0) | (owner_headroom_mw > 0)
    rows = np.arange(owner_shiftable_mw.shape[0])
    for h in range(n_hour):
        p = price_usd_per_mwh[h][None, :]
        dear = np.argmax(np.where(owner_shiftable_mw > 0, p, -np.inf), axis=1)
        cheap = np.argmin(np.where(owner_headroom_mw > 0, p, np.inf), axis=1)
        gap = price_usd_per_mwh[h, dear] - price_usd_per_mwh[h, cheap]
        ok = present.sum(axis=1) > 1
        ok &= (dear != cheap) & (gap > cost_usd_per_mwh + PRICE_TOL)
        give = owner_shiftable_mw[rows, dear] * give_left[h, dear]
        take = owner_headroom_mw[rows, cheap] * take_left[h, cheap]
        mw = np.where(ok, np.minimum(give, take), 0.0)
        np.add.at(out[h], dear, -mw)
        np.add.at(out[h], cheap, mw)
    return out
