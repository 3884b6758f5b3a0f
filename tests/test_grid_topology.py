"""Topology builders: synthetic grids, files, pandapower cases and their error messages."""

from __future__ import annotations

import json
import pathlib
import sys
import time

import networkx as nx
import numpy as np
import pytest

from abm.errors import InputError
from abm.grid.flow import DCNetwork, pro_rata_dispatch_mw
from abm.grid.topology import (
    GEN_KEYS,
    INSTALLED_TO_PEAK,
    NODE_KEYS,
    TECHS,
    US_CAPACITY_SHARE,
    build_grid,
    load_grid_file,
    pandapower_grid,
    save_grid_graphml,
    save_grid_json,
    synthetic_grid,
    validate_grid,
)
from tests.conftest import slow_scale

GRIDS = pathlib.Path(__file__).resolve().parents[1] / "scenarios" / "grids"


def node_link(graph: nx.Graph) -> dict:
    """Canonical comparable form of a graph."""
    return nx.node_link_data(graph, edges="edges")


def assert_conventions(graph: nx.Graph, n_buses: int, n_territories: int) -> None:
    """Attributes present, ids 0..n-1, connected grid and connected territories."""
    assert sorted(graph.nodes) == list(range(n_buses))
    assert graph.graph["base_mva"] == 100.0 and 0 <= graph.graph["slack"] < n_buses
    assert nx.is_connected(graph)
    for _, data in graph.nodes(data=True):
        assert set(NODE_KEYS) <= set(data)
    for _, _, data in graph.edges(data=True):
        assert data["x_pu"] > 0 and data["rating_mw"] > 0 and data["length_km"] > 0
    territory = nx.get_node_attributes(graph, "territory")
    assert set(territory.values()) == set(range(n_territories))
    for t in range(n_territories):
        members = [b for b, tt in territory.items() if tt == t]
        assert nx.is_connected(graph.subgraph(members)), f"territory {t} is not connected"


@pytest.mark.parametrize(("n_buses", "n_territories"), [(20, 3), (200, 8), (2000, 25)])
def test_synthetic_grid_shape(n_buses, n_territories):
    peak_mw = 10.0 * n_buses
    graph = synthetic_grid(n_buses, n_territories, peak_mw, np.random.default_rng(42))
    assert_conventions(graph, n_buses, n_territories)
    net = DCNetwork(graph)
    assert net.load_mw.sum() == pytest.approx(peak_mw)
    assert net.gen_capacity_mw.sum() == pytest.approx(INSTALLED_TO_PEAK * peak_mw)
    for tech in TECHS:
        installed = sum(graph.nodes[b][f"gen_{tech}_mw"] for b in graph)
        assert installed == pytest.approx(US_CAPACITY_SHARE[tech] * INSTALLED_TO_PEAK * peak_mw)
    solar_cf = np.array([graph.nodes[b]["solar_cf"] for b in graph])
    assert solar_cf.min() >= 0.15 and solar_cf.max() <= 0.30 and np.ptp(solar_cf) > 0.05
    mean_degree = 2 * graph.number_of_edges() / n_buses
    assert 2.1 < mean_degree < 3.2
    loading = net.loading(pro_rata_dispatch_mw(net.load_mw, net.gen_capacity_mw))
    assert loading.max() < 1.0
    assert 0.3 < np.median(loading) < 0.6
    assert np.mean((loading >= 0.2) & (loading <= 0.7)) > 0.6
    # congested corridors survive the base-year N-1 plan on grids of a realistic size
    assert (loading > 0.85).sum() >= 1 or n_buses < 100


def test_synthetic_grid_is_deterministic_per_seed():
    first = synthetic_grid(300, 5, 3000.0, np.random.default_rng(11))
    second = synthetic_grid(300, 5, 3000.0, np.random.default_rng(11))
    other = synthetic_grid(300, 5, 3000.0, np.random.default_rng(12))
    assert node_link(first) == node_link(second)
    assert node_link(first) != node_link(other)


def test_synthetic_grid_small_and_many_territories():
    graph = synthetic_grid(5, 5, 50.0, np.random.default_rng(0))
    assert_conventions(graph, 5, 5)
    graph = synthetic_grid(30, 10, 300.0, np.random.default_rng(0))  # more territories than hubs
    assert_conventions(graph, 30, 10)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((4, 1, 100.0), "n_buses = 4"),
        ((20, 0, 100.0), "n_territories = 0"),
        ((20, 21, 100.0), "n_territories = 21"),
        ((20, 2, -5.0), "peak_load_mw = -5.0"),
    ],
)
def test_synthetic_grid_rejects_bad_sizes(args, match):
    with pytest.raises(InputError, match=match):
        synthetic_grid(*args, np.random.default_rng(0))


