"""The one entry point: build a grid from a source string of the scenario."""

from __future__ import annotations

import pathlib
import threading
from collections import OrderedDict

import networkx as nx
import numpy as np

from abm.errors import InputError, did_you_mean
from abm.grid.topology.files import load_grid_file
from abm.grid.topology.pandapower_import import pandapower_grid
from abm.grid.topology.planning import PlanningCriteria
from abm.grid.topology.synthetic import synthetic_grid


def build_grid(
    source: str,
    *,
    n_buses: int,
    n_territories: int,
    peak_load_mw: float,
    rng: np.random.Generator,
    base_dir: pathlib.Path | None = None,
    planning: PlanningCriteria | None = None,
    fuel_rng: np.random.Generator | None = None,
) -> nx.Graph:
    """Build a grid from "synthetic", "pandapower:<case>" or a .json/.graphml path.

    ``n_buses`` and ``peak_load_mw`` size the synthetic grid only; files and pandapower
    cases keep their own buses and loads; ``planning`` (the base-year N-1 criteria) rates the
    synthetic grid's lines and a pandapower case's unrated branches. ``n_territories`` also partitions a pandapower
    case that has no zones; ``fuel_rng`` gives a pandapower fleet that names no technology
    the US mix. Relative paths resolve against ``base_dir`` (default: cwd).
    """
    if source == "synthetic":
        return synthetic_grid(n_buses, n_territories, peak_load_mw, rng, planning)
    if source.startswith("pandapower:"):
        return pandapower_grid(source.split(":", 1)[1], n_territories, rng, fuel_rng, planning)
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


_GENERATED = ("synthetic", "pandapower:")
_SHARED_GRIDS = 16  # generated grids a process remembers (a 2,000-bus one is a few MB)
_shared: OrderedDict[tuple[object, ...], nx.Graph] = OrderedDict()
_shared_lock = threading.Lock()


def shared_grid(
    source: str,
    *,
    n_buses: int,
    n_territories: int,
    peak_load_mw: float,
    rng: np.random.Generator,
    base_dir: pathlib.Path | None = None,
    planning: PlanningCriteria | None = None,
    fuel_rng: np.random.Generator | None = None,
) -> nx.Graph:
    """`build_grid`, remembered per process for generated grids: a copy of the same build.

    A synthetic or pandapower grid is a function of these arguments and the generators' states,
    so a process that builds many models of one seed and size (a sweep worker, the app, the
    tests) draws and rates it once. Files are read afresh every time (they can change on disk).
    """
    args = {"n_buses": n_buses, "n_territories": n_territories, "peak_load_mw": peak_load_mw}
    if not source.startswith(_GENERATED):
        return build_grid(
            source, rng=rng, base_dir=base_dir, planning=planning, fuel_rng=fuel_rng, **args
        )
    key = (
        source,
        n_buses,
        n_territories,
        peak_load_mw,
        planning,
        repr(rng.bit_generator.state),
        None if fuel_rng is None else repr(fuel_rng.bit_generator.state),
    )
    with _shared_lock:  # the app builds models in more than one thread
        graph = _shared.get(key)
        if graph is not None:
            _shared.move_to_end(key)
    if graph is None:
        graph = build_grid(source, rng=rng, planning=planning, fuel_rng=fuel_rng, **args)
        with _shared_lock:
            _shared[key] = graph
            if len(_shared) > _SHARED_GRIDS:
                _shared.popitem(last=False)
    return graph.copy()
