"""The CPU-independent elementary functions (abm/numerics/elementary.py): accurate, and one result per input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from abm.numerics import elementary as el

RNG = np.random.default_rng(20261203)


def _ulps(got: np.ndarray, want: list[float]) -> float:
    """Largest difference in units in the last place of the reference."""
    w = np.asarray(want, dtype=float)
    return float(np.max(np.abs(np.asarray(got) - w) / np.spacing(np.abs(w)).clip(5e-324)))


CASES = {
    "exp": (el.exp, math.exp, np.r_[RNG.uniform(-740, 709, 20000), RNG.uniform(-1, 1, 20000)], 2),
    "expm1": (
        el.expm1,
        math.expm1,
        np.r_[RNG.uniform(-40, 40, 20000), RNG.uniform(-1e-9, 1e-9, 500)],
        3,
    ),
    "log": (
        el.log,
        math.log,
        np.r_[np.exp(RNG.uniform(-700, 700, 20000)), 1 + RNG.uniform(-1e-9, 1e-9, 500), [5e-324]],
        4,
    ),
    "log1p": (
        el.log1p,
        math.log1p,
        np.r_[RNG.uniform(-0.999, 50, 20000), RNG.uniform(-1e-7, 1e-7, 500)],
        4,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_within_a_few_ulps_of_the_c_library(name: str) -> None:
    ours, reference, x, tolerance = CASES[name]
    assert _ulps(ours(x), [reference(v) for v in x.tolist()]) <= tolerance


def test_power_and_trigonometry_are_accurate() -> None:
    base, exponent = RNG.uniform(0, 4, 5000), RNG.uniform(-4, 4, 5000)
    want = [math.pow(a, b) for a, b in zip(base.tolist(), exponent.tolist(), strict=True)]
    assert _ulps(el.power(base, exponent), want) <= 64  # exp(y ln x): |y ln x| ulps of ln x
    angle = np.r_[RNG.uniform(-10, 10, 5000), RNG.uniform(0, 2 * math.pi, 500)]
    assert np.max(np.abs(el.sin(angle) - np.sin(angle))) < 2e-15
    assert np.max(np.abs(el.cos(angle) - np.cos(angle))) < 2e-15
    assert el.power(2.0, 10.0) == 1024.0 and el.power(0.8, 0.0) == 1.0


def test_special_values_follow_the_c_library() -> None:
    assert np.array_equal(
        el.exp(np.array([np.nan, np.inf, -np.inf, 0.0, 710.0, -746.0, 1.0])),
        [np.nan, np.inf, 0.0, 1.0, np.inf, 0.0, el.exp(1.0)],
        equal_nan=True,
    )
    assert np.array_equal(
        el.log(np.array([np.nan, np.inf, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0])),
        [np.nan, np.inf, np.nan, -np.inf, 0.0, *(el.log(v) for v in (2.0, 3.0, 4.0, 5.0, 6.0))],
        equal_nan=True,
    )
    assert el.log1p(-1.0) == -math.inf and math.isnan(el.log1p(-2.0)) and el.log1p(1e-300) == 1e-300
    zeros = el.power(np.zeros(9), np.array([2.0, 0.0, -1.0, 1, 1, 1, 1, 1, 1]))
    assert zeros.tolist()[:3] == [0.0, 1.0, math.inf]
    with pytest.raises(ValueError, match="sin/cos"):
        el.sin(np.array([1e7]))


@pytest.mark.parametrize("name", ["exp", "expm1", "log", "log1p"])
def test_the_scalar_path_gives_the_array_path_bytes(name: str) -> None:
    """Up to eight values run as Python floats, more as arrays: the same operations, the same bytes."""
    fn, _, x, _ = CASES[name]
    x = np.r_[x[:2000], 0.0, -0.0, 0.49999, 0.5, -0.5]
    big = np.asarray(fn(x))
    one_by_one = np.array([fn(float(v)) for v in x.tolist()])
    assert big.tobytes() == one_by_one.tobytes()
    pair_x = RNG.uniform(0, 3, 2000)
    assert (
        np.asarray(el.power(pair_x, 1.7)).tobytes()
        == np.array([el.power(v, 1.7) for v in pair_x.tolist()]).tobytes()
    )


def test_a_scalar_gives_a_float_and_an_array_its_shape() -> None:
    assert isinstance(el.exp(0.5), float) and isinstance(el.log(np.float64(2.0)), float)
    assert np.shape(el.exp(np.ones((2, 3)))) == (2, 3)
    assert np.shape(el.exp(np.ones((4, 5)))) == (4, 5)
    assert np.shape(el.power(np.ones((2, 2)), 2.5)) == (2, 2)
