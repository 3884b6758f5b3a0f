"""Capacity fade: a linear-rate model with a knee, per chemistry, and the life it leaves.

Defaults are LFP packs at 25 °C: the scenario's ``[fade]`` section (``abm.schema.FadeSection``,
with the sources); NMC and other chemistries have ``[fade_nmc]`` and ``[fade_other]``, each fitted
to its BLAST-Lite cell model. The model builds its parameters from the config.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from abm.errors import InputError
from abm.numerics import elementary
from abm.schema import FadeNmcSection, FadeOtherSection, FadeSection

_LFP = FadeSection()  # the schema defaults: new stationary LFP at 25 °C


@dataclass(frozen=True)
class FadeParams:
    """Linear-rate capacity-fade model with a knee; defaults are new stationary LFP packs at 25 °C."""

    calendar_fade_per_year: float = _LFP.calendar_fade_per_year
    """Calendar fade, fraction of nameplate per year at 25 °C and mid SoC."""

    cycle_fade_per_efc: float = _LFP.cycle_fade_per_efc
    """Cycle fade, fraction of nameplate per equivalent full cycle at the reference duty."""

    c_rate_ref: float = _LFP.c_rate_ref
    """Reference C-rate, 1/h."""

    c_rate_exponent: float = _LFP.c_rate_exponent
    """Elasticity of cycle fade to C-rate."""

    dod_ref: float = _LFP.dod_ref
    """Reference depth of discharge, fraction."""

    dod_exponent: float = _LFP.dod_exponent
    """Elasticity of fade per EFC to DoD (NMC is far more DoD-sensitive: ≈2.5)."""

    knee_soh: float = _LFP.knee_soh
    """SoH below which fade accelerates (the knee), fraction."""

    knee_multiplier: float = _LFP.knee_multiplier
    """Fade multiplier below the knee."""

    second_life_multiplier: float = _LFP.second_life_multiplier
    """Extra fade multiplier for repurposed EV packs."""

    def __post_init__(self) -> None:
        """Reject negative or out-of-range parameters at construction, not deep inside a run."""
        for f in fields(self):
            value = getattr(self, f.name)
            if not np.isfinite(value) or value < 0:
                raise InputError(f"FadeParams.{f.name} must be finite and >= 0, got {value}")
        if self.c_rate_ref <= 0 or self.dod_ref <= 0 or not 0 <= self.knee_soh <= 1:
            raise InputError("FadeParams: c_rate_ref, dod_ref must be > 0 and knee_soh in [0, 1]")


def fade_params_by_chemistry(
    lfp: FadeSection, nmc: FadeNmcSection, other: FadeOtherSection
) -> dict[str, FadeParams]:
    """FadeParams per chemistry name; NMC and other override the six fitted fields of ``[fade]``.

    The references (C-rate, DoD) and the second-life multiplier come from ``[fade]`` (LFP).
    """
    base = lfp.model_dump()
    return {
        "nmc": FadeParams(**{**base, **nmc.model_dump()}),
        "lfp": FadeParams(**base),
        "other": FadeParams(**{**base, **other.model_dump()}),
    }


FADE_PARAMS_BY_CHEMISTRY: dict[str, FadeParams] = fade_params_by_chemistry(
    FadeSection(), FadeNmcSection(), FadeOtherSection()
)
"""Fade parameters per first-life chemistry at the schema defaults (keys in ``CHEMISTRIES`` order)."""


def nonnegative(name: str, value: Any) -> np.ndarray:
    """Float array of ``value``, raising InputError on negative or non-finite entries.

    The one input check of the fade and O&M models (duty, rates), so both reject the same things.
    """
    arr = np.asarray(value, dtype=float)
    if isinstance(value, (int, float)):  # a scalar duty: the same test without numpy's reductions
        if not math.isfinite(value) or value < 0:
            raise InputError(f"{name} must be finite and >= 0")
        return arr
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise InputError(f"{name} must be finite and >= 0")
    return arr


def fade_rate_per_year(
    efc_per_month: np.ndarray | float,
    c_rate: np.ndarray | float,
    dod: np.ndarray | float,
    params: FadeParams,
    duty_multiplier: np.ndarray | float = 1.0,
    second_life: np.ndarray | bool = False,
    below_knee: np.ndarray | bool = False,
) -> np.ndarray:
    """Instantaneous fade, fraction of nameplate per year, for the given duty (vectorised).

    rate = duty × [sl] × [knee] × (cal + cyc × 12·EFC/month × (C/C_ref)^a × (DoD/DoD_ref)^b)
    """
    efc = nonnegative("efc_per_month", efc_per_month)
    c = nonnegative("c_rate", c_rate)
    d = nonnegative("dod", dod)
    duty = nonnegative("duty_multiplier", duty_multiplier)
    cycle = (
        params.cycle_fade_per_efc
        * 12.0
        * efc
        * elementary.power(c / params.c_rate_ref, params.c_rate_exponent)
        * elementary.power(d / params.dod_ref, params.dod_exponent)
    )
    rate = duty * (params.calendar_fade_per_year + cycle)
    rate = rate * np.where(np.asarray(second_life, dtype=bool), params.second_life_multiplier, 1.0)
    return rate * np.where(np.asarray(below_knee, dtype=bool), params.knee_multiplier, 1.0)


@functools.lru_cache(maxsize=16)
def shelf_fade_rate_per_year(params: FadeParams) -> np.ndarray:
    """Fade rate (fraction/yr) of a second-life pack on the shelf: no cycling, calendar fade only.

    ``fade_rate_per_year(0, 0, 0, params, 1, second_life=True)``, the same every month, so a
    recycler's stock ages on it without recomputing it (read-only; FadeParams are frozen).
    """
    rate = np.array(fade_rate_per_year(0.0, 0.0, 0.0, params, 1.0, True))
    rate.flags.writeable = False
    return rate


def fade_step(
    soh: np.ndarray,
    months: float,
    efc_per_month: np.ndarray | float,
    c_rate: np.ndarray | float,
    dod: np.ndarray | float,
    params: FadeParams,
    duty_multiplier: np.ndarray | float = 1.0,
    second_life: np.ndarray | bool = False,
) -> np.ndarray:
    """New SoH after ``months`` of the given duty, vectorised over cohorts.

    Fade is linear in time at ``fade_rate_per_year`` above the knee and ``knee_multiplier`` times
    faster below it; a step that crosses the knee is split exactly at the crossing, so two steps of
    3 months equal one of 6. The result is clipped to [0, 1].
    """
    if months < 0:
        raise InputError(f"months must be >= 0, got {months}")
    rate = fade_rate_per_year(
        efc_per_month, c_rate, dod, params, duty_multiplier, second_life, below_knee=False
    )
    return fade_step_at_rate(soh, months, rate, params)


def fade_step_at_rate(
    soh: np.ndarray, months: float, rate: np.ndarray, params: FadeParams
) -> np.ndarray:
    """New SoH after ``months`` at ``rate`` (fraction/yr above the knee; ``fade_rate_per_year``).

    The step of ``fade_step`` once the rate is known: a loop that ages the same duty month after
    month (``abm.carbon.service_kwh_months``) computes the rate once and steps with this.
    """
    soh_arr = np.asarray(soh, dtype=float)
    if months < 0:
        raise InputError(f"months must be >= 0, got {months}")
    years = months / 12.0
    rate = np.broadcast_to(rate, np.broadcast_shapes(rate.shape, soh_arr.shape))
    rate_knee = rate * params.knee_multiplier
    above = soh_arr > params.knee_soh
    with np.errstate(divide="ignore", invalid="ignore"):
        years_to_knee = np.where(
            above, np.where(rate > 0, (soh_arr - params.knee_soh) / rate, np.inf), 0.0
        )
    before = np.minimum(years, years_to_knee)
    after = years - before
    new_soh = soh_arr - rate * before
    new_soh = np.where(after > 0, np.minimum(new_soh, params.knee_soh) - rate_knee * after, new_soh)
    return np.clip(new_soh, 0.0, 1.0)


def remaining_life_years(
    soh: np.ndarray | float,
    eol_soh: float,
    efc_per_month: np.ndarray | float,
    c_rate: np.ndarray | float,
    dod: np.ndarray | float,
    params: FadeParams,
    duty_multiplier: np.ndarray | float = 1.0,
    second_life: np.ndarray | bool = False,
) -> np.ndarray:
    """Years until SoH falls to ``eol_soh`` under a constant duty (exact for the piecewise model)."""
    rate = fade_rate_per_year(efc_per_month, c_rate, dod, params, duty_multiplier, second_life)
    return life_years_at_fade_rate(soh, eol_soh, rate, params)


def life_years_at_fade_rate(
    soh: np.ndarray | float, eol_soh: float, rate: np.ndarray, params: FadeParams
) -> np.ndarray:
    """Years from ``soh`` to ``eol_soh`` at ``rate`` (fraction/yr) above the knee, ×knee_multiplier below.

    The exact life of the piecewise-linear model; ``remaining_life_years`` computes the rate first.
    """
    s = np.asarray(soh, dtype=float)
    rate_knee = rate * params.knee_multiplier
    knee = max(params.knee_soh, eol_soh)
    with np.errstate(divide="ignore", invalid="ignore"):
        upper = np.where(s > knee, (s - knee) / rate, 0.0)
        lower = (np.minimum(s, knee) - eol_soh) / np.where(
            eol_soh < params.knee_soh, rate_knee, rate
        )
    out = np.where(s <= eol_soh, 0.0, upper + lower)
    return np.where(np.isnan(out), np.inf, out)
