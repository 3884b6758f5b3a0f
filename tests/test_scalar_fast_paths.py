"""Scalar fast paths of `elementary.power` and `present_value_factor_per_year`: the array paths' bits and types."""

from __future__ import annotations

import numpy as np

from abm.finance import present_value_factor_per_year
from abm.numerics import elementary


def _pv_array_path(rate: float, years: float) -> float:
    """The 0-d array computation the scalar path replaces."""
    n = np.clip(np.asarray(years, dtype=float), 0.0, None)
    return -elementary.expm1(-n * elementary.log1p(rate)) / rate


def test_scalar_power_is_the_array_path() -> None:
    """Scalar x**y equals the one-element broadcast path bit for bit and stays a Python float."""
    rng = np.random.default_rng(4)
    for x, y in zip(rng.uniform(0, 50, 2000), rng.uniform(-12, 12, 2000), strict=True):
        fast = elementary.power(float(x), float(y))
        slow = elementary.power(np.array(x), np.array(y))
        assert type(fast) is float and repr(fast) == repr(float(slow))
    assert elementary.power(0.0, 0.0) == 1.0 and elementary.power(1.0, 7) == 1.0


def test_scalar_present_value_is_the_array_path() -> None:
    """Positive horizons at rates above -1: the same float as the 0-d array path."""
    rng = np.random.default_rng(5)
    for rate, years in zip(rng.uniform(-0.5, 0.3, 2000), rng.uniform(0, 40, 2000), strict=True):
        fast = present_value_factor_per_year(float(rate), float(years))
        assert type(fast) is float and repr(fast) == repr(_pv_array_path(float(rate), years))
    assert float(present_value_factor_per_year(0.08, -1.0)) == 0.0
    assert float(present_value_factor_per_year(0.0, 3.0)) == 3.0
