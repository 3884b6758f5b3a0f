"""Normal, lognormal, Beta(2, 2) and Poisson draws from a numpy Generator's uniforms, the same bytes on every machine.

numpy's `Generator.normal`, `lognormal`, `beta` and `poisson` call the C library's `exp` and
`log` (the ziggurat's wedges, the lognormal's exponent, the Poisson's log-gamma), and glibc picks
an FMA or a plain version of those by CPU. These take `Generator.random` (integer bits to a
double: exact) and transform it with abm.numerics: by inverse CDF or, for Beta(2, 2), as the
median of three uniforms. A fixed count of uniforms per draw (one; three for Beta(2, 2)), in
order, so a draw depends only on its stream.
"""

from __future__ import annotations

import math

import numpy as np

from abm.numerics import elementary, special

_POISSON_PIECE = 500.0
"""Largest mean drawn by one inverse-CDF walk: exp(-mean) stays far from underflow (745), and a
larger mean is a sum of independent pieces (a sum of Poissons is Poisson)."""
_POISSON_TAIL_SD = 40.0  # the walk stops this many sd past the mean (where the CDF rounds to 1)


def normal(
    rng: np.random.Generator, loc: float, scale: float, size: int | tuple[int, ...]
) -> np.ndarray:
    """Normal(loc, scale) draws: loc + scale x the normal quantile of one uniform each."""
    return loc + scale * special.ndtri(rng.random(size))


def lognormal(
    rng: np.random.Generator, mean: float, sigma: float, size: int | tuple[int, ...]
) -> np.ndarray:
    """Lognormal draws (the log is Normal(mean, sigma)), as numpy's `lognormal` parametrises them."""
    return elementary.exp(normal(rng, mean, sigma, size))


def beta_2_2(rng: np.random.Generator, size: int) -> np.ndarray:
    """Beta(2, 2) draws, each the median of three uniforms (the 2nd order statistic of 3 is Beta(2, 2))."""
    return np.median(rng.random((size, 3)), axis=1)


def _poisson_walk(mean: float, u: float) -> int:
    """The smallest k with P(K <= k) >= u for K ~ Poisson(mean), mean <= _POISSON_PIECE."""
    p = elementary.exp_float(-mean)
    cdf, k = p, 0
    last = mean + _POISSON_TAIL_SD * math.sqrt(mean) + _POISSON_TAIL_SD
    while cdf < u and k < last:
        k += 1
        p *= mean / k
        cdf += p
    return k


def poisson(rng: np.random.Generator, mean: float) -> int:
    """One Poisson(mean) draw by inverse CDF, in pieces of at most _POISSON_PIECE of the mean."""
    if not mean >= 0.0 or math.isinf(mean):
        raise ValueError(f"poisson needs a finite mean >= 0, got {mean}")
    if mean == 0.0:
        return 0
    pieces = math.ceil(mean / _POISSON_PIECE)
    return sum(_poisson_walk(mean / pieces, u) for u in rng.random(pieces).tolist())
