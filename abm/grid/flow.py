"""DC power flow, PTDFs and nodal hosting capacity on a topology graph.

The DC model is the usual lossless linearisation: flat voltage magnitudes, small angle
differences, no resistance and no phase shifters. Per-unit susceptances are ``1 / x_pu`` on
the graph's ``base_mva``, so a line carries ``(theta_i - theta_j) / x_pu * base_mva`` MW.
The reduced susceptance matrix (slack row and column removed) is factorised once with
`abm.numerics.SparseLDL` (no BLAS, so the same bytes on every machine) and reused for every solve, so the monthly market and queue studies only pay for
triangular solves. Hosting capacity keeps the sensitivity of every line to every bus
(which depends only on the topology and the supply shares) between calls when it fits in
``SENSITIVITY_CACHE_BYTES``, so the monthly call costs one pass over that matrix.

Sign conventions: injections are generation minus load (MW); line ``i`` runs from
``line_from[i]`` to ``line_to[i]`` (``line_from < line_to``, lines sorted by that pair) and a
positive flow goes from ``line_from`` to ``line_to``.
"""

from __future__ import annotations

from typing import Literal

import networkx as nx
import numpy as np
import scipy.sparse as sp

from abm.numerics import SparseLDL

#: Above this many buses the dense PTDF is refused (3,000 x ~4,000 doubles is ~100 MB).
MAX_DENSE_PTDF_BUSES = 3000
#: Elements per PTDF block in hosting-capacity sweeps (about 16 MB per temporary array).
BLOCK_ELEMENTS = 2_000_000
#: Right-hand sides per triangular solve: blocks bound the temporaries of a many-column solve
#: (each column is solved the same way whatever the block, so the bytes do not depend on it).
SOLVE_BLOCK_COLUMNS = 256
#: Largest line-by-bus sensitivity matrix kept between hosting-capacity calls (bytes);
#: 2,000 buses take 39 MB, GBnetwork 57 MB, 4,000 buses 157 MB, 10,000 buses 976 MB. Kept, a
#: monthly all-bus call on 10,000 buses costs 0.1 s instead of 2.8 s (CPU, 2-core machine).
SENSITIVITY_CACHE_BYTES = 2**30
#: Largest all-bus PTDF kept beside it (bytes): the supply shares move with every build, so the
#: sensitivity matrix is rebuilt, but its PTDF part is fixed by the topology (GBnetwork 50 MB,
#: 2,000 buses 39 MB). Memory bound, not a model number.
PTDF_CACHE_BYTES = 2**28
#: Elements per row block in the hosting-capacity reduction (a 0.5 MB buffer stays in cache).
REDUCE_BLOCK_ELEMENTS = 65_536
#: Sensitivities below this (MW of flow per MW injected) count as "line not affected".
SENSITIVITY_TOL = 1e-9
#: Relative tolerance before a base-case flow counts as an overload.
OVERLOAD_TOL = 1e-9
#: Kept sensitivities with at most this share of non-zero entries are also kept compressed
#: (the distribution-factor cutoff zeroes ~96 % of GBnetwork's), so the monthly all-bus call
#: reads only the non-zeros. A speed choice with the same bytes either way, not a model number.
SPARSE_SENSITIVITY_SHARE = 0.25


def pro_rata_dispatch_mw(load_mw: np.ndarray, gen_capacity_mw: np.ndarray) -> np.ndarray:
    """Net injection (MW) when all generators run at the same fraction of capacity to meet load."""
    load_mw = np.asarray(load_mw, dtype=float)
    gen_capacity_mw = np.asarray(gen_capacity_mw, dtype=float)
    total_gen_mw = gen_capacity_mw.sum()
    if total_gen_mw <= 0.0:
        return -load_mw
    return gen_capacity_mw * (load_mw.sum() / total_gen_mw) - load_mw


