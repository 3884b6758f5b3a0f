"""exp, expm1, log, log1p, power, sin and cos from IEEE arithmetic alone, the same bytes on every CPU.

numpy picks a ufunc's kernel at import from the CPU's features: on an AVX-512 machine `np.exp`,
`np.log`, `np.power` (`array ** y`), `np.sin` and `np.cos` run numpy's own SIMD or SVML code, on
others the C library's, and the two differ in the last bit for some inputs (measured: a 12-month
baseline's outputs change with `NPY_DISABLE_CPU_FEATURES=AVX512_ICL,X86_V4`). A last bit then tips a
discrete decision. These functions use only `+ - * /`, `rint`, `frexp`, `ldexp` and `where`,
each exactly rounded by IEEE 754 whatever the SIMD width, so a result depends only on its input.
Accuracy is a few units in the last place (tests/test_elementary.py measures it against `math`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

ArrayLike = np.ndarray | float

_LN2_HI = 6.93147180369123816490e-01  # ln 2, upper bits: k * _LN2_HI is exact for |k| < 2**20
_LN2_LO = 1.90821492927058770002e-10  # ln 2 - _LN2_HI
_INV_LN2 = 1.44269504088896338700e00
_EXP_OVERFLOW = 709.782712893383973096  # exp(x) > largest double above this
_EXP_UNDERFLOW = -745.13321910194110842  # exp(x) < smallest subnormal / 2 below this
_EXP_TAYLOR = tuple(1.0 / math.factorial(n) for n in range(14))  # |r| <= ln2/2: error < 5e-18
_EXPM1_TAYLOR = tuple(1.0 / math.factorial(n + 1) for n in range(17))  # |x| < 1/2: error < 1e-19
_EXPM1_SERIES_BELOW = 0.5
_SQRT_HALF = 0.70710678118654752440
_ATANH_SERIES = tuple(1.0 / (2 * n + 1) for n in range(13))  # s**2 <= 0.0295: error < 1e-20
_PIO2_1 = 1.57079632673412561417e00  # pi/2 in three parts (fdlibm): k * part exact for |k| < 2**20
_PIO2_2 = 6.07710050650619224932e-11
_PIO2_3 = 2.02226624879595063154e-21
_TWO_OVER_PI = 6.36619772367581382433e-01
_TRIG_MAX = float(2**19)  # the three-part reduction is exact up to here
_SIN_TAYLOR = tuple((-1.0) ** n / math.factorial(2 * n + 1) for n in range(10))  # |r| <= pi/4
_COS_TAYLOR = tuple((-1.0) ** n / math.factorial(2 * n) for n in range(10))


_SCALAR_UP_TO = 8
"""Up to this many elements a Python loop over floats is faster than numpy's per-call overhead;
it runs the same operations in the same order, so it gives the same bytes (tested)."""


def _horner(x: np.ndarray, coefficients: Sequence[float]) -> np.ndarray:
    """sum(c[n] * x**n), evaluated from the highest power down: one fixed order of operations."""
    out = np.full_like(x, coefficients[-1])
    for c in reversed(coefficients[:-1]):
        out *= x
        out += c
    return out


def _horner1(x: float, coefficients: Sequence[float]) -> float:
    """`_horner` for one float."""
    out = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        out = out * x + c
    return out


def _atanh_series1(z: float) -> float:
    """`_horner1(z, _ATANH_SERIES)` unrolled: the same products and sums in the same order, faster."""
    c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12 = _ATANH_SERIES
    out = ((((c12 * z + c11) * z + c10) * z + c9) * z + c8) * z + c7
    return (((((((out * z + c6) * z + c5) * z + c4) * z + c3) * z + c2) * z + c1) * z) + c0


def _exp_series1(r: float) -> float:
    """`_horner1(r, _EXP_TAYLOR)` unrolled: the same products and sums in the same order, faster."""
    c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13 = _EXP_TAYLOR
    out = (((((c13 * r + c12) * r + c11) * r + c10) * r + c9) * r + c8) * r + c7
    return ((((((out * r + c6) * r + c5) * r + c4) * r + c3) * r + c2) * r + c1) * r + c0


def _exp1(v: float) -> float:
    """`exp` of one float."""
    if v != v:
        return math.nan
    if v > _EXP_OVERFLOW:
        return math.inf
    if v < _EXP_UNDERFLOW:
        return 0.0
    k = float(round(v * _INV_LN2))  # round half to even, as np.rint
    r = (v - k * _LN2_HI) - k * _LN2_LO
    return math.ldexp(_exp_series1(r), int(k))


def _expm11(v: float) -> float:
    """`expm1` of one float."""
    if abs(v) < _EXPM1_SERIES_BELOW:
        return v * _horner1(v, _EXPM1_TAYLOR)
    return _exp1(v) - 1.0


def _log1(v: float) -> float:
    """`log` of one float."""
    if v != v or v < 0:
        return math.nan
    if v == 0:
        return -math.inf
    if v == math.inf:
        return math.inf
    m, e = math.frexp(v)
    if m < _SQRT_HALF:
        m, e = m * 2.0, e - 1
    f = m - 1.0
    s = f / (2.0 + f)
    log_m = 2.0 * s * _atanh_series1(s * s)
    return e * _LN2_HI + (log_m + e * _LN2_LO)


def _log1p1(v: float) -> float:
    """`log1p` of one float."""
    u = 1.0 + v
    if u == 1.0:
        return v
    if v == math.inf:
        return math.inf
    if u == 0.0:
        return -math.inf
    return _log1(u) * (v / (u - 1.0))


def _power1(a: float, b: float) -> float:
    """`power` of two floats."""
    if b == 0 or a == 1.0:
        return 1.0
    return _exp1(b * _log1(a))


def _small(x: object) -> list[float] | None:
    """The input's floats when it has at most `_SCALAR_UP_TO` of them, else None."""
    if np.ndim(x) == 0:
        return [float(x)]  # type: ignore[arg-type]
    a = np.asarray(x, dtype=float)
    return a.ravel().tolist() if a.size <= _SCALAR_UP_TO else None


