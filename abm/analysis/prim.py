"""PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999): boxes where a condition holds.

Given cases (rows of lever values) and a 0/1 outcome (1 = the condition of interest holds), PRIM
starts from the box holding every case and peels: each step removes the slice (a fraction
`alpha` of the box's cases at the bottom or top of one numeric lever, or one category of a
categorical lever) that raises the box's density (the share of its cases with outcome 1) the
most per case removed, until the box holds fewer than `min_mass` of all cases. The boxes along
the way are the peeling trajectory: coverage (share of all outcome-1 cases inside), density and
mass (share of all cases inside) trade against each other. A chosen box is then pasted: slices
are added back one at a time while that raises its density. Written for powerstack from the
paper's description (sections 4-6); no code is copied from other implementations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

ALPHA = 0.05  # Friedman & Fisher's suggested peeling fraction (0.05-0.10)
MIN_MASS = 0.05  # stop peeling below 5 % of the cases (their beta_0)


@dataclass(frozen=True)
class Box:
    """A box: numeric limits (inclusive) and allowed categories per lever, with its statistics."""

    limits: dict[str, tuple[float, float]]
    categories: dict[str, frozenset[Any]]
    coverage: float = math.nan
    density: float = math.nan
    mass: float = math.nan
    n_cases: int = 0

    def restricted(self, full: Box) -> list[str]:
        """The levers this box narrows compared with the full box, in lever order."""
        keys = [*self.limits, *self.categories]
        return [
            k
            for k in keys
            if (k in self.limits and self.limits[k] != full.limits[k])
            or (k in self.categories and self.categories[k] != full.categories[k])
        ]


@dataclass
class PrimResult:
    """The peeling trajectory (full box first), the chosen step and the chosen box after pasting."""

    trajectory: list[Box]
    chosen_step: int
    box: Box
    full: Box
    levers: list[str] = field(default_factory=list)


def _split_columns(x: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Numeric levers and categorical ones (strings, booleans, objects)."""
    numeric = [
        c
        for c in x.columns
        if pd.api.types.is_numeric_dtype(x[c]) and not pd.api.types.is_bool_dtype(x[c])
    ]
    return numeric, [c for c in x.columns if c not in numeric]


def full_box(x: pd.DataFrame) -> Box:
    """The box that holds every case: each lever's observed range or categories."""
    numeric, categorical = _split_columns(x)
    return Box(
        {c: (float(x[c].min()), float(x[c].max())) for c in numeric},
        {c: frozenset(x[c].unique().tolist()) for c in categorical},
    )


Cases = dict[str, np.ndarray]
"""The cases as one numpy array per lever (floats for numeric levers, objects otherwise)."""


def as_cases(x: pd.DataFrame) -> Cases:
    """A frame of lever values as arrays, converted once (peeling tests boxes thousands of times)."""
    numeric, _ = _split_columns(x)
    return {c: x[c].to_numpy(dtype=float if c in numeric else object) for c in x.columns}


def inside(x: Cases | pd.DataFrame, box: Box) -> np.ndarray:
    """Which cases lie in a box (a boolean mask over the rows)."""
    cols = as_cases(x) if isinstance(x, pd.DataFrame) else x
    mask = np.ones(len(next(iter(cols.values()))), dtype=bool)
    for c, (lo, hi) in box.limits.items():
        v = cols[c]
        mask &= (v >= lo) & (v <= hi)
    for c, allowed in box.categories.items():
        mask &= np.isin(cols[c], list(allowed))
    return mask


def with_stats(x: Cases, y: np.ndarray, box: Box) -> Box:
    """The box with its coverage, density, mass and number of cases filled in."""
    mask = inside(x, box)
    n_in, hits = int(mask.sum()), float(y[mask].sum())
    total_hits = float(y.sum())
    return replace(
        box,
        coverage=hits / total_hits if total_hits else math.nan,
        density=hits / n_in if n_in else math.nan,
        mass=n_in / len(y) if len(y) else math.nan,
        n_cases=n_in,
    )


def _peels(x: Cases, mask: np.ndarray, box: Box, alpha: float) -> list[Box]:
    """Every candidate peel of a box: a quantile slice off either end of a lever, or a category."""
    out = []
    for c, (lo, hi) in box.limits.items():
        v = x[c][mask]
        low_q = float(np.quantile(v, alpha, method="lower"))
        above = v[v > low_q]
        if len(above):  # drop every case at or below the alpha quantile (at least the minimum)
            out.append(replace(box, limits={**box.limits, c: (float(above.min()), hi)}))
        high_q = float(np.quantile(v, 1 - alpha, method="higher"))
        below = v[v < high_q]
        if len(below):
            out.append(replace(box, limits={**box.limits, c: (lo, float(below.max()))}))
    for c, allowed in box.categories.items():
        present = set(x[c][mask].tolist())
        if len(present) > 1:
            for cat in sorted(present, key=str):
                out.append(replace(box, categories={**box.categories, c: allowed - {cat}}))
    return out


