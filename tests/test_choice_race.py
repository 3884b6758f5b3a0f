"""A large `Streams.choice` ranks with numpy's log and re-scores near the top: the exact race's pick."""

from __future__ import annotations

import numpy as np

from abm.numerics import elementary
from abm.numerics.gumbel import gumbel_argmax as _race
from abm.streams import Streams


def _exact(w: np.ndarray, u: np.ndarray) -> int:
    """The Gumbel-max race on `elementary`'s array logs, as `Streams.choice` ran it before."""
    with np.errstate(divide="ignore"):
        score = elementary.log(w) - elementary.log(-elementary.log(u))
    return int(np.argmax(score))


def _uniforms(rng: np.random.Generator, n: int) -> np.ndarray:
    """Uniforms with the cell-centred values `Streams.uniform` gives, its extremes below 1 included."""
    u = (rng.integers(0, 2**53 - 1, n).astype(np.float64) + 0.5) * 2.0**-53
    u[:2] = (0.5 * 2.0**-53, (2**53 - 1.5) * 2.0**-53)
    return u


def test_random_races_pick_what_the_exact_race_picks() -> None:
    """Thousands of races over weights of every scale, with zeros and repeated weights."""
    rng = np.random.default_rng(3)
    for k in range(3000):
        n = int(rng.integers(17, 400))
        w = np.exp(rng.normal(0.0, [0.1, 3.0, 40.0][k % 3], n))
        w[rng.random(n) < 0.2] = 0.0
        if k % 4 == 0:
            w[: n // 2] = w[0]
        u = _uniforms(rng, n)
        assert _race(w, u) == _exact(w, u)


def test_near_ties_are_decided_by_the_exact_scores() -> None:
    """Alternatives whose scores differ by a few ulps (or tie exactly) go the exact race's way."""
    rng = np.random.default_rng(4)
    for _ in range(3000):
        n = int(rng.integers(17, 60))
        u = _uniforms(rng, n)
        w = rng.uniform(0.5, 2.0, n) * 1e-12
        g = -np.log(u)
        i, j = rng.choice(n, 2, replace=False)
        w[i] = 1.0
        w[j] = g[j] / g[i] * (1.0 + float(rng.integers(-4, 5)) * 2.0**-52)  # nearly w[i]'s score
        assert _race(w, u) == _exact(w, u)


def test_degenerate_weights_take_the_exact_race() -> None:
    """All-zero, negative, infinite and NaN weights, and a uniform rounded to 1, pick as the exact race."""
    rng = np.random.default_rng(5)
    u = _uniforms(rng, 40)
    for bad in (0.0, -1.0, np.inf, np.nan):
        w = rng.uniform(0.1, 1.0, 40)
        w[7] = bad
        assert _race(w, u) == _exact(w, u)
    assert _race(np.zeros(40), u) == _exact(np.zeros(40), u) == 0
    u[9] = (2**53 - 0.5) * 2.0**-53  # the top cell's centre rounds to 1.0
    w = rng.uniform(0.1, 1.0, 40)
    assert _race(w, u) == _exact(w, u) == 9


def test_large_choices_match_the_exact_race_on_streams() -> None:
    """`Streams.choice` over hundreds of alternatives, with and without labels, keyed by entity."""
    s = Streams(17)
    rng = np.random.default_rng(6)
    for k in range(500):
        n = int(rng.integers(17, 300))
        w = rng.uniform(0.0, 1.0, n)
        labels = rng.choice(10**6, n, replace=False) if k % 2 else None
        alt = np.arange(n) if labels is None else np.asarray(labels, np.int64)
        u = np.asarray(s.uniform("test.race", k, 3, alt))
        assert s.choice("test.race", w, k, 3, labels=labels) == _exact(w, u)
