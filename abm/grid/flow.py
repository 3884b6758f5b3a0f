"""DC power flow, PTDFs and nodal hosting capacity on a topology graph.

The DC model is the usual lossless linearisation: flat voltage magnitudes, small angle
differences, no resistance and no phase shifters. Per-unit susceptances are ``1 / x_pu`` on
the graph's ``base_mva``, so a line carries ``(theta_i - theta_j) / x_pu * base_mva`` MW.
The reduced susceptance matrix (slack row and column removed) is factorised once with
SuperLU and reused for every solve, so the monthly market and queue studies only pay for
triangular solves.

Sign conventions: injections are generation minus load (MW); line ``i`` runs from
``line_from[i]`` to ``line_to[i]`` (``line_from < line_to``, lines sorted by that pair) and a
positive flow goes from ``line_from`` to ``line_to``.
"""

from __future__ import annotations

from typing import Literal

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

#: Above this many buses the dense PTDF is refused (3,000 x ~4,000 doubles is ~100 MB).
MAX_DENSE_PTDF_BUSES = 3000
#: Elements per PTDF block in hosting-capacity sweeps (about 16 MB per temporary array).
BLOCK_ELEMENTS = 2_000_000
#: Sensitivities below this (MW of flow per MW injected) count as "line not affected".
SENSITIVITY_TOL = 1e-9
#: Relative tolerance before a base-case flow counts as an overload.
OVERLOAD_TOL = 1e-9


def pro_rata_dispatch_mw(load_mw: np.ndarray, gen_capacity_mw: np.ndarray) -> np.ndarray:
    """Net injection (MW) when all generators run at the same fraction of capacity to meet load."""
    load_mw = np.asarray(load_mw, dtype=float)
    gen_capacity_mw = np.asarray(gen_capacity_mw, dtype=float)
    total_gen_mw = gen_capacity_mw.sum()
    if total_gen_mw <= 0.0:
        return -load_mw
    return gen_capacity_mw * (load_mw.sum() / total_gen_mw) - load_mw


class DCNetwork:
    """Bus-branch DC model of a topology; factorises the reduced susceptance matrix once (scipy.sparse.linalg.splu) and reuses it."""

    def __init__(self, G: nx.Graph):
        """Read buses and lines from a topology graph (nodes 0..n-1) and factorise its B matrix."""
        n_bus = G.number_of_nodes()
        if sorted(G.nodes) != list(range(n_bus)):
            raise ValueError(
                "DCNetwork needs nodes labelled 0..n-1 (use abm.grid.topology builders)"
            )
        rows = np.array(
            [(u, v, float(d["x_pu"]), float(d["rating_mw"])) for u, v, d in G.edges(data=True)],
            dtype=float,
        ).reshape(-1, 4)
        nodes = G.nodes
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
            slack=int(G.graph.get("slack", 0)),
            base_mva=float(G.graph.get("base_mva", 100.0)),
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
        net._setup(
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

    def _incidence(self) -> sp.csr_matrix:
        """Branch-bus incidence matrix A (n_line x n_bus): +1 at the from bus, -1 at the to bus."""
        rows = np.repeat(np.arange(self.n_line), 2)
        cols = np.column_stack([self.line_from, self.line_to]).ravel()
        vals = np.tile([1.0, -1.0], self.n_line)
        return sp.csr_matrix((vals, (rows, cols)), shape=(self.n_line, self.n_bus))

    def _factorise(self):
        """LU-factorise the reduced bus susceptance matrix B' = A^T diag(b) A without the slack."""
        if self.n_bus < 2:
            return None
        b_bus = (self.incidence.T @ self._branch_b).tocsc()
        reduced = b_bus[self._keep][:, self._keep].tocsc()
        return splu(reduced)

    def line_index(self, u: int, v: int) -> int:
        """Position of the line between buses u and v in the line arrays (KeyError if none)."""
        return self._line_index[(min(u, v), max(u, v))]

    def _solve(self, rhs_pu: np.ndarray) -> np.ndarray:
        """Full angle vector(s) for reduced right-hand side(s); the slack angle is zero."""
        theta = np.zeros((self.n_bus,) + rhs_pu.shape[1:])
        if self._lu is not None:
            # SuperLU solves column by column; Fortran order keeps each column contiguous
            theta[self._keep] = self._lu.solve(np.asfortranarray(rhs_pu))
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
        load does not move (sensitivity below 1e-9) do not constrain it; ``inf`` means no
        line does. A bus whose new load would move an already overloaded line gets 0.
        Columns are evaluated in blocks so memory stays bounded; all 10,000 buses of a
        synthetic grid take a few seconds, so pass ``buses`` for the usual queue studies.
        """
        base_flow_mw = self.flows_mw(base_injection_mw)
        overloaded = np.abs(base_flow_mw) > self.rating_mw * (1.0 + OVERLOAD_TOL)
        headroom_up_mw = np.where(overloaded, 0.0, self.rating_mw - base_flow_mw)
        headroom_down_mw = np.where(overloaded, 0.0, self.rating_mw + base_flow_mw)
        supply_ptdf = self.flows_mw(self.supply_weights(supply))
        tiny_mw = 1e-12 * self.rating_mw  # a line exactly at its limit has (almost) no headroom
        inv_up = np.where(overloaded, 0.0, 1.0 / np.maximum(headroom_up_mw, tiny_mw))
        inv_down = np.where(overloaded, 0.0, 1.0 / np.maximum(headroom_down_mw, tiny_mw))
        buses = np.arange(self.n_bus) if buses is None else np.atleast_1d(np.asarray(buses))
        result = np.empty(buses.size)
        block = max(1, BLOCK_ELEMENTS // max(self.n_line, 1))
        for start in range(0, buses.size, block):
            cols = buses[start : start + block]
            # flow change per MW of extra load at each bus: supply injects, the bus withdraws
            sens = supply_ptdf[:, None] - self.ptdf_columns(cols)
            result[start : start + block] = _limit_mw(sens, inv_up, inv_down, overloaded)
        return result


def _limit_mw(
    sens: np.ndarray, inv_up: np.ndarray, inv_down: np.ndarray, overloaded: np.ndarray
) -> np.ndarray:
    """Largest MW step per column before a line hits its limit (1 / max of sensitivity / headroom)."""
    if sens.shape[0] == 0:
        return np.full(sens.shape[1], np.inf)
    magnitude = np.abs(sens)
    affected = magnitude.max(axis=0) > SENSITIVITY_TOL
    sens = np.where(magnitude > SENSITIVITY_TOL, sens, 0.0)  # drop round-off on unaffected lines
    # sens > 0 uses up the headroom towards +rating, sens < 0 towards -rating
    worst = np.maximum(sens * inv_up[:, None], sens * -inv_down[:, None]).max(axis=0)
    limit = np.full(sens.shape[1], np.inf)
    np.divide(1.0, worst, out=limit, where=affected & (worst > 0))
    if overloaded.any():
        limit[(np.abs(sens[overloaded]) > SENSITIVITY_TOL).any(axis=0)] = 0.0
    return limit
