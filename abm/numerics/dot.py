"""Dot products without BLAS: exactly rounded for vectors, a fixed order for matrices."""

from __future__ import annotations

import math

import numpy as np


def exact_dot(a: np.ndarray, b: np.ndarray) -> float:
    """Correctly rounded sum of the elementwise products of two vectors (``math.fsum``).

    Each product is one IEEE multiplication, and ``fsum`` rounds the exact sum once, so the
    result depends on no kernel, SIMD width or summation order.
    """
    if _small_pair(a, b):  # a few floats (grades, chemistries): Python's products, the same bits
        return math.fsum([x * y for x, y in zip(a.tolist(), b.tolist(), strict=True)])
    products = np.multiply(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    return math.fsum(products.ravel().tolist())


_SMALL_DOT = 16
"""Up to this many elements `exact_dot` multiplies in Python: numpy's per-call cost dominates."""


def _small_pair(a: object, b: object) -> bool:
    """Two float64 vectors of one small length (no broadcasting), for `exact_dot`'s Python path."""
    return (
        isinstance(a, np.ndarray)
        and isinstance(b, np.ndarray)
        and a.dtype == np.float64
        and b.dtype == np.float64
        and a.ndim == 1
        and a.shape == b.shape
        and a.size <= _SMALL_DOT
    )


def weights_dot(weights: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``weights @ matrix`` for a vector and a 2-D array, summed row by row in a fixed order.

    ``(w[:, None] * m).sum(axis=0)`` multiplies elementwise and adds the rows one after the
    other (numpy's reduction over the leading axis), the same on every CPU.
    """
    weights = np.asarray(weights, dtype=float)
    matrix = np.asarray(matrix, dtype=float)
    return np.multiply(weights[:, None], matrix).sum(axis=0)
