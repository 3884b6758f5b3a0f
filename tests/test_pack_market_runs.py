"""The pack market in whole runs: every grade finds a price, and 45X raises second life (issue 17)."""

from __future__ import annotations

import numpy as np
import pytest

from abm import run_scenario
from abm.catalogue import PRODUCTS


@pytest.mark.slow
def test_every_grade_clears_in_a_short_baseline() -> None:
    """Grades A, B, C and new storage each have a clearing price in some month of 72.

    Grade C pays less than recycling its packs (net of the chemistry mix's recycling value and
    yield) until about month 66 (seed 1), so 36 months are too short for it.
    """
    run = run_scenario("baseline", seed=1, overrides={"run.months": 72}, counterfactual=False)
    for name in PRODUCTS:
        months = int(np.isfinite(run.timeseries[f"pack_price_usd_per_kwh_{name}"]).sum())
        assert months > 0, f"grade {name} never traded"


@pytest.mark.slow
def test_a_larger_45x_credit_raises_second_life_gwh() -> None:
    """Paired on seed 1 over 8 years (the credit phases out from 2030): 45X at $30 instead of $10
    buys more second-life GWh, because it enters recyclers' routing value and asks."""
    months = {"run.months": 96}
    base = run_scenario("baseline", seed=1, overrides=months, counterfactual=False)
    more = run_scenario(
        "baseline",
        seed=1,
        overrides={**months, "policy.credit_45x_usd_per_kwh": 30.0},
        counterfactual=False,
    )
    assert more.kpis["packs"]["second_life_gwh"] > base.kpis["packs"]["second_life_gwh"]
