"""The points of each wave: a Latin hypercube over the prior ranges, then inside what stays.

Wave 1 is a Latin hypercube (scipy.stats.qmc) over the parameters' ranges. Wave k+1 samples
inside the non-implausible region of the points run so far: a Latin hypercube of candidates over
the bounding box of the non-implausible points, of which a candidate is kept when its nearest
run point (in coordinates scaled to the prior ranges) was non-implausible, a nearest-neighbour
stand-in for an emulator. Every draw comes from a stream of `abm.streams.Streams(seed)`, so the
design depends only on the spec and the results, never on execution order.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import qmc

from abm.calibration.spec import CalibrationSpec
from abm.streams import Streams

CANDIDATES_PER_POINT = 50  # candidates drawn per point kept in waves after the first


def _lhs(n: int, low: np.ndarray, high: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Latin-hypercube points (n of them) in the box [low, high]."""
    unit = qmc.LatinHypercube(low.size, rng=rng).random(n)
    return low + unit * (high - low)


def prior_box(spec: CalibrationSpec) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of the parameters' prior ranges, in spec order."""
    return (
        np.array([p.min for p in spec.parameters], float),
        np.array([p.max for p in spec.parameters], float),
    )


def first_wave(spec: CalibrationSpec, n_points: int) -> np.ndarray:
    """(n_points, parameters): a Latin hypercube over the prior ranges."""
    low, high = prior_box(spec)
    return _lhs(n_points, low, high, Streams(spec.seed).generator("calibration.design", 1))


def next_wave(
    spec: CalibrationSpec,
    wave: int,
    run_points: np.ndarray,
    kept: np.ndarray,
    last_wave: np.ndarray,
    n_points: int,
) -> np.ndarray:
    """(n_points, parameters) inside the non-implausible region of the last wave.

    Candidates fill the bounding box of the last wave's kept points (`kept & last_wave`, masks
    over `run_points`, every point run so far); a candidate whose nearest run point was
    implausible is dropped. When fewer than n_points survive, the rest are the candidates
    nearest to a kept point, so the wave keeps its size.
    """
    box = kept & last_wave
    if not box.any():
        raise ValueError("no non-implausible point to sample around")
    low, high = prior_box(spec)
    scale = high - low
    box_low, box_high = run_points[box].min(axis=0), run_points[box].max(axis=0)
    flat = box_high <= box_low
    box_high = np.where(flat, np.minimum(box_low + 0.01 * scale, high), box_high)
    box_low = np.where(flat, box_high - 0.01 * scale, box_low)
    rng = Streams(spec.seed).generator("calibration.design", wave)
    cands = _lhs(n_points * CANDIDATES_PER_POINT, box_low, box_high, rng)
    scaled = (cands[:, None, :] - run_points[None, :, :]) / scale
    dist = np.sqrt(np.sum(scaled * scaled, axis=2))  # pairwise sums, no BLAS (abm.numerics)
    nearest = dist.argmin(axis=1)
    inside = kept[nearest]
    to_kept = np.where(kept[None, :], dist, np.inf).min(axis=1)
    by_kind = np.lexsort((to_kept, ~inside))  # inside first, then outside nearest to a kept point
    outside = by_kind[int(inside.sum()) :]
    order = np.concatenate([np.flatnonzero(inside), outside])  # inside ones in draw order
    return cands[order[:n_points]]
