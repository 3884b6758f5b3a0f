"""Battery physics as pure array functions: EV retirements, SoH grading, fade, O&M, fleet cohorts.

Everything here is stateless except :class:`StorageFleet`, a small container of cohort arrays.
Sources for every default are in the constant or field docstrings and in ``docs/batteries.md``;
"(verify)" marks a figure that is not in ``DOMAIN-NUMBERS.md`` or is derived/assumed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Protocol

import numpy as np
from scipy import special, stats
from scipy.optimize import brentq

from abm.errors import InputError

CHEMISTRIES = ("nmc", "lfp", "other")
GRADES = ("A", "B", "C")  # second-life grades; below C -> recycle
PRODUCTS = ("A", "B", "C", "new")  # pack-market products, index 0..3
NEW_PRODUCT = 3

GRADE_THRESHOLDS_SOH = (0.80, 0.70, 0.60)
"""Lower SoH bounds of grades A, B, C (issue 5; DOMAIN-NUMBERS: retirement 0.70-0.80, grid-reuse
screening 60-70 % of rated capacity, atomfair primer (secondary))."""

RETIREMENT_SOH_MEAN = 0.75
"""Mean SoH of EV packs at retirement, fraction (DOMAIN-NUMBERS #16: ADL 2024, Gharebaghi 2024)."""

RETIREMENT_SOH_SD = 0.08
"""Spread of SoH at retirement, fraction. Assumption (verify): puts ~2/3 of packs in 0.70-0.80
(DOMAIN-NUMBERS #16 range) and ~4 % below 0.60, with a tail towards Redwood's ">0.5" packs."""

# --- EV sales table -------------------------------------------------------------------------

_US_EV_UNITS_BEV_PHEV: dict[int, tuple[float, float]] = {
    2011: (9_800, 8_000),
    2012: (15_000, 39_000),
    2013: (48_000, 49_000),
    2014: (63_000, 55_000),
    2015: (71_000, 43_000),
    2016: (87_000, 73_000),
    2017: (100_000, 94_000),
    2018: (240_000, 120_000),
    2019: (240_000, 85_000),
    2020: (230_000, 64_000),
    2021: (470_000, 160_000),
    2022: (800_000, 190_000),
    2023: (1_100_000, 290_000),
    2024: (1_300_000, 300_000),
    2025: (1_280_000, 250_000),
}
"""US BEV and PHEV car sales, vehicles/yr. 2011-2023: IEA Global EV Data Explorer (GEVO 2024 file,
DOMAIN-NUMBERS part 2 §1a); 2024: Cox ~1.3 M BEV + ~0.3 M PHEV (IEA GEVO 2025 total 1.6 M);
2025: Cox BEV ~1.28 M; PHEV 0.25 M is an assumption (verify)."""

_US_KWH_PER_BEV: dict[int, float] = {
    2011: 24.0,
    2012: 35.0,
    2013: 45.0,
    2014: 41.0,
    2015: 44.0,
    2016: 60.0,
    2017: 63.0,
    2018: 72.0,
    2019: 72.0,
    2020: 76.0,
    2021: 76.0,
    2022: 80.0,
    2023: 80.0,
    2024: 83.0,
    2025: 83.0,
}
"""Average battery per new US BEV, kWh. 2015-2024: Busch et al. 2025 (pmbusch/EoL-LIB-NorthAmerica,
DOMAIN-NUMBERS part 2 #3); 2019: Argonne 17.4 GWh / 240k BEV = 72; 2011-2014: model-mix estimates
(Leaf 24 kWh, Model S 60-85 kWh) checked against DOE VTO totals 0.4 GWh (2011) and 2.875 GWh for
MY2013 (Fact #823); 2025 held at 2024 (assumption, verify)."""

_US_KWH_PER_PHEV_BEFORE_2020 = 12.0
"""Average PHEV pack 2011-2019, kWh. Assumption from model mix (Volt 16, Prius PHV 4.4, Energi 7.6;
verify)."""

_US_KWH_PER_PHEV_FROM_2020 = 14.0
"""Average PHEV pack 2020+, kWh (evstatistics.com 2022 model median 14, mean 14.9; secondary)."""

US_LIGHT_VEHICLE_SALES_PER_YEAR = 15.5e6
"""US light-vehicle sales used for the projection, vehicles/yr. Not in DOMAIN-NUMBERS (verify;
about 15.5-16 M in 2023-24 per industry counts)."""

US_EV_SHARE_2026 = 0.09
"""Projected EV (BEV+PHEV) share of US sales in 2026: flat on 2025 (BEV 7.8 %, Cox) after the
federal credit expired 30 Sep 2025 (assumption, verify)."""

US_EV_SHARE_GAIN_PER_YEAR = 0.025
"""Projected gain of EV sales share per year 2027-2040, fraction/yr. Assumption (verify): about
the 2021-2024 pace (IEA: 4 % -> 10 %), giving 44 % in 2040."""

US_KWH_PER_EV_PROJECTED = 80.0
"""Blended battery per new EV for 2026-2040, kWh (≈88 % BEV at 88 kWh + PHEV at 14 kWh;
assumption, verify)."""


def _us_ev_sales_gwh_by_year() -> dict[int, float]:
    """Build the US EV battery GWh/yr table: historic units × pack size, then a linear-share projection."""
    table: dict[int, float] = {}
    for year, (bev, phev) in _US_EV_UNITS_BEV_PHEV.items():
        phev_kwh = _US_KWH_PER_PHEV_BEFORE_2020 if year < 2020 else _US_KWH_PER_PHEV_FROM_2020
        table[year] = (bev * _US_KWH_PER_BEV[year] + phev * phev_kwh) / 1e6
    for year in range(2026, 2041):
        share = US_EV_SHARE_2026 + US_EV_SHARE_GAIN_PER_YEAR * (year - 2026)
        table[year] = US_LIGHT_VEHICLE_SALES_PER_YEAR * share * US_KWH_PER_EV_PROJECTED / 1e6
    return table


US_EV_SALES_GWH_BY_YEAR: dict[int, float] = _us_ev_sales_gwh_by_year()
"""US EV (BEV+PHEV) battery GWh sold per year, 2011-2040. 2011-2025 historic (units × average pack,
sources above: 0.36 GWh in 2011, 108 GWh in 2025); 2026-2040 projected as light-vehicle sales ×
EV share (9 % in 2026 rising 2.5 points/yr) × 80 kWh (assumptions, verify)."""


def weibull_from_mean_sd(mean_years: float, sd_years: float) -> tuple[float, float]:
    """Weibull (shape, scale_years) with the given mean and sd, to reuse lifetimes quoted as mean ± sd."""
    if mean_years <= 0 or sd_years <= 0:
        raise InputError(f"weibull mean and sd must be > 0, got {mean_years}, {sd_years}")
    target_cv2 = (sd_years / mean_years) ** 2

    def cv2_gap(shape: float) -> float:
        g1 = special.gamma(1 + 1 / shape)
        return special.gamma(1 + 2 / shape) / g1**2 - 1 - target_cv2

    shape = float(brentq(cv2_gap, 0.05, 200.0))
    scale = mean_years / special.gamma(1 + 1 / shape)
    return shape, float(scale)


EV_PACK_LIFETIME_MEAN_YEARS = 15.0
"""Mean EV battery lifetime in the vehicle, years (Busch et al. 2025, LIB mean 15 sd 4;
DOMAIN-NUMBERS part 2 #4)."""

EV_PACK_LIFETIME_SD_YEARS = 4.0
"""Sd of EV battery lifetime, years (Busch et al. 2025; DOMAIN-NUMBERS part 2 #4)."""

EV_PACK_WEIBULL_SHAPE, EV_PACK_WEIBULL_SCALE_YEARS = weibull_from_mean_sd(
    EV_PACK_LIFETIME_MEAN_YEARS, EV_PACK_LIFETIME_SD_YEARS
)
"""Weibull matched to Busch's mean 15 / sd 4 years (shape ≈ 4.3, scale ≈ 16.5 years)."""


def ev_retirements_gwh(
    ev_sales_gwh_by_year: dict[int, float],
    start_year: int,
    start_month: int,
    months: int,
    weibull_shape: float = EV_PACK_WEIBULL_SHAPE,
    weibull_scale_years: float = EV_PACK_WEIBULL_SCALE_YEARS,
) -> np.ndarray:
    """Expected GWh of EV packs retiring in each of ``months`` months from (start_year, start_month).

    Each sales year is spread evenly over its 12 months (sold mid-month); a monthly vintage retires
    at age ~ Weibull(shape, scale), so month m gets sales × [F(age at end of m) - F(age at start)].
    Vintages before the start are included; vintages after the horizon contribute nothing.
    """
    if months < 0:
        raise InputError(f"months must be >= 0, got {months}")
    if not 1 <= start_month <= 12:
        raise InputError(f"start_month must be 1..12, got {start_month}")
    if weibull_shape <= 0 or weibull_scale_years <= 0:
        raise InputError(
            f"weibull shape and scale must be > 0, got {weibull_shape}, {weibull_scale_years}"
        )
    if months == 0 or not ev_sales_gwh_by_year:
        return np.zeros(months)
    years = np.array(sorted(ev_sales_gwh_by_year), dtype=int)
    sales = np.array([ev_sales_gwh_by_year[int(y)] for y in years], dtype=float)
    if np.any(sales < 0) or not np.all(np.isfinite(sales)):
        raise InputError("ev_sales_gwh_by_year values must be finite and >= 0")
    # Absolute month index: year*12 + (month-1); vintage months sold at their midpoint.
    vintage_month = (years[:, None] * 12 + np.arange(12)[None, :]).ravel()
    vintage_gwh = np.repeat(sales / 12.0, 12)
    start_abs = start_year * 12 + (start_month - 1)
    edges = start_abs + np.arange(months + 1)  # month boundaries
    age_years = (edges[None, :] - (vintage_month[:, None] + 0.5)) / 12.0
    cdf = -np.expm1(-((np.clip(age_years, 0.0, None) / weibull_scale_years) ** weibull_shape))
    return vintage_gwh @ np.diff(cdf, axis=1)


# --- grading -------------------------------------------------------------------------------


def _beta_ab(soh_mean: float, soh_sd: float) -> tuple[float, float]:
    """Beta(a, b) with the given mean and sd; raise when no Beta distribution has them."""
    if not 0.0 < soh_mean < 1.0:
        raise InputError(f"soh_mean must be in (0, 1), got {soh_mean}")
    var = soh_sd**2
    if soh_sd <= 0 or var >= soh_mean * (1 - soh_mean):
        raise InputError(
            f"soh_sd must be in (0, sqrt(mean*(1-mean))) = (0, {np.sqrt(soh_mean * (1 - soh_mean)):.3f}),"
            f" got {soh_sd}"
        )
    k = soh_mean * (1 - soh_mean) / var - 1
    return soh_mean * k, (1 - soh_mean) * k


def _bin_edges(thresholds: tuple[float, float, float]) -> np.ndarray:
    """Bin edges (descending) for A, B, C, recycle: [1, tA, tB, tC, 0]."""
    t = np.asarray(thresholds, dtype=float)
    if t.shape != (3,) or not (1 > t[0] > t[1] > t[2] > 0):
        raise InputError(
            f"thresholds must be 3 strictly decreasing values in (0, 1), got {thresholds}"
        )
    return np.concatenate([[1.0], t, [0.0]])


def grade_fractions(
    soh_mean: float,
    soh_sd: float,
    thresholds: tuple[float, float, float] = GRADE_THRESHOLDS_SOH,
) -> np.ndarray:
    """Shares of capacity-units in grades A, B, C and recycle, (4,), for SoH ~ Beta(mean, sd); sums to 1."""
    edges = _bin_edges(thresholds)
    if soh_sd == 0.0 and 0.0 < soh_mean < 1.0:
        out = np.zeros(4)
        out[int(np.sum(edges[1:4] > soh_mean))] = 1.0  # A if >= t_A, B if >= t_B, ...
        return out
    a, b = _beta_ab(soh_mean, soh_sd)
    cdf = stats.beta.cdf(edges, a, b)
    shares = np.clip(cdf[:-1] - cdf[1:], 0.0, None)
    return shares / shares.sum()


def grade_mean_soh(
    soh_mean: float,
    soh_sd: float,
    thresholds: tuple[float, float, float] = GRADE_THRESHOLDS_SOH,
) -> np.ndarray:
    """Mean SoH within each bin A, B, C, recycle, (4,): usable kWh per nameplate kWh of that grade.

    E[X | lo <= X < hi] for X ~ Beta(a, b) is mean × ΔI(a+1, b) / ΔI(a, b). A bin with no mass
    gets the population mean clipped into the bin, so the result is always finite.
    """
    edges = _bin_edges(thresholds)
    hi, lo = edges[:-1], edges[1:]
    fallback = np.clip(soh_mean, lo, hi)
    if soh_sd == 0.0 and 0.0 < soh_mean < 1.0:
        return fallback
    a, b = _beta_ab(soh_mean, soh_sd)
    mass = stats.beta.cdf(hi, a, b) - stats.beta.cdf(lo, a, b)
    first_moment = soh_mean * (stats.beta.cdf(hi, a + 1, b) - stats.beta.cdf(lo, a + 1, b))
    with np.errstate(invalid="ignore", divide="ignore"):
        cond = np.where(mass > 1e-12, first_moment / np.where(mass > 0, mass, 1.0), fallback)
    return np.clip(cond, lo, hi)


# --- degradation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FadeParams:
    """Linear-rate capacity-fade model with a knee; defaults are new stationary LFP packs at 25 °C."""

    calendar_fade_per_year: float = 0.006
    """Calendar fade, fraction of nameplate per year at 25 °C and mid SoC. BLAST-Lite
    Lfp_Gr_250AhPrismatic at 25 °C, SoC 0.5: 2.6 % in 5 years (cell) = 0.51 %/yr, ×1.2 for
    pack vs cell (BLAST-Lite README: pack life 20-30 % shorter) ≈ 0.6 %/yr."""

    cycle_fade_per_efc: float = 3.6e-5
    """Cycle fade, fraction of nameplate per equivalent full cycle at c_rate_ref and dod_ref.
    Chosen so 1 EFC/day at the reference duty gives 0.6 + 1.3 ≈ 1.9 %/yr, the 2 %/yr LFP sizing
    convention (DOMAIN-NUMBERS §Degradation); matches ~6,000 cycles to 80 % (recall) and BLAST-Lite
    LFP cycle fade 3.1e-5/EFC (cell) over 5 years."""

    c_rate_ref: float = 0.5
    """Reference C-rate, 1/h: the 0.5C, 1 cycle/day LFP example in DOMAIN-NUMBERS (augmentation)."""

    c_rate_exponent: float = 0.3
    """Elasticity of cycle fade to C-rate. BLAST-Lite LFP cycle rate (p4 + p5·DoD + p6·C) has local
    elasticity 0.26-0.49 over 0.08-0.5C (Gasper et al., J. Energy Storage 2023, 109042)."""

    dod_ref: float = 0.8
    """Reference depth of discharge, fraction (80 % DoD daily cycling; BLAST-Lite LFP test range)."""

    dod_exponent: float = 0.15
    """Elasticity of fade per EFC to DoD. BLAST-Lite LFP: p5·DoD/(p4 + p5·DoD + p6·C) ≈ 0.14 at
    DoD 0.8, 0.2C. (NMC is far more DoD-sensitive: ≈2.5 in BLAST-Lite Nmc111_Gr_Kokam75Ah.)"""

    knee_soh: float = 0.80
    """SoH below which fade accelerates ("knee"), fraction. MKB & Co (NCM knee, DOMAIN-NUMBERS §6);
    BLAST-Lite Kokam NMC has an accelerating LAM term; 0.80 = traction end of life."""

    knee_multiplier: float = 2.0
    """Fade multiplier below the knee. Assumption (verify): post-knee fade 2-3× the linear rate
    (Attia et al., J. Electrochem. Soc. 169:060517, 2022, review). With second_life_multiplier the
    product 3.0 matches BLAST-Lite's Nissan-Leaf second-life / LFP fade ratio (3.4 over 5 years)."""

    second_life_multiplier: float = 1.5
    """Extra fade multiplier for repurposed EV packs: EV chemistries (NMC/NCA/LMO) fade ≈1.5× LFP
    (3 vs 2 %/yr conventions, DOMAIN-NUMBERS §Degradation); the knee multiplier adds the rest."""

    def __post_init__(self) -> None:
        """Reject negative or out-of-range parameters at construction, not deep inside a run."""
        for f in fields(self):
            value = getattr(self, f.name)
            if not np.isfinite(value) or value < 0:
                raise InputError(f"FadeParams.{f.name} must be finite and >= 0, got {value}")
        if self.c_rate_ref <= 0 or self.dod_ref <= 0 or not 0 <= self.knee_soh <= 1:
            raise InputError("FadeParams: c_rate_ref, dod_ref must be > 0 and knee_soh in [0, 1]")


FADE_PARAMS_BY_CHEMISTRY: dict[str, FadeParams] = {
    "lfp": FadeParams(),
    "nmc": FadeParams(
        calendar_fade_per_year=0.009,
        cycle_fade_per_efc=5.4e-5,
        dod_exponent=2.5,
    ),
    "other": FadeParams(
        calendar_fade_per_year=0.009,
        cycle_fade_per_efc=5.4e-5,
        dod_exponent=2.5,
    ),
}
"""Fade parameters per first-life chemistry. LFP = defaults. NMC: LFP rates ×1.5 for the 3 %/yr NMC
convention (DOMAIN-NUMBERS §Degradation), DoD elasticity 2.5 from BLAST-Lite Nmc111_Gr_Kokam75Ah
(q3 ∝ exp(1.04·exp(DoD²)) at DoD 0.8). "other" (NCA, LMO, older packs) = NMC (assumption, verify)."""


def _nonneg(name: str, value: Any) -> np.ndarray:
    """Float array of ``value``, raising InputError on negative or non-finite entries."""
    arr = np.asarray(value, dtype=float)
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
    efc = _nonneg("efc_per_month", efc_per_month)
    c = _nonneg("c_rate", c_rate)
    d = _nonneg("dod", dod)
    duty = _nonneg("duty_multiplier", duty_multiplier)
    cycle = (
        params.cycle_fade_per_efc
        * 12.0
        * efc
        * (c / params.c_rate_ref) ** params.c_rate_exponent
        * (d / params.dod_ref) ** params.dod_exponent
    )
    rate = duty * (params.calendar_fade_per_year + cycle)
    rate = rate * np.where(np.asarray(second_life, dtype=bool), params.second_life_multiplier, 1.0)
    return rate * np.where(np.asarray(below_knee, dtype=bool), params.knee_multiplier, 1.0)


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
    soh_arr = np.asarray(soh, dtype=float)
    if months < 0:
        raise InputError(f"months must be >= 0, got {months}")
    years = months / 12.0
    rate = fade_rate_per_year(
        efc_per_month, c_rate, dod, params, duty_multiplier, second_life, below_knee=False
    )
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
    fade = _nonneg("fade_per_year", fade_per_year)
    if base_usd_per_kwh_year < 0 or reference_fade_per_year <= 0 or exponent < 1:
        raise InputError("om cost: base >= 0, reference fade > 0 and exponent >= 1 required")
    return base_usd_per_kwh_year * (1.0 + (fade / reference_fade_per_year) ** exponent)


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
    return _life_years_at_rate(soh, eol_soh, rate, params)


def _life_years_at_rate(
    soh: np.ndarray | float, eol_soh: float, rate: np.ndarray, params: FadeParams
) -> np.ndarray:
    """Years from ``soh`` to ``eol_soh`` at fade ``rate`` above the knee (knee_multiplier below)."""
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


class StorageDuty(Protocol):
    """How storage is run (the scenario's ``batteries`` section satisfies this)."""

    c_rate: float
    efc_per_month: float
    ai_duty_fade_multiplier: float


def quality_adjusted_wtp_for(
    new_price_usd_per_kwh: float,
    soh: float,
    eol_soh: float,
    params: FadeParams,
    duty: StorageDuty,
    discount_rate: float,
    new_eol_soh: float = 0.7,
) -> float:
    """WTP per usable kWh for a second-life pack at ``soh`` relative to new storage at its price.

    Remaining lives come from the fade model under the same duty (second life to ``eol_soh``, new
    from 1.0 to ``new_eol_soh``); the O&M risk is the present value over the pack's remaining life
    of the extra O&M its faster fade causes, with base O&M = OM_FRACTION_OF_CAPEX_PER_YEAR × price.
    """
    from abm.markets.packs import annuity_factor, quality_adjusted_wtp

    args = (duty.efc_per_month, duty.c_rate, params.dod_ref, params, duty.ai_duty_fade_multiplier)
    # each fade rate is evaluated once (the model calls this every month for every grade)
    rate_sl = fade_rate_per_year(*args, second_life=True)
    fade_new = fade_rate_per_year(*args, second_life=False)
    life_sl = float(_life_years_at_rate(soh, eol_soh, rate_sl, params))
    life_new = float(_life_years_at_rate(1.0, new_eol_soh, fade_new, params))
    if not np.isfinite(life_new) or life_new <= 0:
        return float(new_price_usd_per_kwh)
    life_sl = min(life_sl, life_new)
    # the rate below the knee, as fade_rate_per_year(..., below_knee=True) computes it
    fade_sl = rate_sl * np.where(soh <= params.knee_soh, params.knee_multiplier, 1.0)
    base_om = OM_FRACTION_OF_CAPEX_PER_YEAR * new_price_usd_per_kwh
    extra_om = om_cost_usd_per_kwh_year(fade_sl, base_om) - om_cost_usd_per_kwh_year(
        fade_new, base_om
    )
    om_risk = float(np.clip(extra_om, 0.0, None)) * float(annuity_factor(life_sl, discount_rate))
    wtp = quality_adjusted_wtp(
        new_price_usd_per_kwh, np.array([life_sl]), life_new, np.array([om_risk]), discount_rate
    )
    return float(wtp[0])


# --- the installed fleet -------------------------------------------------------------------

_FLEET_FIELDS = (
    "product",
    "owner",
    "installed_month",
    "nameplate_gwh",
    "soh",
    "c_rate",
    "efc_per_month",
    "duty_multiplier",
)


class StorageFleet:
    """Installed storage as cohort arrays (never one object per pack).

    Arrays: product (0..3, see PRODUCTS), owner (int), installed_month, nameplate_gwh, soh, c_rate,
    efc_per_month, duty_multiplier. Cohorts with the same (product, owner, installed_month) merge:
    nameplate adds, SoH is nameplate-weighted (so usable GWh is exact) and the duty attributes are
    nameplate-weighted too. The array length is thus bounded by owners × products × install months.
    """

    def __init__(self) -> None:
        """Start empty, with running totals for the conservation check."""
        self.product = np.zeros(0, dtype=np.int64)
        self.owner = np.zeros(0, dtype=np.int64)
        self.installed_month = np.zeros(0, dtype=np.int64)
        self.nameplate_gwh = np.zeros(0)
        self.soh = np.zeros(0)
        self.c_rate = np.zeros(0)
        self.efc_per_month = np.zeros(0)
        self.duty_multiplier = np.zeros(0)
        self.added_nameplate_gwh = 0.0
        self.retired_nameplate_gwh = 0.0

    def __len__(self) -> int:
        """Number of cohorts."""
        return int(self.product.size)

    def add(
        self,
        product: int,
        owner: int,
        nameplate_gwh: float,
        soh: float,
        month: int,
        c_rate: float,
        efc_per_month: float,
        duty_multiplier: float,
    ) -> None:
        """Install one lot; merges into an existing cohort with the same (product, owner, month)."""
        if not 0 <= int(product) < len(PRODUCTS):
            raise InputError(f"product must be 0..{len(PRODUCTS) - 1}, got {product}")
        for name, value in (
            ("nameplate_gwh", nameplate_gwh),
            ("c_rate", c_rate),
            ("efc_per_month", efc_per_month),
            ("duty_multiplier", duty_multiplier),
        ):
            if not np.isfinite(value) or value < 0:
                raise InputError(f"StorageFleet.add: {name} must be finite and >= 0, got {value}")
        if not 0.0 <= soh <= 1.0:
            raise InputError(f"StorageFleet.add: soh must be in [0, 1], got {soh}")
        if nameplate_gwh == 0:
            return
        self.added_nameplate_gwh += float(nameplate_gwh)
        hit = np.flatnonzero(
            (self.product == product) & (self.owner == owner) & (self.installed_month == month)
        )
        if hit.size:
            i = int(hit[0])
            old, new = self.nameplate_gwh[i], float(nameplate_gwh)
            total = old + new
            for name, value in (
                ("soh", soh),
                ("c_rate", c_rate),
                ("efc_per_month", efc_per_month),
                ("duty_multiplier", duty_multiplier),
            ):
                arr = getattr(self, name)
                arr[i] = (arr[i] * old + value * new) / total
            self.nameplate_gwh[i] = total
            return
        values = {
            "product": product,
            "owner": owner,
            "installed_month": month,
            "nameplate_gwh": nameplate_gwh,
            "soh": soh,
            "c_rate": c_rate,
            "efc_per_month": efc_per_month,
            "duty_multiplier": duty_multiplier,
        }
        for name in _FLEET_FIELDS:
            arr = getattr(self, name)
            setattr(self, name, np.append(arr, np.asarray(values[name], dtype=arr.dtype)))

    def add_many(
        self,
        product: int,
        owners: np.ndarray,
        nameplate_gwh: np.ndarray,
        soh: float,
        month: int,
        c_rate: float,
        efc_per_month: float,
        duty_multiplier: float,
    ) -> None:
        """Install one product for many owners in one month (e.g. augmentation lots), vectorised.

        Same result as calling `add` per owner: lots for an existing (product, owner, month) cohort
        merge into it, the rest are appended in one concatenation.
        """
        owners = np.asarray(owners, dtype=np.int64)
        gwh = np.asarray(nameplate_gwh, dtype=float)
        if owners.shape != gwh.shape:
            raise InputError(
                "StorageFleet.add_many: owners and nameplate_gwh must have the same shape"
            )
        keep = gwh > 0
        owners, gwh = owners[keep], gwh[keep]
        if not owners.size:
            return
        existing = (self.product == product) & (self.installed_month == month)
        clash = np.isin(owners, self.owner[existing])
        for owner, lot in zip(owners[clash], gwh[clash], strict=True):
            self.add(
                product, int(owner), float(lot), soh, month, c_rate, efc_per_month, duty_multiplier
            )
        owners, gwh = owners[~clash], gwh[~clash]
        if not owners.size:
            return
        if not np.all(np.isfinite(gwh)) or not 0.0 <= soh <= 1.0:
            raise InputError("StorageFleet.add_many: nameplate must be finite and soh in [0, 1]")
        n = owners.size
        self.added_nameplate_gwh += float(gwh.sum())
        values = {
            "product": np.full(n, product),
            "owner": owners,
            "installed_month": np.full(n, month),
            "nameplate_gwh": gwh,
            "soh": np.full(n, soh),
            "c_rate": np.full(n, c_rate),
            "efc_per_month": np.full(n, efc_per_month),
            "duty_multiplier": np.full(n, duty_multiplier),
        }
        for name in _FLEET_FIELDS:
            arr = getattr(self, name)
            setattr(self, name, np.concatenate([arr, values[name].astype(arr.dtype)]))

    def set_duty(
        self,
        owner: int,
        c_rate: float,
        efc_per_month: float,
        duty_multiplier: float,
        product: int | None = None,
    ) -> None:
        """Change how an owner runs its storage (all products, or one), e.g. when AI load changes."""
        mask = self.owner == owner
        if product is not None:
            mask &= self.product == product
        self.c_rate[mask] = c_rate
        self.efc_per_month[mask] = efc_per_month
        self.duty_multiplier[mask] = duty_multiplier

    def age(self, months: float, params: FadeParams) -> None:
        """Fade every cohort by ``months`` of its own duty; second-life products use the SL multiplier."""
        if len(self) == 0:
            return
        self.soh = fade_step(
            self.soh,
            months,
            self.efc_per_month,
            self.c_rate,
            np.full(len(self), params.dod_ref),
            params,
            self.duty_multiplier,
            second_life=self.product != NEW_PRODUCT,
        )

    def retire_cohorts(self, eol_soh: float) -> dict[str, np.ndarray]:
        """Remove cohorts with soh < eol_soh and return their arrays (for routing back to recyclers)."""
        gone = self.soh < eol_soh
        out = {name: getattr(self, name)[gone].copy() for name in _FLEET_FIELDS}
        keep = ~gone
        for name in _FLEET_FIELDS:
            setattr(self, name, getattr(self, name)[keep])
        self.retired_nameplate_gwh += float(out["nameplate_gwh"].sum())
        return out

    def retire(self, eol_soh: float) -> np.ndarray:
        """Remove cohorts with soh < eol_soh; return nameplate GWh retired per product, (4,)."""
        out = self.retire_cohorts(eol_soh)
        return np.bincount(out["product"], weights=out["nameplate_gwh"], minlength=len(PRODUCTS))

    def retire_by_eol(self, second_life_eol_soh: float, new_eol_soh: float) -> np.ndarray:
        """Retire second-life cohorts below one SoH and new-storage cohorts below another; (4,) GWh."""
        eol = np.where(self.product == NEW_PRODUCT, new_eol_soh, second_life_eol_soh)
        gone = self.soh < eol
        out = {name: getattr(self, name)[gone] for name in ("product", "nameplate_gwh")}
        for name in _FLEET_FIELDS:
            setattr(self, name, getattr(self, name)[~gone])
        self.retired_nameplate_gwh += float(out["nameplate_gwh"].sum())
        return np.bincount(out["product"], weights=out["nameplate_gwh"], minlength=len(PRODUCTS))

    def usable_gwh(self, owner: int | None = None) -> float:
        """Usable energy, sum of nameplate × SoH, for one owner or the whole fleet."""
        usable = self.nameplate_gwh * self.soh
        if owner is not None:
            usable = usable[self.owner == owner]
        return float(usable.sum())

    def usable_gwh_by_owner(self, n_owners: int) -> np.ndarray:
        """Usable GWh per owner 0..n_owners-1, (n_owners,)."""
        if len(self) and (self.owner.min() < 0 or self.owner.max() >= n_owners):
            raise InputError(f"owner ids must be in 0..{n_owners - 1}")
        return np.bincount(self.owner, weights=self.nameplate_gwh * self.soh, minlength=n_owners)

    def nameplate_gwh_by_product(self) -> np.ndarray:
        """Nameplate GWh in service per product, (4,)."""
        return np.bincount(self.product, weights=self.nameplate_gwh, minlength=len(PRODUCTS))


# --- BLAST-Lite reference curves (validation only; needs the optional `validation` extra) ---

BLAST_SECOND_LIFE_MODEL = "Lmo_Gr_NissanLeaf66Ah_2ndLife_Battery"
BLAST_NEW_LFP_MODEL = "Lfp_Gr_250AhPrismatic"


def duty_cycle_profile(
    efc_per_day: float,
    c_rate: float,
    dod: float,
    temperature_c: float = 25.0,
    soc_mean: float = 0.5,
    dt_s: float = 60.0,
) -> dict[str, np.ndarray]:
    """One repeating cycle for BLAST-Lite: charge at c_rate, rest at top, discharge, rest at bottom.

    The cycle lasts 24·dod/efc_per_day hours so the repeated profile gives ``efc_per_day``.
    """
    if efc_per_day <= 0 or c_rate <= 0 or not 0 < dod <= 1:
        raise InputError("duty_cycle_profile: efc_per_day, c_rate > 0 and dod in (0, 1] required")
    lo, hi = soc_mean - dod / 2, soc_mean + dod / 2
    if lo < 0 or hi > 1:
        raise InputError(f"duty_cycle_profile: soc_mean {soc_mean} ± dod/2 leaves [0, 1]")
    period_h = 24.0 * dod / efc_per_day
    ramp_h = dod / c_rate
    rest_h = (period_h - 2 * ramp_h) / 2
    if rest_h < 0:
        raise InputError(f"duty_cycle_profile: {efc_per_day} EFC/day is impossible at {c_rate}C")
    t_s = np.arange(0.0, period_h * 3600 + dt_s / 2, dt_s)
    h = t_s / 3600.0
    soc = np.select(
        [h < ramp_h, h < ramp_h + rest_h, h < 2 * ramp_h + rest_h],
        [lo + c_rate * h, np.full_like(h, hi), hi - c_rate * (h - ramp_h - rest_h)],
        default=lo,
    )
    return {
        "Time_s": t_s,
        "SOC": np.clip(soc, lo, hi),
        "Temperature_C": np.full_like(t_s, float(temperature_c)),
    }


def blast_lite_soh(
    model_name: str,
    years: float,
    efc_per_day: float,
    c_rate: float,
    dod: float,
    temperature_c: float = 25.0,
) -> tuple[np.ndarray, np.ndarray]:
    """(t_years, SoH relative to new) from a BLAST-Lite cell model under a repeating duty cycle.

    Runs with ``is_constant_input=True`` and ``is_conserve_energy_throughput=False`` (fixed DoD of
    the current capacity; the Nissan model cannot run the other mode). For the second-life Nissan
    model SoH is ``qNew`` = 0.7 × q. BLAST-Lite 1.1.0 calls ``np.trapz``, removed in NumPy 2.4, so
    the call runs with ``np.trapz`` temporarily aliased to ``np.trapezoid``.
    """
    from blast import models  # optional dependency, imported only for validation

    cell = getattr(models, model_name)()
    missing = object()
    saved = np.__dict__.get("trapz", missing)
    np.trapz = np.trapezoid  # type: ignore[attr-defined]
    try:
        cell.simulate_battery_life(
            duty_cycle_profile(efc_per_day, c_rate, dod, temperature_c),
            threshold_time=years,
            is_constant_input=True,
            is_conserve_energy_throughput=False,
        )
    finally:
        if saved is missing:
            del np.trapz
        else:
            np.trapz = saved  # type: ignore[attr-defined]
    t_years = np.asarray(cell.stressors["t_days"], dtype=float) / 365.0
    key = "qNew" if "qNew" in cell.outputs else "q"
    return t_years, np.clip(np.asarray(cell.outputs[key], dtype=float), 0.0, 1.0)
