"""`quality_adjusted_wtp_for` in floats against the 1-element-array code it replaces, bit for bit."""

from __future__ import annotations

import itertools

import numpy as np

from abm.batteries.fade import FADE_PARAMS_BY_CHEMISTRY, FadeParams
from abm.batteries.valuation import (
    OM_FRACTION_OF_CAPEX_PER_YEAR,
    Duty,
    _lives_and_fades,
    clip_at_zero,
    om_cost_usd_per_kwh_year,
    quality_adjusted_wtp,
    quality_adjusted_wtp_for,
)
from abm.finance import present_value_factor_per_year


def _wtp_with_arrays(
    price: float,
    soh: float,
    eol: float,
    params: FadeParams,
    duty: Duty,
    rate: float,
    new_eol: float,
    new: FadeParams,
) -> float:
    """The body `quality_adjusted_wtp_for` had before its float path (numpy clips, 1-element arrays)."""
    key = (duty.efc_per_month, duty.c_rate, duty.ai_duty_fade_multiplier)
    life_sl, life_new, fade_sl, fade_new = _lives_and_fades(key, soh, eol, params, new_eol, new)
    if not np.isfinite(life_new) or life_new <= 0:
        return float(price)
    life_sl = min(life_sl, life_new)
    base_om = OM_FRACTION_OF_CAPEX_PER_YEAR * price
    extra_om = om_cost_usd_per_kwh_year(fade_sl, base_om) - om_cost_usd_per_kwh_year(
        fade_new, base_om
    )
    om_risk = float(np.clip(extra_om, 0.0, None)) * float(
        present_value_factor_per_year(rate, life_sl)
    )
    wtp = quality_adjusted_wtp(price, np.array([life_sl]), life_new, np.array([om_risk]), rate)
    return float(wtp[0])


def test_float_path_is_the_array_path() -> None:
    """Prices, SoHs (above and below the knee and the end of life), chemistries, duties, rates."""
    new = FADE_PARAMS_BY_CHEMISTRY["lfp"]
    duties = [Duty(0.5, 25.0, 1.0), Duty(0.25, 10.0, 1.3), Duty(1.0, 40.0, 2.0), Duty(0.0, 0.0)]
    for price, soh, chem, duty, rate in itertools.product(
        [0.0, 37.5, 121.3, 250.0],
        [0.55, 0.6, 0.71, 0.8, 0.93],
        FADE_PARAMS_BY_CHEMISTRY.values(),
        duties,
        [0.0, 0.06, 0.08, 0.12],
    ):
        got = quality_adjusted_wtp_for(price, soh, 0.6, chem, duty, rate, 0.7, new)
        want = _wtp_with_arrays(price, soh, 0.6, chem, duty, rate, 0.7, new)
        assert type(got) is float
        assert np.float64(got).tobytes() == np.float64(want).tobytes(), (price, soh, duty, rate)


def test_clip_at_zero_is_numpy_clip() -> None:
    """Signed zeros, NaN, infinities and ordinary values as `np.clip(x, 0, None)` gives them."""
    for x in [-0.0, 0.0, float("nan"), -1.0, 2.5, float("inf"), float("-inf"), 1e-300, -1e-300]:
        want = float(np.clip(np.float64(x), 0.0, None))
        assert np.float64(clip_at_zero(x)).tobytes() == np.float64(want).tobytes(), x
