"""One hour of the power market as `PowerMarket.clear` passes it between its steps.

`validated_hour` checks the arguments of `clear` once (create); `Solution` is what the solve
step hands to the assign step. Units: MW per bus or unit, $/MWh, t CO2/MWh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from abm.errors import InputError


@dataclass(frozen=True)
class Hour:
    """One hour's validated inputs: firm and flexible load per bus, and the generators."""

    load: np.ndarray
    flex: np.ndarray
    gen_bus: np.ndarray
    pmax: np.ndarray
    cost: np.ndarray
    co2: np.ndarray
    flex_curtail_cost_usd_per_mwh: float
    upper: np.ndarray
    """The priced columns' upper bounds: `load`, `flex` and `pmax` end to end."""


@dataclass
class Solution:
    """The solve step's outcome: HiGHS status, solve count and time, and the optimal LP."""

    status: str
    solves: int
    solver_s: float
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Column values: shedding, curtailment, (angles,) generation."""
    row_dual: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Row duals, $/MWh: balance rows first, then line-limit rows."""
    flow_mw: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """DC flow per line."""


def validated_hour(
    n_bus: int,
    voll_usd_per_mwh: float,
    load_mw: np.ndarray,
    gen_bus: np.ndarray,
    gen_pmax_mw: np.ndarray,
    gen_cost_usd_per_mwh: np.ndarray,
    gen_co2_t_per_mwh: np.ndarray,
    flex_load_mw: np.ndarray | None,
    flex_curtail_cost_usd_per_mwh: float,
) -> Hour:
    """Validate one hour's inputs (the arguments of `PowerMarket.clear`) as float arrays.

    One pass over the bounds end to end (two reductions instead of six) and one sum for the
    costs' finiteness accept a valid hour; anything the fast checks reject goes through
    `_checked_hour`, which raises the first error in the documented order (or accepts an hour
    whose costs merely overflowed the sum).
    """
    hour = _fast_hour(
        n_bus,
        voll_usd_per_mwh,
        load_mw,
        gen_bus,
        gen_pmax_mw,
        gen_cost_usd_per_mwh,
        gen_co2_t_per_mwh,
        flex_load_mw,
        flex_curtail_cost_usd_per_mwh,
    )
    if hour is not None:
        return hour
    return _checked_hour(
        n_bus,
        voll_usd_per_mwh,
        load_mw,
        gen_bus,
        gen_pmax_mw,
        gen_cost_usd_per_mwh,
        gen_co2_t_per_mwh,
        flex_load_mw,
        flex_curtail_cost_usd_per_mwh,
    )


def _fast_hour(
    n: int,
    voll_usd_per_mwh: float,
    load_mw: np.ndarray,
    gen_bus: np.ndarray,
    gen_pmax_mw: np.ndarray,
    gen_cost_usd_per_mwh: np.ndarray,
    gen_co2_t_per_mwh: np.ndarray,
    flex_load_mw: np.ndarray | None,
    flex_curtail_cost_usd_per_mwh: float,
) -> Hour | None:
    """The hour if every check passes at once, else None (then `_checked_hour` decides)."""
    try:
        load = np.asarray(load_mw, dtype=float)
        flex = np.zeros(n) if flex_load_mw is None else np.asarray(flex_load_mw, dtype=float)
        bus = np.asarray(gen_bus, dtype=np.int64)
        pmax = np.asarray(gen_pmax_mw, dtype=float)
        cost = np.asarray(gen_cost_usd_per_mwh, dtype=float)
        co2 = np.asarray(gen_co2_t_per_mwh, dtype=float)
        n_gen = len(bus)
        if not (
            load.shape == flex.shape == (n,)
            and bus.ndim == 1
            and pmax.shape == cost.shape == co2.shape == (n_gen,)
            and 0 <= flex_curtail_cost_usd_per_mwh < voll_usd_per_mwh
        ):
            return None
    except (TypeError, ValueError):  # unconvertible input: the checked path raises in order
        return None
    upper = np.concatenate((load, flex, pmax))
    # min >= 0 fails on NaN and -inf, max < inf on +inf; a finite sum has no inf or NaN term
    if (
        upper.min() >= 0
        and upper.max() < np.inf
        and (not n_gen or (bus.min() >= 0 and bus.max() < n))
        and math.isfinite(float(cost.sum()) + float(co2.sum()))
    ):
        flex_cost = float(flex_curtail_cost_usd_per_mwh)
        return Hour(load, flex, bus, pmax, cost, co2, flex_cost, upper)
    return None


def _checked_hour(
    n: int,
    voll_usd_per_mwh: float,
    load_mw: np.ndarray,
    gen_bus: np.ndarray,
    gen_pmax_mw: np.ndarray,
    gen_cost_usd_per_mwh: np.ndarray,
    gen_co2_t_per_mwh: np.ndarray,
    flex_load_mw: np.ndarray | None,
    flex_curtail_cost_usd_per_mwh: float,
) -> Hour:
    """Check each input in turn and raise the first problem found (the slow, exact path)."""
    load = _vector(load_mw, n, "load_mw")
    flex = np.zeros(n) if flex_load_mw is None else _vector(flex_load_mw, n, "flex_load_mw")
    gen_bus = np.asarray(gen_bus, dtype=np.int64)
    n_gen = len(gen_bus)
    pmax = _vector(gen_pmax_mw, n_gen, "gen_pmax_mw")
    cost = np.asarray(gen_cost_usd_per_mwh, dtype=float)
    co2 = np.asarray(gen_co2_t_per_mwh, dtype=float)
    if gen_bus.ndim != 1 or cost.shape != (n_gen,) or co2.shape != (n_gen,):
        raise InputError("clear: gen_bus, gen_pmax_mw, gen_cost, gen_co2 must be equal-length 1-D")
    if n_gen and (gen_bus.min() < 0 or gen_bus.max() >= n):
        raise InputError(f"clear: gen_bus outside 0..{n - 1}")
    if not (np.isfinite(cost).all() and np.isfinite(co2).all()):
        raise InputError("clear: generator costs and emission factors must be finite")
    if not 0 <= flex_curtail_cost_usd_per_mwh < voll_usd_per_mwh:
        raise InputError(
            f"flex_curtail_cost_usd_per_mwh: {flex_curtail_cost_usd_per_mwh}, expected "
            f"0 <= cost < VOLL ({voll_usd_per_mwh})"
        )
    upper = np.concatenate((load, flex, pmax))
    flex_cost = float(flex_curtail_cost_usd_per_mwh)
    return Hour(load, flex, gen_bus, pmax, cost, co2, flex_cost, upper)


def _vector(values: np.ndarray, size: int, name: str) -> np.ndarray:
    """Validate a finite, non-negative float vector of the expected length."""
    out = np.asarray(values, dtype=float)
    if out.shape != (size,):
        raise InputError(f"clear: {name} has shape {out.shape}, expected ({size},)")
    # min >= 0 fails on NaN and -inf, max < inf on +inf: two reductions, no temporaries
    if out.size and not (out.min() >= 0 and out.max() < np.inf):
        raise InputError(f"clear: {name} must be finite and >= 0")
    return out
