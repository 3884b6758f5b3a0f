"""Tests for abm.batteries: retirements, grading, fade, O&M and the StorageFleet container."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abm import batteries as b
from abm.errors import InputError
from abm.finance import present_value_factor_per_year

P = b.FadeParams()


# --- retirements ---------------------------------------------------------------------------


def test_retirements_conserve_sales_over_long_horizon() -> None:
    sales = b.US_EV_SALES_GWH_BY_YEAR
    out = b.ev_retirements_gwh(sales, 2011, 1, 12 * 120, 4.2, 16.5)
    assert out.shape == (1440,)
    assert np.all(out >= 0)
    assert out.sum() == pytest.approx(sum(sales.values()), rel=1e-9)


def test_retirements_include_vintages_before_start_and_split_consistently() -> None:
    sales = {2000: 10.0, 2010: 20.0}
    whole = b.ev_retirements_gwh(sales, 2005, 1, 240, 3.0, 12.0)
    first = b.ev_retirements_gwh(sales, 2005, 1, 100, 3.0, 12.0)
    assert whole[:100] == pytest.approx(first)
    shifted = b.ev_retirements_gwh(sales, 2005 + 100 // 12, 1 + 100 % 12, 140, 3.0, 12.0)
    assert whole[100:] == pytest.approx(shifted)
    # the 2000 vintage, sold before the start, already retires in the first month
    assert first[0] > 0


def test_retirements_deterministic_and_peak_near_scale() -> None:
    sales = {2020: 12.0}
    a = b.ev_retirements_gwh(sales, 2020, 1, 12 * 40, 4.2, 16.5)
    assert np.array_equal(a, b.ev_retirements_gwh(sales, 2020, 1, 12 * 40, 4.2, 16.5))
    peak_year = 2020 + np.argmax(a) / 12
    assert 2033 < peak_year < 2038  # Weibull mode = 16.5 × (1 - 1/4.2)^(1/4.2) ≈ 15.5 yr


def test_weibull_matches_busch_mean_sd() -> None:
    from scipy import stats

    dist = stats.weibull_min(b.EV_PACK_WEIBULL_SHAPE, scale=b.EV_PACK_WEIBULL_SCALE_YEARS)
    assert dist.mean() == pytest.approx(15.0, rel=1e-6)
    assert dist.std() == pytest.approx(4.0, rel=1e-6)


def test_sales_table_covers_2011_2040_and_is_positive() -> None:
    table = b.US_EV_SALES_GWH_BY_YEAR
    assert sorted(table) == list(range(2011, 2041))
    assert all(v > 0 for v in table.values())
    assert table[2023] == pytest.approx(1.1e6 * 80 / 1e6 + 0.29e6 * 14 / 1e6)


def test_retirement_input_errors() -> None:
    with pytest.raises(InputError):
        b.ev_retirements_gwh({2020: 1.0}, 2020, 13, 12, 4.0, 15.0)
    with pytest.raises(InputError):
        b.ev_retirements_gwh({2020: -1.0}, 2020, 1, 12, 4.0, 15.0)
    assert b.ev_retirements_gwh({}, 2020, 1, 5, 4.0, 15.0).tolist() == [0.0] * 5


# --- grading -------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(mean=st.floats(0.45, 0.95), sd_frac=st.floats(0.05, 0.9))
def test_grade_fractions_sum_to_one_and_means_in_bins(mean: float, sd_frac: float) -> None:
    sd = sd_frac * np.sqrt(mean * (1 - mean))
    frac = b.grade_fractions(mean, sd)
    assert frac.shape == (4,)
    assert np.all(frac >= 0)
    assert frac.sum() == pytest.approx(1.0)
    means = b.grade_mean_soh(mean, sd)
    edges = np.array([1.0, 0.8, 0.7, 0.6, 0.0])
    assert np.all(means <= edges[:-1] + 1e-12) and np.all(means >= edges[1:] - 1e-12)
    # the bin means, weighted by the shares, give back the population mean
    assert float(frac @ means) == pytest.approx(mean, abs=1e-6)


def test_grade_fractions_move_with_mean() -> None:
    low, mid, high = (b.grade_fractions(m, 0.08) for m in (0.65, 0.75, 0.85))
    assert low[0] < mid[0] < high[0]  # more A as the mean rises
    assert low[3] > mid[3] > high[3]  # less recycle
    default = b.grade_fractions(b.RETIREMENT_SOH_MEAN, b.RETIREMENT_SOH_SD)
    assert default[1] == max(default)  # B (0.70-0.80) is the largest bin at mean 0.75


def test_grade_degenerate_sd_and_errors() -> None:
    assert b.grade_fractions(0.75, 0.0).tolist() == [0.0, 1.0, 0.0, 0.0]
    assert b.grade_fractions(0.80, 0.0).tolist() == [1.0, 0.0, 0.0, 0.0]
    assert b.grade_mean_soh(0.75, 0.0)[1] == 0.75
    with pytest.raises(InputError):
        b.grade_fractions(0.75, 0.6)
    with pytest.raises(InputError):
        b.grade_fractions(0.75, 0.05, (0.6, 0.7, 0.8))


# --- fade ----------------------------------------------------------------------------------


def test_fade_monotone_in_time_and_bounded() -> None:
    soh = np.linspace(0.0, 1.0, 21)
    prev = soh
    for months in (1, 6, 12, 60, 600):
        cur = b.fade_step(soh, months, 30.0, 0.5, 0.8, P, 1.5, second_life=True)
        assert np.all(cur <= prev + 1e-15)
        assert np.all((cur >= 0) & (cur <= 1))
        prev = cur
    assert np.all(b.fade_step(soh, 0, 30.0, 0.5, 0.8, P) == soh)


@pytest.mark.parametrize(
    ("lo", "hi"),
    [
        ({"c_rate": 0.2}, {"c_rate": 1.0}),
        ({"dod": 0.5}, {"dod": 1.0}),
        ({"duty_multiplier": 1.0}, {"duty_multiplier": 1.5}),
        ({"efc_per_month": 15.0}, {"efc_per_month": 45.0}),
        ({"second_life": False}, {"second_life": True}),
    ],
)
def test_fade_faster_with_stress(lo: dict, hi: dict) -> None:
    base = {
        "efc_per_month": 30.0,
        "c_rate": 0.5,
        "dod": 0.8,
        "duty_multiplier": 1.0,
        "second_life": False,
    }
    soh0 = np.array([0.95, 0.75])
    stressed = b.FadeParams(second_life_multiplier=1.5)  # the default 1.0 makes SL = new
    a = b.fade_step(soh0, 24, params=stressed, **{**base, **lo})
    c = b.fade_step(soh0, 24, params=stressed, **{**base, **hi})
    assert np.all(c < a)


def test_knee_accelerates_and_steps_compose() -> None:
    rate = float(b.fade_rate_per_year(30.0, 0.5, 0.8, P))
    above = 0.95 - float(b.fade_step(0.95, 12, 30.0, 0.5, 0.8, P))
    below = 0.70 - float(b.fade_step(0.70, 12, 30.0, 0.5, 0.8, P))
    assert above == pytest.approx(rate)
    assert below == pytest.approx(rate * P.knee_multiplier)
    # crossing the knee inside one step equals two steps that stop at any point
    one = b.fade_step(np.array([0.83]), 60, 30.0, 0.5, 0.8, P)
    two = b.fade_step(b.fade_step(np.array([0.83]), 17, 30.0, 0.5, 0.8, P), 43, 30.0, 0.5, 0.8, P)
    assert one == pytest.approx(two, abs=1e-12)


def test_default_new_lfp_fade_in_the_convention_range_and_ev_chemistries_fade_faster() -> None:
    # 1 EFC/day at the reference duty: DOMAIN-NUMBERS "new utility LFP ~1.5-2.5 %/yr combined"
    assert 0.015 <= float(b.fade_rate_per_year(365 / 12, 0.5, 0.8, P)) <= 0.025
    lfp = float(b.fade_step(1.0, 60, 365 / 12, 0.5, 0.8, P))
    for chem in ("nmc", "other"):
        assert (
            float(b.fade_step(1.0, 60, 365 / 12, 0.5, 0.8, b.FADE_PARAMS_BY_CHEMISTRY[chem])) < lfp
        )


def test_fade_params_by_chemistry_follow_their_sections() -> None:
    from abm.schema import FadeNmcSection, FadeOtherSection, FadeSection

    got = b.fade_params_by_chemistry(
        FadeSection(second_life_multiplier=2.0),
        FadeNmcSection(calendar_fade_per_year=0.05),
        FadeOtherSection(),
    )
    assert tuple(got) == b.CHEMISTRIES
    assert got["nmc"].calendar_fade_per_year == 0.05
    assert got["lfp"].calendar_fade_per_year == FadeSection().calendar_fade_per_year
    assert {p.second_life_multiplier for p in got.values()} == {2.0}  # shared from [fade]


def test_remaining_life_consistent_with_fade_step() -> None:
    soh = np.array([0.9, 0.78, 0.65])
    years = b.remaining_life_years(soh, 0.6, 30.0, 0.5, 0.8, P, 1.2, second_life=True)
    end = b.fade_step(soh, years[0] * 12, 30.0, 0.5, 0.8, P, 1.2, True)
    assert end[0] == pytest.approx(0.6, abs=1e-9)
    assert np.all(np.diff(years) < 0)
    assert b.remaining_life_years(0.5, 0.6, 30.0, 0.5, 0.8, P) == 0.0
    assert np.isinf(
        b.remaining_life_years(0.9, 0.6, 0.0, 0.0, 0.8, b.FadeParams(calendar_fade_per_year=0.0))
    )


def test_fade_params_validation() -> None:
    with pytest.raises(InputError):
        b.FadeParams(calendar_fade_per_year=-0.01)
    with pytest.raises(InputError):
        b.fade_step(np.array([0.9]), 12, -1.0, 0.5, 0.8, P)


def test_om_cost_rises_sharply_with_fade() -> None:
    om = b.om_cost_usd_per_kwh_year(np.array([0.0, 0.02, 0.2 / 3, 0.10]), 10.0)
    assert om[0] == 10.0
    assert om[1] < 10.1
    assert om[2] == pytest.approx(20.0)
    assert om[3] > 5 * om[0]
    assert np.all(np.diff(om) > 0)


# --- fleet ---------------------------------------------------------------------------------


def _fleet() -> b.StorageFleet:
    fleet = b.StorageFleet()
    fleet.add(0, 0, 1.0, 0.82, 0, 0.2, 30.0, 1.0)
    fleet.add(1, 0, 2.0, 0.72, 0, 0.5, 30.0, 1.5)
    fleet.add(3, 1, 3.0, 1.00, 0, 0.5, 30.0, 1.0)
    fleet.add(2, 2, 0.5, 0.62, 3, 0.2, 15.0, 1.0)
    return fleet


def test_fleet_ages_each_chemistry_with_its_own_parameters() -> None:
    params = b.FADE_PARAMS_BY_CHEMISTRY
    fleet = b.StorageFleet()
    for chem in range(len(b.CHEMISTRIES)):
        fleet.add(0, 0, 1.0, 0.75, 0, 0.2, 30.0, 1.0, chemistry=chem)
    assert len(fleet) == 3  # one cohort per chemistry: they never merge
    fleet.age(12.0, params)
    for chem, name in enumerate(b.CHEMISTRIES):
        alone = b.fade_step(np.array([0.75]), 12.0, 30.0, 0.2, 0.8, params[name], second_life=True)
        assert fleet.soh[fleet.chemistry == chem] == pytest.approx(alone)
    with pytest.raises(InputError):
        fleet.add(0, 0, 1.0, 0.75, 0, 0.2, 30.0, 1.0, chemistry=3)


def test_ev_retirements_by_chemistry_sum_to_the_total() -> None:
    by_chem = b.ev_retirements_gwh_by_chemistry(
        b.US_EV_SALES_GWH_BY_YEAR, b.US_EV_CHEMISTRY_SHARE_BY_YEAR, 2026, 1, 120
    )
    total = b.ev_retirements_gwh(b.US_EV_SALES_GWH_BY_YEAR, 2026, 1, 120)
    assert by_chem.shape == (120, 3)
    assert by_chem.sum(axis=1) == pytest.approx(total, rel=1e-12)
    lfp = by_chem[:, b.CHEMISTRIES.index("lfp")] / total
    assert lfp[0] < 0.05 < lfp[-1]  # LFP EVs (2021 on) retire later than the NCA/NMC wave
    with pytest.raises(InputError):
        b.ev_retirements_gwh_by_chemistry({2030: 1.0}, {2031: (1.0, 0.0, 0.0)}, 2026, 1, 12)


def test_fleet_merges_identical_keys_preserving_usable() -> None:
    fleet = _fleet()
    before = fleet.usable_gwh()
    fleet.add(1, 0, 1.0, 0.78, 0, 0.2, 30.0, 1.0)
    assert len(fleet) == 4
    assert fleet.usable_gwh() == pytest.approx(before + 0.78)
    i = int(np.flatnonzero(fleet.product == 1)[0])
    assert fleet.nameplate_gwh[i] == 3.0
    assert fleet.soh[i] == pytest.approx((2 * 0.72 + 0.78) / 3)
    fleet.add(1, 0, 1.0, 0.78, 1, 0.2, 30.0, 1.0)  # another month: a new cohort
    assert len(fleet) == 5


def test_fleet_conservation_over_ageing_and_retirement() -> None:
    fleet = _fleet()
    retired = np.zeros(4)
    for month in range(1, 240):
        fleet.age(1, P)
        if month % 12 == 0:
            fleet.add(
                month % 4, month % 3, 0.25, 0.75 if month % 4 < 3 else 1.0, month, 0.3, 25.0, 1.2
            )
        retired += fleet.retire(0.6)
        total = fleet.nameplate_gwh_by_product().sum() + retired.sum()
        assert total == pytest.approx(fleet.added_nameplate_gwh)
        assert fleet.retired_nameplate_gwh == pytest.approx(retired.sum())
    assert np.all(fleet.soh >= 0.6)
    assert len(fleet) <= 4 * 3 * 240


def test_fleet_usable_by_owner_and_ageing_order() -> None:
    fleet = _fleet()
    by_owner = fleet.usable_gwh_by_owner(3)
    assert by_owner == pytest.approx([0.82 + 1.44, 3.0, 0.31])
    assert fleet.usable_gwh(owner=1) == pytest.approx(3.0)
    fleet.age(12, P)
    assert np.all(fleet.usable_gwh_by_owner(3) < by_owner)
    fleet.set_duty(1, c_rate=1.0, efc_per_month=60.0, duty_multiplier=2.0)
    assert fleet.duty_multiplier[fleet.owner == 1].tolist() == [2.0]
    with pytest.raises(InputError):
        fleet.add(4, 0, 1.0, 0.8, 0, 0.2, 30.0, 1.0)
    with pytest.raises(InputError):
        fleet.usable_gwh_by_owner(2)


def test_fleet_retire_returns_per_product() -> None:
    fleet = _fleet()
    out = fleet.retire(0.75)
    assert out.tolist() == [0.0, 2.0, 0.5, 0.0]
    assert fleet.nameplate_gwh_by_product().tolist() == [1.0, 0.0, 0.0, 3.0]
    empty = b.StorageFleet()
    empty.age(12, P)
    assert empty.retire(0.6).tolist() == [0.0] * 4


def test_retire_by_eol_uses_separate_thresholds() -> None:
    fleet = _fleet()  # soh: A 0.82, B 0.72, new 1.0, C 0.62
    fleet.soh[fleet.product == 3] = 0.65
    out = fleet.retire_by_eol(0.70, 0.70)
    assert out.tolist() == [0.0, 0.0, 0.5, 3.0]
    assert fleet.nameplate_gwh.sum() + out.sum() == pytest.approx(fleet.added_nameplate_gwh)


def test_quality_adjusted_wtp_for_ranks_grades() -> None:
    from types import SimpleNamespace

    duty = SimpleNamespace(c_rate=0.19, efc_per_month=30.0, ai_duty_fade_multiplier=1.0)
    fast = b.FadeParams(knee_multiplier=2.0, second_life_multiplier=1.5)  # SL life < new life
    wtp = [
        b.quality_adjusted_wtp_for(150.0, s, 0.5, fast, duty, 0.07, new_params=P)
        for s in (0.84, 0.75, 0.66, 0.5)
    ]
    assert 0 < wtp[2] < wtp[1] < wtp[0] < 150.0
    assert wtp[3] == 0.0
    harsh = SimpleNamespace(c_rate=0.5, efc_per_month=60.0, ai_duty_fade_multiplier=2.0)
    assert b.quality_adjusted_wtp_for(150.0, 0.75, 0.5, fast, harsh, 0.07) < wtp[1]


def test_quality_adjusted_wtp() -> None:
    wtp = b.quality_adjusted_wtp(
        150.0, np.array([15.0, 8.0, 4.0, 0.0]), 15.0, np.array([0.0, 5.0, 5.0, 0.0]), 0.07
    )
    assert wtp[0] == pytest.approx(150.0)
    assert wtp[1] == pytest.approx(
        150.0 * present_value_factor_per_year(0.07, 8.0) / present_value_factor_per_year(0.07, 15.0)
        - 5.0
    )
    assert np.all(np.diff(wtp) < 0)
    assert wtp[3] == 0.0
    with pytest.raises(InputError):
        b.quality_adjusted_wtp(150.0, np.array([1.0]), 0.0, np.array([0.0]), 0.05)


def _wtp_from_public_functions(price, soh, eol, params, duty, rate, new_eol=0.7) -> float:
    """quality_adjusted_wtp_for as documented, composed from the public fade functions."""
    args = (duty.efc_per_month, duty.c_rate, params.dod_ref, params, duty.ai_duty_fade_multiplier)
    life_sl = float(b.remaining_life_years(soh, eol, *args, second_life=True))
    life_new = float(b.remaining_life_years(1.0, new_eol, *args, second_life=False))
    if not np.isfinite(life_new) or life_new <= 0:
        return float(price)
    life_sl = min(life_sl, life_new)
    fade_sl = b.fade_rate_per_year(*args, second_life=True, below_knee=soh <= params.knee_soh)
    fade_new = b.fade_rate_per_year(*args, second_life=False)
    base_om = b.OM_FRACTION_OF_CAPEX_PER_YEAR * price
    extra = b.om_cost_usd_per_kwh_year(fade_sl, base_om) - b.om_cost_usd_per_kwh_year(
        fade_new, base_om
    )
    risk = float(np.clip(extra, 0.0, None)) * float(present_value_factor_per_year(rate, life_sl))
    return float(
        b.quality_adjusted_wtp(price, np.array([life_sl]), life_new, np.array([risk]), rate)[0]
    )


def test_quality_adjusted_wtp_for_equals_its_definition_exactly() -> None:
    from types import SimpleNamespace

    rng = np.random.default_rng(3)
    chemistries = [
        P,
        b.FadeParams(calendar_fade_per_year=0.0),
        *b.FADE_PARAMS_BY_CHEMISTRY.values(),
    ]
    for params in chemistries:
        for _ in range(200):
            duty = SimpleNamespace(
                efc_per_month=float(rng.uniform(0.0, 60.0)),
                c_rate=float(rng.uniform(0.1, 2.0)),
                ai_duty_fade_multiplier=float(rng.uniform(0.5, 3.0)),
            )
            case = (
                float(rng.uniform(10.0, 500.0)),
                float(rng.uniform(0.3, 1.0)),  # below and above the knee
                float(rng.uniform(0.4, 0.8)),
                params,
                duty,
                float(rng.uniform(0.0, 0.15)),
                float(rng.uniform(0.5, 0.85)),
            )
            assert b.quality_adjusted_wtp_for(*case) == _wtp_from_public_functions(*case)


def test_add_many_matches_one_add_per_owner() -> None:
    one, many = b.StorageFleet(), b.StorageFleet()
    for fleet in (one, many):
        fleet.add(0, 2, 1.0, 0.8, 5, 0.2, 30.0, 1.0)  # an existing cohort the batch must merge into
    owners, lots = np.array([1, 2, 3]), np.array([0.5, 0.25, 0.0])
    for owner, lot in zip(owners, lots, strict=True):
        one.add(0, int(owner), float(lot), 0.7, 5, 0.2, 30.0, 1.0)
    many.add_many(0, owners, lots, 0.7, 5, 0.2, 30.0, 1.0)
    assert one.usable_gwh_by_owner(4) == pytest.approx(many.usable_gwh_by_owner(4))
    assert one.added_nameplate_gwh == pytest.approx(many.added_nameplate_gwh)
    assert len(one) == len(many) == 2


# --- learning (storage prices) ----------------------------------------------------------------


def test_learning_falls_by_the_rate_per_doubling_and_own_volume_speeds_it() -> None:
    assert b.learned_cost_usd_per_kwh(100.0, 0.2, 10.0, 10.0) == 100.0
    assert b.learned_cost_usd_per_kwh(100.0, 0.2, 10.0, 40.0) == pytest.approx(64.0)
    assert b.learned_cost_usd_per_kwh(100.0, 0.2, 10.0, 5.0) == 100.0  # never unlearns
    path = b.cumulative_gwh(100.0, 10.0, 0.0, 24)
    assert path == pytest.approx(120.0)  # no growth: start + 2 years of additions
    grown = b.cumulative_gwh(100.0, 10.0, 0.1, 24)
    assert grown == pytest.approx(100.0 + 10.0 * (1.1**2 - 1) / np.log(1.1))
    assert b.cumulative_gwh(100.0, 10.0, 0.1, 24, own_gwh=5.0) == pytest.approx(grown + 5.0)
    with pytest.raises(InputError):
        b.learned_cost_usd_per_kwh(100.0, 1.0, 10.0, 20.0)
    with pytest.raises(InputError):
        b.cumulative_gwh(100.0, -1.0, 0.1, 12)


def test_chemistry_mix_of_a_month_and_mix_weighted_value() -> None:
    table = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 2.0], [0.0, 0.0, 0.0]])
    assert b.chemistry_mix(table, 0).tolist() == pytest.approx([1 / 3] * 3)  # none yet
    assert b.chemistry_mix(table, 1).tolist() == [0.25, 0.25, 0.5]
    assert b.chemistry_mix(table, 5).tolist() == [0.25, 0.25, 0.5]  # nearest earlier month
    from types import SimpleNamespace

    duty = SimpleNamespace(c_rate=0.19, efc_per_month=30.0, ai_duty_fade_multiplier=1.0)
    params = b.FADE_PARAMS_BY_CHEMISTRY
    one = {
        name: b.quality_adjusted_wtp_for(70.0, 0.66, 0.5, params[name], duty, 0.07, 0.7, P)
        for name in b.CHEMISTRIES
    }
    mix = np.array([0.5, 0.2, 0.3])
    got = b.mix_weighted_wtp(70.0, 0.66, 0.5, params, mix, duty, 0.07, 0.7, P)
    assert got == pytest.approx(sum(s * one[c] for c, s in zip(b.CHEMISTRIES, mix, strict=True)))
    with pytest.raises(InputError):
        b.chemistry_mix(np.ones((2, 2)), 0)
