"""Grid topology builders: a seeded synthetic grid, JSON/GraphML files and pandapower cases.

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

import heapq
import inspect
import json
import math
import pathlib
import re
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import Delaunay, cKDTree

from abm.errors import InputError, did_you_mean
from abm.grid.flow import DCNetwork, pro_rata_dispatch_mw

TECHS: tuple[str, ...] = ("gas", "coal", "nuclear", "wind", "solar", "hydro", "storage", "other")
GEN_KEYS: tuple[str, ...] = tuple(f"gen_{tech}_mw" for tech in TECHS)
NODE_KEYS: tuple[str, ...] = ("territory", "load_mw", *GEN_KEYS, "solar_cf", "x", "y")
EDGE_KEYS: tuple[str, ...] = ("x_pu", "rating_mw", "length_km")
BASE_MVA = 100.0

#: US installed generating capacity by technology (share of MW), EIA Electric Power Annual
#: 2023 / Form EIA-860 (utility-scale, ~1.2-1.3 TW): natural gas ~43 %, coal ~15 %, nuclear
#: ~8 %, wind ~12 %, solar ~9 %, hydro ~7 %, storage (battery + pumped) ~3 %, other ~3 %.
US_CAPACITY_SHARE: dict[str, float] = {
    "gas": 0.43,
    "coal": 0.15,
    "nuclear": 0.08,
    "wind": 0.12,
    "solar": 0.09,
    "hydro": 0.07,
    "storage": 0.03,
    "other": 0.03,
}
#: Installed capacity over coincident peak demand: ~1.2 TW net summer capacity (EIA Electric
#: Power Annual 2023) against a ~0.75 TW lower-48 peak (EIA-930 hourly grid monitor, July 2023).
INSTALLED_TO_PEAK = 1.6

# --- synthetic grid shape (documented in docs/grid.md) ---------------------------------
HUB_FRACTION = 0.2  # share of buses on the meshed transmission backbone
HUB_SPACING_KM = 50.0  # map side = HUB_SPACING_KM * sqrt(n_hubs)
BACKBONE_EDGES_PER_HUB = 1.5  # mean backbone degree 3.0 (HV grids: about 2.4-3.2)
FEEDER_CHAIN_PROB = 0.55  # a feeder bus continues the previous one (else branches off)
FEEDER_TIE_FRACTION = 0.15  # feeder buses with a normally-closed tie to a nearby bus
X_BACKBONE_PU_PER_KM = 0.0003  # ~345 kV: 0.37 ohm/km on a 1,190 ohm base (100 MVA)
X_FEEDER_PU_PER_KM = 0.002  # ~138 kV: 0.40 ohm/km on a 190 ohm base (100 MVA)
X_STEPDOWN_PU = 0.01  # hub-to-feeder transformer, ~0.1 pu on 1,000 MVA
LOADING_BASE = (0.20, 0.70)  # most lines at peak: 20 + 50 * Beta(2, 2) %
LOADING_HIGH = (0.70, 0.85)  # a share of lines run warm
LOADING_HIGH_SHARE = 0.08
LOADING_CORRIDOR = (0.88, 0.97)  # a few congested backbone corridors
BACKBONE_LINES_PER_CORRIDOR = 80
SOLAR_CF_RANGE = (0.15, 0.30)  # LBNL Utility-Scale Solar 2024: median ~0.24, regional spread

# --- pandapower import --------------------------------------------------------------------
UNRATED_MVA = 9000.0  # MATPOWER writes 9,900 MVA (pandapower 99,999 kA) for "no limit"
FALLBACK_BASE_LOADING = 0.7  # unrated branch: base-case DC flow / 0.7
TRAFO_LENGTH_KM = 0.1  # transformers have no route length; a substation's extent
_TECH_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("storage", ("storage", "battery", "bess", "pumped")),
    ("nuclear", ("nuclear", "nuc")),
    ("coal", ("coal", "lignite")),
    ("wind", ("wind", "wt", "wp", "offshore", "onshore")),
    ("solar", ("solar", "pv", "photovoltaic")),
    ("hydro", ("hydro", "water", "ror", "reservoir")),
    ("gas", ("gas", "ng", "cc", "ct", "ccgt", "ocgt", "gt", "chp")),
)


# ==========================================================================================
# entry point
# ==========================================================================================


def build_grid(
    source: str,
    *,
    n_buses: int,
    n_territories: int,
    peak_load_mw: float,
    rng: np.random.Generator,
    base_dir: pathlib.Path | None = None,
) -> nx.Graph:
    """Build a grid from "synthetic", "pandapower:<case>" or a .json/.graphml path.

    ``n_buses`` and ``peak_load_mw`` size the synthetic grid only; files and pandapower
    cases keep their own buses and loads. ``n_territories`` also partitions a pandapower
    case that has no zones. Relative paths resolve against ``base_dir`` (default: cwd).
    """
    if source == "synthetic":
        return synthetic_grid(n_buses, n_territories, peak_load_mw, rng)
    if source.startswith("pandapower:"):
        return pandapower_grid(source.split(":", 1)[1], n_territories, rng)
    path = pathlib.Path(source)
    if path.suffix.lower() in (".json", ".graphml"):
        if not path.is_absolute():
            path = (base_dir or pathlib.Path.cwd()) / path
        return load_grid_file(path)
    hint = did_you_mean(source, ["synthetic", "pandapower:case118"])
    raise InputError(
        f'grid source "{source}": expected "synthetic", "pandapower:<case>" '
        f"or a path ending in .json or .graphml{hint}"
    )


# ==========================================================================================
# synthetic grid
# ==========================================================================================


def synthetic_grid(
    n_buses: int, n_territories: int, peak_load_mw: float, rng: np.random.Generator
) -> nx.Graph:
    """Seeded synthetic grid: meshed backbone, radial feeders, territories, US-like generation mix.

    Structure: 20 % of buses are transmission hubs (clustered around "cities"), joined by
    their Euclidean minimum spanning tree plus the shorter Delaunay edges (mean degree 3);
    the other buses hang off the hubs as radial feeders (random chains and branches, 15 %
    with a tie to a nearby bus). Load is lognormal times an urban density; generation
    totals ``INSTALLED_TO_PEAK`` x peak split by ``US_CAPACITY_SHARE`` (EIA 2023) and sited
    by technology (gas near load, wind/solar/hydro where their resource fields are high).
    Territories grow breadth-first from spread-out hub seeds (connected regions of varied size).
    Ratings come from a DC flow at peak with generation dispatched pro rata, so base
    loadings are 20-70 % with some warm lines and a few congested corridors (88-97 %).
    All randomness comes from ``rng``.
    """
    _check_synthetic_args(n_buses, n_territories, peak_load_mw)
    n_hub = min(n_buses, max(4, round(HUB_FRACTION * n_buses)))
    side_km = HUB_SPACING_KM * math.sqrt(n_hub)
    hub_xy, centres_xy = _hub_positions(n_hub, side_km, rng)
    density = _urban_density(hub_xy, centres_xy, 0.08 * side_km)
    backbone = _backbone_edges(hub_xy, rng)
    feeder_parent, feeder_root, xy = _feeder_tree(hub_xy, n_buses, density, side_km, rng)
    feeder = np.column_stack([np.arange(n_hub, n_buses), feeder_parent])
    ties = _feeder_ties(xy, n_hub, feeder_parent, rng)
    edges = np.vstack([backbone, feeder, ties]).astype(np.int64)
    is_backbone = np.arange(len(edges)) < len(backbone)
    edges, is_backbone = _canonical_edges(edges, is_backbone)
    is_hub = np.arange(n_buses) < n_hub
    length_km = _route_length_km(xy, edges, rng)
    x_pu = _synthetic_reactance(edges, is_backbone, is_hub, length_km, rng)
    bus_density = _urban_density(xy, centres_xy, 0.08 * side_km)
    load_mw = _spread_load(bus_density, is_hub, peak_load_mw, rng)
    solar_cf = _solar_cf(_geo_field(xy, rng), rng)
    gen_mw = _place_generation(xy, is_hub, bus_density, solar_cf, peak_load_mw, rng)
    slack = int(np.argmax(gen_mw.sum(axis=1)))
    territory = _synthetic_territories(xy, edges, backbone, feeder_root, n_territories, rng)
    rating_mw = _synthetic_ratings(
        edges, is_backbone, x_pu, load_mw, gen_mw.sum(axis=1), slack, peak_load_mw, rng
    )
    G = _assemble(
        name=f"synthetic-{n_buses}bus-{n_territories}terr",
        notes="synthetic grid (abm.grid.topology.synthetic_grid)",
        slack=slack,
        nodes={
            "territory": territory,
            "load_mw": load_mw,
            **{key: gen_mw[:, i] for i, key in enumerate(GEN_KEYS)},
            "solar_cf": solar_cf,
            "x": xy[:, 0],
            "y": xy[:, 1],
            "kind": np.where(is_hub, "hub", "feeder"),
        },
        edges=edges,
        edge_attrs={
            "x_pu": x_pu,
            "rating_mw": rating_mw,
            "length_km": length_km,
            "kind": np.where(is_backbone, "backbone", "feeder"),
        },
    )
    validate_grid(G, G.graph["name"])
    return G


def _check_synthetic_args(n_buses: int, n_territories: int, peak_load_mw: float) -> None:
    """Reject sizes the synthetic builder cannot honour, naming the offending setting."""
    if not isinstance(n_buses, int | np.integer) or n_buses < 5:
        raise InputError(f"grid.n_buses = {n_buses!r}: expected an integer >= 5")
    if not isinstance(n_territories, int | np.integer) or not 1 <= n_territories <= n_buses:
        raise InputError(
            f"grid.n_territories = {n_territories!r}: expected an integer from 1 to n_buses ({n_buses})"
        )
    if not (
        isinstance(peak_load_mw, int | float) and math.isfinite(peak_load_mw) and peak_load_mw > 0
    ):
        raise InputError(f"grid.peak_load_mw = {peak_load_mw!r}: expected a number > 0")


def _hub_positions(
    n_hub: int, side_km: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Hub coordinates (km): 55 % scattered around city centres, the rest uniform."""
    n_city = max(1, round(n_hub / 30))
    centres = rng.uniform(0.1 * side_km, 0.9 * side_km, size=(n_city, 2))
    n_urban = round(0.55 * n_hub)
    urban = centres[rng.integers(n_city, size=n_urban)] + rng.normal(
        0.0, 0.06 * side_km, size=(n_urban, 2)
    )
    rural = rng.uniform(0.0, side_km, size=(n_hub - n_urban, 2))
    xy = np.vstack([urban, rural])
    return xy[rng.permutation(n_hub)], centres


