"""Exact Shapley values and interaction terms of k levers from the 2^k runs of their subsets.

A KPI is a set function v(S) over the subsets S of the changed levers (S switched to the target's
values, the rest at the base's). Its Harsanyi dividends d(T) (the Moebius transform of v: the
part of v that appears only when every lever of T is switched together) give everything:
d({i}) is lever i's effect alone, d(T) for |T| >= 2 is an interaction term, and lever i's
Shapley value is phi_i = sum over T containing i of d(T) / |T| (each interaction shared equally
among its levers). The dividends of all non-empty T add up to v(all) - v(none), so the Shapley
values do too (Shapley 1953; Harsanyi 1963; Grabisch 1997 for the transform).
Subsets are bit masks: bit i set means lever i is switched to the target.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def popcount(mask: int) -> int:
    """Number of levers switched in a subset mask."""
    return mask.bit_count()


def dividends(values: np.ndarray) -> np.ndarray:
    """Harsanyi dividends d(T) of v(S), for every mask T (row 0 is v(none) itself).

    `values` has one row per subset mask (2^k rows, in mask order) and one column per seed.
    """
    n_subsets = values.shape[0]
    k = n_subsets.bit_length() - 1
    if n_subsets != 1 << k:
        raise ValueError(f"expected 2^k subset rows, got {n_subsets}")
    d = np.array(values, dtype=float, copy=True)
    for i in range(k):  # Moebius inversion over the subset lattice, one lever at a time
        bit = 1 << i
        for mask in range(n_subsets):
            if mask & bit:
                d[mask] -= d[mask ^ bit]
    return d


def shapley_values(values: np.ndarray) -> np.ndarray:
    """Per lever and seed, the exact Shapley value (rows: levers 0..k-1; columns: seeds)."""
    d = dividends(values)
    k = values.shape[0].bit_length() - 1
    phi = np.zeros((k, values.shape[1]))
    for mask in range(1, values.shape[0]):
        share = d[mask] / popcount(mask)
        for i in range(k):
            if mask & (1 << i):
                phi[i] += share
    return phi


def interaction_masks(k: int) -> list[int]:
    """Masks of every interaction term (two or more levers), by size and then mask order."""
    return sorted((m for m in range(1 << k) if popcount(m) >= 2), key=lambda m: (popcount(m), m))


def mask_label(mask: int, names: Sequence[str], joiner: str = " x ") -> str:
    """The levers of a subset mask, joined ('none' for the empty subset)."""
    picked = [name for i, name in enumerate(names) if mask & (1 << i)]
    return joiner.join(picked) if picked else "none"
