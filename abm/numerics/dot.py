"""Dot products without BLAS: exactly rounded for vectors, a fixed order for matrices."""

from __future__ import annotations

import math

import numpy as np


def exact_dot(a: np.ndarray, b: np.ndarray) -> float:
    """Correctly rounded sum of the elementwise products of two vectors (``math.fsum``).

    Each product is one IEEE multiplication, and ``fsum`` rounds the exact sum once, so the
    result depends on no kernel, SIMD width or summation order.
    """
    products = np.multiply(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    return math.fsum(products.ravel().tolist())


def weights_dot(weights: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``weights @ matrix`` for a vector and a 2-D array, summed row by row in a fixed order.

    ``(w[:, None] * m).sum(axis=0)`` multiplies elementwise and adds the rows one after the
    other (numpy's reduction over the leading axis), the same on every CPU.
    """
    weights = np.asarray(weights, dtype=float)
    matrix = np.asarray(matrix, dtype=float)
    return np.multiply(weights[:, None], matrix).sum(axis=0)
