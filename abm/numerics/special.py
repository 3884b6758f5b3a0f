"""The normal quantile, log-gamma, gamma and the regularised incomplete beta, the same bytes on every machine.

`scipy.special.ndtri`, `gamma` and `betainc` call the C library's `log`, `exp` and `pow`, and
glibc picks an FMA or a plain version of those by CPU (measured: `ndtri` and `betainc` give
other last bits with `GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA`). These are built on
`abm.numerics.elementary` and IEEE `+ - * /` and `sqrt` (exactly rounded everywhere), so a
result depends only on its input. tests/test_special.py measures their accuracy against scipy.
"""

from __future__ import annotations

import math

import numpy as np

from abm.numerics import elementary
from abm.numerics.elementary import ArrayLike

# Wichura (1988), Algorithm AS 241 (PPND16), Applied Statistics 37:477-484: the normal quantile
# to about 1e-16 relative. Numerators and denominators, lowest power first.
_CENTRAL_NUM = (
    3.3871328727963666080e0,
    1.3314166789178437745e2,
    1.9715909503065514427e3,
    1.3731693765509461125e4,
    4.5921953931549871457e4,
    6.7265770927008700853e4,
    3.3430575583588128105e4,
    2.5090809287301226727e3,
)
_CENTRAL_DEN = (
    1.0,
    4.2313330701600911252e1,
    6.8718700749205790830e2,
    5.3941960214247511077e3,
    2.1213794301586595867e4,
    3.9307895800092710610e4,
    2.8729085735721942674e4,
    5.2264952788528545610e3,
)
_NEAR_NUM = (
    1.42343711074968357734e0,
    4.63033784615654529590e0,
    5.76949722146069140550e0,
    3.64784832476320460504e0,
    1.27045825245236838258e0,
    2.41780725177450611770e-1,
    2.27238449892691845833e-2,
    7.74545014278341407640e-4,
)
_NEAR_DEN = (
    1.0,
    2.05319162663775882187e0,
    1.67638483018380384940e0,
    6.89767334985100004550e-1,
    1.48103976427480074590e-1,
    1.51986665636164571966e-2,
    5.47593808499534494600e-4,
    1.05075007164441684324e-9,
)
_FAR_NUM = (
    6.65790464350110377720e0,
    5.46378491116411436990e0,
    1.78482653991729133580e0,
    2.96560571828504891230e-1,
    2.65321895265761230930e-2,
    1.24266094738807843860e-3,
    2.71155556874348757815e-5,
    2.01033439929228813265e-7,
)
_FAR_DEN = (
    1.0,
    5.99832206555887937690e-1,
    1.36929880922735805310e-1,
    1.48753612908506148525e-2,
    7.86869131145613259100e-4,
    1.84631831751005468180e-5,
    1.42151175831644588870e-7,
    2.04426310338993978564e-15,
)
_CENTRAL_Q = 0.425  # |p - 1/2| up to here: the central rational function in (p - 1/2)^2
_CENTRAL_R = 0.180625  # 0.425^2
_NEAR_R = 5.0  # sqrt(-ln(tail)) up to here: the near-tail function, beyond it the far one
_NEAR_SHIFT = 1.6

# log-gamma: shift the argument to at least _STIRLING_FROM, then Stirling's series
# (Abramowitz & Stegun 6.1.41): B_2k / (2k (2k - 1) x^(2k - 1)) for k = 1..7; at x >= 10 the
# first omitted term is below 1e-17 of the sum.
_STIRLING_FROM = 10.0
_HALF_LN_2PI = 0.91893853320467274178
_STIRLING = (
    1.0 / 12.0,
    -1.0 / 360.0,
    1.0 / 1260.0,
    -1.0 / 1680.0,
    1.0 / 1188.0,
    -691.0 / 360360.0,
    1.0 / 156.0,
)

_BETA_CF_TERMS = 400  # continued-fraction terms: converges in ~sqrt(max(a, b)) * 10 at worst
_BETA_CF_EPS = 1e-16
_TINY = 1e-300


def _ratio1(x: float, num: tuple[float, ...], den: tuple[float, ...]) -> float:
    """num(x) / den(x), both by Horner from the highest power down."""
    return elementary.horner_float(x, num) / elementary.horner_float(x, den)


