"""Grid files: read node-link JSON or GraphML into the conventions, write both back out."""

from __future__ import annotations

import json
import pathlib
import re
import xml.etree.ElementTree as ET
from typing import Any

import networkx as nx
import numpy as np

from abm.errors import InputError
from abm.grid.topology.conventions import EDGE_KEYS, NODE_KEYS
from abm.grid.topology.validation import check_value, expected_text, validate_grid


def load_grid_file(path: pathlib.Path) -> nx.Graph:
    """Read a grid from node-link JSON or GraphML, relabel buses to 0..n-1 and validate it."""
    path = pathlib.Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".graphml"):
        raise InputError(
            f"grid file {path}: unknown extension '{path.suffix}'; expected .json or .graphml"
        )
    if not path.is_file():
        raise InputError(
            f"grid file {path}: not found; expected an existing .json or .graphml file"
        )
    raw = _read_json_graph(path) if suffix == ".json" else _read_graphml(path)
    graph = _normalise(raw, str(path), default_name=path.stem)
    validate_grid(graph, str(path))
    return _coerce_numbers(graph)


def _read_json_graph(path: pathlib.Path) -> nx.Graph:
    """Parse networkx node-link JSON (edges under "edges" or the older "links")."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            f"grid file {path}: not valid JSON ({exc}); expected networkx node-link data"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise InputError(
            f'grid file {path}: no "nodes" list at the top level; expected networkx node-link data'
        )
    key = "links" if "links" in data and "edges" not in data else "edges"
    data.setdefault(key, [])
    try:
        return nx.node_link_graph(data, edges=key)
    except (KeyError, TypeError, ValueError, nx.NetworkXError) as exc:
        raise InputError(
            f"grid file {path}: malformed node-link data (missing or bad field {exc}); "
            f'expected nodes with "id" and edges with "source" and "target"'
        ) from None


def _read_graphml(path: pathlib.Path) -> nx.Graph:
    """Parse GraphML with networkx, turning parser failures into InputError."""
    try:
        return nx.read_graphml(path)
    except (ET.ParseError, nx.NetworkXError, KeyError, ValueError, TypeError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"grid file {path}: not valid GraphML ({message}); expected a networkx GraphML grid"
        ) from None


def _int_like(value: Any) -> int | None:
    """Integer value of an int or a decimal-integer string, else None."""
    if type(value) is int:
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _normalise(raw: nx.Graph, label: str, default_name: str) -> nx.Graph:
    """Simple undirected graph with nodes 0..n-1 in order; parallel lines merged; slack remapped."""
    ids = list(raw.nodes)
    as_int = [_int_like(v) for v in ids]
    if all(i is not None for i in as_int) and sorted(as_int) == list(range(len(ids))):
        mapping = dict(zip(ids, as_int, strict=True))
    else:
        mapping = {v: i for i, v in enumerate(ids)}
    graph = nx.Graph()
    graph.graph.update(
        {k: v for k, v in raw.graph.items() if k not in ("node_default", "edge_default")}
    )  # GraphML reader bookkeeping
    graph.graph.setdefault("name", default_name)
    graph.graph.setdefault("notes", "")
    if "slack" in raw.graph:
        graph.graph["slack"] = _map_slack(raw.graph["slack"], mapping)
    for v in sorted(ids, key=mapping.__getitem__):
        data = dict(raw.nodes[v])
        if mapping[v] != _int_like(v):
            data.setdefault("name", str(v))
        graph.add_node(mapping[v], **data)
    edges = list(raw.edges(data=True))
    if raw.is_multigraph() or raw.is_directed():
        _add_merged_edges(graph, edges, mapping, label)
    else:
        graph.add_edges_from((mapping[u], mapping[v], dict(d)) for u, v, d in edges)
    return graph


def _map_slack(slack: Any, mapping: dict[Any, int]) -> Any:
    """Translate the file's slack id to the new bus id (left as is when unknown, for validation)."""
    for key in (slack, str(slack), _int_like(slack)):
        if key is not None and key in mapping:
            return mapping[key]
    return slack


def _add_merged_edges(
    graph: nx.Graph, edges: list[tuple[Any, Any, dict]], mapping: dict[Any, int], label: str
) -> None:
    """Add lines, merging parallel ones: parallel reactance, summed rating, mean length."""
    groups: dict[tuple[int, int], list[dict]] = {}
    for u, v, data in edges:
        a, b = mapping[u], mapping[v]
        for key in EDGE_KEYS:
            if key not in data:
                raise InputError(
                    f"grid {label}: line {a}-{b} has no attribute '{key}'; expected {expected_text(key)}"
                )
            check_value(label, f"line {a}-{b}", key, data[key], 0.0, True)
        groups.setdefault((min(a, b), max(a, b)), []).append(data)
    for (a, b), group in groups.items():
        merged = dict(group[0])
        merged["x_pu"] = 1.0 / sum(1.0 / float(d["x_pu"]) for d in group)
        merged["rating_mw"] = sum(float(d["rating_mw"]) for d in group)
        merged["length_km"] = sum(float(d["length_km"]) for d in group) / len(group)
        if len(group) > 1:
            merged["n_circuits"] = len(group)
        graph.add_edge(a, b, **merged)


def _coerce_numbers(graph: nx.Graph) -> nx.Graph:
    """Territories to int and required numeric attributes to float, in place."""
    for _, data in graph.nodes(data=True):
        data["territory"] = int(data["territory"])
        for key in NODE_KEYS[1:]:
            data[key] = float(data[key])
    for _, _, data in graph.edges(data=True):
        for key in EDGE_KEYS:
            data[key] = float(data[key])
    graph.graph["base_mva"] = float(graph.graph["base_mva"])
    return graph


def _json_default(value: Any) -> Any:
    """Make numpy scalars JSON serialisable."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to grid JSON")


def save_grid_json(graph: nx.Graph, path: pathlib.Path) -> None:
    """Write the grid as networkx node-link JSON (edges under "edges")."""
    data = nx.node_link_data(graph, edges="edges")
    pathlib.Path(path).write_text(
        json.dumps(data, indent=1, default=_json_default) + "\n", encoding="utf-8"
    )


def save_grid_graphml(graph: nx.Graph, path: pathlib.Path) -> None:
    """Write the grid as GraphML (numpy scalars converted to plain Python values)."""
    plain_graph = nx.Graph()
    plain_graph.graph.update({k: _plain(v) for k, v in graph.graph.items()})
    plain_graph.add_nodes_from(
        (n, {k: _plain(v) for k, v in d.items()}) for n, d in graph.nodes(data=True)
    )
    plain_graph.add_edges_from(
        (u, v, {k: _plain(x) for k, x in d.items()}) for u, v, d in graph.edges(data=True)
    )
    nx.write_graphml(plain_graph, pathlib.Path(path))


def _plain(value: Any) -> Any:
    """Plain Python scalar for a numpy scalar, unchanged otherwise."""
    return value.item() if isinstance(value, np.generic) else value
