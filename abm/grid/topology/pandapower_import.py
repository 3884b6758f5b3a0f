"""Import a pandapower case (or any pandapower net) onto the topology conventions."""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np

from abm.errors import InputError, did_you_mean
from abm.grid.flow import DCNetwork
from abm.grid.topology.conventions import GEN_KEYS, TECHS, assemble_graph
from abm.grid.topology.geography import geo_field, solar_cf_from_field
from abm.grid.topology.pandapower_tables import case_branches, case_injections, tech_from_label
from abm.grid.topology.planning import PlanningCriteria, planned_unrated_mw
from abm.grid.topology.repairs import (
    Branches,
    fallback_ratings,
    largest_island,
    merge_branches,
    series_merge_nonpositive,
)
from abm.grid.topology.territories import grow_territories, territory_parts
from abm.grid.topology.validation import validate_grid


def pandapower_grid(
    case: str,
    n_territories: int,
    rng: np.random.Generator,
    fuel_rng: np.random.Generator | None = None,
    planning: PlanningCriteria | None = None,
) -> nx.Graph:
    """Import a test network shipped with pandapower (``pandapower.networks.<case>()``).

    ``fuel_rng`` assigns the US mix to a fleet whose data name no technology (``fuel_mix``);
    ``planning`` plans the case's unrated branches to the base-year N-1 criteria.
    """
    net = _load_pandapower_case(case)
    return pandapower_net_to_graph(
        net,
        name=f"pandapower:{case}",
        n_territories=n_territories,
        rng=rng,
        fuel_rng=fuel_rng,
        planning=planning,
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
    skeleton = nx.Graph()
    skeleton.add_nodes_from(range(len(buses)))
    skeleton.add_edges_from(edges.tolist())
    pos = nx.spring_layout(skeleton, seed=int(rng.integers(2**31 - 1)))
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
        parts = territory_parts(n, edges, territory.ravel())
        _, relabel = np.unique(parts, return_inverse=True)
        note = f"territories from bus {col}"
        if relabel.max() + 1 > values.nunique():
            note += f" (non-contiguous {col}s split: {values.nunique()} {col}s -> {relabel.max() + 1} territories)"
        return relabel.ravel(), note
    k = max(1, min(k, n))
    territory = grow_territories(xy, edges, k, rng)
    return territory, f"no zones; {k} seeded territories"


def pandapower_net_to_graph(
    net,
    *,
    name: str,
    n_territories: int,
    rng: np.random.Generator,
    fuel_rng: np.random.Generator | None = None,
    planning: PlanningCriteria | None = None,
) -> nx.Graph:
    """Map a pandapower net (buses, lines, transformers, loads, generators) onto the topology conventions.

    Out-of-service elements are dropped and closed bus-bus switches fused. Line reactance is
    ``x_ohm_per_km * length_km / parallel`` over ``vn_kv^2 / 100 MVA``; transformer
    reactance is ``sqrt(vk^2 - vkr^2) / 100 * 100 / sn_mva`` referred to the low-voltage bus,
    times the off-nominal ratio from in-phase tap changers (the DC model's ``x * tap``);
    phase shifts are ignored (this model has no phase shifters). Ratings: lines
    ``max_i_ka * vn_kv * sqrt(3)``, transformers ``sn_mva``; zero, NaN or "unlimited"
    (>= 9,000 MVA) ratings fall back to the base-case DC flow at the case's dispatch / 0.7,
    raised to the synthetic grid's base-year N-1 plan (``planning``; defaults when None).
    Installed capacity is ``max_p_mw`` (else ``|p_mw|``) of gen, sgen, ext_grid and storage,
    technology guessed from ``type``/``name`` (else "other"; a fleet with no technology at
    all takes the US mix by a seeded rule when ``fuel_rng`` is given). If the case has islands, only
    the largest is kept. What happened is written to ``graph.graph["notes"]``.
    """
    notes: list[str] = []
    live_bus, reps, node_of = _fuse_buses(net)
    br = _case_branch_set(net, live_bus, node_of, notes)
    n = len(reps)
    load, gen, dispatch, slack = case_injections(net, live_bus, node_of, n, fuel_rng)
    br, removed, series_note = series_merge_nonpositive(br, n, slack, [load, dispatch, gen], name)
    nodes, br, slack, island_note = largest_island(n, br, ~removed, slack, gen)
    notes += [note for note in (series_note, island_note) if note]
    load, gen, dispatch = load[nodes], gen[nodes], dispatch[nodes]
    rating, rating_note = fallback_ratings(len(nodes), br, dispatch, gen.sum(axis=1), load, slack)
    if rating_note:
        rating = _plan_unrated(len(nodes), br, rating, load, gen, slack, planning)
        notes.append(rating_note + "; raised to the base-year N-1 plan at the planned peak")
    buses = [reps[i] for i in nodes.tolist()]
    xy, xy_note = _pp_coordinates(net, buses, br.pairs, rng)
    territory, terr_note = _pp_territories(net, buses, br.pairs, xy, n_territories, rng)
    notes += [note for note in (xy_note, terr_note) if note]
    if float(gen.sum()) > 0 and np.all(gen[:, TECHS.index("other")].sum() == gen.sum()):
        notes.append("no technology information; all generation is 'other'")
    elif fuel_rng is not None and not _names_technologies(net):
        notes.append("no technology information; generators take the US mix by a seeded rule")
    graph = assemble_graph(
        name=name,
        notes="; ".join(notes),
        slack=slack,
        nodes=_node_columns(net, buses, territory, load, gen, xy, rng),
        edges=br.pairs,
        edge_attrs={
            "x_pu": br.x_pu,
            "rating_mw": rating,
            "length_km": br.length_km,
            "kind": np.array(br.kind),
        },
    )
    validate_grid(graph, name)
    return graph


def _plan_unrated(
    n: int,
    br: Branches,
    rating: np.ndarray,
    load: np.ndarray,
    gen: np.ndarray,
    slack: int,
    planning: PlanningCriteria | None,
) -> np.ndarray:
    """Fallback ratings of the unrated branches raised to the base-year N-1 plan (rated ones kept)."""
    net = DCNetwork.from_arrays(n, br.pairs[:, 0], br.pairs[:, 1], br.x_pu, rating, slack=slack)
    criteria = planning or PlanningCriteria()
    return planned_unrated_mw(net, np.isnan(br.rating_mw), load, gen, TECHS, criteria)


def _names_technologies(net) -> bool:
    """Whether any generating element's type or name names a technology."""
    for table in ("gen", "sgen", "ext_grid"):
        df = net[table]
        for col in ("type", "name"):
            if col in df.columns and any(tech_from_label(v) != "other" for v in df[col].tolist()):
                return True
    return False


def _fuse_buses(net) -> tuple[set[int], list[int], dict[int, int]]:
    """Live buses, one representative per group fused by closed bus-bus switches, node id per bus."""
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
    return live_bus, reps, node_of


def _case_branch_set(
    net, live_bus: set[int], node_of: dict[int, int], notes: list[str]
) -> Branches:
    """The case's branches between fused nodes, parallel ones merged (inside-node ones dropped, noted)."""
    raw = case_branches(net, live_bus)
    a = np.array([node_of[int(b)] for b in raw["from"]], dtype=np.int64)
    b = np.array([node_of[int(t)] for t in raw["to"]], dtype=np.int64)
    keep = a != b
    if (~keep).any():
        notes.append(f"{int((~keep).sum())} branches inside fused buses dropped")
    kind = [k for k, flag in zip(raw["kind"], keep.tolist(), strict=True) if flag]
    return merge_branches(
        a[keep], b[keep], raw["x_pu"][keep], raw["rating_mw"][keep], raw["length_km"][keep], kind
    )


def _node_columns(
    net,
    buses: list[int],
    territory: np.ndarray,
    load: np.ndarray,
    gen: np.ndarray,
    xy: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Node attribute columns of the imported grid; the solar field is drawn from ``rng`` here."""
    return {
        "territory": territory,
        "load_mw": load,
        **{key: gen[:, i] for i, key in enumerate(GEN_KEYS)},
        "solar_cf": solar_cf_from_field(geo_field(xy, rng), rng),
        "x": xy[:, 0],
        "y": xy[:, 1],
        "source_bus": np.array(buses, dtype=np.int64),
        "vn_kv": net.bus.vn_kv.loc[buses].to_numpy(float),
        "name": [_bus_name(v) for v in net.bus.name.loc[buses].tolist()]
        if "name" in net.bus.columns
        else [None] * len(buses),
    }


def _bus_name(value: Any) -> str | None:
    """Bus name as a string, or None when the case has none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None
