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

__all__ = ["balance_csc", "network_matrices", "solution_arrays"]


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


def network_matrices(
    line_from: np.ndarray, line_to: np.ndarray, b_mw_per_rad: np.ndarray, n_bus: int
) -> tuple[sp.csr_matrix, sp.csc_matrix]:
    """Line flows per angle (`bf`, CSR) and nodal outflows per angle (`Bbus`, CSC) from arrays.

    The same arrays, bit for bit and entry for entry, as the scipy build
    `bf = (diags(b) @ A).tocsr()` and `Bbus = (A.T @ bf).tocsc()` with A the line-bus
    incidence (+1 at the from bus, -1 at the to bus), in a tenth of its time (~0.6 ms on
    case118, more than half a cold HiGHS solve). scipy's sparse product lists each output
    column's entries in reverse order of first use and sums each entry in line order; both
    are reproduced here (tests/test_power_market.py checks against scipy). Lines join two
    different buses and b > 0, so every row of `bf` has two entries and no sum is zero.
    """
    f, t = line_from.astype(np.int64), line_to.astype(np.int64)
    b = np.asarray(b_mw_per_rad, dtype=float)
    n_line = len(b)
    lo, hi = np.minimum(f, t), np.maximum(f, t)
    b_at_hi = np.where(hi == f, b, -b)  # the flow's coefficient on each end's angle
    ends = np.empty((n_line, 2), dtype=np.int64)  # a row lists its columns [hi, lo]
    ends[:, 0], ends[:, 1] = hi, lo
    coef = np.empty((n_line, 2))
    coef[:, 0], coef[:, 1] = b_at_hi, -b_at_hi
    bf = sp.csr_matrix(
        (
            coef.ravel(),
            ends.ravel().astype(np.int32),
            np.arange(0, 2 * n_line + 1, 2, dtype=np.int32),
        ),
        shape=(n_line, n_bus),
    )
    # Bbus column j: for each line at j (ascending), its buses [lo, hi] add +b (j itself) or -b
    line_at = np.concatenate((np.arange(n_line), np.arange(n_line)))
    col = np.concatenate((f, t))
    order = np.lexsort((line_at, col))  # by column, then line
    col, line_at = col[order], line_at[order]
    bus = np.empty((len(col), 2), dtype=np.int64)
    bus[:, 0], bus[:, 1] = lo[line_at], hi[line_at]
    term_col = np.repeat(col, 2)
    term_bus = bus.ravel()
    term = np.where(term_bus == term_col, np.repeat(b[line_at], 2), -np.repeat(b[line_at], 2))
    key = term_col * n_bus + term_bus
    uniq, first, entry = np.unique(key, return_index=True, return_inverse=True)
    value = np.zeros(len(uniq))
    np.add.at(value, entry, term)  # sequential, in line order within each entry
    entry_col = uniq // n_bus
    out = np.lexsort((-first, entry_col))  # by column, latest first use first
    indptr = np.zeros(n_bus + 1, dtype=np.int32)
    np.cumsum(np.bincount(entry_col, minlength=n_bus), out=indptr[1:])
    bbus = sp.csc_matrix(
        (value[out], (uniq[out] % n_bus).astype(np.int32), indptr), shape=(n_bus, n_bus)
    )
    return bf, bbus