def _shaped(values: list[float], like: object) -> ArrayLike:
    """Floats back in the input's shape (a float for a scalar input)."""
    if np.ndim(like) == 0:
        return values[0]
    return np.array(values, dtype=float).reshape(np.shape(like))


def _result(out: np.ndarray, like: object) -> ArrayLike:
    """A float for a scalar input, the array otherwise (sin and cos have no scalar loop)."""
    return float(out) if np.ndim(like) == 0 else out


def exp(x: ArrayLike) -> ArrayLike:
    """e**x: k ln 2 taken out exactly (Cody-Waite), a Taylor polynomial on the rest, times 2**k."""
    few = _small(x)
    if few is not None:
        return _shaped([_exp1(v) for v in few], x)
    a = np.asarray(x, dtype=float)
    inside = bool(a.max() <= _EXP_OVERFLOW) and bool(a.min() >= _EXP_UNDERFLOW)  # False if nan
    clipped = a if inside else np.clip(np.where(np.isnan(a), 0.0, a), -746.0, 710.0)
    k = np.rint(clipped * _INV_LN2)
    r = clipped - k * _LN2_HI
    r -= k * _LN2_LO
    with np.errstate(over="ignore"):
        out = np.ldexp(_horner(r, _EXP_TAYLOR), k.astype(np.int64))
    if inside:
        return out
    out = np.where(a > _EXP_OVERFLOW, np.inf, np.where(a < _EXP_UNDERFLOW, 0.0, out))
    return np.where(np.isnan(a), np.nan, out)


def expm1(x: ArrayLike) -> ArrayLike:
    """e**x - 1, accurate near 0 (a Taylor series below |x| = 1/2, exp(x) - 1 above)."""
    few = _small(x)
    if few is not None:
        return _shaped([_expm11(v) for v in few], x)
    a = np.asarray(x, dtype=float)
    small = np.abs(a) < _EXPM1_SERIES_BELOW
    if small.all():  # monthly hazards and the like: the series alone (what `where` would pick)
        return a * _horner(a, _EXPM1_TAYLOR)
    series = a * _horner(np.where(small, a, 0.0), _EXPM1_TAYLOR)
    large = exp(np.where(small, 0.0, a)) - 1.0
    return np.where(small, series, large)


