"""Paired comparisons: is B's change against A larger than seed-to-seed noise?

A and B run on the same seeds, so each seed gives one difference B - A. The mean of those
differences with a Student-t interval over them (n - 1 degrees of freedom) says how large the
change is and how sure we can be of it; the verdict reads the interval. Pure functions of the
per-seed values: the command line, the scenario page and the app all use them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

CONFIDENCE = 0.95
BEYOND = "beyond noise"  # the interval excludes 0
WITHIN = "within noise"  # the interval contains 0
IDENTICAL = "identical"  # B equals A on every seed: no change at all
TOO_FEW = "too few seeds"  # fewer than two complete pairs: no interval
NO_DATA = "no data"  # the KPI is undefined (or the run failed) on every seed


@dataclass(frozen=True)
class PairedDifference:
    """B against A on the same seeds; `difference` = mean of (B - A) per seed, in the KPI's unit.

    `n` counts seeds where both values exist; `n_missing` the seeds dropped because one side is
    undefined (NaN, None) or its run failed. The means are over the complete pairs (so that
    `difference` = `mean_b` - `mean_a`); only with no pair at all is each over its own seeds. `sd` is the sample standard deviation of the
    per-seed differences (their spread); `low`/`high` the t-interval of their mean (NaN for
    n < 2). `note` says in words why a verdict is what it is when that is not obvious.
    """

    n: int
    n_missing: int
    mean_a: float
    mean_b: float
    difference: float
    sd: float
    low: float
    high: float
    min_difference: float
    max_difference: float
    verdict: str
    note: str = ""

    @property
    def half_width(self) -> float:
        """Half the interval's width (the ± of the difference); NaN without an interval."""
        return (self.high - self.low) / 2

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: every field, NaN written as None."""
        return {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in asdict(self).items()
        }


def _finite(x: Any) -> float:
    """A per-seed value as a float; NaN for None, non-numbers and infinities."""
    if isinstance(x, bool) or not isinstance(x, (int, float, np.number)):
        return math.nan
    value = float(x)
    return value if math.isfinite(value) else math.nan


def _verdict(n: int, diffs: np.ndarray, sd: float, low: float, high: float) -> tuple[str, str]:
    """The verdict and its note for n complete pairs with these differences."""
    if n == 0:
        return NO_DATA, "no seed has a value on both sides"
    if np.all(diffs == 0):
        return IDENTICAL, "B equals A on " + ("the one seed" if n == 1 else f"all {n} seeds")
    if n < 2:
        return TOO_FEW, "one seed gives a difference but no interval; run more seeds"
    if sd == 0:
        return BEYOND, f"the same difference on all {n} seeds (no spread)"
    if low > 0 or high < 0:
        return BEYOND, ""
    return WITHIN, ""


def paired_difference(
    a: Sequence[Any], b: Sequence[Any], confidence: float = CONFIDENCE
) -> PairedDifference:
    """Paired mean difference B - A with a t-interval over the per-seed differences.

    `a[i]` and `b[i]` are one KPI on the same seed i; a pair with a missing value on either side
    is dropped and counted in `n_missing` (never silently). The verdict is `beyond noise` when
    the interval excludes 0, `within noise` when it contains 0, and says so plainly for fewer
    than two pairs (`too few seeds`), for no change at all (`identical`) and for no data.
    """
    if len(a) != len(b):
        raise ValueError(f"paired values need the same seeds: {len(a)} values of A, {len(b)} of B")
    pairs = np.array([(_finite(x), _finite(y)) for x, y in zip(a, b, strict=True)], dtype=float)
    pairs = pairs.reshape(-1, 2)
    complete = pairs[~np.isnan(pairs).any(axis=1)]
    n = len(complete)
    diffs = complete[:, 1] - complete[:, 0]
    nan = math.nan
    # with no complete pair, each side's mean over its own seeds still tells what one side did
    a_side = complete[:, 0] if n else pairs[~np.isnan(pairs[:, 0]), 0]
    b_side = complete[:, 1] if n else pairs[~np.isnan(pairs[:, 1]), 1]
    mean_a = float(a_side.mean()) if len(a_side) else nan
    mean_b = float(b_side.mean()) if len(b_side) else nan
    difference = float(diffs.mean()) if n else nan
    sd = float(diffs.std(ddof=1)) if n >= 2 else nan
    low = high = nan
    if n >= 2:
        from scipy import stats  # here, where used: scipy.stats costs every importer ~0.5 s

        half = float(stats.t.ppf(0.5 + confidence / 2, df=n - 1)) * sd / math.sqrt(n)
        low, high = difference - half, difference + half
    verdict, note = _verdict(n, diffs, sd, low, high)
    if verdict == NO_DATA:
        note += f" (A has one on {len(a_side)}, B on {len(b_side)} of {len(pairs)} seeds)"
    return PairedDifference(
        n=n,
        n_missing=len(pairs) - n,
        mean_a=mean_a,
        mean_b=mean_b,
        difference=difference,
        sd=sd,
        low=low,
        high=high,
        min_difference=float(diffs.min()) if n else nan,
        max_difference=float(diffs.max()) if n else nan,
        verdict=verdict,
        note=note,
    )


def paired_kpis(
    a: Sequence[Mapping[str, Any] | None],
    b: Sequence[Mapping[str, Any] | None],
    keys: Sequence[str] | None = None,
    confidence: float = CONFIDENCE,
) -> dict[str, PairedDifference]:
    """Per KPI key, the paired difference of flat KPI dicts (one per seed; None = the run failed).

    Keys default to every key any run reports, in the order they first appear.
    """
    if keys is None:
        keys = list(dict.fromkeys(k for run in (*a, *b) if run is not None for k in run))

    def column(runs: Sequence[Mapping[str, Any] | None], key: str) -> list[Any]:
        return [None if run is None else run.get(key) for run in runs]

    return {key: paired_difference(column(a, key), column(b, key), confidence) for key in keys}
