"""Implausibility of design points against targets, and the non-implausible region it keeps.

For point x and target j with observed value z_j, the ensemble of n runs at x has mean m_j(x)
and sample variance s_j^2(x). Following history matching of stochastic simulators (Andrianakis
et al. 2015, PLoS Comput Biol 11:e1003968),

    I_j(x) = |m_j(x) - z_j| / sqrt(var_obs_j + var_ensemble_j(x) + var_discrepancy_j)

with var_ensemble = s^2 (1 + 1/n): the observation is one realisation of a stochastic world
(s^2) and m is estimated from n runs (s^2 / n). A point is non-implausible when every target
has I_j < cutoff (3, the three-sigma rule); a point with a failed run or an undefined target
is implausible (I = inf), so a hole is never kept.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def ensemble_variance(values: np.ndarray) -> np.ndarray:
    """Variance of one future realisation about the ensemble mean: s^2 (1 + 1/n), per row.

    `values` is (points, seeds); NaN (a failed run or undefined KPI) makes the row NaN.
    """
    n = values.shape[1]
    return np.var(values, axis=1, ddof=1) * (1.0 + 1.0 / n)


def implausibility(
    values: np.ndarray, observed: float, sd_obs: float, sd_discrepancy: float
) -> np.ndarray:
    """I for one target at every point; `values` is (points, seeds); inf where a value is NaN."""
    mean = values.mean(axis=1)
    var = sd_obs * sd_obs + sd_discrepancy * sd_discrepancy + ensemble_variance(values)
    out = np.abs(mean - observed) / np.sqrt(var)
    return np.where(np.isfinite(out), out, np.inf)


def implausibility_table(
    values: Sequence[np.ndarray],
    observed: Sequence[float],
    sd_obs: Sequence[float],
    sd_discrepancy: Sequence[float],
) -> np.ndarray:
    """(points, targets) implausibilities from one (points, seeds) array per target."""
    cols = [
        implausibility(v, z, s, d)
        for v, z, s, d in zip(values, observed, sd_obs, sd_discrepancy, strict=True)
    ]
    return np.column_stack(cols)


def max_implausibility(table: np.ndarray) -> np.ndarray:
    """The largest I over targets, per point (the usual history-matching measure)."""
    return table.max(axis=1)


def non_implausible(table: np.ndarray, cutoff: float) -> np.ndarray:
    """Boolean mask of points whose every target has I < cutoff."""
    return max_implausibility(table) < cutoff
