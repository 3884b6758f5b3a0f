"""`elementary.expm1` on arrays wholly inside the series range skips exp: the same bytes as before."""

from __future__ import annotations

import numpy as np

from abm.numerics import elementary


def _both_branches(x: np.ndarray) -> np.ndarray:
    """The array path as it was: series and exp for every element, `where` picks."""
    a = np.asarray(x, dtype=float)
    small = np.abs(a) < 0.5
    series = a * elementary._horner(np.where(small, a, 0.0), elementary._EXPM1_TAYLOR)
    large = elementary.exp(np.where(small, 0.0, a)) - 1.0
    return np.where(small, series, large)


def test_series_only_arrays_keep_their_bytes() -> None:
    """Hazard-like arrays (every |x| < 1/2, signed zeros and tiny values included) and 2-D shapes."""
    rng = np.random.default_rng(8)
    for k in range(2000):
        n = int(rng.integers(9, 2000))
        a = rng.uniform(-0.4999, 0.4999, n) * 10.0 ** -float(rng.integers(0, 300))
        a[0] = -0.0 if k % 2 else 0.0
        got, want = elementary.expm1(a), _both_branches(a)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert got.tobytes() == want.tobytes()
    grid = rng.uniform(-0.49, 0.49, (30, 40))
    assert elementary.expm1(grid).tobytes() == _both_branches(grid).tobytes()


def test_mixed_arrays_still_take_both_branches() -> None:
    """Arrays with elements beyond 1/2, infinities or NaN give what both branches gave."""
    rng = np.random.default_rng(9)
    a = rng.uniform(-3.0, 3.0, 500)
    a[:4] = (np.inf, -np.inf, np.nan, 0.5)
    got, want = elementary.expm1(a), _both_branches(a)
    assert got.tobytes() == want.tobytes()
