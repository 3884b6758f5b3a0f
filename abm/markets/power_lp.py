"""The power market's LP pieces as plain arrays: the balance block and the solution read-back.

Kept out of scipy.sparse on purpose: `sp.hstack` of four blocks costs ~0.6 ms on case118, more
than HiGHS's cold solve of the LP, and `np.asarray` of HiGHS's solution lists 2.7x a sized
`np.fromiter`. Each function gives the same arrays, bit for bit, as the scipy or numpy call it
replaces (tests/test_power_market.py checks the balance block against `sp.hstack`).
"""

from __future__ import annotations

import highspy
import numpy as np
import scipy.sparse as sp

__all__ = ["balance_csc", "solution_arrays"]


def balance_csc(
    bbus: sp.csc_matrix, gen_bus: np.ndarray, copper_plate: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Balance rows' coefficients (CSC start, index, value) of all columns for these generators.

    Network mode: the columns [shed | curtail | angles | generators] of
    `sp.hstack([I, I, -Bbus, G], format="csc")`, concatenated column by column as that call
    does; on a copper plate one system balance row of ones.
    """
    n, n_gen = bbus.shape[0], len(gen_bus)
    if copper_plate:
        n_col = 2 * n + n_gen
        return (
            np.arange(n_col + 1, dtype=np.int32),
            np.zeros(n_col, dtype=np.int32),
            np.ones(n_col),
        )
    nnz = bbus.indptr[-1]
    start = np.concatenate(
        (
            np.arange(2 * n, dtype=np.int64),
            2 * n + bbus.indptr.astype(np.int64),
            2 * n + nnz + np.arange(1, n_gen + 1, dtype=np.int64),
        )
    ).astype(np.int32)
    eye = np.arange(n, dtype=np.int32)
    index = np.concatenate(
        (eye, eye, bbus.indices[:nnz].astype(np.int32), gen_bus.astype(np.int32))
    )
    value = np.concatenate((np.ones(2 * n), -bbus.data[:nnz], np.ones(n_gen)))
    return start, index, value


def solution_arrays(highs: highspy.Highs) -> tuple[np.ndarray, np.ndarray]:
    """Column values and row duals of the last solve as float arrays (sized `np.fromiter`)."""
    solution = highs.getSolution()
    x, y = solution.col_value, solution.row_dual
    return np.fromiter(x, np.float64, len(x)), np.fromiter(y, np.float64, len(y))
