"""SoH grading of retired EV packs: SoH ~ Beta(mean, sd) binned into grades A, B, C and recycle.

The Beta CDF is ``scipy.special.betainc`` (what ``scipy.stats.beta.cdf`` calls), imported where it
is used: ``scipy.stats`` would cost every model about a second of imports for four numbers.
"""

from __future__ import annotations

import numpy as np

from abm.errors import InputError
from abm.numerics import special

GRADE_THRESHOLDS_SOH = (0.80, 0.70, 0.60)
"""Lower SoH bounds of grades A, B, C (issue 5; DOMAIN-NUMBERS: retirement 0.70-0.80, grid-reuse
screening 60-70 % of rated capacity, atomfair primer (secondary))."""

RETIREMENT_SOH_MEAN = 0.75
"""Mean SoH of EV packs at retirement, fraction (DOMAIN-NUMBERS #16: ADL 2024, Gharebaghi 2024)."""

RETIREMENT_SOH_SD = 0.08
"""Spread of SoH at retirement, fraction. Assumption (verify): puts ~2/3 of packs in 0.70-0.80
(DOMAIN-NUMBERS #16 range) and ~4 % below 0.60, with a tail towards Redwood's ">0.5" packs."""


def _beta_ab(soh_mean: float, soh_sd: float) -> tuple[float, float]:
    """Beta(a, b) with the given mean and sd; raise when no Beta distribution has them."""
    if not 0.0 < soh_mean < 1.0:
        raise InputError(f"soh_mean must be in (0, 1), got {soh_mean}")
    var = soh_sd * soh_sd
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


def _beta_cdf(x: np.ndarray, a: float, b: float) -> np.ndarray:
    """CDF of Beta(a, b) at SoH values `x` in [0, 1]: what ``scipy.stats.beta.cdf`` computes.

    ``stats.beta.cdf`` is ``special.betainc`` inside the support, 0 at or below 0 and 1 at or
    above 1; calling it directly spares every model the import of ``scipy.stats`` (about a second).
    """
    x = np.asarray(x, dtype=float)
    return np.where(
        x >= 1.0, 1.0, np.where(x <= 0.0, 0.0, special.betainc(a, b, np.clip(x, 0.0, 1.0)))
    )


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
    cdf = _beta_cdf(edges, a, b)
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
    mass = _beta_cdf(hi, a, b) - _beta_cdf(lo, a, b)
    first_moment = soh_mean * (_beta_cdf(hi, a + 1, b) - _beta_cdf(lo, a + 1, b))
    with np.errstate(invalid="ignore", divide="ignore"):
        cond = np.where(mass > 1e-12, first_moment / np.where(mass > 0, mass, 1.0), fallback)
    return np.clip(cond, lo, hi)