@pytest.mark.slow
def test_synthetic_grid_10000_buses_builds_in_seconds():
    # about 25 s to build (0.3 s for the layout, the rest the base-year N-1 screen of ~3,000
    # backbone outages) and 4-5 s for every bus's hosting capacity on an idle 2-core machine
    # at full size (make test-full); the bounds leave room for a busy one.
    n_buses = max(200, round(10_000 * slow_scale()))
    start = time.perf_counter()
    graph = synthetic_grid(n_buses, 50, 10.0 * n_buses, np.random.default_rng(1))
    assert time.perf_counter() - start < 90.0
    assert_conventions(graph, n_buses, 50)
    net = DCNetwork(graph)
    base = pro_rata_dispatch_mw(net.load_mw, net.gen_capacity_mw)
    start = time.perf_counter()
    hosting = net.hosting_capacity_mw(base)
    assert time.perf_counter() - start < 60.0
    assert np.all(hosting > 0)


# ------------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------------


def test_example_files_are_the_same_grid():
    from_json = load_grid_file(GRIDS / "example_5bus.json")
    from_graphml = load_grid_file(GRIDS / "example_5bus.graphml")
    assert node_link(from_json) == node_link(from_graphml)
    assert_conventions(from_json, 5, 2)
    assert from_json.graph["slack"] == 0


@pytest.mark.parametrize("suffix", [".json", ".graphml"])
def test_file_round_trip(tmp_path, suffix):
    graph = synthetic_grid(60, 3, 600.0, np.random.default_rng(2))
    path = tmp_path / f"grid{suffix}"
    (save_grid_json if suffix == ".json" else save_grid_graphml)(graph, path)
    assert node_link(load_grid_file(path)) == node_link(graph)


def test_build_grid_dispatches_on_source(tmp_path):
    rng = np.random.default_rng(0)
    kwargs = {"n_buses": 20, "n_territories": 2, "peak_load_mw": 100.0, "rng": rng}
    assert build_grid("synthetic", **kwargs).number_of_nodes() == 20
    graph = build_grid("example_5bus.graphml", **kwargs, base_dir=GRIDS)
    assert graph.graph["name"] == "example-5bus"
    with pytest.raises(InputError, match='did you mean "synthetic"'):
        build_grid("synthetc", **kwargs)


def write_json(path: pathlib.Path, data: dict) -> pathlib.Path:
    """Write a node-link dict and return the path."""
    path.write_text(json.dumps(data))
    return path


def example_data() -> dict:
    """The shipped example as a node-link dict, for mutation in error tests."""
    return json.loads((GRIDS / "example_5bus.json").read_text())


def test_json_ids_relabelled_and_parallel_lines_merged(tmp_path):
    data = example_data()
    names = ["a", "b", "c", "d", "e"]
    for node in data["nodes"]:
        node["id"] = names[node["id"]]
        del node["name"]
    for edge in data["edges"]:
        edge["source"], edge["target"] = names[edge["source"]], names[edge["target"]]
    data["graph"]["slack"] = "a"
    data["multigraph"] = True
    twin = dict(data["edges"][0], rating_mw=50.0, x_pu=0.3)
    data["edges"].append(twin)  # a second circuit a-b
    data["links"] = data.pop("edges")  # older networkx key
    graph = load_grid_file(write_json(tmp_path / "g.json", data))
    assert sorted(graph.nodes) == list(range(5)) and graph.nodes[0]["name"] == "a"
    assert graph.graph["slack"] == 0
    line = graph.edges[0, 1]
    assert line["rating_mw"] == pytest.approx(250.0 + 50.0)
    assert line["x_pu"] == pytest.approx(1 / (1 / 0.1 + 1 / 0.3))
    assert line["n_circuits"] == 2