def _ndtri1(p: float) -> float:
    """The standard normal quantile of one probability p in (0, 1) (AS 241)."""
    if not 0.0 < p < 1.0:
        return -math.inf if p == 0.0 else math.inf if p == 1.0 else math.nan
    q = p - 0.5
    if abs(q) <= _CENTRAL_Q:
        return q * _ratio1(_CENTRAL_R - q * q, _CENTRAL_NUM, _CENTRAL_DEN)
    r = math.sqrt(-elementary.log_float(p if q < 0 else 1.0 - p))
    if r <= _NEAR_R:
        z = _ratio1(r - _NEAR_SHIFT, _NEAR_NUM, _NEAR_DEN)
    else:
        z = _ratio1(r - _NEAR_R, _FAR_NUM, _FAR_DEN)
    return -z if q < 0 else z


def _ratio(x: np.ndarray, num: tuple[float, ...], den: tuple[float, ...]) -> np.ndarray:
    """`_ratio1` for an array, in the same order of operations."""
    return elementary.horner(x, num) / elementary.horner(x, den)


def ndtri(p: ArrayLike) -> ArrayLike:
    """The standard normal quantile (inverse CDF) of `p`: a float for a float, else an array.

    The array path runs `_ndtri1`'s operations in the same order, so it gives the same bytes.
    """
    if np.ndim(p) == 0:
        return _ndtri1(float(p))  # type: ignore[arg-type]
    a = np.asarray(p, dtype=float)
    q = a - 0.5
    out = np.where(a == 0.0, -np.inf, np.where(a == 1.0, np.inf, np.nan))
    central = np.abs(q) <= _CENTRAL_Q
    qc = q[central]
    out[central] = qc * _ratio(_CENTRAL_R - qc * qc, _CENTRAL_NUM, _CENTRAL_DEN)
    tail = ~central & (a > 0.0) & (a < 1.0)
    lower = q[tail] < 0
    r = np.sqrt(-elementary.log(np.where(lower, a[tail], 1.0 - a[tail])))
    near = r <= _NEAR_R
    z = np.empty_like(r)
    z[near] = _ratio(r[near] - _NEAR_SHIFT, _NEAR_NUM, _NEAR_DEN)
    z[~near] = _ratio(r[~near] - _NEAR_R, _FAR_NUM, _FAR_DEN)
    out[tail] = np.where(lower, -z, z)
    return out


def lgamma(x: float) -> float:
    """Ln Gamma(x) for x > 0: Stirling's series after shifting x up to at least 10."""
    if not x > 0.0:
        raise ValueError(f"lgamma needs x > 0, got {x}")
    shift = 1.0
    while x < _STIRLING_FROM:
        shift *= x
        x += 1.0
    inv = 1.0 / x
    series = inv * elementary.horner_float(inv * inv, _STIRLING)
    return (
        (x - 0.5) * elementary.log_float(x)
        - x
        + _HALF_LN_2PI
        + series
        - elementary.log_float(shift)
    )


def gamma(x: float) -> float:
    """Gamma(x) for x > 0, as exp(lgamma(x))."""
    return elementary.exp_float(lgamma(x))


def _beta_cf(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b) (modified Lentz; Numerical Recipes 6.4, betacf)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _BETA_CF_TERMS + 1):
        m2 = 2.0 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + aa / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < _BETA_CF_EPS:
            return h
    raise ArithmeticError(f"betainc({a}, {b}, {x}) did not converge in {_BETA_CF_TERMS} terms")


def _betainc1(a: float, b: float, x: float) -> float:
    """I_x(a, b) for one x, from the side of (a + 1) / (a + b + 2) where the fraction converges."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        a * elementary.log_float(x)
        + b * elementary.log1p_float(-x)
        + lgamma(a + b)
        - lgamma(a)
        - lgamma(b)
    )
    front = elementary.exp_float(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_cf(a, b, x) / a
    return 1.0 - front * _beta_cf(b, a, 1.0 - x) / b


def betainc(a: float, b: float, x: ArrayLike) -> ArrayLike:
    """The regularised incomplete beta I_x(a, b) (the Beta(a, b) CDF) for a, b > 0, x clipped to [0, 1]."""
    if not (a > 0.0 and b > 0.0):
        raise ValueError(f"betainc needs a, b > 0, got {a}, {b}")
    if np.ndim(x) == 0:
        return _betainc1(a, b, float(x))  # type: ignore[arg-type]
    arr = np.asarray(x, dtype=float)
    return np.array([_betainc1(a, b, v) for v in arr.ravel().tolist()]).reshape(arr.shape)
