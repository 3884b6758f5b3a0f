"""Sparse LDLᵀ factorisation and solves of a symmetric positive definite matrix, without BLAS.

SuperLU (``scipy.sparse.linalg.splu``) hands its supernodal updates to BLAS, so the factors
and every solve change in the last bits with the BLAS kernel and thread count. This solver
does the same job with a fixed order of operations on every machine: a minimum-degree
ordering (ties to the lowest index), a left-looking numeric factorisation column by column
(products and sums in numpy, accumulated by ``np.bincount``), and triangular solves
scheduled by levels of the elimination tree (``np.add.reduceat``). Built for the reduced
susceptance matrices of DC power flow (20 to 10,000 buses, a few nonzeros per row).
"""

from __future__ import annotations

import heapq

import numpy as np
import scipy.sparse as sp

from abm.errors import InputError


def minimum_degree_order(matrix: sp.csr_matrix) -> tuple[np.ndarray, list[list[int]]]:
    """Elimination order (exact minimum degree, lowest index first) and each pivot's later neighbours.

    The neighbours of a node when it is eliminated are the rows of its column of L, so the
    ordering is also the symbolic factorisation.
    """
    n = matrix.shape[0]
    indptr, indices = matrix.indptr, matrix.indices
    adjacency = [set(indices[indptr[i] : indptr[i + 1]].tolist()) - {i} for i in range(n)]
    heap = [(len(nbrs), i) for i, nbrs in enumerate(adjacency)]
    heapq.heapify(heap)
    done = bytearray(n)
    order: list[int] = []
    neighbours: list[list[int]] = []
    while heap:
        degree, v = heapq.heappop(heap)
        if done[v] or degree != len(adjacency[v]):
            continue  # eliminated already, or a stale degree
        done[v] = 1
        nbrs = adjacency[v]
        order.append(v)
        neighbours.append(sorted(nbrs))
        for u in nbrs:
            adj_u = adjacency[u]
            adj_u |= nbrs
            adj_u.discard(u)
            adj_u.discard(v)
            heapq.heappush(heap, (len(adj_u), u))
        adjacency[v] = set()
    return np.array(order, dtype=np.int64), neighbours


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenated index ranges ``starts[i] .. starts[i] + lengths[i] - 1``."""
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))


class SparseLDL:
    """P A Pᵀ = L D Lᵀ of a sparse SPD matrix A; ``solve`` gives A⁻¹ b with machine-independent bytes."""

    def __init__(self, matrix: sp.spmatrix) -> None:
        """Order, factorise and schedule the solves of a square symmetric positive definite matrix."""
        a = sp.csr_matrix(matrix, dtype=float)
        if a.shape[0] != a.shape[1]:
            raise InputError(f"SparseLDL: matrix is {a.shape}, expected square")
        a.sum_duplicates()
        n = self.n = a.shape[0]
        order, neighbours = minimum_degree_order(a)
        inverse = np.empty(n, dtype=np.int64)
        inverse[order] = np.arange(n)
        self.order = order
        # Column j of the factor (new labels) holds its pivot first, then its L rows ascending.
        counts = np.array([1 + len(nb) for nb in neighbours], dtype=np.int64)
        self._ptr = np.r_[0, np.cumsum(counts)]
        new_label = inverse.tolist()
        rows: list[int] = []
        for j, nb in enumerate(neighbours):
            rows.append(j)
            rows.extend(sorted(new_label[u] for u in nb))
        self._rows = np.array(rows, dtype=np.int64)
        self._vals = self._factorise(a, inverse)
        self._schedule()

    def _lower_entries(self, a: sp.csr_matrix, inverse: np.ndarray) -> np.ndarray:
        """A's entries on and below the diagonal (new labels) scattered into the factor's slots."""
        coo = a.tocoo()
        row, col = inverse[coo.row], inverse[coo.col]
        lower = row >= col
        row, col, val = row[lower], col[lower], coo.data[lower]
        slots = np.zeros(len(self._rows))
        # rows within a column are sorted, so a binary search in each column finds the slot
        key = col * self.n + row
        slot_key = np.repeat(np.arange(self.n), np.diff(self._ptr)) * self.n + self._rows
        slots[np.searchsorted(slot_key, key)] = val
        return slots

    def _factorise(self, a: sp.csr_matrix, inverse: np.ndarray) -> np.ndarray:
        """Left-looking LDLᵀ: column j gathers the updates of every earlier column with a row j."""
        n, ptr, rows = self.n, self._ptr, self._rows
        vals = self._lower_entries(a, inverse)
        # For each row i, the earlier columns k with L[i, k] != 0 and that entry's slot.
        below = np.ones(len(rows), dtype=bool)
        below[ptr[:-1]] = False
        slot = np.flatnonzero(below)
        col_of = np.repeat(np.arange(n), np.diff(ptr))[slot]
        by_row = np.lexsort((col_of, rows[slot]))
        row_cols, row_slots = col_of[by_row], slot[by_row]
        row_ptr = np.r_[0, np.cumsum(np.bincount(rows[slot], minlength=n))]
        for j in range(n):
            lo, hi = ptr[j], ptr[j + 1]
            w = vals[lo:hi]
            r0, r1 = row_ptr[j], row_ptr[j + 1]
            if r1 > r0:
                ks, ps = row_cols[r0:r1], row_slots[r0:r1]
                lengths = ptr[ks + 1] - ps  # from row j to the end of column k
                coef = vals[ps] * vals[ptr[ks]]  # L[j, k] * d_k
                idx = np.arange(ps[0], ptr[ks[0] + 1]) if ks.size == 1 else _ranges(ps, lengths)
                update = vals[idx] * np.repeat(coef, lengths)
                where = np.searchsorted(rows[lo:hi], rows[idx])
                w = w - np.bincount(where, weights=update, minlength=hi - lo)
            pivot = w[0]
            if not pivot > 0.0 or not np.isfinite(pivot):
                raise InputError(
                    f"SparseLDL: pivot {pivot!r} at row {int(self.order[j])}: "
                    "the matrix is singular or not positive definite"
                )
            vals[lo] = pivot
            vals[lo + 1 : hi] = w[1:] / pivot
        return vals

    def _schedule(self) -> None:
        """Group the factor's columns by height in the elimination tree: a level's columns are independent."""
        n, ptr, rows = self.n, self._ptr, self._rows
        parent = np.where(np.diff(ptr) > 1, rows[np.minimum(ptr[:-1] + 1, len(rows) - 1)], -1)
        height = np.zeros(n, dtype=np.int64)
        for j, p in enumerate(parent.tolist()):
            if p >= 0 and height[p] <= height[j]:
                height[p] = height[j] + 1
        self._pivot = self._vals[ptr[:-1]].copy()
        below = np.ones(len(rows), dtype=bool)
        below[ptr[:-1]] = False
        e_row, e_val = rows[below], self._vals[below]
        e_col = np.repeat(np.arange(n), np.diff(ptr))[below]
        self._forward: list[tuple[np.ndarray, ...]] = []
        self._backward: list[tuple[np.ndarray, ...]] = []
        level_of = height[e_col]
        for h in range(int(height.max()) + 1 if n else 0):
            take = np.flatnonzero(level_of == h)
            if take.size == 0:
                continue
            fwd = take[np.lexsort((e_col[take], e_row[take]))]  # grouped by target row
            self._forward.append(self._segments(e_row[fwd], e_col[fwd], e_val[fwd]))
            bwd = take[np.lexsort((e_row[take], e_col[take]))]  # grouped by target column
            self._backward.append(self._segments(e_col[bwd], e_row[bwd], e_val[bwd]))
        self._backward.reverse()

    @staticmethod
    def _segments(
        target: np.ndarray, source: np.ndarray, val: np.ndarray
    ) -> tuple[np.ndarray, ...]:
        """Targets (unique, in order), segment starts, sources and values of one level's updates."""
        starts = np.flatnonzero(np.r_[True, target[1:] != target[:-1]])
        return target[starts], starts, source, val[:, None]

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """A⁻¹ rhs for a vector (n,) or a block of columns (n, k); each column is solved the same way."""
        rhs = np.asarray(rhs, dtype=float)
        if rhs.shape[0] != self.n or rhs.ndim not in (1, 2):
            raise InputError(
                f"SparseLDL.solve: rhs shape {rhs.shape}, expected ({self.n},) or ({self.n}, k)"
            )
        x = rhs.reshape(self.n, -1)[self.order].copy()  # 2-D always: same sums for 1 or k columns
        for target, starts, source, val in self._forward:  # L y = b
            x[target] -= np.add.reduceat(val * x[source], starts, axis=0)
        x /= self._pivot[:, None]  # D z = y
        for target, starts, source, val in self._backward:  # Lᵀ x = z
            x[target] -= np.add.reduceat(val * x[source], starts, axis=0)
        out = np.empty_like(x)
        out[self.order] = x
        return out.reshape(rhs.shape)
