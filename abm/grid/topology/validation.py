"""Validation of a topology graph: attributes, values, connectivity and territories.

Every check raises a one-line ``InputError`` naming the element, the attribute and the value.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np

from abm.errors import InputError
from abm.grid.topology.conventions import EDGE_KEYS, NODE_KEYS
from abm.grid.topology.territories import territory_parts


def validate_grid(graph: nx.Graph, label: str) -> None:
    """Check the graph conventions; raise a one-line InputError naming element, attribute and value."""
    if not isinstance(graph, nx.Graph) or graph.is_directed() or graph.is_multigraph():
        raise InputError(
            f"grid {label}: expected an undirected simple graph, got {type(graph).__name__}"
        )
    n = graph.number_of_nodes()
    if n == 0:
        raise InputError(f"grid {label}: has no buses; expected at least one")
    if not all(type(v) is int for v in graph.nodes) or set(graph.nodes) != set(range(n)):
        bad = next((v for v in graph.nodes if type(v) is not int or not 0 <= v < n), None)
        raise InputError(f"grid {label}: bus id {bad!r}; expected integer ids 0..{n - 1}")
    _check_graph_attrs(graph, label, n)
    _check_nodes(graph, label)
    _check_edges(graph, label)
    _check_connected(graph, label)
    _check_territories(graph, label)


def _check_graph_attrs(graph: nx.Graph, label: str, n: int) -> None:
    """base_mva must be a positive number and slack a bus id."""
    base = as_number(graph.graph.get("base_mva"))
    if base is None or not base > 0:
        raise InputError(
            f"grid {label}: graph attribute 'base_mva' = {graph.graph.get('base_mva')!r}; expected a number > 0"
        )
    slack = graph.graph.get("slack")
    if type(slack) is not int or not 0 <= slack < n:
        raise InputError(
            f"grid {label}: graph attribute 'slack' = {slack!r}; expected a bus id 0..{n - 1}"
        )


def as_number(value: Any) -> float | None:
    """Float value of a finite real number (not bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def check_value(
    label: str,
    element: str,
    key: str,
    value: Any,
    lower: float,
    strict: bool,
    upper: float = math.inf,
) -> None:
    """Raise unless value is a finite number in [lower, upper] (or (lower, upper] when strict)."""
    number = as_number(value)
    ok = number is not None and (number > lower if strict else number >= lower) and number <= upper
    if not ok:
        bound = f"> {lower:g}" if strict else f">= {lower:g}"
        if math.isfinite(upper):
            bound = f"from {lower:g} to {upper:g}"
        raise InputError(
            f"grid {label}: {element} attribute '{key}' = {value!r}; expected a finite number {bound}"
        )


def _check_nodes(graph: nx.Graph, label: str) -> None:
    """Every bus carries all node attributes with sensible values."""
    bounds = {
        "solar_cf": (0.0, False, 1.0),
        "x": (-math.inf, False, math.inf),
        "y": (-math.inf, False, math.inf),
    }
    for bus, data in graph.nodes(data=True):
        for key in NODE_KEYS:
            if key not in data:
                raise InputError(
                    f"grid {label}: bus {bus} has no attribute '{key}'; expected {expected_text(key)}"
                )
        territory = data["territory"]
        number = as_number(territory)
        if number is None or number < 0 or number != int(number):
            raise InputError(
                f"grid {label}: bus {bus} attribute 'territory' = {territory!r}; expected an integer >= 0"
            )
        for key in NODE_KEYS[1:]:
            lower, strict, upper = bounds.get(key, (0.0, False, math.inf))
            check_value(label, f"bus {bus}", key, data[key], lower, strict, upper)
    territories = {int(t) for t in nx.get_node_attributes(graph, "territory").values()}
    if territories != set(range(len(territories))):
        missing = sorted(set(range(max(territories) + 1)) - territories)
        raise InputError(
            f"grid {label}: territories {sorted(territories)[:10]} skip {missing[:10]}; "
            f"expected territory ids 0..k-1 with every id used"
        )


def expected_text(key: str) -> str:
    """What a node or edge attribute should hold, for error messages."""
    return {
        "territory": "an integer territory id 0..k-1",
        "solar_cf": "a capacity factor from 0 to 1",
        "x": "a drawing coordinate",
        "y": "a drawing coordinate",
        "x_pu": "a reactance in per unit > 0",
        "rating_mw": "a rating in MW > 0",
        "length_km": "a length in km > 0",
    }.get(key, "a number in MW >= 0")


def _check_edges(graph: nx.Graph, label: str) -> None:
    """Every line carries positive reactance, rating and length; no self loops."""
    for u, v, data in graph.edges(data=True):
        if u == v:
            raise InputError(
                f"grid {label}: line {u}-{v} connects bus {u} to itself; expected two different buses"
            )
        for key in EDGE_KEYS:
            if key not in data:
                raise InputError(
                    f"grid {label}: line {u}-{v} has no attribute '{key}'; expected {expected_text(key)}"
                )
            check_value(label, f"line {u}-{v}", key, data[key], 0.0, True)


def _check_connected(graph: nx.Graph, label: str) -> None:
    """The whole grid must be one island containing the slack bus."""
    slack = graph.graph["slack"]
    main = nx.node_connected_component(graph, slack)
    if len(main) == graph.number_of_nodes():
        return
    n_islands = nx.number_connected_components(graph)
    cut_off = sorted(set(graph.nodes) - main)
    listed = ", ".join(str(b) for b in cut_off[:10])
    more = f" and {len(cut_off) - 10} more" if len(cut_off) > 10 else ""
    verb = "is" if len(cut_off) == 1 else "are"
    raise InputError(
        f"grid {label}: {n_islands} islands; bus{'es' if len(cut_off) > 1 else ''} {listed}{more} "
        f"{verb} not connected to the slack bus {slack}; expected one connected grid"
    )


def _check_territories(graph: nx.Graph, label: str) -> None:
    """Each territory must be one connected region."""
    n = graph.number_of_nodes()
    territory = np.array([int(graph.nodes[i]["territory"]) for i in range(n)])
    edges = np.array(list(graph.edges()), dtype=np.int64).reshape(-1, 2)
    parts = territory_parts(n, edges, territory)
    n_parts = np.array([np.unique(parts[territory == t]).size for t in range(territory.max() + 1)])
    split = np.flatnonzero(n_parts > 1)
    if split.size:
        t = int(split[0])
        buses = np.flatnonzero(territory == t)
        first = parts[buses[0]]
        cut = buses[parts[buses] != first][:5].tolist()
        raise InputError(
            f"grid {label}: territory {t} is split into {n_parts[t]} disconnected parts "
            f"(buses {', '.join(map(str, cut))} are cut off from bus {buses[0]}); "
            f"expected each territory to be one connected region"
        )