class DCNetwork:
    """Bus-branch DC model of a topology; factorises the reduced susceptance matrix once (SparseLDL) and reuses it."""

    def __init__(self, graph: nx.Graph):
        """Read buses and lines from a topology graph (nodes 0..n-1) and factorise its B matrix."""
        n_bus = graph.number_of_nodes()
        if sorted(graph.nodes) != list(range(n_bus)):
            raise ValueError(
                "DCNetwork needs nodes labelled 0..n-1 (use abm.grid.topology builders)"
            )
        rows = np.array(
            [(u, v, float(d["x_pu"]), float(d["rating_mw"])) for u, v, d in graph.edges(data=True)],
            dtype=float,
        ).reshape(-1, 4)
        nodes = graph.nodes
        gen_mw = [
            sum(float(v) for k, v in nodes[i].items() if k.startswith("gen_") and k.endswith("_mw"))
            for i in range(n_bus)
        ]
        self._setup(
            n_bus,
            rows[:, 0].astype(np.int64),
            rows[:, 1].astype(np.int64),
            rows[:, 2],
            rows[:, 3],
            slack=int(graph.graph.get("slack", 0)),
            base_mva=float(graph.graph.get("base_mva", 100.0)),
            territory=np.array([int(nodes[i].get("territory", 0)) for i in range(n_bus)]),
            load_mw=np.array([float(nodes[i].get("load_mw", 0.0)) for i in range(n_bus)]),
            gen_capacity_mw=np.array(gen_mw, dtype=float),
        )

    @classmethod
    def from_arrays(
        cls,
        n_bus: int,
        line_from: np.ndarray,
        line_to: np.ndarray,
        x_pu: np.ndarray,
        rating_mw: np.ndarray,
        *,
        slack: int = 0,
        base_mva: float = 100.0,
        territory: np.ndarray | None = None,
        load_mw: np.ndarray | None = None,
        gen_capacity_mw: np.ndarray | None = None,
    ) -> DCNetwork:
        """Build from plain arrays (lines are put in canonical (from < to, sorted) order)."""
        net = cls.__new__(cls)
        zeros = np.zeros(n_bus)
        cls._setup(  # __init__ reads a graph; this path fills the same fields from arrays
            net,
            n_bus,
            np.asarray(line_from, dtype=np.int64),
            np.asarray(line_to, dtype=np.int64),
            np.asarray(x_pu, dtype=float),
            np.asarray(rating_mw, dtype=float),
            slack=slack,
            base_mva=base_mva,
            territory=np.zeros(n_bus, dtype=np.int64) if territory is None else territory,
            load_mw=zeros if load_mw is None else load_mw,
            gen_capacity_mw=zeros if gen_capacity_mw is None else gen_capacity_mw,
        )
        return net

    def _setup(
        self,
        n_bus: int,
        ends_a: np.ndarray,
        ends_b: np.ndarray,
        x_pu: np.ndarray,
        rating_mw: np.ndarray,
        *,
        slack: int,
        base_mva: float,
        territory: np.ndarray,
        load_mw: np.ndarray,
        gen_capacity_mw: np.ndarray,
    ) -> None:
        """Store canonically ordered line arrays and per-bus data, then factorise."""
        if not 0 <= slack < max(n_bus, 1):
            raise ValueError(f"slack bus {slack} is not one of the {n_bus} buses")
        line_from = np.minimum(ends_a, ends_b)
        line_to = np.maximum(ends_a, ends_b)
        order = np.lexsort((line_to, line_from))
        self.n_bus: int = int(n_bus)
        self.n_line: int = int(order.size)
        self.slack: int = int(slack)
        self.base_mva: float = float(base_mva)
        self.line_from: np.ndarray = line_from[order]
        self.line_to: np.ndarray = line_to[order]
        self.x_pu: np.ndarray = x_pu[order].astype(float)
        self.rating_mw: np.ndarray = rating_mw[order].astype(float)
        self.territory: np.ndarray = np.asarray(territory, dtype=np.int64)
        self.load_mw: np.ndarray = np.asarray(load_mw, dtype=float)
        self.gen_capacity_mw: np.ndarray = np.asarray(gen_capacity_mw, dtype=float)
        self.edges: list[tuple[int, int]] = list(
            zip(self.line_from.tolist(), self.line_to.tolist(), strict=True)
        )
        self._line_index = {edge: i for i, edge in enumerate(self.edges)}
        self.b_pu: np.ndarray = 1.0 / self.x_pu
        self.incidence: sp.csr_matrix = self._incidence()
        self._branch_b: sp.csr_matrix = (sp.diags(self.b_pu) @ self.incidence).tocsr()
        self._keep: np.ndarray = np.flatnonzero(np.arange(self.n_bus) != self.slack)
        self._reduced_pos: np.ndarray = np.full(self.n_bus, -1, dtype=np.int64)
        self._reduced_pos[self._keep] = np.arange(self._keep.size)
        self._lu = self._factorise()
        self._sensitivity_cache: tuple[bytes, np.ndarray, np.ndarray] | None = None
        self._sensitivity_csc: _SparseColumns | None = None  # the kept entry, compressed
        self._ptdf_cache: np.ndarray | None = None
        # a line a bus's load moves by less than this (MW per MW) does not limit its hosting
        self.dfax_cutoff: float = SENSITIVITY_TOL

    def _incidence(self) -> sp.csr_matrix:
        """Branch-bus incidence matrix A (n_line x n_bus): +1 at the from bus, -1 at the to bus."""
        rows = np.repeat(np.arange(self.n_line), 2)
        cols = np.column_stack([self.line_from, self.line_to]).ravel()
        vals = np.tile([1.0, -1.0], self.n_line)
        return sp.csr_matrix((vals, (rows, cols)), shape=(self.n_line, self.n_bus))

    def _factorise(self):
        """LDLᵀ-factorise the reduced bus susceptance matrix B' = A^T diag(b) A without the slack."""
        if self.n_bus < 2:
            return None
        b_bus = (self.incidence.T @ self._branch_b).tocsc()
        return SparseLDL(b_bus[self._keep][:, self._keep])

    def line_index(self, u: int, v: int) -> int:
        """Position of the line between buses u and v in the line arrays (KeyError if none)."""
        return self._line_index[(min(u, v), max(u, v))]

    def _solve(self, rhs_pu: np.ndarray) -> np.ndarray:
        """Full angle vector(s) for reduced right-hand side(s); the slack angle is zero."""
        theta = np.zeros((self.n_bus,) + rhs_pu.shape[1:])
        if self._lu is None:
            return theta
        if rhs_pu.ndim == 1:
            theta[self._keep] = self._lu.solve(rhs_pu)
            return theta
        reduced = np.empty(rhs_pu.shape)
        for start in range(0, rhs_pu.shape[1], SOLVE_BLOCK_COLUMNS):
            block = rhs_pu[:, start : start + SOLVE_BLOCK_COLUMNS]
            reduced[:, start : start + SOLVE_BLOCK_COLUMNS] = self._lu.solve(block)
        theta[self._keep] = reduced
        return theta

    def angles_rad(self, injection_mw: np.ndarray) -> np.ndarray:
        """Bus voltage angles (rad) for net injections (n_bus,) or (n_bus, k); slack angle 0."""
        injection_mw = np.asarray(injection_mw, dtype=float)
        if injection_mw.shape[0] != self.n_bus:
            raise ValueError(
                f"injection has {injection_mw.shape[0]} rows, expected {self.n_bus} buses"
            )
        return self._solve(injection_mw[self._keep] / self.base_mva)

    def flows_mw(self, injection_mw: np.ndarray) -> np.ndarray:
        """Line flows (MW, from -> to) for net injections (gen minus load); the slack takes any imbalance."""
        return (self._branch_b @ self.angles_rad(injection_mw)) * self.base_mva

    def loading(self, injection_mw: np.ndarray) -> np.ndarray:
        """Line loading |flow| / rating (1.0 = at the limit)."""
        flows = self.flows_mw(injection_mw)
        rating = self.rating_mw if flows.ndim == 1 else self.rating_mw[:, None]
        return np.abs(flows) / rating

    def ptdf_columns(self, buses: np.ndarray) -> np.ndarray:
        """Dense PTDF columns (n_line, len(buses)): MW of flow per MW injected at the bus and withdrawn at the slack."""
        buses = np.atleast_1d(np.asarray(buses, dtype=np.int64))
        if buses.size and (buses.min() < 0 or buses.max() >= self.n_bus):
            raise ValueError(f"bus index out of range 0..{self.n_bus - 1}")
        rhs = np.zeros((self._keep.size, buses.size))
        pos = self._reduced_pos[buses]
        cols = np.flatnonzero(pos >= 0)
        rhs[pos[cols], cols] = 1.0
        return self._branch_b @ self._solve(rhs)

    def transfer_ptdf(self, from_buses: np.ndarray, to_buses: np.ndarray) -> np.ndarray:
        """Dense PTDF columns (n_line, k) of transfers: MW of flow per MW injected at `from` and withdrawn at `to`.

        One solve per transfer (the difference of two `ptdf_columns`, computed at once).
        """
        from_buses = np.atleast_1d(np.asarray(from_buses, dtype=np.int64))
        to_buses = np.atleast_1d(np.asarray(to_buses, dtype=np.int64))
        rhs = np.zeros((self._keep.size, from_buses.size))
        cols = np.arange(from_buses.size)
        for buses, sign in ((from_buses, 1.0), (to_buses, -1.0)):
            pos = self._reduced_pos[buses]
            kept = pos >= 0
            rhs[pos[kept], cols[kept]] += sign
        return self._branch_b @ self._solve(rhs)

    def ptdf(self) -> np.ndarray:
        """Full dense PTDF (n_line, n_bus) with the slack as reference; refused above 3,000 buses."""
        if self.n_bus > MAX_DENSE_PTDF_BUSES:
            raise ValueError(
                f"dense PTDF for {self.n_bus} buses is too large "
                f"(limit {MAX_DENSE_PTDF_BUSES}); use ptdf_columns(buses) instead"
            )
        return self.ptdf_columns(np.arange(self.n_bus))

    def supply_weights(self, supply: Literal["generators", "slack"] | np.ndarray) -> np.ndarray:
        """Per-bus shares (sum 1) of who supplies an extra MW of load."""
        if isinstance(supply, str):
            if supply not in ("generators", "slack"):
                raise ValueError(
                    f'supply must be "generators", "slack" or an array, got "{supply}"'
                )
            if supply == "generators" and self.gen_capacity_mw.sum() > 0.0:
                return self.gen_capacity_mw / self.gen_capacity_mw.sum()
            weights = np.zeros(self.n_bus)
            weights[self.slack] = 1.0
            return weights
        weights = np.asarray(supply, dtype=float)
        if weights.shape != (self.n_bus,) or np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError(
                f"supply weights must be {self.n_bus} non-negative numbers with a positive sum"
            )
        return weights / weights.sum()

    def load_sensitivity(
        self,
        buses: np.ndarray,
        *,
        supply: Literal["generators", "slack"] | np.ndarray = "generators",
    ) -> np.ndarray:
        """Flow change (MW per MW, n_line x len(buses)) per extra MW of load at each bus, supplied as in `hosting_capacity_mw`."""
        supply_flow_mw = self.flows_mw(self.supply_weights(supply))
        return self._sensitivities(supply_flow_mw, np.atleast_1d(np.asarray(buses)))[0]

    def raise_ratings(self, lines: np.ndarray, rating_mw: np.ndarray) -> None:
        """Raise `lines` to `rating_mw` (a rating never falls): reconductoring, so susceptances and PTDFs stay.

        The rating array is replaced, not written in place, so a market holding the old one
        sees the change only when it is handed the new ratings.
        """
        rating = self.rating_mw.copy()
        lines = np.asarray(lines, dtype=np.int64)
        rating[lines] = np.maximum(rating[lines], np.asarray(rating_mw, dtype=float))
        self.rating_mw = rating

    def hosting_capacity_mw(
        self,
        base_injection_mw: np.ndarray,
        buses: np.ndarray | None = None,
        *,
        supply: Literal["generators", "slack"] | np.ndarray = "generators",
    ) -> np.ndarray:
        """Extra load (MW) each bus can take before any line exceeds its rating.

        The extra load is supplied pro rata to installed generation (``supply="generators"``,
        the default; a plain DC network without generation falls back to the slack), from the
        slack bus (``"slack"``), or by any per-bus weight vector. Lines whose flow the new
        load does not move (sensitivity at most ``dfax_cutoff``, default 1e-9: round-off) do not
        constrain it; ``inf`` means no
        line does. A bus whose new load would move an already overloaded line gets 0.
        Columns are evaluated in blocks so memory stays bounded; all 10,000 buses of a
        synthetic grid take a few seconds, so pass ``buses`` for the usual queue studies.
        """
        base_flow_mw = self.flows_mw(base_injection_mw)
        overloaded = np.abs(base_flow_mw) > self.rating_mw * (1.0 + OVERLOAD_TOL)
        headroom_up_mw = np.where(overloaded, 0.0, self.rating_mw - base_flow_mw)
        headroom_down_mw = np.where(overloaded, 0.0, self.rating_mw + base_flow_mw)
        weights = self.supply_weights(supply)
        tiny_mw = 1e-12 * self.rating_mw  # a line exactly at its limit has (almost) no headroom
        inv_up = np.where(overloaded, 0.0, 1.0 / np.maximum(headroom_up_mw, tiny_mw))
        inv_down = np.where(overloaded, 0.0, 1.0 / np.maximum(headroom_down_mw, tiny_mw))
        cached = self._cached_sensitivities(weights, build=buses is None)
        all_buses = buses is None
        buses = np.arange(self.n_bus) if buses is None else np.atleast_1d(np.asarray(buses))
        if cached is not None:
            sens, affected = cached
            if all_buses and self._sensitivity_csc is not None:
                return _sparse_limit_mw(
                    self._sensitivity_csc, affected, inv_up, inv_down, overloaded
                )
            if buses.size != self.n_bus or np.any(buses != np.arange(self.n_bus)):
                sens, affected = sens[:, buses], affected[buses]
            return _limit_mw(sens, affected, inv_up, inv_down, overloaded)
        supply_flow_mw = self.flows_mw(weights)
        result = np.empty(buses.size)
        block = max(1, BLOCK_ELEMENTS // max(self.n_line, 1))
        for start in range(0, buses.size, block):
            sens, affected = self._sensitivities(supply_flow_mw, buses[start : start + block])
            result[start : start + block] = _limit_mw(sens, affected, inv_up, inv_down, overloaded)
        return result

    def _sensitivities(
        self, supply_flow_mw: np.ndarray, buses: np.ndarray, ptdf: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Flow change per MW of extra load at each bus (round-off zeroed) and which buses move any line.

        `ptdf` is the buses' PTDF columns when the caller has them (`_all_bus_ptdf`).
        """
        # the supply injects, the bus withdraws
        sens = supply_flow_mw[:, None] - (self.ptdf_columns(buses) if ptdf is None else ptdf)
        negligible = np.abs(sens) <= max(SENSITIVITY_TOL, self.dfax_cutoff)
        sens[negligible] = 0.0  # drop round-off and lines below the distribution-factor cutoff
        return sens, ~negligible.all(axis=0)

    def _cached_sensitivities(
        self, weights: np.ndarray, *, build: bool
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """All-bus sensitivities for these supply shares, kept between calls (topology is fixed).

        Built on an all-bus call when the matrix fits in ``SENSITIVITY_CACHE_BYTES``; one entry,
        replaced when the supply shares change. ``None`` means evaluate in blocks instead.
        """
        key = weights.tobytes() + np.float64(self.dfax_cutoff).tobytes()
        if self._sensitivity_cache is not None and self._sensitivity_cache[0] == key:
            return self._sensitivity_cache[1], self._sensitivity_cache[2]
        if not build or 8 * self.n_line * self.n_bus > SENSITIVITY_CACHE_BYTES:
            return None
        self._sensitivity_cache = self._sensitivity_csc = None  # free the old entry first
        supply_flow_mw = self.flows_mw(weights)
        sens = np.empty((self.n_line, self.n_bus))
        affected = np.empty(self.n_bus, dtype=bool)
        block = max(1, BLOCK_ELEMENTS // max(self.n_line, 1))  # no full-size temporaries
        ptdf = self._all_bus_ptdf(block)
        for start in range(0, self.n_bus, block):
            cols = np.arange(start, min(start + block, self.n_bus))
            part = None if ptdf is None else ptdf[:, start : start + block]
            sens[:, cols], affected[cols] = self._sensitivities(supply_flow_mw, cols, part)
        self._sensitivity_cache = (key, sens, affected)
        if np.count_nonzero(sens) <= SPARSE_SENSITIVITY_SHARE * sens.size:
            self._sensitivity_csc = _SparseColumns(sens)
        return sens, affected

    def _all_bus_ptdf(self, block: int) -> np.ndarray | None:
        """All-bus PTDF (n_line, n_bus), solved once in `block`-column pieces and kept; None above `PTDF_CACHE_BYTES`.

        Each column is solved the same way whatever the block (`SOLVE_BLOCK_COLUMNS`), so the
        kept columns are the bytes a fresh `ptdf_columns` call gives.
        """
        if self._ptdf_cache is None and 8 * self.n_line * self.n_bus <= PTDF_CACHE_BYTES:
            ptdf = np.empty((self.n_line, self.n_bus))
            for start in range(0, self.n_bus, block):
                cols = np.arange(start, min(start + block, self.n_bus))
                ptdf[:, start : start + block] = self.ptdf_columns(cols)
            self._ptdf_cache = ptdf
        return self._ptdf_cache


def _limit_mw(
    sens: np.ndarray,
    affected: np.ndarray,
    inv_up: np.ndarray,
    inv_down: np.ndarray,
    overloaded: np.ndarray,
) -> np.ndarray:
    """Largest MW step per column before a line hits its limit (1 / max of sensitivity / headroom).

    A positive sensitivity uses up the headroom towards +rating, a negative one towards
    -rating; the maximum over lines is reduced in row blocks that stay in the CPU cache.
    """
    n_line, n_col = sens.shape
    worst = np.zeros(n_col)
    if n_line:
        rows = max(1, REDUCE_BLOCK_ELEMENTS // max(n_col, 1))
        buffer = np.empty((min(rows, n_line), n_col))
        for start in range(0, n_line, rows):
            block = sens[start : start + rows]
            out = buffer[: block.shape[0]]
            np.multiply(block, inv_up[start : start + rows, None], out=out)
            np.maximum(worst, out.max(axis=0), out=worst)
            np.multiply(block, inv_down[start : start + rows, None], out=out)
            np.maximum(worst, -out.min(axis=0), out=worst)
    limit = np.full(n_col, np.inf)
    np.divide(1.0, worst, out=limit, where=affected & (worst > 0))
    if n_line and overloaded.any():
        limit[(sens[overloaded] != 0.0).any(axis=0)] = 0.0
    return limit


class _SparseColumns:
    """The non-zeros of a kept sensitivity matrix, column by column (what `_sparse_limit_mw` reads).

    Each entry keeps its magnitude and which headroom it uses up: a positive sensitivity the
    one towards +rating (`inv_up`, index `row`), a negative one the one towards -rating
    (`inv_down`, index `n_line + row`).
    """

    def __init__(self, sens: np.ndarray) -> None:
        """Compress a dense (line, bus) matrix; its zeros are the entries the cutoff dropped."""
        col, row = np.nonzero(sens.T)  # column-major order: each bus's lines together
        value = sens[row, col]
        self.n_col = sens.shape[1]
        self.magnitude = np.abs(value)
        self.headroom = np.where(value > 0, row, sens.shape[0] + row)
        self.row, self.col = row, col
        self.starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]]) if col.size else col
        self.nonempty = col[self.starts]  # the columns with a non-zero, each from its start


def _sparse_limit_mw(
    sens: _SparseColumns,
    affected: np.ndarray,
    inv_up: np.ndarray,
    inv_down: np.ndarray,
    overloaded: np.ndarray,
) -> np.ndarray:
    """`_limit_mw` over the non-zero sensitivities only: the same products, so the same bytes.

    A zero sensitivity gives a zero product, which never raises the worst ratio above its
    starting 0; a positive one can only bind towards +rating (its product with `inv_down`
    is <= 0) and a negative one towards -rating, where |s| * d is the bits of -(s * d).
    """
    ratio = sens.magnitude * np.concatenate((inv_up, inv_down))[sens.headroom]
    worst = np.zeros(sens.n_col)
    if sens.starts.size:
        worst[sens.nonempty] = np.maximum(np.maximum.reduceat(ratio, sens.starts), 0.0)
    limit = np.full(sens.n_col, np.inf)
    np.divide(1.0, worst, out=limit, where=affected & (worst > 0))
    if overloaded.any():
        limit[sens.col[overloaded[sens.row]]] = 0.0
    return limit
