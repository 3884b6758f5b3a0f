"""The three-bus triangle the power-market, dispatch and DC-flow tests share (lines 0-1, 1-2, 0-2)."""

from __future__ import annotations

import networkx as nx
import numpy as np

from abm.markets.power import NetworkArrays

#: The triangle's lines, in the order their reactances and ratings are given.
TRIANGLE_LINES: tuple[tuple[int, int], ...] = ((0, 1), (1, 2), (0, 2))


def triangle_arrays(
    rating_mw: tuple[float, float, float], x_pu: tuple[float, float, float] = (0.1, 0.1, 0.1)
) -> NetworkArrays:
    """The triangle as the power market's arrays: slack 0, 100 MVA; `np.inf` = unmonitored."""
    return NetworkArrays(
        n_bus=3,
        slack=0,
        base_mva=100.0,
        line_from=np.array([a for a, _ in TRIANGLE_LINES]),
        line_to=np.array([b for _, b in TRIANGLE_LINES]),
        x_pu=np.array(x_pu, dtype=float),
        rating_mw=np.array(rating_mw, dtype=float),
    )


def triangle_graph(
    rating_mw: tuple[float, float, float],
    x_pu: tuple[float, float, float],
    length_km: tuple[float, float, float],
) -> nx.Graph:
    """The triangle as a topology graph (territory 0, no load): slack 0, 100 MVA."""
    graph = nx.Graph(base_mva=100.0, slack=0)
    graph.add_nodes_from(range(3), territory=0, load_mw=0.0)
    for (a, b), x, rating, km in zip(TRIANGLE_LINES, x_pu, rating_mw, length_km, strict=True):
        graph.add_edge(a, b, x_pu=x, rating_mw=rating, length_km=km)
    return graph
