"""Water per MWh of a data centre's facility energy, by path: direct (its cooling) and indirect (its power).

Read from the `water` section. Direct water is the cooling's WUE (per IT kWh) over the run's
PUE; a path with no cooling water of its own (the wildcard: radiators in orbit, or a path
registered without one) has none. Indirect water is what the energy's generators consume: the
grid's month mix for the grid path, on-site gas for gas, the site's own PV and backup gensets for
modular sites. Wind turbines and storage consume no water of their own (storage's charging is
counted in the generation that charged it), so they carry no factor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from abm.catalogue import PATH_CATALOGUE, choice_of, config_value
from abm.grid.water_stress import stressed_buses
from abm.schema import ScenarioConfig
from abm.vocabulary import Choice

_GEN_KEYS = {
    "gas": "gen_gas_l_per_mwh",
    "coal": "gen_coal_l_per_mwh",
    "nuclear": "gen_nuclear_l_per_mwh",
    "solar": "gen_solar_l_per_mwh",
    "hydro": "gen_hydro_l_per_mwh",
    "other": "gen_other_l_per_mwh",
}
"""Generation technologies (TECHS names) that consume water, and their `water` key."""


def wue_l_per_kwh(config: ScenarioConfig, cooling: str) -> float:
    """WUE (L per IT kWh) of a cooling technology."""
    return float(getattr(config.water, f"wue_{cooling}_l_per_kwh"))


def direct_l_per_mwh(config: ScenarioConfig, path: str) -> float:
    """Cooling water a path's data centre consumes on site per MWh of facility energy (L)."""
    choice = choice_of(path)
    if choice in (Choice.GRID, Choice.ONSITE_GAS):
        cooling = config.water.cooling_conventional
    elif choice == Choice.MODULAR:
        cooling = config.water.cooling_modular
    else:
        return 0.0
    return wue_l_per_kwh(config, cooling) * 1000.0 / config.hyperscalers.pue


def grid_l_per_mwh(config: ScenarioConfig, techs: Sequence[str], shares: Sequence[float]) -> float:
    """Water per MWh of grid energy at a generation mix (shares of `techs`, summing to 1)."""
    w = config.water
    return sum(
        float(share) * getattr(w, _GEN_KEYS[t])
        for t, share in zip(techs, shares, strict=True)
        if t in _GEN_KEYS
    )


def indirect_l_per_mwh(config: ScenarioConfig, path: str, grid_l_per_mwh_now: float) -> float:
    """Water the generators of a path's energy consume per MWh of its load (L), the grid's at this month's mix."""
    choice, w = choice_of(path), config.water
    if choice == Choice.GRID:
        return grid_l_per_mwh_now
    if choice == Choice.ONSITE_GAS:
        return w.gen_onsite_gas_l_per_mwh
    if choice == Choice.MODULAR:
        spec = PATH_CATALOGUE[path]
        gas = config_value(config, spec.fuel_share_key) if spec.fuel_share_key else 0.0
        return gas * w.gen_onsite_gas_l_per_mwh + (1.0 - gas) * w.gen_solar_l_per_mwh
    return 0.0


def site_weight_factor(
    config: ScenarioConfig, path: str, stressed: np.ndarray, lmp_usd_per_mwh: np.ndarray
) -> np.ndarray:
    """Siting weight per bus under a water price: at stressed buses, energy / (energy + water) per MWh.

    A MWh at a water-stressed bus costs its direct water at `water.price_usd_per_m3_stressed`
    on top of the bus's energy price (the LMP, at least $1/MWh), so the bus is weighed down by
    the share water adds. Ones where water is not priced.
    """
    water_usd = config.water.price_usd_per_m3_stressed * direct_l_per_mwh(config, path) / 1000.0
    energy = np.maximum(np.asarray(lmp_usd_per_mwh, dtype=float), 1.0)
    return np.where(np.asarray(stressed, dtype=bool), energy / (energy + water_usd), 1.0)


_STRESSED: dict[tuple[int, float, float, bytes], np.ndarray] = {}
"""Stressed buses by (seed, share, solar weight, solar factors): they depend on nothing else."""


def stressed_buses_of(desk: Any) -> np.ndarray:
    """Boolean per bus of a grid desk (its config, streams and solar factors): water-stressed or not."""
    w = desk.config.water
    cf = np.ascontiguousarray(desk.solar_cf, dtype=float)
    key = (int(desk.streams.seed), w.stressed_share_of_buses, w.stress_solar_weight, cf.tobytes())
    if key not in _STRESSED:
        if len(_STRESSED) > 32:
            _STRESSED.clear()
        _STRESSED[key] = stressed_buses(desk.config, cf, desk.streams)
    return _STRESSED[key]


def water_factor(desk: Any, path: str) -> np.ndarray | float:
    """The grid desk's siting weights' water factor for a path: 1.0 while water is unpriced."""
    if desk.config.water.price_usd_per_m3_stressed <= 0 or desk.prices is None:
        return 1.0
    return site_weight_factor(
        config=desk.config,
        path=path,
        stressed=stressed_buses_of(desk),
        lmp_usd_per_mwh=desk.prices.lmp_by_bus,
    )
