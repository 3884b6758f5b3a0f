"""abm.metrics.paired on synthetic per-seed values with answers worked out by hand."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from abm.metrics.paired import (
    BEYOND,
    IDENTICAL,
    NO_DATA,
    TOO_FEW,
    WITHIN,
    paired_difference,
    paired_kpis,
)

T_975_DF3 = 3.182446305284263  # Student t, 97.5 % quantile, 3 degrees of freedom (tables)


def test_known_interval_excludes_zero():
    """Differences 1, 2, 3, 4: mean 2.5, sd sqrt(5/3), interval 2.5 ± t(3) sd / 2."""
    r = paired_difference([10, 10, 10, 10], [11, 12, 13, 14])
    sd = math.sqrt(5 / 3)
    assert (r.n, r.n_missing) == (4, 0)
    assert r.mean_a == 10 and r.mean_b == 12.5 and r.difference == pytest.approx(2.5)
    assert r.sd == pytest.approx(sd)
    assert r.half_width == pytest.approx(T_975_DF3 * sd / 2)
    assert r.low == pytest.approx(2.5 - T_975_DF3 * sd / 2)
    assert (r.min_difference, r.max_difference) == (1, 4)
    assert r.verdict == BEYOND


def test_interval_matches_scipy_paired_t_test():
    """The interval is the one scipy's paired t-test gives for the same numbers."""
    a = [3.1, 2.7, 4.4, 3.9, 2.2, 3.3]
    b = [3.6, 2.6, 4.9, 4.6, 2.5, 3.2]
    r = paired_difference(a, b)
    ci = stats.ttest_rel(b, a).confidence_interval(0.95)
    assert (r.low, r.high) == (pytest.approx(ci.low), pytest.approx(ci.high))


def test_symmetric_differences_are_within_noise():
    """Differences +1, -1, +2, -2 average 0: the interval contains 0."""
    r = paired_difference([5, 5, 5, 5], [6, 4, 7, 3])
    assert r.difference == 0 and r.low < 0 < r.high
    assert r.verdict == WITHIN


def test_noise_larger_than_the_change_is_within_noise():
    """A small mean change under a large spread of differences is not beyond noise."""
    r = paired_difference([0, 0, 0], [10, -9, 2])
    assert r.difference == pytest.approx(1.0) and r.verdict == WITHIN


def test_identical_runs_have_zero_difference():
    """B equal to A on every seed: zero difference, zero-width interval, verdict identical."""
    r = paired_difference([1.5, 2.5, 7.0], [1.5, 2.5, 7.0])
    assert (r.difference, r.sd, r.low, r.high) == (0, 0, 0, 0)
    assert r.verdict == IDENTICAL


def test_constant_nonzero_difference_says_there_is_no_spread():
    """The same change on every seed is beyond noise, and the note says the spread is zero."""
    r = paired_difference([1, 2, 3], [3, 4, 5])
    assert r.verdict == BEYOND and r.low == r.high == 2
    assert "no spread" in r.note


def test_one_seed_has_no_interval():
    """One pair gives a difference but no interval."""
    r = paired_difference([1.0], [2.0])
    assert r.difference == 1 and math.isnan(r.low) and math.isnan(r.sd)
    assert r.verdict == TOO_FEW


def test_missing_values_are_dropped_and_counted():
    """A None, NaN or failed run on either side drops that seed and counts it."""
    r = paired_difference([1, None, 3, 4, math.nan], [2, 5, 4, 5, 1])
    assert (r.n, r.n_missing) == (3, 2) and r.difference == 1
    none = paired_difference([None, None], [1, 2])
    assert none.n == 0 and none.verdict == NO_DATA and none.as_dict()["difference"] is None
    assert math.isnan(none.mean_a) and none.mean_b == 1.5  # no pair: each side on its own seeds
    assert "B on 2 of 2 seeds" in none.note


def test_unequal_seeds_are_an_error():
    """A and B must come from the same seeds."""
    with pytest.raises(ValueError, match="same seeds"):
        paired_difference([1, 2], [1])


def test_paired_kpis_by_key_with_a_failed_run():
    """Flat KPI dicts per seed; a failed run (None) is a missing pair for every key."""
    a = [{"x": 1.0, "y": 0.0}, {"x": 2.0, "y": 0.0}, {"x": 3.0, "y": 0.0}]
    b = [{"x": 2.0, "y": 0.0}, None, {"x": 4.0, "y": 0.0}]
    out = paired_kpis(a, b)
    assert list(out) == ["x", "y"]
    assert out["x"].n == 2 and out["x"].n_missing == 1 and out["x"].difference == 1
    assert out["y"].verdict == IDENTICAL
