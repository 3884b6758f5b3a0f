"""Shiftable compute: the share of data-centre load that moves within a day, and what it saves.

Training and batch inference can wait hours (`demand.shiftable_share`). A site can only run
shifted work in the IT headroom its load factor leaves (it averages `demand.load_factor` of its
MW, so it can run at full MW in the hours it takes work in). At a modular site the work moves
from the dark hours into the sun hours, so the design storage, sized to the dark-hour load,
falls in proportion, if the storage a moved MWh saves is worth more than
`demand.shift_cost_usd_per_mwh`; on the grid it moves from a bus's dear hours into its cheap
ones where the spread beats that cost (`grid_shift_mw`, read by the power exchange). Work moves
only between hours within `demand.shift_max_delay_hours` on the clock (`abm.shift_clock`).
Pure functions of the scenario and arrays (docs/shiftable-compute.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import numpy as np

from abm.finance import capital_recovery_factor_per_month
from abm.numerics.identity_memo import IdentityMemo
from abm.schema import ScenarioConfig
from abm.shift_clock import CLOCK_TOL_H, HOURS_PER_DAY, hour_distance_h
from abm.world import HOURS_PER_MONTH

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


def _day(cfg: ScenarioConfig) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The representative hours' names, lengths (h, summing to 24) and solar factors."""
    mk = cfg.market
    names = list(_HOURS[: mk.representative_hours])
    weight = np.array([getattr(mk, f"{n}_hours_share") for n in names])
    solar = np.array([getattr(mk, f"{n}_solar_factor") for n in names])
    total = float(weight.sum())
    return names, (HOURS_PER_DAY * weight / total if total > 0 else weight * 0.0), solar


@_per_config
def sun_hours_per_day(cfg: ScenarioConfig) -> float:
    """Full-sun hours of the representative day: 24 x the hours' weights x their solar factors."""
    _, hours, solar = _day(cfg)
    return float((hours * solar).sum())


@_per_config
def reachable_dark_share(cfg: ScenarioConfig) -> float:
    """Share of the day's dark hours within `demand.shift_max_delay_hours` of the sunniest hour.

    A dark hour's work moves into the sun only if the delay (its clock distance to solar midday,
    `abm.shift_clock`) is within the max; 1 when every hour is (the default 12 h).
    """
    names, hours, solar = _day(cfg)
    dark = hours * (1.0 - solar)
    if not names or dark.sum() <= 0:
        return 0.0
    dist = hour_distance_h(names, hours)[int(np.argmax(solar))]
    near = dist <= cfg.demand.shift_max_delay_hours + CLOCK_TOL_H
    return float(dark[near].sum() / dark.sum())


@_per_config
def storage_saved_usd_per_mwh_moved(cfg: ScenarioConfig) -> float:
    """Storage capital a modular site saves per MWh it moves into the sun, per month's annuity.

    Design storage falls by `vendors.storage_mwh_per_mw` x the moved share while the MWh moved
    per month are load factor x dark hours x the share x the month's days, so the ratio is the
    same at any share: new storage's start price (`oems` pack + balance of plant) annuitised
    over the owners' horizon at their discount rate, over the dark-hour MWh.
    """
    dark = HOURS_PER_DAY - sun_hours_per_day(cfg)
    if dark <= 0:
        return 0.0
    o, h = cfg.oems, cfg.hyperscalers
    usd_per_mwh = (o.pack_price_usd_per_kwh + o.balance_of_plant_usd_per_kwh) * 1000.0
    monthly = capital_recovery_factor_per_month(h.discount_rate, h.planning_horizon_months)
    moved_mwh = cfg.demand.load_factor * dark * HOURS_PER_MONTH / HOURS_PER_DAY
    return cfg.vendors.storage_mwh_per_mw * usd_per_mwh * monthly / moved_mwh


@_per_config
def modular_moved_share(cfg: ScenarioConfig) -> float:
    """Share of a modular site's dark-hour load that moves into the sun hours.

    None if the shift cost is at least the storage a moved MWh saves; else the shiftable share
    of the dark hours within the max delay of the sun, capped by what the headroom (1 - load
    factor) takes in the sun hours against the dark-hour load (load factor x the dark hours).
    """
    lf = cfg.demand.load_factor
    sun = sun_hours_per_day(cfg)
    dark = HOURS_PER_DAY - sun
    if dark <= 0 or cfg.demand.shift_cost_usd_per_mwh >= storage_saved_usd_per_mwh_moved(cfg):
        return 0.0
    wanted = cfg.demand.shiftable_share * reachable_dark_share(cfg)
    return min(wanted, (1.0 - lf) * sun / (lf * dark))


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
    cost_usd_per_mwh: float = 0.0,
    reach: np.ndarray | None = None,
) -> np.ndarray:
    """(hour, bus) MW added to (+) or taken from (-) each bus's data-centre load; each day's energy is kept.

    Hours dearer than the bus's day mean give up to `shiftable_mw`, hours cheaper take up to
    `headroom_mw`. Pairs (dear hour, cheap hour) are filled widest price spread first, only where
    the spread exceeds `cost_usd_per_mwh` and `reach[dear, cheap]` (the max delay) allows it; at
    no cost and full reach the dearest hours give first and the cheapest take first.
    """
    n_hour, n_bus = price_usd_per_mwh.shape
    cols = np.arange(n_bus)
    hours = np.asarray(hours_per_day, dtype=float)
    h_col = hours[:, None]
    mean = (h_col * price_usd_per_mwh).sum(axis=0) / max(float(hours.sum()), 1e-12)
    give = h_col * shiftable_mw[None, :] * (price_usd_per_mwh > mean + PRICE_TOL)  # MWh a day
    take = h_col * headroom_mw[None, :] * (price_usd_per_mwh < mean - PRICE_TOL)
    allowed = np.ones((n_hour, n_hour), bool) if reach is None else reach
    src, dst = np.nonzero(allowed & ~np.eye(n_hour, dtype=bool))
    spread = price_usd_per_mwh[src] - price_usd_per_mwh[dst]  # (pair, bus)
    out = np.zeros((n_hour, n_bus))
    span = np.maximum(hours, 1e-12)
    for pair in np.argsort(-spread, axis=0, kind="stable"):  # each bus's widest spread first
        i, j = src[pair], dst[pair]
        ok = spread[pair, cols] > cost_usd_per_mwh + PRICE_TOL
        mwh = np.where(ok, np.minimum(give[i, cols], take[j, cols]), 0.0)
        give[i, cols] -= mwh
        take[j, cols] -= mwh
        out[i, cols] -= mwh / span[i]
        out[j, cols] += mwh / span[j]
    return np.clip(out, -shiftable_mw, headroom_mw)  # MWh / hours can round past its cap