def test_disconnected_grid_names_the_islands(tmp_path):
    data = example_data()
    data["edges"] = [e for e in data["edges"] if (e["source"], e["target"]) != (2, 3)]
    path = write_json(tmp_path / "islands.json", data)
    with pytest.raises(InputError) as err:
        load_grid_file(path)
    message = str(err.value)
    assert "\n" not in message and str(path) in message
    assert "2 islands; buses 3, 4 are not connected to the slack bus 0" in message


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda d: d["nodes"][2].pop("load_mw"), "bus 2 has no attribute 'load_mw'"),
        (lambda d: d["nodes"][1].update(gen_gas_mw=-1.0), "bus 1 attribute 'gen_gas_mw' = -1.0"),
        (
            lambda d: d["nodes"][1].update(solar_cf=1.5),
            "'solar_cf' = 1.5; expected a finite number from 0 to 1",
        ),
        (lambda d: d["nodes"][0].update(territory=1.5), "'territory' = 1.5; expected an integer"),
        (
            lambda d: d["edges"][1].update(rating_mw=0.0),
            r"line 0-2 attribute 'rating_mw' = 0.0; expected a finite number > 0",
        ),
        (lambda d: d["edges"][0].update(x_pu=-0.1), r"line 0-1 attribute 'x_pu' = -0.1"),
        (lambda d: d["edges"][4].pop("length_km"), "line 3-4 has no attribute 'length_km'"),
        (lambda d: d["edges"][4].update(x_pu="abc"), "'x_pu' = 'abc'"),
        (lambda d: d["graph"].pop("slack"), "graph attribute 'slack' = None"),
        (lambda d: d["graph"].update(base_mva=0), "graph attribute 'base_mva' = 0"),
        (lambda d: [n.update(territory=2) for n in d["nodes"][3:]], "territories .* skip \\[1\\]"),
        (
            lambda d: d["nodes"][1].update(territory=1),
            "territory 1 is split into 2 disconnected parts",
        ),
    ],
)
def test_bad_attributes_are_named(tmp_path, mutate, match):
    data = example_data()
    mutate(data)
    path = write_json(tmp_path / "bad.json", data)
    with pytest.raises(InputError, match=match) as err:
        load_grid_file(path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)


def test_corrupt_files(tmp_path):
    graphml = tmp_path / "broken.graphml"
    graphml.write_text((GRIDS / "example_5bus.graphml").read_text()[:700])
    with pytest.raises(InputError, match="not valid GraphML"):
        load_grid_file(graphml)
    broken = tmp_path / "broken.json"
    broken.write_text('{"nodes": [')
    with pytest.raises(InputError, match="not valid JSON"):
        load_grid_file(broken)
    with pytest.raises(InputError, match='no "nodes" list'):
        load_grid_file(write_json(tmp_path / "empty.json", {"graph": {}}))
    with pytest.raises(InputError, match='"source" and "target"'):
        load_grid_file(write_json(tmp_path / "e.json", {"nodes": [{"id": 0}], "edges": [{"x": 1}]}))
    with pytest.raises(InputError, match="not found"):
        load_grid_file(tmp_path / "missing.json")
    with pytest.raises(InputError, match="expected .json or .graphml"):
        load_grid_file(tmp_path / "grid.csv")


def test_validate_grid_rejects_non_graphs_and_bad_ids():
    with pytest.raises(InputError, match="undirected simple graph"):
        validate_grid(nx.DiGraph(), "g")
    graph = load_grid_file(GRIDS / "example_5bus.json")
    relabelled = nx.relabel_nodes(graph, {4: 7})
    with pytest.raises(InputError, match="bus id 7; expected integer ids 0..4"):
        validate_grid(relabelled, "g")


def test_pandapower_missing_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandapower.networks", None)  # import now fails
    with pytest.raises(
        InputError, match=r"install the \[grids\] extra: pip install -e '\.\[grids\]'"
    ):
        pandapower_grid("case118", 3, np.random.default_rng(0))


# ------------------------------------------------------------------------------------------
# pandapower cases (need the [grids] extra)
# ------------------------------------------------------------------------------------------


@pytest.mark.grids
def test_unknown_pandapower_case_suggests_a_name():
    pytest.importorskip("pandapower")
    with pytest.raises(
        InputError, match='unknown pandapower case "case119" \\(did you mean "case118"\\?\\)'
    ):
        build_grid(
            "pandapower:case119",
            n_buses=0,
            n_territories=3,
            peak_load_mw=1.0,
            rng=np.random.default_rng(0),
        )


@pytest.mark.grids
@pytest.mark.parametrize(
    ("case", "n_buses", "note"),
    [
        ("case118", 118, "unrated"),
        ("case_illinois200", 200, "seeded territories"),
        ("GBnetwork", 2224, "unrated"),
        ("case2848rte", 2846, "series compensation"),
    ],
)
def test_pandapower_cases_import(case, n_buses, note):
    pytest.importorskip("pandapower")
    graph = pandapower_grid(case, 6, np.random.default_rng(0))
    assert_conventions(graph, n_buses, 6)
    assert note in graph.graph["notes"]
    assert all(graph.nodes[b]["source_bus"] >= 0 for b in graph)
    net = DCNetwork(graph)
    assert net.load_mw.sum() > 0 and net.gen_capacity_mw.sum() > net.load_mw.sum()
    assert sum(graph.nodes[b][key] for b in graph for key in GEN_KEYS) == pytest.approx(
        net.gen_capacity_mw.sum()
    )


