"""The seeded synthetic grid: meshed backbone, radial feeders, territories, US-like generation.

Shape constants are documented in ``docs/grid.md``. All randomness comes from the ``rng``
handed in, drawn in a fixed order, so a seed always gives the same graph.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.spatial import Delaunay, cKDTree

from abm.errors import InputError
from abm.grid.flow import DCNetwork, pro_rata_dispatch_mw
from abm.grid.topology.conventions import GEN_KEYS, TECHS, assemble_graph
from abm.grid.topology.fuel_mix import US_CAPACITY_SHARE
from abm.grid.topology.geography import geo_field, solar_cf_from_field
from abm.grid.topology.planning import PlanningCriteria, n1_required_rating_mw, planning_cases_mw
from abm.grid.topology.territories import grow_territories
from abm.grid.topology.validation import validate_grid
from abm.numerics import elementary, variates

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


def synthetic_grid(
    n_buses: int,
    n_territories: int,
    peak_load_mw: float,
    rng: np.random.Generator,
    planning: PlanningCriteria | None = None,
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
    loadings are 20-70 % with some warm lines and a few congested corridors (88-97 %), then
    raised where needed to the base-year N-1 plan (``planning``; ``topology.planning``).
    All randomness comes from ``rng``.
    """
    _check_synthetic_args(n_buses, n_territories, peak_load_mw)
    layout = _layout(n_buses, rng)
    xy, edges, is_backbone, is_hub = layout.xy, layout.edges, layout.is_backbone, layout.is_hub
    length_km = _route_length_km(xy, edges, rng)
    x_pu = _synthetic_reactance(edges, is_backbone, is_hub, length_km, rng)
    bus_density = _urban_density(xy, layout.centres_xy, 0.08 * layout.side_km)
    load_mw = _spread_load(bus_density, is_hub, peak_load_mw, rng)
    solar_cf = solar_cf_from_field(geo_field(xy, rng), rng)
    gen_mw = _place_generation(xy, is_hub, bus_density, solar_cf, peak_load_mw, rng)
    slack = int(np.argmax(gen_mw.sum(axis=1)))
    territory = _synthetic_territories(
        xy, edges, layout.backbone, layout.feeder_root, n_territories, rng
    )
    rating_mw = _synthetic_ratings(
        edges, is_backbone, x_pu, load_mw, gen_mw, slack, peak_load_mw, rng, planning
    )
    graph = assemble_graph(
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
    validate_grid(graph, graph.graph["name"])
    return graph


@dataclass(frozen=True)
class _Layout:
    """Where the buses sit (km) and which lines join them, before any electrical data."""

    xy: np.ndarray  # (n_bus, 2) coordinates, hubs first
    edges: np.ndarray  # (n_line, 2) canonical (min, max) pairs, sorted
    is_backbone: np.ndarray  # per line: on the meshed hub backbone
    is_hub: np.ndarray  # per bus: a transmission hub
    backbone: np.ndarray  # backbone lines between hubs (hub ids), for territory growth
    feeder_root: np.ndarray  # per feeder bus: the hub it hangs off
    centres_xy: np.ndarray  # city centres (km)
    side_km: float  # side of the square map


def _layout(n_buses: int, rng: np.random.Generator) -> _Layout:
    """Hubs around cities, their meshed backbone, radial feeders and a few feeder ties."""
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
    return _Layout(
        xy=xy,
        edges=edges,
        is_backbone=is_backbone,
        is_hub=np.arange(n_buses) < n_hub,
        backbone=backbone,
        feeder_root=feeder_root,
        centres_xy=centres_xy,
        side_km=side_km,
    )


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
    urban = centres[rng.integers(n_city, size=n_urban)] + variates.normal(
        rng, 0.0, 0.06 * side_km, (n_urban, 2)
    )
    rural = rng.uniform(0.0, side_km, size=(n_hub - n_urban, 2))
    xy = np.vstack([urban, rural])
    return xy[rng.permutation(n_hub)], centres


def _urban_density(xy: np.ndarray, centres: np.ndarray, sigma_km: float) -> np.ndarray:
    """Sum of Gaussian city kernels at each point (1.0 at a city centre)."""
    gap = xy[:, None, :] - centres[None, :, :]
    d2 = (gap * gap).sum(axis=2)
    return elementary.exp(-d2 / (2.0 * sigma_km * sigma_km)).sum(axis=1)


def _backbone_edges(xy: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Euclidean MST of the hubs plus a share of short Delaunay edges (a meshed backbone)."""
    from scipy.sparse.csgraph import minimum_spanning_tree  # here: ~17 ms off every import

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
    p = 1.0 / (length[spare] * length[spare])
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
    dx = (step * elementary.cos(angle)).tolist()
    dy = (step * elementary.sin(angle)).tolist()
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
    x_pu = per_km * length_km * variates.lognormal(rng, 0.0, 0.1, len(edges))
    return x_pu + np.where(stepdown, X_STEPDOWN_PU, 0.0)


def _spread_load(
    density: np.ndarray, is_hub: np.ndarray, peak_load_mw: float, rng: np.random.Generator
) -> np.ndarray:
    """Peak load per bus: lognormal x urban density; 40 % of hubs are pure switching stations."""
    weight = variates.lognormal(rng, 0.0, 0.8, len(density)) * (0.15 + density)
    weight = np.where(is_hub, 0.3 * weight * (rng.random(len(density)) > 0.4), weight)
    return peak_load_mw * weight / weight.sum()


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
        "wind": elementary.exp(4.0 * geo_field(xy, rng)) * rural,
        "solar": elementary.exp(12.0 * (solar_cf - solar_cf.min())),
        "hydro": elementary.exp(4.0 * geo_field(xy, rng)) * rural,
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
        size = variates.lognormal(rng, 0.0, 0.6, count)
        gen[sites, j] = US_CAPACITY_SHARE[tech] * total_mw * size / size.sum()
    return gen


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
        return grow_territories(xy, edges, k, rng)
    weight = 1.0 + np.bincount(feeder_root, minlength=n_hub)
    hub_territory = grow_territories(xy[:n_hub], backbone, k, rng, weight)
    return np.concatenate([hub_territory, hub_territory[feeder_root]])


def _synthetic_ratings(
    edges: np.ndarray,
    is_backbone: np.ndarray,
    x_pu: np.ndarray,
    load_mw: np.ndarray,
    gen_mw: np.ndarray,
    slack: int,
    peak_load_mw: float,
    rng: np.random.Generator,
    planning: PlanningCriteria | None,
) -> np.ndarray:
    """Ratings (MW) that put the peak pro-rata DC flow at a realistic target loading per line, planned N-1."""
    n_bus = len(load_mw)
    net = DCNetwork.from_arrays(
        n_bus, edges[:, 0], edges[:, 1], x_pu, np.ones(len(edges)), slack=slack
    )
    flow_mw = np.abs(net.flows_mw(pro_rata_dispatch_mw(load_mw, gen_mw.sum(axis=1))))
    target = _target_loading(edges, is_backbone, flow_mw, rng)
    rating = flow_mw / target
    floor_mw = 0.5 * peak_load_mw / n_bus
    for group in (is_backbone, ~is_backbone):
        if group.any():
            floor = max(0.3 * float(np.median(rating[group])), floor_mw)
            rating[group] = np.maximum(rating[group], floor)
    rating = np.ceil(rating * 10.0) / 10.0
    return _planned_ratings(edges, is_backbone, x_pu, slack, load_mw, gen_mw, rating, planning)


def _planned_ratings(
    edges: np.ndarray,
    is_backbone: np.ndarray,
    x_pu: np.ndarray,
    slack: int,
    load_mw: np.ndarray,
    gen_mw: np.ndarray,
    rating_mw: np.ndarray,
    planning: PlanningCriteria | None,
) -> np.ndarray:
    """Drawn ratings raised to the base-year plan's N-1 rating at the planned peak (0.1 MW steps)."""
    criteria = planning or PlanningCriteria()
    net = DCNetwork.from_arrays(
        len(load_mw), edges[:, 0], edges[:, 1], x_pu, rating_mw, slack=slack
    )
    cases = planning_cases_mw(load_mw, gen_mw, TECHS, criteria.load_scale)
    # P1 on the meshed backbone; radial feeders' outages lose only the load they serve
    backbone = np.flatnonzero(is_backbone)
    required = n1_required_rating_mw(net, cases, criteria.emergency_rating_ratio, backbone)
    return np.maximum(rating_mw, np.ceil(required * 10.0) / 10.0)


def _target_loading(
    edges: np.ndarray, is_backbone: np.ndarray, flow_mw: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Target base loading per line: Beta-shaped 20-70 %, some warm lines, a few hot corridors."""
    n = len(edges)
    low, high = LOADING_BASE
    target = low + (high - low) * variates.beta_2_2(rng, n)
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
