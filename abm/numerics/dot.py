"""Dot products without BLAS: exactly rounded for vectors, a fixed order for matrices."""

from __future__ import annotations

import math

import numpy as np

#: Above this many products `exact_dot` drops the zero ones before `math.fsum` (same result,
#: fewer Python floats); below it the mask costs more than it saves.
_SPARSE_FROM = 64


def exact_dot(a: np.ndarray, b: np.ndarray) -> float:
    """Correctly rounded sum of the elementwise products of two vectors (``math.fsum``).

    Each product is one IEEE multiplication, and ``fsum`` rounds the exact sum once, so the
    result depends on no kernel, SIMD width or summation order.
    """
    products = np.multiply(np.asarray(a, dtype=float), np.asarray(b, dtype=float)).ravel()
    if products.size > _SPARSE_FROM:
        # zeros (of either sign) add nothing to the exact sum, and fsum of no terms is 0.0 as
        # fsum of zeros is, so dropping them gives the same float: the power market's CO2 dot
        # of ~900 units has ~2/3 zero products (units off or without emissions)
        products = products[products != 0.0]
    return math.fsum(products.tolist())


def weights_dot(weights: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``weights @ matrix`` for a vector and a 2-D array, summed row by row in a fixed order.

    ``(w[:, None] * m).sum(axis=0)`` multiplies elementwise and adds the rows one after the
    other (numpy's reduction over the leading axis), the same on every CPU.
    """
    weights = np.asarray(weights, dtype=float)
    matrix = np.asarray(matrix, dtype=float)
    return np.multiply(weights[:, None], matrix).sum(axis=0)
