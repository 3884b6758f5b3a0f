"""`exact_dot` on a few floats multiplies in Python: the same bits as numpy's elementwise products."""

from __future__ import annotations

import math

import numpy as np

from abm.numerics import exact_dot


def _numpy_dot(a: np.ndarray, b: np.ndarray) -> float:
    """The array path: numpy's products, then one correctly rounded sum."""
    return math.fsum(np.multiply(a, b).ravel().tolist())


def test_small_vectors_match_the_array_path() -> None:
    """Random vectors of 0-16 elements over many magnitudes, subnormals and signed zeros included."""
    rng = np.random.default_rng(2)
    for _ in range(3000):
        n = int(rng.integers(0, 17))
        a = rng.normal(size=n) * 10.0 ** rng.integers(-310, 300, n)
        b = rng.normal(size=n) * 10.0 ** rng.integers(-20, 8, n)
        if n:
            b[0] = -0.0
        assert repr(exact_dot(a, b)) == repr(_numpy_dot(a, b))


def test_broadcast_and_other_dtypes_keep_the_array_path() -> None:
    """A scalar or an integer vector still broadcasts and converts as before."""
    a = np.array([1.5, 2.0, -3.0])
    assert exact_dot(a, 2.0) == 1.0
    assert exact_dot(np.array([1, 2, 3]), a) == -3.5
