"""Shared conventions of a topology graph: technologies, attribute keys and graph assembly.

Every builder returns one undirected ``networkx.Graph`` with the same conventions (see
``docs/grid.md``): nodes are ints ``0..n-1``; graph attributes ``name``, ``base_mva`` (100),
``slack`` (node id) and ``notes``; node attributes ``territory`` (0..k-1, each territory a
connected region), ``load_mw`` (existing peak load), ``gen_<tech>_mw`` for every tech in
``TECHS`` (installed capacity), ``solar_cf`` (annual solar capacity factor), ``x`` and ``y``
(drawing coordinates); edge attributes ``x_pu`` (reactance on ``base_mva``), ``rating_mw`` and
``length_km``. Builders may add optional attributes (``name``, ``kind``, ``vn_kv``,
``source_bus``). ``validate_grid`` enforces the conventions with one-line ``InputError``s.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

TECHS: tuple[str, ...] = ("gas", "coal", "nuclear", "wind", "solar", "hydro", "storage", "other")

GEN_KEYS: tuple[str, ...] = tuple(f"gen_{tech}_mw" for tech in TECHS)
NODE_KEYS: tuple[str, ...] = ("territory", "load_mw", *GEN_KEYS, "solar_cf", "x", "y")
EDGE_KEYS: tuple[str, ...] = ("x_pu", "rating_mw", "length_km")
BASE_MVA = 100.0


def assemble_graph(
    *,
    name: str,
    notes: str,
    slack: int,
    nodes: dict[str, np.ndarray],
    edges: np.ndarray,
    edge_attrs: dict[str, np.ndarray],
) -> nx.Graph:
    """A graph with plain-Python attribute values (JSON and GraphML safe), nodes in order 0..n-1."""
    graph = nx.Graph(name=name, base_mva=BASE_MVA, slack=int(slack), notes=notes)
    node_cols = {key: np.asarray(values).tolist() for key, values in nodes.items()}
    n = len(next(iter(node_cols.values())))
    graph.add_nodes_from(
        (i, {key: col[i] for key, col in node_cols.items() if col[i] is not None}) for i in range(n)
    )
    edge_cols = {key: np.asarray(values).tolist() for key, values in edge_attrs.items()}
    graph.add_edges_from(
        (u, v, {key: col[i] for key, col in edge_cols.items()})
        for i, (u, v) in enumerate(np.asarray(edges).tolist())
    )
    return graph
