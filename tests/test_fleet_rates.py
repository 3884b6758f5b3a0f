"""`StorageFleet.age` with kept cohort rates (`abm.batteries.fleet_rates`) against `fade_step`, bit for bit."""

from __future__ import annotations

import numpy as np

from abm.batteries.fade import FADE_PARAMS_BY_CHEMISTRY, FadeParams, fade_rate_per_year, fade_step
from abm.batteries.fleet import StorageFleet
from abm.batteries.fleet_rates import CohortRates
from abm.batteries.products import CHEMISTRIES, Product


def _aged_by_fade_step(
    fleet: StorageFleet, months: float, by_chem: dict[str, FadeParams]
) -> np.ndarray:
    """The SoH `StorageFleet.age` computed before the memo: `fade_step` over each chemistry's cohorts."""
    soh = fleet.soh.copy()
    for index, name in enumerate(CHEMISTRIES):
        rows = fleet.chemistry == index
        if not rows.any():
            continue
        p = by_chem[name]
        soh[rows] = fade_step(
            fleet.soh[rows],
            months,
            fleet.efc_per_month[rows],
            fleet.c_rate[rows],
            np.full(int(rows.sum()), p.dod_ref),
            p,
            fleet.duty_multiplier[rows],
            second_life=fleet.product[rows] != Product.NEW,
        )
    return soh


def _install(fleet: StorageFleet, rng: np.random.Generator, month: int) -> None:
    """A few lots of random products, owners, chemistries and duties (some merging into a cohort)."""
    for _ in range(int(rng.integers(0, 5))):
        fleet.add(
            product=int(rng.integers(0, len(Product))),
            owner=int(rng.integers(0, 3)),
            nameplate_gwh=float(rng.uniform(0.01, 2.0)),
            soh=float(rng.uniform(0.6, 1.0)),
            month=month - int(rng.integers(0, 2)),  # last month's lots merge
            c_rate=float(rng.choice([0.25, 0.5, rng.uniform(0.1, 1.0)])),
            efc_per_month=float(rng.choice([10.0, 25.0, rng.uniform(0.0, 40.0)])),
            duty_multiplier=float(rng.choice([1.0, 1.3])),
            chemistry=int(rng.integers(0, len(CHEMISTRIES))),
        )


def test_age_with_kept_rates_is_fade_step() -> None:
    """Grow, re-duty, merge, retire and age a fleet for 120 months; every SoH the same bits."""
    rng = np.random.default_rng(22)
    fleet = StorageFleet()
    by_chem = dict(FADE_PARAMS_BY_CHEMISTRY)
    for month in range(120):
        _install(fleet, rng, month)
        if month % 17 == 5 and len(fleet):
            fleet.set_duty(int(rng.integers(0, 3)), 0.7, float(rng.uniform(5, 30)), 1.1)
        if month == 60:  # the parameters change: nothing kept may be reused
            by_chem["lfp"] = FadeParams(calendar_fade_per_year=0.02)
        expected = _aged_by_fade_step(fleet, 1.0, by_chem)
        fleet.age(1.0, by_chem)
        assert fleet.soh.tobytes() == expected.tobytes(), month
        if month % 11 == 3:
            fleet.retire_by_eol(0.65, 0.75)


def test_rates_reuse_only_an_equal_prefix() -> None:
    """Kept rates serve an unchanged leading run; a changed cohort or new params recompute."""
    p = FADE_PARAMS_BY_CHEMISTRY["nmc"]
    memo = CohortRates()
    efc, c, duty = np.array([10.0, 20.0]), np.array([0.5, 0.25]), np.array([1.0, 1.3])
    sl = np.array([False, True])
    first = memo.rates(0, p, efc, c, duty, sl)
    assert memo.rates(0, p, efc.copy(), c.copy(), duty.copy(), sl.copy()) is first
    longer = [np.append(a, v) for a, v in ((efc, 5.0), (c, 1.0), (duty, 1.0), (sl, True))]
    got = memo.rates(0, p, *longer)
    want = fade_step_rates(p, *longer)
    assert got.tobytes() == want.tobytes()
    changed = [a.copy() for a in longer]
    changed[0][0] = 11.0
    assert memo.rates(0, p, *changed).tobytes() == fade_step_rates(p, *changed).tobytes()
    seen = [np.append(a, a[1]) for a in changed]  # a new cohort with a duty seen before
    assert memo.rates(0, p, *seen).tobytes() == fade_step_rates(p, *seen).tobytes()
    other = FADE_PARAMS_BY_CHEMISTRY["lfp"]
    assert memo.rates(0, other, *changed).tobytes() == fade_step_rates(other, *changed).tobytes()


def fade_step_rates(
    p: FadeParams, efc: np.ndarray, c: np.ndarray, duty: np.ndarray, sl: np.ndarray
) -> np.ndarray:
    """The rate `fade_step` computes for these cohorts, all at once."""
    return fade_rate_per_year(efc, c, np.full(len(efc), p.dod_ref), p, duty, sl, below_knee=False)
