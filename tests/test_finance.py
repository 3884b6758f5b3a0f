"""Tests for abm.finance: each discounting factor against its closed form and its limits."""

from __future__ import annotations

import numpy as np
import pytest

from abm.errors import InputError
from abm.finance import capital_recovery_factor_per_month, present_value_factor_per_year


def test_present_value_factor_per_year() -> None:
    assert present_value_factor_per_year(0.0, 10.0) == 10.0
    assert present_value_factor_per_year(0.05, 1.0) == pytest.approx(1 / 1.05)
    assert present_value_factor_per_year(0.05, -3.0) == 0.0
    years = np.array([1.0, 5.0, 20.0])
    closed_form = (1 - 1.07**-years) / 0.07
    np.testing.assert_allclose(present_value_factor_per_year(0.07, years), closed_form)
    with pytest.raises(InputError):
        present_value_factor_per_year(-1.0, 5.0)


def test_capital_recovery_factor_per_month() -> None:
    assert capital_recovery_factor_per_month(0.0, 120) == 1 / 120
    r = 0.08 / 12
    assert capital_recovery_factor_per_month(0.08, 240) == pytest.approx(r / (1 - (1 + r) ** -240))
    # the monthly payments repay the capex: their present value at the same rate is 1
    payment = capital_recovery_factor_per_month(0.06, 360)
    assert payment * sum((1 + 0.005) ** -k for k in range(1, 361)) == pytest.approx(1.0)
