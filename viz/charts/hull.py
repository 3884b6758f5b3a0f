"""Convex hulls of bus positions, for the territories drawn on the grid map."""

from __future__ import annotations

import numpy as np


def _cross(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """The z of (a - o) x (b - o): > 0 for a left turn."""
    return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))


def _half_hull(seq: np.ndarray) -> list[np.ndarray]:
    """One chain of the monotone-chain hull (points sorted along x)."""
    out: list[np.ndarray] = []
    for p in seq:
        while len(out) >= 2 and _cross(out[-2], out[-1], p) <= 0:
            out.pop()
        out.append(p)
    return out


def convex_hull(points: np.ndarray) -> np.ndarray | None:
    """Convex hull of 2-D points (monotone chain), None for fewer than three distinct points."""
    pts = np.unique(points, axis=0)
    if len(pts) < 3:
        return None
    pts = pts[np.lexsort((pts[:, 1], pts[:, 0]))]
    lower, upper = _half_hull(pts), _half_hull(pts[::-1])
    return np.array(lower[:-1] + upper[:-1])
