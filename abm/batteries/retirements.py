"""EV pack retirements by vintage: the US EV battery sales table and a Weibull lifetime in the car.

Sources for every default are in the constant docstrings and in ``docs/batteries.md``; "(verify)"
marks a figure that is not in ``DOMAIN-NUMBERS.md`` or is derived/assumed.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Protocol

import numpy as np

from abm.errors import InputError
from abm.numerics import elementary, special, weights_dot

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


_US_EV_CHEMISTRY_SHARE_BUSCH: dict[int, tuple[float, float, float]] = {
    2015: (0.391, 0.0, 0.609),
    2016: (0.263, 0.0, 0.737),
    2017: (0.418, 0.0, 0.582),
    2018: (0.200, 0.0, 0.800),
    2019: (0.244, 0.0, 0.756),
    2020: (0.213, 0.0, 0.787),
    2021: (0.282, 0.030, 0.688),
    2022: (0.316, 0.088, 0.596),
    2023: (0.375, 0.118, 0.506),
    2024: (0.439, 0.102, 0.459),
}
"""Shares (NMC, LFP, other) of US car EV battery kWh sold, by sales year: Busch et al. 2025
(pmbusch/EoL-LIB-NorthAmerica ``Inputs/batterySize.csv``, USA Cars, kWh/vehicle by chemistry;
NMC = NMC 111/532/622/721/811, other = NCA, LMO, LTO, LMP; DOMAIN-NUMBERS part 2 §1b quotes the
2024 row). The order follows ``CHEMISTRIES``."""


def _us_ev_chemistry_share_by_year() -> dict[int, tuple[float, float, float]]:
    """The chemistry share of every year of US_EV_SALES_GWH_BY_YEAR, normalised to sum to 1.

    Before 2015 the 2015 mix (Leaf LMO, Tesla NCA, Volt) is held (assumption, verify); from 2025
    the 2024 mix is held, as Busch et al. do in the same file.
    """
    first, last = min(_US_EV_CHEMISTRY_SHARE_BUSCH), max(_US_EV_CHEMISTRY_SHARE_BUSCH)
    out = {}
    for year in US_EV_SALES_GWH_BY_YEAR:
        share = np.array(_US_EV_CHEMISTRY_SHARE_BUSCH[min(max(year, first), last)])
        out[year] = tuple((share / share.sum()).tolist())
    return out


US_EV_CHEMISTRY_SHARE_BY_YEAR: dict[int, tuple[float, float, float]] = (
    _us_ev_chemistry_share_by_year()
)
"""Shares (NMC, LFP, other) of US EV battery kWh sold, every sales year 2011-2040 (see above)."""


def weibull_from_mean_sd(mean_years: float, sd_years: float) -> tuple[float, float]:
    """Weibull (shape, scale_years) with the given mean and sd, to reuse lifetimes quoted as mean ± sd.

    ``scipy.optimize`` is imported here, where its root finder is used: importing it costs about
    70 ms (it loads linprog, HiGHS bindings and scipy.fft), and no model run calls this function.
    """
    from scipy.optimize import brentq

    if mean_years <= 0 or sd_years <= 0:
        raise InputError(f"weibull mean and sd must be > 0, got {mean_years}, {sd_years}")
    cv = sd_years / mean_years
    target_cv2 = cv * cv

    def cv2_gap(shape: float) -> float:
        g1 = special.gamma(1 + 1 / shape)
        return special.gamma(1 + 2 / shape) / (g1 * g1) - 1 - target_cv2

    shape = float(brentq(cv2_gap, 0.05, 200.0))
    scale = mean_years / special.gamma(1 + 1 / shape)
    return shape, float(scale)


EV_PACK_LIFETIME_MEAN_YEARS = 15.0
"""Mean EV battery lifetime in the vehicle, years (Busch et al. 2025, LIB mean 15 sd 4;
DOMAIN-NUMBERS part 2 #4)."""

EV_PACK_LIFETIME_SD_YEARS = 4.0
"""Sd of EV battery lifetime, years (Busch et al. 2025; DOMAIN-NUMBERS part 2 #4)."""


@cache
def ev_pack_weibull() -> tuple[float, float]:
    """Weibull (shape, scale_years) matched to Busch's mean 15 / sd 4 years (shape ≈ 4.3, scale ≈ 16.5).

    Solved on first use, not at import, so that importing the model does not import
    ``scipy.optimize`` (see :func:`weibull_from_mean_sd`); the module attributes
    ``EV_PACK_WEIBULL_SHAPE`` and ``EV_PACK_WEIBULL_SCALE_YEARS`` read it (``__getattr__``).
    """
    return weibull_from_mean_sd(EV_PACK_LIFETIME_MEAN_YEARS, EV_PACK_LIFETIME_SD_YEARS)


_LAZY_WEIBULL = {"EV_PACK_WEIBULL_SHAPE": 0, "EV_PACK_WEIBULL_SCALE_YEARS": 1}
"""The two module constants solved lazily by :func:`ev_pack_weibull`, by tuple position."""


def __getattr__(name: str) -> float:
    """``EV_PACK_WEIBULL_SHAPE`` / ``EV_PACK_WEIBULL_SCALE_YEARS``: Busch's Weibull, solved on first read."""
    if name in _LAZY_WEIBULL:
        return ev_pack_weibull()[_LAZY_WEIBULL[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def ev_retirements_gwh(
    ev_sales_gwh_by_year: dict[int, float],
    start_year: int,
    start_month: int,
    months: int,
    weibull_shape: float | None = None,
    weibull_scale_years: float | None = None,
) -> np.ndarray:
    """Expected GWh of EV packs retiring in each of ``months`` months from (start_year, start_month).

    Each sales year is spread evenly over its 12 months (sold mid-month); a monthly vintage retires
    at age ~ Weibull(shape, scale), so month m gets sales × [F(age at end of m) - F(age at start)].
    Vintages before the start are included; vintages after the horizon contribute nothing.
    """
    if weibull_shape is None or weibull_scale_years is None:  # default: Busch's lifetime
        default_shape, default_scale = ev_pack_weibull()
        weibull_shape = default_shape if weibull_shape is None else weibull_shape
        weibull_scale_years = default_scale if weibull_scale_years is None else weibull_scale_years
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
    vintage_gwh = np.repeat(sales / 12.0, 12)
    shares = _retiring_shares(
        tuple(int(y) for y in years),
        start_year,
        start_month,
        months,
        weibull_shape,
        weibull_scale_years,
    )
    return weights_dot(vintage_gwh, shares)


@lru_cache(maxsize=64)
def _retiring_shares(
    years: tuple[int, ...],
    start_year: int,
    start_month: int,
    months: int,
    weibull_shape: float,
    weibull_scale_years: float,
) -> np.ndarray:
    """Share of each monthly vintage of `years` retiring in each month, (vintages, months), read-only.

    Depends on the calendar and the lifetime only, not on the sales: every chemistry and every
    model of a process with the same start, length and lifetime shares one computation.
    """
    # Absolute month index: year*12 + (month-1); vintage months sold at their midpoint.
    vintage_month = (np.array(years, dtype=int)[:, None] * 12 + np.arange(12)[None, :]).ravel()
    start_abs = start_year * 12 + (start_month - 1)
    edges = start_abs + np.arange(months + 1)  # month boundaries
    age_years = (edges[None, :] - (vintage_month[:, None] + 0.5)) / 12.0
    scaled_age = np.clip(age_years, 0.0, None) / weibull_scale_years
    cdf = -elementary.expm1(-elementary.power(scaled_age, weibull_shape))
    shares = np.diff(cdf, axis=1)
    shares.flags.writeable = False
    return shares


def ev_retirements_gwh_by_chemistry(
    ev_sales_gwh_by_year: dict[int, float],
    chemistry_share_by_year: dict[int, tuple[float, ...]],
    start_year: int,
    start_month: int,
    months: int,
    weibull_shape: float | None = None,
    weibull_scale_years: float | None = None,
) -> np.ndarray:
    """GWh of EV packs retiring per month and chemistry, (months, n_chemistries).

    Each chemistry's vintages are its share of each sales year, retired by ``ev_retirements_gwh``;
    the columns sum to the all-chemistry retirements. A year missing from the share table raises.
    """
    missing = sorted(set(ev_sales_gwh_by_year) - set(chemistry_share_by_year))
    if missing:
        raise InputError(f"chemistry share missing for sales years {missing}")
    n = len(next(iter(chemistry_share_by_year.values())))
    columns = [
        ev_retirements_gwh(
            {y: g * chemistry_share_by_year[y][c] for y, g in ev_sales_gwh_by_year.items()},
            start_year,
            start_month,
            months,
            weibull_shape,
            weibull_scale_years,
        )
        for c in range(n)
    ]
    return np.stack(columns, axis=1) if columns else np.zeros((months, 0))


class EvLifetime(Protocol):
    """The Weibull lifetime of EV packs in the car (the scenario's ``packs`` section has it)."""

    ev_lifetime_weibull_shape: float
    ev_lifetime_weibull_scale_years: float


def us_retirements_by_chemistry_gwh(
    start_year: int, start_month: int, months: int, lifetime: EvLifetime
) -> np.ndarray:
    """US EV packs retiring per month and chemistry, (months, 3): the US sales and chemistry tables."""
    return ev_retirements_gwh_by_chemistry(
        US_EV_SALES_GWH_BY_YEAR,
        US_EV_CHEMISTRY_SHARE_BY_YEAR,
        start_year,
        start_month,
        months,
        lifetime.ev_lifetime_weibull_shape,
        lifetime.ev_lifetime_weibull_scale_years,
    )