def log(x: ArrayLike) -> ArrayLike:
    """Ln x: x = m 2**e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh((m-1)/(m+1)) as a series."""
    few = _small(x)
    if few is not None:
        return _shaped([_log1(v) for v in few], x)
    a = np.asarray(x, dtype=float)
    plain = bool(a.min() > 0) and bool(a.max() < np.inf)  # False if nan
    m, e = np.frexp(a if plain else np.where(np.isfinite(a) & (a > 0), a, 1.0))
    low = m < _SQRT_HALF
    m[low] *= 2.0
    e = (e - low).astype(float)
    f = m - 1.0
    s = f / (2.0 + f)
    log_m = 2.0 * s * _horner(s * s, _ATANH_SERIES)
    out = e * _LN2_HI + (log_m + e * _LN2_LO)
    if plain:
        return out
    out = np.where(a == 0, -np.inf, np.where(a == np.inf, np.inf, out))
    return np.where((a < 0) | np.isnan(a), np.nan, out)


def log1p(x: ArrayLike) -> ArrayLike:
    """ln(1 + x), accurate near 0: ln(u) x / (u - 1) with u = 1 + x rounded (Goldberg's rule)."""
    few = _small(x)
    if few is not None:
        return _shaped([_log1p1(v) for v in few], x)
    a = np.asarray(x, dtype=float)
    u = 1.0 + a
    exact = u == 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        out = log(u) * (a / np.where(exact | (u == 0.0), 1.0, u - 1.0))
    out = np.where(u == 0.0, -np.inf, out)
    return np.where(exact, a, np.where(np.isinf(a) & (a > 0), np.inf, out))


def power(x: ArrayLike, y: ArrayLike) -> ArrayLike:
    """x**y for x >= 0 (exp(y ln x)); x**0 and 1**y are 1, a negative x gives nan."""
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):  # two scalars: no broadcast
        return _power1(float(x), float(y))
    shape = np.broadcast(np.asarray(x), np.asarray(y))
    if shape.size <= _SCALAR_UP_TO:
        pairs = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        values = [
            _power1(a, b)
            for a, b in zip(pairs[0].ravel().tolist(), pairs[1].ravel().tolist(), strict=True)
        ]
        return values[0] if shape.ndim == 0 else np.array(values).reshape(shape.shape)
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(invalid="ignore"):
        out = exp(b * log(a))
    if bool(a.min() > 0) and bool(a.max() < np.inf) and bool(np.isfinite(b).all()):
        return out  # ln a finite: b = 0 or a = 1 give exp(0) = 1 already
    return np.where(b == 0, 1.0, np.where(a == 1.0, 1.0, out))


def _reduce(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """X = r + q pi/2 with |r| <= pi/4 and q in 0..3 (three-part Cody-Waite reduction)."""
    if np.any(np.abs(x) > _TRIG_MAX):
        raise ValueError(f"sin/cos: |x| above {_TRIG_MAX:g} (the exact range of the reduction)")
    k = np.rint(x * _TWO_OVER_PI)
    r = ((x - k * _PIO2_1) - k * _PIO2_2) - k * _PIO2_3
    return r, np.mod(k, 4.0).astype(np.int64)


def _sin_cos(x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """(sin x, cos x) from the reduced argument's Taylor polynomials and the quadrant."""
    r, q = _reduce(np.asarray(x, dtype=float))
    r2 = r * r
    s, c = r * _horner(r2, _SIN_TAYLOR), _horner(r2, _COS_TAYLOR)
    sin = np.choose(q, (s, c, -s, -c))
    cos = np.choose(q, (c, -s, -c, s))
    return sin, cos


def sin(x: ArrayLike) -> ArrayLike:
    """Sin x for |x| <= 2**19."""
    return _result(_sin_cos(x)[0], x)


def cos(x: ArrayLike) -> ArrayLike:
    """Cos x for |x| <= 2**19."""
    return _result(_sin_cos(x)[1], x)


# One-float versions for scalar loops elsewhere (abm.numerics.special, Streams.choice): the same
# operations as the array paths, without the per-call dispatch of `exp`, `log` and the rest.
exp_float = _exp1
expm1_float = _expm11
log_float = _log1
log1p_float = _log1p1
power_float = _power1
horner = _horner
horner_float = _horner1