def _urban_density(xy: np.ndarray, centres: np.ndarray, sigma_km: float) -> np.ndarray:
    """Sum of Gaussian city kernels at each point (1.0 at a city centre)."""
    d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return np.exp(-d2 / (2.0 * sigma_km**2)).sum(axis=1)


def _backbone_edges(xy: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Euclidean MST of the hubs plus a share of short Delaunay edges (a meshed backbone)."""
    n = len(xy)
    simplices = Delaunay(xy).simplices
    tri = np.vstack([simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [0, 2]]])
    tri = np.unique(np.sort(tri, axis=1), axis=0)
    length = np.linalg.norm(xy[tri[:, 0]] - xy[tri[:, 1]], axis=1)
    weights = sp.coo_matrix((length, (tri[:, 0], tri[:, 1])), shape=(n, n)).tocsr()
    mst = minimum_spanning_tree(weights).tocoo()
    mst_edges = np.sort(np.column_stack([mst.row, mst.col]), axis=1)
    in_mst = np.isin(tri[:, 0] * n + tri[:, 1], mst_edges[:, 0] * n + mst_edges[:, 1])
    spare = np.flatnonzero(~in_mst)
    n_extra = min(spare.size, round((BACKBONE_EDGES_PER_HUB - 1.0) * n))
    p = 1.0 / length[spare] ** 2
    extra = rng.choice(spare, size=n_extra, replace=False, p=p / p.sum()) if n_extra else spare[:0]
    return np.vstack([mst_edges, tri[extra]])


def _feeder_tree(
    hub_xy: np.ndarray,
    n_buses: int,
    hub_density: np.ndarray,
    side_km: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Radial feeders: parent and root hub of every non-hub bus, and all bus coordinates (km)."""
    n_hub = len(hub_xy)
    n_feed = n_buses - n_hub
    attract = 0.3 + hub_density
    hub_of = np.sort(rng.choice(n_hub, size=n_feed, p=attract / attract.sum()))
    group_start = np.searchsorted(hub_of, hub_of, side="left")
    pos = np.arange(n_feed) - group_start + 1  # 1-based position in the hub's feeder group
    chain = rng.random(n_feed) < FEEDER_CHAIN_PROB
    parent_pos = np.where(chain, pos - 1, np.floor(rng.random(n_feed) * pos).astype(np.int64))
    parent = np.where(parent_pos == 0, hub_of, n_hub + group_start + parent_pos - 1)
    spacing_km = side_km / math.sqrt(n_hub)
    step = spacing_km * rng.uniform(0.08, 0.35, size=n_feed)
    angle = rng.uniform(0.0, 2.0 * math.pi, size=n_feed)
    dx = (step * np.cos(angle)).tolist()
    dy = (step * np.sin(angle)).tolist()
    xs = hub_xy[:, 0].tolist() + [0.0] * n_feed
    ys = hub_xy[:, 1].tolist() + [0.0] * n_feed
    parents = parent.tolist()
    for i in range(n_feed):  # parents precede children, so one pass places everything
        xs[n_hub + i] = xs[parents[i]] + dx[i]
        ys[n_hub + i] = ys[parents[i]] + dy[i]
    return parent, hub_of, np.column_stack([xs, ys])


def _feeder_ties(
    xy: np.ndarray, n_hub: int, parent: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A few ties from feeder buses to their nearest non-adjacent bus (weak meshing)."""
    n_feed = len(parent)
    n_tie = round(FEEDER_TIE_FRACTION * n_feed)
    if n_tie == 0 or len(xy) < 4:
        return np.empty((0, 2), dtype=np.int64)
    chosen = np.sort(rng.choice(n_feed, size=n_tie, replace=False)) + n_hub
    _, near = cKDTree(xy).query(xy[chosen], k=min(6, len(xy)))
    taken = {
        (min(a, b), max(a, b)) for a, b in zip(range(n_hub, len(xy)), parent.tolist(), strict=True)
    }
    ties = []
    for bus, candidates in zip(chosen.tolist(), near.tolist(), strict=True):
        for other in candidates:
            pair = (min(bus, other), max(bus, other))
            if other != bus and pair not in taken:
                taken.add(pair)
                ties.append(pair)
                break
    return np.array(ties, dtype=np.int64).reshape(-1, 2)


def _canonical_edges(edges: np.ndarray, flag: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges as (min, max) pairs sorted lexicographically, carrying a per-edge flag along."""
    edges = np.sort(edges, axis=1)
    order = np.lexsort((edges[:, 1], edges[:, 0]))
    return edges[order], flag[order]


def _route_length_km(xy: np.ndarray, edges: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Route length: straight distance times a 1.05-1.35 detour factor, at least 0.5 km."""
    straight = np.linalg.norm(xy[edges[:, 0]] - xy[edges[:, 1]], axis=1)
    return np.maximum(straight * rng.uniform(1.05, 1.35, size=len(edges)), 0.5)


def _synthetic_reactance(
    edges: np.ndarray,
    is_backbone: np.ndarray,
    is_hub: np.ndarray,
    length_km: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Series reactance (pu on 100 MVA) by voltage class, plus a step-down transformer at hubs."""
    per_km = np.where(is_backbone, X_BACKBONE_PU_PER_KM, X_FEEDER_PU_PER_KM)
    stepdown = ~is_backbone & (is_hub[edges[:, 0]] | is_hub[edges[:, 1]])
    x_pu = per_km * length_km * rng.lognormal(0.0, 0.1, size=len(edges))
    return x_pu + np.where(stepdown, X_STEPDOWN_PU, 0.0)


def _spread_load(
    density: np.ndarray, is_hub: np.ndarray, peak_load_mw: float, rng: np.random.Generator
) -> np.ndarray:
    """Peak load per bus: lognormal x urban density; 40 % of hubs are pure switching stations."""
    weight = rng.lognormal(0.0, 0.8, size=len(density)) * (0.15 + density)
    weight = np.where(is_hub, 0.3 * weight * (rng.random(len(density)) > 0.4), weight)
    return peak_load_mw * weight / weight.sum()


def _geo_field(xy: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Smooth random field scaled to 0..1: a regional gradient plus three broad bumps."""
    angle = rng.uniform(0.0, 2.0 * math.pi)
    centred = xy - xy.mean(axis=0)
    span = float(np.ptp(xy, axis=0).max()) or 1.0
    field = centred @ np.array([math.cos(angle), math.sin(angle)]) / span
    centres = xy[rng.integers(len(xy), size=3)]
    widths = span * rng.uniform(0.1, 0.3, size=3)
    heights = rng.uniform(-0.5, 0.5, size=3)
    d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    field = field + (heights * np.exp(-d2 / (2.0 * widths**2))).sum(axis=1)
    spread = float(np.ptp(field))
    return (field - field.min()) / spread if spread > 0 else np.full(len(xy), 0.5)


def _solar_cf(field: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Annual solar capacity factor following a geographic field, within SOLAR_CF_RANGE."""
    low, high = SOLAR_CF_RANGE
    cf = low + (high - low) * field + rng.normal(0.0, 0.004, size=len(field))
    return np.clip(cf, low, high)


def _place_generation(
    xy: np.ndarray,
    is_hub: np.ndarray,
    density: np.ndarray,
    solar_cf: np.ndarray,
    peak_load_mw: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Installed MW per bus and technology (n_bus, len(TECHS)) with technology-specific siting."""
    n = len(xy)
    rural = 1.0 / (0.2 + density)
    hub_boost = np.where(is_hub, 4.0, 1.0)
    site_weight = {
        "gas": hub_boost * (0.3 + density),
        "coal": hub_boost * rural,
        "nuclear": np.where(is_hub, 1.0, 1e-3) * rural,
        "wind": np.exp(4.0 * _geo_field(xy, rng)) * rural,
        "solar": np.exp(12.0 * (solar_cf - solar_cf.min())),
        "hydro": np.exp(4.0 * _geo_field(xy, rng)) * rural,
        "storage": 0.3 + density,
        "other": np.ones(n),
    }
    site_factor = {"gas": 1.0, "coal": 0.5, "nuclear": 0.25, "wind": 1.5, "solar": 1.8}
    n_sites = max(2 * len(TECHS), round(0.25 * n))
    total_mw = INSTALLED_TO_PEAK * peak_load_mw
    gen = np.zeros((n, len(TECHS)))
    for j, tech in enumerate(TECHS):
        count = int(
            np.clip(round(US_CAPACITY_SHARE[tech] * n_sites * site_factor.get(tech, 1.0)), 1, n)
        )
        w = site_weight[tech]
        sites = rng.choice(n, size=count, replace=False, p=w / w.sum())
        size = rng.lognormal(0.0, 0.6, size=count)
        gen[sites, j] = US_CAPACITY_SHARE[tech] * total_mw * size / size.sum()
    return gen


def _spread_seeds(
    xy: np.ndarray, k: int, rng: np.random.Generator, weight: np.ndarray | None = None
) -> np.ndarray:
    """k distinct buses near the centres of a (weighted) k-means split of all buses.

    Farthest-point sampling from a random start initialises ten Lloyd iterations; each
    centre then takes the nearest bus not yet taken, so seeds sit inside their regions
    rather than on the edge of the map.
    """
    w = np.ones(len(xy)) if weight is None else np.asarray(weight, dtype=float)
    first = int(rng.integers(len(xy)))
    chosen = [first]
    dist = np.linalg.norm(xy - xy[first], axis=1)
    dist[first] = -1.0
    for _ in range(k - 1):
        nxt = int(np.argmax(dist))
        chosen.append(nxt)
        dist = np.minimum(dist, np.linalg.norm(xy - xy[nxt], axis=1))
        dist[chosen] = -1.0
    centres = xy[chosen].astype(float)
    for _ in range(10):
        _, nearest = cKDTree(centres).query(xy)
        mass = np.bincount(nearest, weights=w, minlength=k)
        for dim in range(2):
            total = np.bincount(nearest, weights=w * xy[:, dim], minlength=k)
            centres[:, dim] = np.where(mass > 0, total / np.maximum(mass, 1e-300), centres[:, dim])
    return _nearest_distinct(xy, centres)


def _nearest_distinct(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """For each centre in turn, the index of the nearest point not taken by an earlier centre."""
    tree = cKDTree(points)
    taken = np.zeros(len(points), dtype=bool)
    picks = []
    for centre in centres:
        _, near = tree.query(centre, k=min(len(points), 16))
        free = [int(i) for i in np.atleast_1d(near) if not taken[i]]
        if free:
            pick = free[0]
        else:
            rest = np.flatnonzero(~taken)
            pick = int(rest[np.argmin(np.linalg.norm(points[rest] - centre, axis=1))])
        taken[pick] = True
        picks.append(pick)
    return np.array(picks, dtype=np.int64)


def _grow_territories(
    xy: np.ndarray,
    edges: np.ndarray,
    k: int,
    rng: np.random.Generator,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """Territory per bus, grown breadth-first from spread-out seeds; every territory stays connected.

    The territory furthest below its lognormal target size (sizes counted in ``weight``,
    default one per bus) claims the next bus on its frontier. A territory enclosed by
    others stops growing.
    """
    n = len(xy)
    weight_list = [1.0] * n if weight is None else np.asarray(weight, dtype=float).tolist()
    seeds = _spread_seeds(xy, k, rng, weight).tolist()
    target = rng.lognormal(0.0, 0.35, size=k).tolist()
    adjacency = sp.coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    adjacency = (adjacency + adjacency.T).tocsr()
    indptr, indices = adjacency.indptr.tolist(), adjacency.indices.tolist()
    owner = [-1] * n
    size = [0.0] * k
    frontier: list[deque[int]] = []
    for t, seed in enumerate(seeds):
        owner[seed] = t
        frontier.append(deque(indices[indptr[seed] : indptr[seed + 1]]))
    heap = [(0.0, t) for t in range(k)]  # everyone claims a first ring before sizes count
    heapq.heapify(heap)
    while heap:
        _, t = heapq.heappop(heap)
        queue = frontier[t]
        while queue and owner[queue[0]] != -1:
            queue.popleft()
        if not queue:
            continue
        bus = queue.popleft()
        owner[bus] = t
        size[t] += weight_list[bus]
        queue.extend(v for v in indices[indptr[bus] : indptr[bus + 1]] if owner[v] == -1)
        heapq.heappush(heap, (size[t] / target[t], t))
    return np.array(owner, dtype=np.int64)


def _synthetic_territories(
    xy: np.ndarray,
    edges: np.ndarray,
    backbone: np.ndarray,
    feeder_root: np.ndarray,
    k: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Grow territories over the hub backbone (hubs weighted by their feeder count); feeders follow their hub."""
    n_hub = len(xy) - len(feeder_root)
    if k > n_hub:  # more territories than hubs: grow over every bus
        return _grow_territories(xy, edges, k, rng)
    weight = 1.0 + np.bincount(feeder_root, minlength=n_hub)
    hub_territory = _grow_territories(xy[:n_hub], backbone, k, rng, weight)
    return np.concatenate([hub_territory, hub_territory[feeder_root]])


def _synthetic_ratings(
    edges: np.ndarray,
    is_backbone: np.ndarray,
    x_pu: np.ndarray,
    load_mw: np.ndarray,
    gen_total_mw: np.ndarray,
    slack: int,
    peak_load_mw: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Ratings (MW) that put the peak pro-rata DC flow at a realistic target loading per line."""
    n_bus = len(load_mw)
    net = DCNetwork.from_arrays(
        n_bus, edges[:, 0], edges[:, 1], x_pu, np.ones(len(edges)), slack=slack
    )
    flow_mw = np.abs(net.flows_mw(pro_rata_dispatch_mw(load_mw, gen_total_mw)))
    target = _target_loading(edges, is_backbone, flow_mw, rng)
    rating = flow_mw / target
    floor_mw = 0.5 * peak_load_mw / n_bus
    for group in (is_backbone, ~is_backbone):
        if group.any():
            floor = max(0.3 * float(np.median(rating[group])), floor_mw)
            rating[group] = np.maximum(rating[group], floor)
    return np.ceil(rating * 10.0) / 10.0


def _target_loading(
    edges: np.ndarray, is_backbone: np.ndarray, flow_mw: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Target base loading per line: Beta-shaped 20-70 %, some warm lines, a few hot corridors."""
    n = len(edges)
    low, high = LOADING_BASE
    target = low + (high - low) * rng.beta(2.0, 2.0, size=n)
    warm = rng.random(n) < LOADING_HIGH_SHARE
    target[warm] = rng.uniform(*LOADING_HIGH, size=int(warm.sum()))
    corridor = _corridor_lines(edges, is_backbone, flow_mw, rng)
    target[corridor] = rng.uniform(*LOADING_CORRIDOR, size=corridor.size)
    return target


def _corridor_lines(
    edges: np.ndarray, is_backbone: np.ndarray, flow_mw: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Indices of a few congested corridors: chains of up to 3 heavily used backbone lines."""
    backbone = np.flatnonzero(is_backbone)
    if backbone.size == 0:
        return backbone
    n_corridor = max(1, round(backbone.size / BACKBONE_LINES_PER_CORRIDOR))
    heavy = backbone[
        np.argsort(-flow_mw[backbone], kind="stable")[: max(n_corridor, backbone.size // 4)]
    ]
    starts = rng.choice(heavy, size=min(n_corridor, heavy.size), replace=False)
    chosen: list[int] = []
    for start in starts.tolist():
        line = start
        for _ in range(3):
            if line in chosen:
                break
            chosen.append(line)
            ends = edges[line]
            touching = backbone[
                np.isin(edges[backbone, 0], ends) | np.isin(edges[backbone, 1], ends)
            ]
            touching = touching[~np.isin(touching, chosen)]
            if touching.size == 0:
                break
            line = int(touching[np.argmax(flow_mw[touching])])
    return np.array(chosen, dtype=np.int64)


def _assemble(
    *,
    name: str,
    notes: str,
    slack: int,
    nodes: dict[str, np.ndarray],
    edges: np.ndarray,
    edge_attrs: dict[str, np.ndarray],
) -> nx.Graph:
    """A graph with plain-Python attribute values (JSON and GraphML safe), nodes in order 0..n-1."""
    G = nx.Graph(name=name, base_mva=BASE_MVA, slack=int(slack), notes=notes)
    node_cols = {key: np.asarray(values).tolist() for key, values in nodes.items()}
    n = len(next(iter(node_cols.values())))
    G.add_nodes_from(
        (i, {key: col[i] for key, col in node_cols.items() if col[i] is not None}) for i in range(n)
    )
    edge_cols = {key: np.asarray(values).tolist() for key, values in edge_attrs.items()}
    G.add_edges_from(
        (u, v, {key: col[i] for key, col in edge_cols.items()})
        for i, (u, v) in enumerate(np.asarray(edges).tolist())
    )
    return G


# ==========================================================================================
# validation
# ==========================================================================================


def validate_grid(G: nx.Graph, label: str) -> None:
    """Check the graph conventions; raise a one-line InputError naming element, attribute and value."""
    if not isinstance(G, nx.Graph) or G.is_directed() or G.is_multigraph():
        raise InputError(
            f"grid {label}: expected an undirected simple graph, got {type(G).__name__}"
        )
    n = G.number_of_nodes()
    if n == 0:
        raise InputError(f"grid {label}: has no buses; expected at least one")
    if not all(type(v) is int for v in G.nodes) or set(G.nodes) != set(range(n)):
        bad = next((v for v in G.nodes if type(v) is not int or not 0 <= v < n), None)
        raise InputError(f"grid {label}: bus id {bad!r}; expected integer ids 0..{n - 1}")
    _check_graph_attrs(G, label, n)
    _check_nodes(G, label)
    _check_edges(G, label)
    _check_connected(G, label)
    _check_territories(G, label)


def _check_graph_attrs(G: nx.Graph, label: str, n: int) -> None:
    """base_mva must be a positive number and slack a bus id."""
    base = _as_number(G.graph.get("base_mva"))
    if base is None or not base > 0:
        raise InputError(
            f"grid {label}: graph attribute 'base_mva' = {G.graph.get('base_mva')!r}; expected a number > 0"
        )
    slack = G.graph.get("slack")
    if type(slack) is not int or not 0 <= slack < n:
        raise InputError(
            f"grid {label}: graph attribute 'slack' = {slack!r}; expected a bus id 0..{n - 1}"
        )


def _as_number(value: Any) -> float | None:
    """Float value of a finite real number (not bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _check_value(
    label: str,
    element: str,
    key: str,
    value: Any,
    lower: float,
    strict: bool,
    upper: float = math.inf,
) -> None:
    """Raise unless value is a finite number in [lower, upper] (or (lower, upper] when strict)."""
    number = _as_number(value)
    ok = number is not None and (number > lower if strict else number >= lower) and number <= upper
    if not ok:
        bound = f"> {lower:g}" if strict else f">= {lower:g}"
        if math.isfinite(upper):
            bound = f"from {lower:g} to {upper:g}"
        raise InputError(
            f"grid {label}: {element} attribute '{key}' = {value!r}; expected a finite number {bound}"
        )


def _check_nodes(G: nx.Graph, label: str) -> None:
    """Every bus carries all node attributes with sensible values."""
    bounds = {
        "solar_cf": (0.0, False, 1.0),
        "x": (-math.inf, False, math.inf),
        "y": (-math.inf, False, math.inf),
    }
    for bus, data in G.nodes(data=True):
        for key in NODE_KEYS:
            if key not in data:
                raise InputError(
                    f"grid {label}: bus {bus} has no attribute '{key}'; expected {_expected(key)}"
                )
        territory = data["territory"]
        number = _as_number(territory)
        if number is None or number < 0 or number != int(number):
            raise InputError(
                f"grid {label}: bus {bus} attribute 'territory' = {territory!r}; expected an integer >= 0"
            )
        for key in NODE_KEYS[1:]:
            lower, strict, upper = bounds.get(key, (0.0, False, math.inf))
            _check_value(label, f"bus {bus}", key, data[key], lower, strict, upper)
    territories = {int(t) for t in nx.get_node_attributes(G, "territory").values()}
    if territories != set(range(len(territories))):
        missing = sorted(set(range(max(territories) + 1)) - territories)
        raise InputError(
            f"grid {label}: territories {sorted(territories)[:10]} skip {missing[:10]}; "
            f"expected territory ids 0..k-1 with every id used"
        )


def _expected(key: str) -> str:
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


def _check_edges(G: nx.Graph, label: str) -> None:
    """Every line carries positive reactance, rating and length; no self loops."""
    for u, v, data in G.edges(data=True):
        if u == v:
            raise InputError(
                f"grid {label}: line {u}-{v} connects bus {u} to itself; expected two different buses"
            )
        for key in EDGE_KEYS:
            if key not in data:
                raise InputError(
                    f"grid {label}: line {u}-{v} has no attribute '{key}'; expected {_expected(key)}"
                )
            _check_value(label, f"line {u}-{v}", key, data[key], 0.0, True)


def _check_connected(G: nx.Graph, label: str) -> None:
    """The whole grid must be one island containing the slack bus."""
    slack = G.graph["slack"]
    main = nx.node_connected_component(G, slack)
    if len(main) == G.number_of_nodes():
        return
    n_islands = nx.number_connected_components(G)
    cut_off = sorted(set(G.nodes) - main)
    listed = ", ".join(str(b) for b in cut_off[:10])
    more = f" and {len(cut_off) - 10} more" if len(cut_off) > 10 else ""
    verb = "is" if len(cut_off) == 1 else "are"
    raise InputError(
        f"grid {label}: {n_islands} islands; bus{'es' if len(cut_off) > 1 else ''} {listed}{more} "
        f"{verb} not connected to the slack bus {slack}; expected one connected grid"
    )


def _territory_parts(n: int, edges: np.ndarray, territory: np.ndarray) -> np.ndarray:
    """Connected-part label per bus using only lines inside one territory."""
    same = territory[edges[:, 0]] == territory[edges[:, 1]] if len(edges) else np.zeros(0, bool)
    inside = edges[same]
    adjacency = sp.coo_matrix(
        (np.ones(len(inside)), (inside[:, 0], inside[:, 1])), shape=(n, n)
    ).tocsr()
    return connected_components(adjacency, directed=False)[1]


def _check_territories(G: nx.Graph, label: str) -> None:
    """Each territory must be one connected region."""
    n = G.number_of_nodes()
    territory = np.array([int(G.nodes[i]["territory"]) for i in range(n)])
    edges = np.array(list(G.edges()), dtype=np.int64).reshape(-1, 2)
    parts = _territory_parts(n, edges, territory)
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


# ==========================================================================================
# files
# ==========================================================================================


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
    G = _normalise(raw, str(path), default_name=path.stem)
    validate_grid(G, str(path))
    return _coerce_numbers(G)


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
    G = nx.Graph()
    G.graph.update(
        {k: v for k, v in raw.graph.items() if k not in ("node_default", "edge_default")}
    )  # GraphML reader bookkeeping
    G.graph.setdefault("name", default_name)
    G.graph.setdefault("notes", "")
    if "slack" in raw.graph:
        G.graph["slack"] = _map_slack(raw.graph["slack"], mapping)
    for v in sorted(ids, key=mapping.__getitem__):
        data = dict(raw.nodes[v])
        if mapping[v] != _int_like(v):
            data.setdefault("name", str(v))
        G.add_node(mapping[v], **data)
    edges = list(raw.edges(data=True))
    if raw.is_multigraph() or raw.is_directed():
        _add_merged_edges(G, edges, mapping, label)
    else:
        G.add_edges_from((mapping[u], mapping[v], dict(d)) for u, v, d in edges)
    return G


def _map_slack(slack: Any, mapping: dict[Any, int]) -> Any:
    """Translate the file's slack id to the new bus id (left as is when unknown, for validation)."""
    for key in (slack, str(slack), _int_like(slack)):
        if key is not None and key in mapping:
            return mapping[key]
    return slack


def _add_merged_edges(
    G: nx.Graph, edges: list[tuple[Any, Any, dict]], mapping: dict[Any, int], label: str
) -> None:
    """Add lines, merging parallel ones: parallel reactance, summed rating, mean length."""
    groups: dict[tuple[int, int], list[dict]] = {}
    for u, v, data in edges:
        a, b = mapping[u], mapping[v]
        for key in EDGE_KEYS:
            if key not in data:
                raise InputError(
                    f"grid {label}: line {a}-{b} has no attribute '{key}'; expected {_expected(key)}"
                )
            _check_value(label, f"line {a}-{b}", key, data[key], 0.0, True)
        groups.setdefault((min(a, b), max(a, b)), []).append(data)
    for (a, b), group in groups.items():
        merged = dict(group[0])
        merged["x_pu"] = 1.0 / sum(1.0 / float(d["x_pu"]) for d in group)
        merged["rating_mw"] = sum(float(d["rating_mw"]) for d in group)
        merged["length_km"] = sum(float(d["length_km"]) for d in group) / len(group)
        if len(group) > 1:
            merged["n_circuits"] = len(group)
        G.add_edge(a, b, **merged)


def _coerce_numbers(G: nx.Graph) -> nx.Graph:
    """Territories to int and required numeric attributes to float, in place."""
    for _, data in G.nodes(data=True):
        data["territory"] = int(data["territory"])
        for key in NODE_KEYS[1:]:
            data[key] = float(data[key])
    for _, _, data in G.edges(data=True):
        for key in EDGE_KEYS:
            data[key] = float(data[key])
    G.graph["base_mva"] = float(G.graph["base_mva"])
    return G


def _json_default(value: Any) -> Any:
    """Make numpy scalars JSON serialisable."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to grid JSON")


def save_grid_json(G: nx.Graph, path: pathlib.Path) -> None:
    """Write the grid as networkx node-link JSON (edges under "edges")."""
    data = nx.node_link_data(G, edges="edges")
    pathlib.Path(path).write_text(
        json.dumps(data, indent=1, default=_json_default) + "\n", encoding="utf-8"
    )


def save_grid_graphml(G: nx.Graph, path: pathlib.Path) -> None:
    """Write the grid as GraphML (numpy scalars converted to plain Python values)."""
    H = nx.Graph()
    H.graph.update({k: _plain(v) for k, v in G.graph.items()})
    H.add_nodes_from((n, {k: _plain(v) for k, v in d.items()}) for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, {k: _plain(x) for k, x in d.items()}) for u, v, d in G.edges(data=True))
    nx.write_graphml(H, pathlib.Path(path))


def _plain(value: Any) -> Any:
    """Plain Python scalar for a numpy scalar, unchanged otherwise."""
    return value.item() if isinstance(value, np.generic) else value


# ==========================================================================================
# pandapower cases
# ==========================================================================================


def pandapower_grid(case: str, n_territories: int, rng: np.random.Generator) -> nx.Graph:
    """Import a test network shipped with pandapower (``pandapower.networks.<case>()``)."""
    net = _load_pandapower_case(case)
    return pandapower_net_to_graph(
        net, name=f"pandapower:{case}", n_territories=n_territories, rng=rng
    )


def _pandapower_networks():
    """The pandapower.networks module, or an InputError telling how to install it."""
    try:
        import pandapower.networks as pn
    except ImportError:
        raise InputError(
            "grid source pandapower:<case>: pandapower is not installed; "
            "install the [grids] extra: pip install -e '.[grids]'"
        ) from None
    return pn


def pandapower_cases() -> list[str]:
    """Names of the network factories in pandapower.networks that need no arguments."""
    pn = _pandapower_networks()
    names = []
    for name in dir(pn):
        func = getattr(pn, name)
        if name.startswith("_") or not inspect.isfunction(func):
            continue
        if not func.__module__.startswith("pandapower.networks."):
            continue
        params = inspect.signature(func).parameters.values()
        if all(
            p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            for p in params
        ):
            names.append(name)
    return sorted(names)


def _load_pandapower_case(case: str):
    """Call pandapower.networks.<case>(), with did-you-mean for unknown names."""
    pn = _pandapower_networks()
    known = pandapower_cases()
    if case not in known:
        examples = ", ".join(
            c for c in ("case118", "case_illinois200", "GBnetwork", "case2848rte") if c in known
        )
        raise InputError(
            f'grid source pandapower:{case}: unknown pandapower case "{case}"'
            f"{did_you_mean(case, known)}; expected one of the {len(known)} cases in "
            f"pandapower.networks, e.g. {examples}"
        )
    try:
        return getattr(pn, case)()
    except Exception as exc:  # a factory failing is a property of the chosen case
        raise InputError(
            f"grid source pandapower:{case}: pandapower could not build it ({exc})"
        ) from None


def _tech_from_label(*labels: Any) -> str:
    """Technology from a pandapower element's type/name text; "other" when nothing matches."""
    for label in labels:
        if not isinstance(label, str) or not label.strip():
            continue
        text = label.lower()
        tokens = set(re.findall(r"[a-z]+", text))
        for tech, words in _TECH_WORDS:
            if any((len(w) > 4 and w in text) or w in tokens for w in words):
                return tech
    return "other"


class _UnionFind:
    """Bus fusion across closed bus-bus switches."""

    def __init__(self, items: Iterable[int]):
        self.parent = {i: i for i in items}

    def find(self, i: int) -> int:
        """Representative (smallest id) of i's group."""
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        """Merge the groups of a and b."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _column(df, name: str, default: float) -> np.ndarray:
    """Float column of a pandas table, or a default when the column is missing."""
    if name in df.columns:
        return df[name].to_numpy(dtype=float, na_value=np.nan)
    return np.full(len(df), default)


def _open_switch_elements(net, et: str) -> set[int]:
    """Ids of lines ("l") or transformers ("t") with an open switch at either end."""
    sw = net.switch
    if len(sw) == 0:
        return set()
    return set(sw.loc[(sw.et == et) & ~sw.closed.astype(bool), "element"].astype(int).tolist())


def _pp_branches(net, live_bus: set[int]) -> dict[str, np.ndarray | list[str]]:
    """In-service lines, transformers and impedances as branch arrays (pandapower bus ids, pu on 100 MVA)."""
    parts = [_pp_lines(net, live_bus), _pp_trafos(net, live_bus), _pp_impedances(net, live_bus)]
    return {
        key: (
            sum((p[key] for p in parts), [])
            if key == "kind"
            else np.concatenate([p[key] for p in parts])
        )
        for key in ("from", "to", "x_pu", "rating_mw", "length_km", "kind")
    }


def _in_service(df, live_bus: set[int], bus_cols: tuple[str, ...]):
    """Rows in service whose buses are all in service (empty tables pass through)."""
    if len(df) == 0:
        return df
    mask = (
        df.in_service.astype(bool).to_numpy()
        if "in_service" in df.columns
        else np.ones(len(df), bool)
    )
    for col in bus_cols:
        mask &= df[col].isin(live_bus).to_numpy()
    return df[mask]


def _unrated(rating_mw: np.ndarray) -> np.ndarray:
    """Ratings that mean "no limit": zero, NaN, infinite or the >= 9,000 MVA placeholders."""
    return ~np.isfinite(rating_mw) | (rating_mw <= 0) | (rating_mw >= UNRATED_MVA)


def _pp_lines(net, live_bus: set[int]) -> dict:
    """Lines: x = x_ohm_per_km * length / parallel on the from-bus voltage base; rating from max_i_ka."""
    ln = _in_service(net.line, live_bus, ("from_bus", "to_bus"))
    ln = ln[~ln.index.isin(_open_switch_elements(net, "l"))]
    vn_kv = net.bus.vn_kv.loc[ln.from_bus].to_numpy(dtype=float)
    parallel = _column(ln, "parallel", 1.0)
    z_base_ohm = vn_kv**2 / BASE_MVA
    x_pu = ln.x_ohm_per_km.to_numpy(float) * ln.length_km.to_numpy(float) / parallel / z_base_ohm
    rating = (
        ln.max_i_ka.to_numpy(float) * _column(ln, "df", 1.0) * parallel * vn_kv * math.sqrt(3.0)
    )
    rating = np.where(_unrated(rating), np.nan, rating)
    return {
        "from": ln.from_bus.to_numpy(np.int64),
        "to": ln.to_bus.to_numpy(np.int64),
        "x_pu": x_pu,
        "rating_mw": rating,
        "length_km": ln.length_km.to_numpy(float),
        "kind": ["line"] * len(ln),
    }


def _trafo_tap_voltages(tr) -> tuple[np.ndarray, np.ndarray]:
    """Rated winding voltages moved by in-phase ("Ratio"/"Symmetrical" without angle) tap changers."""
    vn_hv = tr.vn_hv_kv.to_numpy(float).copy()
    vn_lv = tr.vn_lv_kv.to_numpy(float).copy()
    if "tap_pos" not in tr.columns:
        return vn_hv, vn_lv
    steps = (
        (_column(tr, "tap_pos", np.nan) - _column(tr, "tap_neutral", 0.0))
        * _column(tr, "tap_step_percent", np.nan)
        / 100.0
    )
    changer = (
        tr["tap_changer_type"].astype(str).to_numpy() if "tap_changer_type" in tr.columns else None
    )
    in_phase = (
        np.isin(changer, ["Ratio", "Symmetrical"]) if changer is not None else np.isfinite(steps)
    )
    in_phase &= np.isfinite(steps) & (np.nan_to_num(_column(tr, "tap_step_degree", 0.0)) == 0.0)
    side = (
        tr["tap_side"].astype(str).to_numpy()
        if "tap_side" in tr.columns
        else np.full(len(tr), "hv")
    )
    vn_hv = np.where(in_phase & (side == "hv"), vn_hv * (1.0 + steps), vn_hv)
    vn_lv = np.where(in_phase & (side == "lv"), vn_lv * (1.0 + steps), vn_lv)
    return vn_hv, vn_lv


def _pp_trafos(net, live_bus: set[int]) -> dict:
    """Two-winding transformers: x from vk/vkr on sn_mva, times the off-nominal tap ratio (DC model)."""
    tr = _in_service(net.trafo, live_bus, ("hv_bus", "lv_bus"))
    tr = tr[~tr.index.isin(_open_switch_elements(net, "t"))]
    vn_hv, vn_lv = _trafo_tap_voltages(tr)
    bus_hv_kv = net.bus.vn_kv.loc[tr.hv_bus].to_numpy(float)
    bus_lv_kv = net.bus.vn_kv.loc[tr.lv_bus].to_numpy(float)
    sn_mva = tr.sn_mva.to_numpy(float)
    parallel = _column(tr, "parallel", 1.0)
    vk, vkr = tr.vk_percent.to_numpy(float), _column(tr, "vkr_percent", 0.0)
    x_sc = np.sqrt(np.maximum(vk**2 - vkr**2, 0.0)) / 100.0 * BASE_MVA / sn_mva
    x_sc = x_sc * (vn_lv / bus_lv_kv) ** 2 / parallel
    ratio = (vn_hv / vn_lv) / (bus_hv_kv / bus_lv_kv)
    rating = sn_mva * parallel * _column(tr, "df", 1.0)
    return {
        "from": tr.hv_bus.to_numpy(np.int64),
        "to": tr.lv_bus.to_numpy(np.int64),
        "x_pu": x_sc * ratio,
        "rating_mw": np.where(_unrated(rating), np.nan, rating),
        "length_km": np.full(len(tr), TRAFO_LENGTH_KM),
        "kind": ["trafo"] * len(tr),
    }


def _pp_impedances(net, live_bus: set[int]) -> dict:
    """Series impedance elements: xft_pu on their own sn_mva, rated at sn_mva."""
    im = _in_service(net.impedance, live_bus, ("from_bus", "to_bus"))
    sn_mva = _column(im, "sn_mva", np.nan)
    rating = np.where(_unrated(sn_mva), np.nan, sn_mva)
    return {
        "from": _column(im, "from_bus", 0.0).astype(np.int64),
        "to": _column(im, "to_bus", 0.0).astype(np.int64),
        "x_pu": _column(im, "xft_pu", np.nan) * BASE_MVA / sn_mva,
        "rating_mw": rating,
        "length_km": np.full(len(im), TRAFO_LENGTH_KM),
        "kind": ["impedance"] * len(im),
    }


def _pp_injections(
    net, live_bus: set[int], node_of: dict[int, int], n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Peak load, installed MW by technology, case dispatch (MW per bus) and the slack bus."""
    load = np.zeros(n)
    gen = np.zeros((n, len(TECHS)))
    dispatch = np.zeros(n)
    ld = _in_service(net.load, live_bus, ("bus",))
    load_bus = np.array([node_of[b] for b in ld.bus.tolist()], dtype=np.int64)
    np.add.at(load, load_bus, ld.p_mw.to_numpy(float) * _column(ld, "scaling", 1.0))
    np.add.at(dispatch, load_bus, -ld.p_mw.to_numpy(float) * _column(ld, "scaling", 1.0))
    for table in ("gen", "sgen", "ext_grid", "storage"):
        df = _in_service(net[table], live_bus, ("bus",))
        if len(df) == 0:
            continue
        bus = np.array([node_of[b] for b in df.bus.tolist()], dtype=np.int64)
        p_mw = _column(df, "p_mw", 0.0) * _column(df, "scaling", 1.0)
        capacity = np.fmax(
            np.nan_to_num(_column(df, "max_p_mw", np.nan), nan=0.0, posinf=0.0),
            np.abs(np.nan_to_num(p_mw)),
        )
        if table == "storage":
            techs = ["storage"] * len(df)
            np.add.at(dispatch, bus, -np.nan_to_num(p_mw))
        else:
            types = df["type"].tolist() if "type" in df.columns else [None] * len(df)
            names = df["name"].tolist() if "name" in df.columns else [None] * len(df)
            techs = [_tech_from_label(t, nm) for t, nm in zip(types, names, strict=True)]
            if table != "ext_grid":
                np.add.at(dispatch, bus, np.nan_to_num(p_mw))
        for j, tech in enumerate(TECHS):
            mask = np.array([t == tech for t in techs])
            np.add.at(gen[:, j], bus[mask], capacity[mask])
    negative = load < 0  # embedded generation booked as load in the case
    gen[negative, TECHS.index("other")] += -load[negative]
    load = np.maximum(load, 0.0)
    return load, gen, dispatch, _pp_slack(net, live_bus, node_of, gen)


def _pp_slack(net, live_bus: set[int], node_of: dict[int, int], gen: np.ndarray) -> int:
    """Slack: the first in-service ext_grid bus, else a gen flagged slack, else the largest plant."""
    eg = _in_service(net.ext_grid, live_bus, ("bus",))
    if len(eg):
        return node_of[int(eg.bus.iloc[0])]
    gn = _in_service(net.gen, live_bus, ("bus",))
    if len(gn) and "slack" in gn.columns and gn.slack.astype(bool).any():
        return node_of[int(gn[gn.slack.astype(bool)].bus.iloc[0])]
    return int(np.argmax(gen.sum(axis=1)))


@dataclass
class _Branches:
    """Merged branches between node pairs (pairs sorted, lo < hi); NaN rating = unrated."""

    pairs: np.ndarray
    x_pu: np.ndarray
    rating_mw: np.ndarray
    length_km: np.ndarray
    kind: list[str]

    def subset(self, mask: np.ndarray, new_id: np.ndarray | None = None) -> _Branches:
        """The branches where mask is True, optionally with nodes renumbered by new_id."""
        pairs = self.pairs[mask] if new_id is None else new_id[self.pairs[mask]]
        kind = [k for k, keep in zip(self.kind, mask.tolist(), strict=True) if keep]
        return _Branches(pairs, self.x_pu[mask], self.rating_mw[mask], self.length_km[mask], kind)


def _merge_branches(
    a: np.ndarray,
    b: np.ndarray,
    x_pu: np.ndarray,
    rating: np.ndarray,
    length: np.ndarray,
    kind: list[str],
) -> _Branches:
    """Merge parallel branches per bus pair: parallel reactance, summed rating (NaN if any unrated), mean length."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pairs, group = np.unique(np.column_stack([lo, hi]).reshape(-1, 2), axis=0, return_inverse=True)
    group = group.ravel()
    m = len(pairs)
    susceptance = np.bincount(group, weights=1.0 / x_pu, minlength=m)
    rating_sum = np.bincount(group, weights=np.nan_to_num(rating, nan=0.0), minlength=m)
    any_unrated = np.bincount(group, weights=np.isnan(rating).astype(float), minlength=m) > 0
    count = np.bincount(group, minlength=m)
    kinds: list[set[str]] = [set() for _ in range(m)]
    for g, k in zip(group.tolist(), kind, strict=True):
        kinds[g].update(k.split("+"))
    return _Branches(
        pairs.astype(np.int64),
        1.0 / susceptance,
        np.where(any_unrated, np.nan, rating_sum),
        np.bincount(group, weights=length, minlength=m) / np.maximum(count, 1),
        ["+".join(sorted(k)) for k in kinds],
    )


def _series_merge_nonpositive(
    br: _Branches, n: int, slack: int, per_bus: list[np.ndarray], name: str
) -> tuple[_Branches, np.ndarray, str]:
    """Fold each branch with x <= 0 (series compensation) into its series neighbour.

    The bus between them must have exactly two branches; it is eliminated, the two branches
    become one (reactances and lengths add, the smaller rating holds) and the bus's load and
    generation move to the far end. Returns the branches, a removed-bus mask and a note.
    """
    removed = np.zeros(n, dtype=bool)
    count = 0
    while True:
        bad = np.flatnonzero(br.x_pu <= 0)
        if bad.size == 0:
            break
        i = int(bad[0])
        degree = np.bincount(br.pairs.ravel(), minlength=n)
        middle = [m for m in br.pairs[i].tolist() if degree[m] == 2 and m != slack]
        if not middle:
            u, v = br.pairs[i].tolist()
            raise InputError(
                f"grid {name}: {br.kind[i]} between buses {u} and {v} has x_pu = {br.x_pu[i]:.6g}; "
                f"expected a reactance > 0 (or a series-compensated branch next to a two-branch bus)"
            )
        m = middle[0]
        j = int(np.flatnonzero((br.pairs == m).any(axis=1) & (np.arange(len(br.x_pu)) != i))[0])
        near = int(br.pairs[i][br.pairs[i] != m][0])
        far = int(br.pairs[j][br.pairs[j] != m][0])
        x_new = br.x_pu[i] + br.x_pu[j]
        if x_new <= 0:
            raise InputError(
                f"grid {name}: series branches {near}-{m}-{far} have total x_pu = {x_new:.6g}; "
                f"expected a reactance > 0"
            )
        for values in per_bus:
            values[far] += values[m]
            values[m] = 0.0
        removed[m] = True
        count += 1
        keep = np.ones(len(br.x_pu), dtype=bool)
        keep[[i, j]] = False
        rest = br.subset(keep)
        rating = (
            np.fmin(br.rating_mw[i], br.rating_mw[j])
            if not (np.isnan(br.rating_mw[i]) or np.isnan(br.rating_mw[j]))
            else np.nan
        )
        br = _merge_branches(
            np.append(rest.pairs[:, 0], near),
            np.append(rest.pairs[:, 1], far),
            np.append(rest.x_pu, x_new),
            np.append(rest.rating_mw, rating),
            np.append(rest.length_km, br.length_km[i] + br.length_km[j]),
            [*rest.kind, f"{br.kind[i]}+{br.kind[j]}"],
        )
    note = (
        f"{count} branches with x <= 0 (series compensation) merged with their series neighbour"
        if count
        else ""
    )
    return br, removed, note


def _largest_island(
    n: int, br: _Branches, alive: np.ndarray, slack: int, gen: np.ndarray
) -> tuple[np.ndarray, _Branches, int, str]:
    """Keep the largest connected island of live buses, renumber them 0..m-1, re-pick the slack if needed."""
    adjacency = sp.coo_matrix(
        (np.ones(len(br.pairs)), (br.pairs[:, 0], br.pairs[:, 1])), shape=(n, n)
    ).tocsr()
    _, label = connected_components(adjacency, directed=False)
    n_islands = np.unique(label[alive]).size
    biggest = int(np.argmax(np.bincount(label[alive])))
    nodes = np.flatnonzero(alive & (label == biggest))
    new_id = np.full(n, -1, dtype=np.int64)
    new_id[nodes] = np.arange(nodes.size)
    br = br.subset(label[br.pairs[:, 0]] == biggest, new_id)
    if label[slack] == biggest and alive[slack]:
        slack = int(new_id[slack])
    else:
        slack = int(np.argmax(gen[nodes].sum(axis=1)))
    note = ""
    if n_islands > 1:
        note = f"kept the largest of {n_islands} islands ({nodes.size} of {int(alive.sum())} buses)"
    return nodes, br, slack, note


def _fallback_ratings(
    n: int,
    br: _Branches,
    dispatch_mw: np.ndarray,
    gen_mw: np.ndarray,
    load_mw: np.ndarray,
    slack: int,
) -> tuple[np.ndarray, str]:
    """Rate unrated branches at the larger base-case DC flow (case dispatch or pro rata) / 0.7.

    At least half the median such rating and 1 MW, so lightly used branches are not rated
    at nothing.
    """
    unrated = np.isnan(br.rating_mw)
    if not unrated.any():
        return br.rating_mw, ""
    net = DCNetwork.from_arrays(
        n, br.pairs[:, 0], br.pairs[:, 1], br.x_pu, np.ones(len(br.pairs)), slack=slack
    )  # pairs are already in DCNetwork's canonical order
    injections = np.column_stack([dispatch_mw, pro_rata_dispatch_mw(load_mw, gen_mw)])
    flow = np.abs(net.flows_mw(injections)).max(axis=1) / FALLBACK_BASE_LOADING
    floor = max(0.5 * float(np.median(flow[unrated])), 1.0)
    rating = np.where(unrated, np.maximum(flow, floor), br.rating_mw)
    note = (
        f"{int(unrated.sum())} of {len(rating)} branches unrated (0, NaN or >= {UNRATED_MVA:,.0f} MVA); "
        f"rated at the larger base-case DC flow (case dispatch or pro rata) / {FALLBACK_BASE_LOADING}"
    )
    return rating, note


def _pp_coordinates(
    net, buses: list[int], edges: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, str]:
    """Bus coordinates from GeoJSON geodata, else a seeded spring layout (with a note)."""
    xy = np.full((len(buses), 2), np.nan)
    if "geo" in net.bus.columns:
        for i, geo in enumerate(net.bus.geo.loc[buses].tolist()):
            if isinstance(geo, str) and geo:
                coords = json.loads(geo).get("coordinates")
                if isinstance(coords, list) and len(coords) >= 2:
                    xy[i] = coords[:2]
    if np.isfinite(xy).all() and np.ptp(xy, axis=0).max() > 0:
        return xy, ""
    H = nx.Graph()
    H.add_nodes_from(range(len(buses)))
    H.add_edges_from(edges.tolist())
    pos = nx.spring_layout(H, seed=int(rng.integers(2**31 - 1)))
    return np.array([pos[i] for i in range(len(buses))]), "coordinates from a seeded spring layout"


def _pp_territories(
    net,
    buses: list[int],
    edges: np.ndarray,
    xy: np.ndarray,
    k: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, str]:
    """Territories from the bus zone (or area) column, else a seeded split into k connected regions."""
    n = len(buses)
    for col in ("zone", "area"):
        if col not in net.bus.columns:
            continue
        values = net.bus[col].loc[buses]
        if values.isna().any() or values.nunique() < 2:
            continue
        _, territory = np.unique(values.astype(str).to_numpy(), return_inverse=True)
        parts = _territory_parts(n, edges, territory.ravel())
        _, relabel = np.unique(parts, return_inverse=True)
        note = f"territories from bus {col}"
        if relabel.max() + 1 > values.nunique():
            note += f" (non-contiguous {col}s split: {values.nunique()} {col}s -> {relabel.max() + 1} territories)"
        return relabel.ravel(), note
    k = max(1, min(k, n))
    territory = _grow_territories(xy, edges, k, rng)
    return territory, f"no zones; {k} seeded territories"


def pandapower_net_to_graph(
    net, *, name: str, n_territories: int, rng: np.random.Generator
) -> nx.Graph:
    """Map a pandapower net (buses, lines, transformers, loads, generators) onto the topology conventions.

    Out-of-service elements are dropped and closed bus-bus switches fused. Line reactance is
    ``x_ohm_per_km * length_km / parallel`` over ``vn_kv^2 / 100 MVA``; transformer
    reactance is ``sqrt(vk^2 - vkr^2) / 100 * 100 / sn_mva`` referred to the low-voltage bus,
    times the off-nominal ratio from in-phase tap changers (the DC model's ``x * tap``);
    phase shifts are ignored (this model has no phase shifters). Ratings: lines
    ``max_i_ka * vn_kv * sqrt(3)``, transformers ``sn_mva``; zero, NaN or "unlimited"
    (>= 9,000 MVA) ratings fall back to the base-case DC flow at the case's dispatch / 0.7.
    Installed capacity is ``max_p_mw`` (else ``|p_mw|``) of gen, sgen, ext_grid and storage,
    technology guessed from ``type``/``name`` (else "other"). If the case has islands, only
    the largest is kept. What happened is written to ``G.graph["notes"]``.
    """
    notes: list[str] = []
    live = net.bus.index[net.bus.in_service.astype(bool)].astype(int).tolist()
    live_bus = set(live)
    fuse = _UnionFind(live)
    sw = net.switch
    if len(sw):
        closed_bb = sw[(sw.et == "b") & sw.closed.astype(bool)]
        for a, b in zip(closed_bb.bus.astype(int), closed_bb.element.astype(int), strict=True):
            if a in live_bus and b in live_bus:
                fuse.union(a, b)
    reps = sorted({fuse.find(b) for b in live})
    rep_index = {r: i for i, r in enumerate(reps)}
    node_of = {b: rep_index[fuse.find(b)] for b in live}
    raw = _pp_branches(net, live_bus)
    a = np.array([node_of[int(b)] for b in raw["from"]], dtype=np.int64)
    b = np.array([node_of[int(t)] for t in raw["to"]], dtype=np.int64)
    keep = a != b
    if (~keep).any():
        notes.append(f"{int((~keep).sum())} branches inside fused buses dropped")
    kind = [k for k, flag in zip(raw["kind"], keep.tolist(), strict=True) if flag]
    br = _merge_branches(
        a[keep], b[keep], raw["x_pu"][keep], raw["rating_mw"][keep], raw["length_km"][keep], kind
    )
    n = len(reps)
    load, gen, dispatch, slack = _pp_injections(net, live_bus, node_of, n)
    br, removed, series_note = _series_merge_nonpositive(br, n, slack, [load, dispatch, gen], name)
    nodes, br, slack, island_note = _largest_island(n, br, ~removed, slack, gen)
    notes += [note for note in (series_note, island_note) if note]
    load, gen, dispatch = load[nodes], gen[nodes], dispatch[nodes]
    rating, rating_note = _fallback_ratings(len(nodes), br, dispatch, gen.sum(axis=1), load, slack)
    if rating_note:
        notes.append(rating_note)
    pairs = br.pairs
    buses = [reps[i] for i in nodes.tolist()]
    xy, xy_note = _pp_coordinates(net, buses, pairs, rng)
    territory, terr_note = _pp_territories(net, buses, pairs, xy, n_territories, rng)
    notes += [n for n in (xy_note, terr_note) if n]
    if float(gen.sum()) > 0 and np.all(gen[:, TECHS.index("other")].sum() == gen.sum()):
        notes.append("no technology information; all generation is 'other'")
    G = _assemble(
        name=name,
        notes="; ".join(notes),
        slack=slack,
        nodes={
            "territory": territory,
            "load_mw": load,
            **{key: gen[:, i] for i, key in enumerate(GEN_KEYS)},
            "solar_cf": _solar_cf(_geo_field(xy, rng), rng),
            "x": xy[:, 0],
            "y": xy[:, 1],
            "source_bus": np.array(buses, dtype=np.int64),
            "vn_kv": net.bus.vn_kv.loc[buses].to_numpy(float),
            "name": [_bus_name(v) for v in net.bus.name.loc[buses].tolist()]
            if "name" in net.bus.columns
            else [None] * len(buses),
        },
        edges=pairs,
        edge_attrs={
            "x_pu": br.x_pu,
            "rating_mw": rating,
            "length_km": br.length_km,
            "kind": np.array(br.kind),
        },
    )
    validate_grid(G, name)
    return G


def _bus_name(value: Any) -> str | None:
    """Bus name as a string, or None when the case has none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None
