"""`Streams.choice` and `Streams.order` hash their keys once per call: the same draws as `uniform`."""

from __future__ import annotations

import math

import numpy as np

from abm.numerics import elementary
from abm.streams import Streams, hash_keys


def _reference_choice(s: Streams, name: str, w: list[float], *keys: int) -> int:
    """The Gumbel-max race with `Streams.uniform(name, *keys, label)` for every label."""
    best, pick = -math.inf, 0
    for i, wi in enumerate(w):
        if wi > 0:
            u = float(s.uniform(name, *keys, i))
            score = elementary.log_float(wi) - elementary.log_float(-elementary.log_float(u))
            if score > best:
                best, pick = score, i
    return pick


def test_small_choice_matches_per_label_uniforms() -> None:
    """Thousands of keyed draws over a few alternatives pick exactly what per-label uniforms pick."""
    s = Streams(11)
    rng = np.random.default_rng(0)
    for k in range(2000):
        w = rng.uniform(0, 1, int(rng.integers(1, 9))).tolist()
        w[0] = 0.0 if k % 5 == 0 else w[0]
        keys = (k, -k % 7, int(rng.integers(-(2**40), 2**40)))
        assert s.choice("test.choice", w, *keys) == _reference_choice(s, "test.choice", w, *keys)


def test_zero_dimensional_keys_still_draw() -> None:
    """0-d array keys (not Python ints) take the per-label uniform path and give the same pick."""
    s = Streams(5)
    w = [0.2, 0.5, 0.3]
    assert s.choice("test.choice", w, np.array(3)) == s.choice("test.choice", w, 3)


def test_small_order_matches_array_uniforms() -> None:
    """A few ids are ordered by scalar hashes that equal the array draws bit for bit."""
    s = Streams(9)
    rng = np.random.default_rng(1)
    for month in range(300):
        ids = rng.choice(10**6, size=int(rng.integers(0, 17)), replace=False)
        u = s.uniform("activation.test", month, np.asarray(ids, np.int64))
        expected = np.lexsort((np.asarray(ids, np.int64), u))
        assert np.array_equal(s.order("activation.test", ids, month), expected)


def test_leading_scalar_keys_fold_like_arrays() -> None:
    """Array hashes whose leading keys are integers equal hashes with those keys as full arrays."""
    ids = np.array([-(2**62), -3, 0, 1, 7, 2**62], np.int64)
    for lead in ((5,), (0, -9), (2**40, 3, -1), (np.int64(4), True)):
        folded = hash_keys(123, *lead, ids)
        arrays = hash_keys(123, *(np.full(ids.shape, k, np.int64) for k in lead), ids)
        assert folded.dtype == np.uint64 and np.array_equal(folded, arrays)