@pytest.mark.grids
def test_pandapower_import_is_deterministic():
    pytest.importorskip("pandapower")
    first = pandapower_grid("case_illinois200", 5, np.random.default_rng(3))
    second = pandapower_grid("case_illinois200", 5, np.random.default_rng(3))
    assert node_link(first) == node_link(second)


@pytest.mark.grids
def test_pandapower_island_and_technology_mapping():
    pp = pytest.importorskip("pandapower")
    from abm.grid.topology import pandapower_net_to_graph

    net = pp.create_empty_network(sn_mva=100.0)
    buses = [pp.create_bus(net, vn_kv=110.0, geodata=(float(i), 0.0)) for i in range(4)]
    pp.create_line_from_parameters(net, buses[0], buses[1], 10.0, 0.05, 0.4, 10.0, 0.6)
    pp.create_line_from_parameters(net, buses[1], buses[2], 10.0, 0.05, 0.4, 10.0, 0.0)
    pp.create_ext_grid(net, buses[0])
    pp.create_load(net, buses[2], p_mw=30.0)
    pp.create_sgen(net, buses[1], p_mw=20.0, type="PV")
    pp.create_sgen(net, buses[2], p_mw=15.0, type="WP")
    pp.create_gen(net, buses[3], p_mw=5.0, max_p_mw=8.0, type="nuclear")  # isolated bus
    graph = pandapower_net_to_graph(net, name="tiny", n_territories=2, rng=np.random.default_rng(0))
    assert graph.number_of_nodes() == 3
    assert "kept the largest of 2 islands (3 of 4 buses)" in graph.graph["notes"]
    assert "1 of 2 branches unrated" in graph.graph["notes"]
    assert graph.nodes[1]["gen_solar_mw"] == 20.0 and graph.nodes[2]["gen_wind_mw"] == 15.0
    assert graph.edges[0, 1]["rating_mw"] == pytest.approx(0.6 * 110.0 * np.sqrt(3))
    assert graph.edges[0, 1]["x_pu"] == pytest.approx(0.4 * 10.0 / (110.0**2 / 100.0))


def test_seeded_mix_matches_the_us_capacity_shares_within_one_generator():
    """A fleet with no technology data takes the US mix: MW by technology within one unit of its share."""
    from abm.grid.topology.fuel_mix import seeded_mix_techs

    capacity = np.random.default_rng(5).lognormal(5.0, 1.0, size=400)
    techs = seeded_mix_techs(capacity, np.random.default_rng(1))
    assert techs == seeded_mix_techs(capacity, np.random.default_rng(1))  # seeded
    assert techs != seeded_mix_techs(capacity, np.random.default_rng(2))
    for tech, share in US_CAPACITY_SHARE.items():
        mw = capacity[[t == tech for t in techs]].sum()
        assert abs(mw - share * capacity.sum()) <= capacity.max(), tech


@pytest.mark.grids
def test_pandapower_fleet_without_technologies_takes_the_seeded_mix():
    """Untyped generators become the US mix when the import has a fuel stream, 'other' without one."""
    pp = pytest.importorskip("pandapower")
    from abm.grid.topology import pandapower_net_to_graph

    net = pp.create_empty_network(sn_mva=100.0)
    buses = [pp.create_bus(net, vn_kv=110.0, geodata=(float(i), 0.0)) for i in range(3)]
    for a, b in ((0, 1), (1, 2)):
        pp.create_line_from_parameters(net, buses[a], buses[b], 10.0, 0.05, 0.4, 10.0, 0.6)
    pp.create_ext_grid(net, buses[0])
    pp.create_load(net, buses[2], p_mw=30.0)
    for i in range(40):
        pp.create_gen(net, buses[i % 3], p_mw=1.0, max_p_mw=2.0)

    def installed(fuel_rng):
        graph = pandapower_net_to_graph(
            net, name="untyped", n_territories=1, rng=np.random.default_rng(0), fuel_rng=fuel_rng
        )
        return {k: sum(graph.nodes[n][k] for n in graph) for k in GEN_KEYS}, graph

    plain, _ = installed(None)
    assert plain["gen_other_mw"] == pytest.approx(80.0)
    mixed, graph = installed(np.random.default_rng(4))
    assert "US mix by a seeded rule" in graph.graph["notes"]
    assert mixed["gen_gas_mw"] == pytest.approx(0.43 * 80.0, abs=2.0)
    assert mixed["gen_coal_mw"] > 0 and mixed["gen_nuclear_mw"] > 0