def _best(x: Cases, y: np.ndarray, box: Box, candidates: Sequence[Box], peel: bool) -> Box | None:
    """The candidate that changes density the most per case moved (None if every paste lowers it).

    Ties go to the candidate listed first (levers in column order, bottom before top), so the
    result is deterministic.
    """
    base = with_stats(x, y, box)
    best, best_rate = None, -math.inf
    for cand in candidates:
        stats = with_stats(x, y, cand)
        moved = abs(base.n_cases - stats.n_cases)
        if moved == 0 or stats.n_cases == 0:
            continue
        rate = (stats.density - base.density) / moved
        if rate > best_rate + 1e-12:
            best, best_rate = stats, rate
    if best is not None and not peel and best_rate < -1e-12:
        return None
    return best


def peel(
    x: Cases, y: np.ndarray, full: Box, alpha: float = ALPHA, min_mass: float = MIN_MASS
) -> list[Box]:
    """The peeling trajectory from the full box until the next box would hold < `min_mass`."""
    box = with_stats(x, y, full)
    trajectory = [box]
    while True:
        mask = inside(x, box)
        nxt = _best(x, y, box, _peels(x, mask, box, alpha), peel=True)
        if nxt is None or nxt.mass < min_mass:
            return trajectory
        box = nxt
        trajectory.append(box)


def _pastes(x: Cases, box: Box, full: Box, alpha: float) -> list[Box]:
    """Every candidate paste: widen one limit by about `alpha` of the box's cases, or a category."""
    mask = inside(x, box)
    n_add = max(1, math.ceil(alpha * int(mask.sum())))
    out = []
    for c, (lo, hi) in box.limits.items():
        others = inside(x, replace(box, limits={**box.limits, c: full.limits[c]}))
        v = x[c]
        below, above = np.sort(v[others & (v < lo)]), np.sort(v[others & (v > hi)])
        if len(below):
            out.append(replace(box, limits={**box.limits, c: (float(below[-n_add:][0]), hi)}))
        if len(above):
            out.append(replace(box, limits={**box.limits, c: (lo, float(above[:n_add][-1]))}))
    for c, allowed in box.categories.items():
        for cat in sorted(full.categories[c] - allowed, key=str):
            out.append(replace(box, categories={**box.categories, c: allowed | {cat}}))
    return out


def paste(x: Cases, y: np.ndarray, box: Box, full: Box, alpha: float = ALPHA) -> Box:
    """Widen a box slice by slice while its density does not fall (Friedman & Fisher, section 6).

    A paste at equal density still gains coverage; every paste adds cases, so it ends.
    """
    box = with_stats(x, y, box)
    while (nxt := _best(x, y, box, _pastes(x, box, full, alpha), peel=False)) is not None:
        box = nxt
    return box


def choose_step(trajectory: Sequence[Box], min_coverage: float) -> int:
    """The densest box that still covers `min_coverage` of the cases of interest.

    Of equally dense boxes the one with the most coverage (the earliest) wins.
    """
    ok = [i for i, b in enumerate(trajectory) if b.coverage >= min_coverage]
    if not ok:
        return 0
    return max(ok, key=lambda i: (round(trajectory[i].density, 9), trajectory[i].coverage))


def prim(
    x: pd.DataFrame,
    y: Sequence[bool] | np.ndarray,
    *,
    alpha: float = ALPHA,
    min_mass: float = MIN_MASS,
    min_coverage: float = 0.5,
) -> PrimResult:
    """Peel, choose the densest box with at least `min_coverage`, and paste it."""
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha {alpha}: expected a fraction in (0, 0.5)")
    x = x.reset_index(drop=True)
    outcome = np.asarray(y, dtype=float)
    if len(outcome) != len(x):
        raise ValueError(f"{len(x)} cases but {len(outcome)} outcomes")
    cases = as_cases(x)
    trajectory = peel(cases, outcome, full_box(x), alpha, min_mass)
    step = choose_step(trajectory, min_coverage)
    full = trajectory[0]
    box = paste(cases, outcome, trajectory[step], full, alpha)
    return PrimResult(trajectory, step, box, full, list(x.columns))


def box_ranges(box: Box, full: Box) -> Mapping[str, str]:
    """Each restricted lever's range or categories as text, for printing."""
    out: dict[str, str] = {}
    for key in box.restricted(full):
        if key in box.limits:
            lo, hi = box.limits[key]
            out[key] = f"{lo:.4g} .. {hi:.4g}"
        else:
            out[key] = ", ".join(sorted(map(str, box.categories[key])))
    return out
