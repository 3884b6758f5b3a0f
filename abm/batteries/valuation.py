"""What a second-life pack is worth: the O&M its fade costs and the willingness to pay per kWh.

A buyer compares a second-life pack with new storage under the same duty: its shorter remaining
life and the present value of its extra O&M discount the new-storage price.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from abm.batteries.fade import FadeParams, fade_rate_per_year, life_years_at_fade_rate, nonnegative
from abm.errors import InputError
from abm.finance import present_value_factor_per_year
from abm.numerics import elementary

OM_FRACTION_OF_CAPEX_PER_YEAR = 0.025
"""Fixed O&M of utility batteries as a share of installed capex per year: NREL ATB convention
(recall, not in DOMAIN-NUMBERS, verify). At $250-500/kWh installed (DOMAIN-NUMBERS #19) that is
≈ $6-12/kWh-yr."""

OM_REFERENCE_FADE_PER_YEAR = 0.20 / 3.0
"""Fade at which O&M doubles: the article's ">20 % loss in three years raises O&M sharply"
(DOMAIN.md)."""

OM_FADE_EXPONENT = 4.0
"""Convexity of O&M in fade (assumption, verify): 2 %/yr adds <1 %, 6.7 %/yr doubles, 10 %/yr ×6."""


def om_cost_usd_per_kwh_year(
    fade_per_year: np.ndarray | float,
    base_usd_per_kwh_year: float,
    reference_fade_per_year: float = OM_REFERENCE_FADE_PER_YEAR,
    exponent: float = OM_FADE_EXPONENT,
) -> np.ndarray:
    """O&M cost per kWh-year that rises steeply as fade accelerates: base × (1 + (fade/ref)^k)."""
    fade = nonnegative("fade_per_year", fade_per_year)
    if base_usd_per_kwh_year < 0 or reference_fade_per_year <= 0 or exponent < 1:
        raise InputError("om cost: base >= 0, reference fade > 0 and exponent >= 1 required")
    return base_usd_per_kwh_year * (
        1.0 + elementary.power(fade / reference_fade_per_year, exponent)
    )


def quality_adjusted_wtp(
    base_wtp_usd_per_kwh: float,
    remaining_life_years: np.ndarray,
    new_life_years: float,
    om_risk_usd_per_kwh: np.ndarray,
    discount_rate: float,
) -> np.ndarray:
    """Willingness to pay per usable kWh relative to new storage.

    wtp = base × AF(remaining life) / AF(new life) − O&M risk (present value per usable kWh),
    floored at 0, where AF is the present value of 1 per year. A product with the life of new
    storage and no extra O&M risk is worth ``base``.
    """
    if new_life_years <= 0:
        raise InputError(f"new_life_years must be > 0, got {new_life_years}")
    ratio = present_value_factor_per_year(
        discount_rate, remaining_life_years
    ) / present_value_factor_per_year(discount_rate, new_life_years)
    wtp = base_wtp_usd_per_kwh * ratio - np.asarray(om_risk_usd_per_kwh, dtype=float)
    return np.clip(wtp, 0.0, None)


class StorageDuty(Protocol):
    """How storage is run (the scenario's ``batteries`` section satisfies this)."""

    c_rate: float
    efc_per_month: float
    ai_duty_fade_multiplier: float


@dataclass(frozen=True)
class Duty:
    """A storage duty given by value, e.g. grid storage (C-rate 1 / `utilities.storage_hours`, `storage_efc_per_month`)."""

    c_rate: float
    """Average C-rate, 1/h."""
    efc_per_month: float
    """Equivalent full cycles per month."""
    ai_duty_fade_multiplier: float = 1.0
    """Fade multiplier of the duty (1 = no AI duty stress)."""


@functools.lru_cache(maxsize=1024)
def _lives_and_fades(
    duty: tuple[float, float, float],
    soh: float,
    eol_soh: float,
    params: FadeParams,
    new_eol_soh: float,
    new: FadeParams,
) -> tuple[float, float, np.ndarray, np.ndarray]:
    """(second-life life, new life, second-life fade at its SoH, new fade) of one pack and duty.

    Remembered: they depend on the fade model and the duty only, not on prices, and the model
    asks every month for every grade and chemistry (FadeParams are frozen, hence hashable).
    """
    efc, c_rate, multiplier = duty
    rate_sl = fade_rate_per_year(efc, c_rate, params.dod_ref, params, multiplier, second_life=True)
    fade_new = fade_rate_per_year(efc, c_rate, new.dod_ref, new, multiplier)
    life_sl = float(life_years_at_fade_rate(soh, eol_soh, rate_sl, params))
    life_new = float(life_years_at_fade_rate(1.0, new_eol_soh, fade_new, new))
    # the rate below the knee, as fade_rate_per_year(..., below_knee=True) computes it
    fade_sl = rate_sl * np.where(soh <= params.knee_soh, params.knee_multiplier, 1.0)
    return life_sl, life_new, fade_sl, fade_new


def quality_adjusted_wtp_for(
    new_price_usd_per_kwh: float,
    soh: float,
    eol_soh: float,
    params: FadeParams,
    duty: StorageDuty,
    discount_rate: float,
    new_eol_soh: float = 0.7,
    new_params: FadeParams | None = None,
) -> float:
    """WTP per usable kWh for a second-life pack at ``soh`` relative to new storage at its price.

    Remaining lives come from the fade model under the same duty (second life to ``eol_soh`` with
    the pack's chemistry ``params``, new from 1.0 to ``new_eol_soh`` with ``new_params``, default
    the same); the O&M risk is the present value over the pack's remaining life
    of the extra O&M its faster fade causes, with base O&M = OM_FRACTION_OF_CAPEX_PER_YEAR × price.
    """
    new = params if new_params is None else new_params
    duty_key = (duty.efc_per_month, duty.c_rate, duty.ai_duty_fade_multiplier)
    life_sl, life_new, fade_sl, fade_new = _lives_and_fades(
        duty_key, soh, eol_soh, params, new_eol_soh, new
    )
    if not np.isfinite(life_new) or life_new <= 0:
        return float(new_price_usd_per_kwh)
    life_sl = min(life_sl, life_new)
    base_om = OM_FRACTION_OF_CAPEX_PER_YEAR * new_price_usd_per_kwh
    extra_om = om_cost_usd_per_kwh_year(fade_sl, base_om) - om_cost_usd_per_kwh_year(
        fade_new, base_om
    )
    om_risk = clip_at_zero(float(extra_om)) * float(
        present_value_factor_per_year(discount_rate, life_sl)
    )
    # `quality_adjusted_wtp` of one pack in floats (the same operations, without 1-element arrays)
    ratio = float(present_value_factor_per_year(discount_rate, life_sl)) / float(
        present_value_factor_per_year(discount_rate, life_new)
    )
    return clip_at_zero(float(new_price_usd_per_kwh) * ratio - om_risk)


def clip_at_zero(x: float) -> float:
    """``float(np.clip(x, 0.0, None))`` of one float: negatives and -0.0 give 0.0, NaN stays NaN."""
    return x if x > 0.0 or x != x else 0.0
