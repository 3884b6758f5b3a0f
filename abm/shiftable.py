"""Shiftable compute: the share of data-centre load that moves within a day, and what it saves.

Training and batch inference can wait hours (`demand.shiftable_share`). A site can only run
shifted work in the IT headroom its load factor leaves (it averages `demand.load_factor` of its
MW, so it can run at full MW in the hours it takes work in). At a modular site the work moves
from the dark hours into the sun hours, so the design storage, sized to the dark-hour load,
falls in proportion; on the grid it moves from a bus's dear hours into its cheap ones
(`grid_shift_mw`, read by the power exchange). Pure functions of the scenario and arrays
(docs/shiftable-compute.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import numpy as np

from abm.numerics.identity_memo import IdentityMemo
from abm.schema import ScenarioConfig

HOURS_PER_DAY = 24.0
#: Prices (USD/MWh) this close to a bus's day mean count as neither dear nor cheap.
PRICE_TOL = 1e-6
_HOURS = ("peak", "solar_midday", "shoulder", "off_peak")
#: Configs whose shares are remembered at once (a run holds one, a sweep worker a few).
_CACHED_CONFIGS = 16


def _per_config(fn: Callable[[ScenarioConfig], float]) -> Callable[[ScenarioConfig], float]:
    """Remember `fn(cfg)` per config object (`IdentityMemo`): configs are frozen, and agents ask ~200 times a month."""
    memo: IdentityMemo[float] = IdentityMemo(_CACHED_CONFIGS)

    @wraps(fn)
    def cached(cfg: ScenarioConfig) -> float:
        return memo.get((cfg,), None, lambda: fn(cfg))

    return cached


@_per_config
def sun_hours_per_day(cfg: ScenarioConfig) -> float:
    """Full-sun hours of the representative day: 24 x the hours' weights x their solar factors."""
    mk = cfg.market
    names = _HOURS[: mk.representative_hours]
    weight = np.array([getattr(mk, f"{n}_hours_share") for n in names])
    solar = np.array([getattr(mk, f"{n}_solar_factor") for n in names])
    total = float(weight.sum())
    return HOURS_PER_DAY * float((weight * solar).sum()) / total if total > 0 else 0.0


@_per_config
def modular_moved_share(cfg: ScenarioConfig) -> float:
    """Share of a modular site's dark-hour load that moves into the sun hours.

    The shiftable share, capped by what the headroom (1 - load factor) takes in the sun hours
    against the dark-hour load (load factor x the dark hours).
    """
    lf = cfg.demand.load_factor
    sun = sun_hours_per_day(cfg)
    dark = HOURS_PER_DAY - sun
    if dark <= 0:
        return 0.0
    return min(cfg.demand.shiftable_share, (1.0 - lf) * sun / (lf * dark))


@_per_config
def modular_storage_mwh_per_mw(cfg: ScenarioConfig) -> float:
    """Usable storage a modular site is designed with per MW: `vendors.storage_mwh_per_mw` less what shifting saves."""
    return cfg.vendors.storage_mwh_per_mw * (1.0 - modular_moved_share(cfg))


def modular_shifted_mwh_per_mw_day(cfg: ScenarioConfig) -> float:
    """MWh a modular site moves from its dark hours into its sun hours each day, per MW."""
    dark = HOURS_PER_DAY - sun_hours_per_day(cfg)
    return cfg.demand.load_factor * max(dark, 0.0) * modular_moved_share(cfg)


def grid_shift_mw(
    hours_per_day: np.ndarray,
    price_usd_per_mwh: np.ndarray,
    shiftable_mw: np.ndarray,
    headroom_mw: np.ndarray,
) -> np.ndarray:
    """(hour, bus) MW added to (+) or taken from (-) each bus's data-centre load; each day's energy is kept.

    Hours dearer than the bus's day mean (last month's LMPs) give up to `shiftable_mw`, dearest
    first; hours cheaper take up to `headroom_mw`, cheapest first; the energy moved is the
    smaller of what the dear hours give and the cheap hours take.
    """
    n_hour, n_bus = price_usd_per_mwh.shape
    cols = np.arange(n_bus)
    h_col = hours_per_day[:, None]
    mean = (h_col * price_usd_per_mwh).sum(axis=0) / max(float(hours_per_day.sum()), 1e-12)
    dear = price_usd_per_mwh > mean + PRICE_TOL
    cheap = price_usd_per_mwh < mean - PRICE_TOL
    give = (h_col * dear).sum(axis=0) * shiftable_mw
    take = (h_col * cheap).sum(axis=0) * headroom_mw
    moved = np.maximum(np.minimum(give, take), 0.0)
    out = np.zeros((n_hour, n_bus))
    for sign, order, ok, cap in (
        (-1.0, np.argsort(-price_usd_per_mwh, axis=0, kind="stable"), dear, shiftable_mw),
        (1.0, np.argsort(price_usd_per_mwh, axis=0, kind="stable"), cheap, headroom_mw),
    ):
        left = moved.copy()
        for h in order:
            span = np.maximum(hours_per_day[h], 1e-12)
            mw = np.where(ok[h, cols], np.minimum(cap, left / span), 0.0)
            out[h, cols] += sign * mw
            left -= mw * hours_per_day[h]
    return out
