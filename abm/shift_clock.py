"""The representative day on the 24-hour clock: where each representative hour sits, how far apart.

The `market.*_hours_share` keys give each hour's length; a fixed order places them: solar midday
centred on noon, the shoulder hours split either side of it (morning and afternoon), the evening
peak after the afternoon shoulder, the off-peak night through to the morning shoulder. Work
moved from one hour to another waits about the distance between their centres on the circle,
which `demand.shift_max_delay_hours` caps (docs/shiftable-compute.md).
"""

from __future__ import annotations

import numpy as np

HOURS_PER_DAY = 24.0
NOON = 12.0  # solar midday is centred on solar noon
#: Distances this close to the max delay count as within it (clock sums carry round-off).
CLOCK_TOL_H = 1e-9
#: Clock order of the pieces from the start of the morning shoulder: (hour name, share of its length).
_LAYOUT = (
    ("shoulder", 0.5),
    ("solar_midday", 1.0),
    ("shoulder", 0.5),
    ("peak", 1.0),
    ("off_peak", 1.0),
)


def piece_centres(names: list[str], hours_per_day: np.ndarray) -> dict[str, list[float]]:
    """Clock time (h, 0-24) of the centre of each piece of each named hour; absent hours have none.

    `hours_per_day` are the hours' lengths in the same order as `names` (summing to 24).
    """
    length = dict(zip(names, (float(h) for h in hours_per_day), strict=True))
    start = NOON - length.get("solar_midday", 0.0) / 2.0 - length.get("shoulder", 0.0) / 2.0
    out: dict[str, list[float]] = {n: [] for n in names}
    for name, part in _LAYOUT:
        span = length.get(name, 0.0) * part
        if name in out and span > 0:
            out[name].append((start + span / 2.0) % HOURS_PER_DAY)
        start += span
    return out


def _circle(a: float, b: float) -> float:
    """Distance between two clock times on the 24-hour circle."""
    d = abs(a - b) % HOURS_PER_DAY
    return min(d, HOURS_PER_DAY - d)


def hour_distance_h(names: list[str], hours_per_day: np.ndarray) -> np.ndarray:
    """(hour, hour) distance in hours between the nearest pieces' centres; 0 on the diagonal."""
    centres = piece_centres(names, hours_per_day)
    n = len(names)
    out = np.zeros((n, n))
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            pairs = [_circle(x, y) for x in centres[a] for y in centres[b]]
            out[i, j] = 0.0 if i == j else min(pairs, default=HOURS_PER_DAY)
    return out


def reachable(names: list[str], hours_per_day: np.ndarray, max_delay_h: float) -> np.ndarray:
    """(from, to) whether work may move between two hours: their distance is within the max delay."""
    return hour_distance_h(names, hours_per_day) <= max_delay_h + CLOCK_TOL_H
