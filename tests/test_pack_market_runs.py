"""The pack market in whole runs: every grade finds a price, 45X keeps packs from recycling, prices stay non-negative (issue 17)."""

from __future__ import annotations

import numpy as np
import pytest

from abm import run_scenario
from abm.catalogue import PRODUCTS
from tests.conftest import slow_sample

# paired seeds of the 45X test: `make test` (0.25 size) the first, `make test-full` all three
CREDIT_SEEDS = tuple(slow_sample((1, 2, 3)))


@pytest.mark.slow
def test_every_grade_clears_in_a_short_baseline() -> None:
    """Grades A, B, C and new storage each have a clearing price in some month of 84.

    Grade C pays less than recycling its packs (net of the chemistry mix's recycling value and
    yield) until about month 74 (seed 1; month 66 before the libm-independent draws redrew the
    grid), so 36 months are too short for it.
    """
    run = run_scenario("baseline", seed=1, overrides={"run.months": 84}, counterfactual=False)
    for name in PRODUCTS:
        months = int(np.isfinite(run.timeseries[f"pack_price_usd_per_kwh_{name}"]).sum())
        assert months > 0, f"grade {name} never traded"


@pytest.mark.slow
def test_a_larger_45x_credit_on_second_life_recycles_fewer_packs() -> None:
    """Paired on seeds 1-3 over 8 years (the credit phases out from 2030): 45X on second-life packs
    at $30 instead of $10 enters recyclers' routing value and asks, so fewer packs are recycled
    and at least as many go to second life (sold or in stock). Measured: recycled -2.8, -2.6 and
    -0.6 GWh. At 0.25 size only seed 1 runs (`CREDIT_SEEDS`: recycled -2.6 GWh, kept +2.6 at
    4f86858), and its decrease must still be strict.
    Second-life GWh sold alone is not asserted: it moves within seed noise (+0.6, +0.5,
    +0.3 here, -0.2 and -0.5 on seeds 4 and 6), as second life is limited by packs early and by
    cheap new storage later (docs/baseline.md)."""
    fixed = {"run.months": 96, "policy.credit_45x_scope": "second_life_only"}
    recycled_change = []
    for seed in CREDIT_SEEDS:
        base, more = (
            run_scenario(
                "baseline",
                seed=seed,
                overrides={**fixed, "policy.credit_45x_usd_per_kwh": usd},
                counterfactual=False,
            ).kpis["packs"]
            for usd in (10.0, 30.0)
        )
        kept = more["second_life_gwh"] + more["inventory_gwh_end"]
        assert kept >= base["second_life_gwh"] + base["inventory_gwh_end"], seed
        assert more["recycled_gwh"] <= base["recycled_gwh"], seed
        recycled_change.append(more["recycled_gwh"] - base["recycled_gwh"])
    assert sum(recycled_change) < 0


@pytest.mark.slow
def test_a_45x_credit_above_the_recycling_value_keeps_pack_prices_non_negative() -> None:
    """At $60/kWh the credit on a sale exceeds what recycling a grade-A pack pays: the seller's
    walk-away price is floored at zero rather than negative (before, the pack market cleared at
    a negative price and the ledger refused the payment: a LedgerError within 72 months, seed 1)."""
    run = run_scenario(
        "baseline",
        seed=1,
        overrides={"run.months": 72, "policy.credit_45x_usd_per_kwh": 60.0},
        counterfactual=False,
        check=True,
    )
    prices = run.timeseries.filter(like="pack_price_usd_per_kwh_").to_numpy()
    assert np.nanmin(prices) >= 0.0
