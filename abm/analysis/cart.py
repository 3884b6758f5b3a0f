"""CART for comparison with PRIM: a shallow classification tree's leaves where a condition holds.

scikit-learn's `DecisionTreeClassifier` (Breiman et al. 1984) splits the sweep's lever space
into leaves; each leaf where most cases meet the condition is a box, read off its path of
splits. Categorical levers enter as the codes of their sorted categories, and a split on them
is read back as a set of categories. scikit-learn is the optional `analysis` extra; without it
`cart_boxes` raises ImportError and the caller reports that CART was skipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEPTH = 3  # three splits deep: at most 8 leaves, boxes of up to three levers a room can read


@dataclass(frozen=True)
class Leaf:
    """One leaf of the tree: its conditions in words and its coverage, density and mass."""

    conditions: tuple[str, ...]
    coverage: float
    density: float
    mass: float
    n_cases: int


def _encode(x: pd.DataFrame) -> tuple[np.ndarray, dict[str, list[object]]]:
    """Lever values as floats; categorical levers as codes of their sorted categories."""
    columns, categories = [], {}
    for c in x.columns:
        if pd.api.types.is_numeric_dtype(x[c]) and not pd.api.types.is_bool_dtype(x[c]):
            columns.append(x[c].to_numpy(dtype=float))
        else:
            cats = sorted(x[c].unique().tolist(), key=str)
            categories[c] = cats
            columns.append(x[c].map({v: i for i, v in enumerate(cats)}).to_numpy(dtype=float))
    return np.column_stack(columns), categories


def _conditions(path: list[tuple[int, float, bool]], x: pd.DataFrame, cats: dict) -> list[str]:
    """A leaf's path of splits as merged conditions, one per lever: `a > 1.2`, `m in {x, y}`."""
    lows: dict[int, float] = {}
    highs: dict[int, float] = {}
    for feature, threshold, left in path:
        if left:
            highs[feature] = min(highs.get(feature, math.inf), threshold)
        else:
            lows[feature] = max(lows.get(feature, -math.inf), threshold)
    out = []
    for j, name in enumerate(x.columns):
        lo, hi = lows.get(j, -math.inf), highs.get(j, math.inf)
        if lo == -math.inf and hi == math.inf:
            continue
        if name in cats:
            keep = [str(v) for i, v in enumerate(cats[name]) if lo < i <= hi]
            out.append(f"{name} in {{{', '.join(keep)}}}")
        elif lo > -math.inf and hi < math.inf:
            out.append(f"{lo:.4g} < {name} <= {hi:.4g}")
        else:
            out.append(f"{name} > {lo:.4g}" if lo > -math.inf else f"{name} <= {hi:.4g}")
    return out


def cart_boxes(
    x: pd.DataFrame, y: np.ndarray, depth: int = DEPTH, min_mass: float = 0.05
) -> list[Leaf]:
    """The leaves of a depth-limited tree whose density is at least one half, densest first."""
    from sklearn.tree import DecisionTreeClassifier

    features, cats = _encode(x)
    outcome = np.asarray(y, dtype=int)
    min_leaf = max(1, math.ceil(min_mass * len(outcome)))
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=min_leaf, random_state=0)
    tree.fit(features, outcome)
    t = tree.tree_
    leaf_of = tree.apply(features)
    hits = max(1, int(outcome.sum()))
    leaves: list[Leaf] = []

    def walk(node: int, path: list[tuple[int, float, bool]]) -> None:
        if t.children_left[node] == -1:
            members = leaf_of == node
            n, k = int(members.sum()), int(outcome[members].sum())
            if n and k / n >= 0.5:
                conditions = tuple(_conditions(path, x, cats))
                leaves.append(Leaf(conditions, k / hits, k / n, n / len(outcome), n))
            return
        feature, threshold = int(t.feature[node]), float(t.threshold[node])
        walk(int(t.children_left[node]), [*path, (feature, threshold, True)])
        walk(int(t.children_right[node]), [*path, (feature, threshold, False)])

    walk(0, [])
    return sorted(leaves, key=lambda leaf: (-leaf.density, -leaf.coverage))
