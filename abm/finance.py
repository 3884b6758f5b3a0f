"""Discounting factors, one function per meaning, each named by it.

A capital recovery factor turns capex into a monthly payment (the hyperscaler's path costs); a
present-value factor values a yearly stream over a remaining life (willingness to pay for packs).
Pure arithmetic: the callers own the rates and horizons.
"""

from __future__ import annotations

import functools

import numpy as np

from abm.errors import InputError
from abm.numerics import elementary


@functools.lru_cache(maxsize=4096, typed=True)
def capital_recovery_factor_per_month(rate_per_year: float, months: int) -> float:
    """Monthly payment per dollar of capex repaid over ``months`` at an annual discount rate.

    Monthly compounding at ``rate_per_year / 12``; a zero rate spreads the capex evenly.
    Remembered per (rate, months) and their types: path costs ask it thousands of times a run
    with a handful of arguments, and the result is a pure function of them.
    """
    r = rate_per_year / 12.0
    if r == 0:
        return 1.0 / months
    return r / (1.0 - elementary.power(1.0 + r, -months))


def present_value_factor_per_year(rate_per_year: float, years: np.ndarray | float) -> np.ndarray:
    """Present value of 1 per year for ``years`` years (continuous in years; r = 0 gives years).

    Vectorised over ``years``; negative years count as 0.
    """
    if isinstance(years, (int, float)) and years > 0 and rate_per_year != 0 and rate_per_year > -1:
        # one horizon: the scalar loops `expm1` and `log1p` run for a 0-d input, without numpy
        n = float(years)
        lr = elementary.log1p_float(float(rate_per_year))
        return -elementary.expm1_float(-n * lr) / rate_per_year  # type: ignore[return-value]
    n = np.clip(np.asarray(years, dtype=float), 0.0, None)
    if rate_per_year == 0:
        return n
    if rate_per_year <= -1:
        raise InputError(f"discount_rate must be > -1, got {rate_per_year}")
    return -elementary.expm1(-n * elementary.log1p(rate_per_year)) / rate_per_year
