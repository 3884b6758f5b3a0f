"""DC power flow, PTDFs and hosting capacity: hand-checked small cases, superposition, pandapower reference."""

from __future__ import annotations

import pathlib

import networkx as nx
import numpy as np
import pytest

import abm.grid.flow as flow
from abm.grid.flow import DCNetwork, pro_rata_dispatch_mw
from abm.grid.topology import load_grid_file, pandapower_net_to_graph, synthetic_grid
from tests.grid_helpers import triangle_graph

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "scenarios" / "grids" / "example_5bus.json"


def three_bus(rating_02_mw: float = 60.0) -> nx.Graph:
    """Triangle 0-1-2: x01 = x12 = 0.1 pu, x02 = 0.2 pu, slack 0, base 100 MVA."""
    return triangle_graph((80.0, 80.0, rating_02_mw), (0.1, 0.1, 0.2), (10.0, 10.0, 20.0))


def test_three_bus_flow_by_hand():
    # 100 MW load at bus 2 fed from the slack: paths 0-1-2 and 0-2 both have x = 0.2 pu,
    # so each carries 50 MW. Angles: B' = [[20, -10], [-10, 15]], P = [0, -1] pu
    # -> theta1 = -10/200 = -0.05 rad, theta2 = -20/200 = -0.1 rad.
    net = DCNetwork(three_bus())
    injection = np.array([0.0, 0.0, -100.0])
    np.testing.assert_allclose(net.angles_rad(injection), [0.0, -0.05, -0.1], atol=1e-12)
    assert net.edges == [(0, 1), (0, 2), (1, 2)]
    np.testing.assert_allclose(net.flows_mw(injection), [50.0, 50.0, 50.0], atol=1e-9)
    np.testing.assert_allclose(net.loading(injection), [50 / 80, 50 / 60, 50 / 80], atol=1e-12)


def test_slack_takes_the_imbalance_and_batches_work():
    net = DCNetwork(three_bus())
    balanced = np.array([100.0, 0.0, -100.0])
    unbalanced = np.array([-999.0, 0.0, -100.0])  # the slack entry is ignored
    both = np.column_stack([balanced, unbalanced])
    np.testing.assert_allclose(net.flows_mw(both)[:, 0], net.flows_mw(unbalanced), atol=1e-12)
    np.testing.assert_allclose(net.flows_mw(both)[:, 1], [50.0, 50.0, 50.0], atol=1e-9)


def test_five_bus_example_by_hand():
    # Example grid: core triangle 0-1-2 (x01 0.1, x12 0.1, x02 0.2) and spur 2-3-4.
    # Injections (MW): bus1 +100, bus2 -150, bus3 -60, bus4 +40.
    # Spur is radial: 3->4 carries -40 MW (4 exports 40), 2->3 carries 60 - 40 = 20 MW.
    # Core sees bus1 +100, bus2 -150 - 20 = -170, slack 0 supplies 70.
    # Superpose: 100 MW from 1 to 0: loop 1-0 (x 0.1) vs 1-2-0 (x 0.3): 75 on 1->0, 25 on 1->2->0.
    # 170 MW from 0 to 2: loop 0-2 (x 0.2) vs 0-1-2 (x 0.2): 85 each.
    # f01 = -75 + 85 = 10; f02 = -25 + 85 = 60; f12 = 25 + 85 = 110.
    net = DCNetwork(load_grid_file(EXAMPLE))
    injection = np.array([0.0, 100.0, -150.0, -60.0, 40.0])
    expected = {(0, 1): 10.0, (0, 2): 60.0, (1, 2): 110.0, (2, 3): 20.0, (3, 4): -40.0}
    flows = net.flows_mw(injection)
    for edge, mw in expected.items():
        assert flows[net.line_index(*edge)] == pytest.approx(mw, abs=1e-9)
    # an independent solver: pseudo-inverse of the full Laplacian, slack balancing explicitly
    balanced = injection.copy()
    balanced[0] = -injection[1:].sum()
    laplacian = net.incidence.T @ np.diag(net.b_pu) @ net.incidence
    theta = np.linalg.pinv(laplacian) @ balanced / 100.0
    np.testing.assert_allclose(flows, net.b_pu * (net.incidence @ theta) * 100.0, atol=1e-8)


def test_ptdf_columns_match_flows_by_superposition():
    graph = synthetic_grid(200, 5, 2000.0, np.random.default_rng(7))
    net = DCNetwork(graph)
    rng = np.random.default_rng(1)
    injection = rng.normal(0.0, 10.0, size=net.n_bus)
    full = net.ptdf()
    assert full.shape == (net.n_line, net.n_bus)
    np.testing.assert_allclose(full[:, net.slack], 0.0)
    np.testing.assert_allclose(full @ injection, net.flows_mw(injection), atol=1e-8)
    buses = np.array([3, 17, net.slack, 150])
    np.testing.assert_allclose(net.ptdf_columns(buses), full[:, buses], atol=1e-12)
    # one MW from bus a to bus b: PTDF[:, a] - PTDF[:, b]
    a, b = 5, 120
    shift = np.zeros(net.n_bus)
    shift[a], shift[b] = 1.0, -1.0
    np.testing.assert_allclose(net.flows_mw(shift), full[:, a] - full[:, b], atol=1e-12)


def test_dense_ptdf_refused_for_large_grids():
    net = DCNetwork(synthetic_grid(3001, 3, 1000.0, np.random.default_rng(0)))
    with pytest.raises(ValueError, match="ptdf_columns"):
        net.ptdf()
    assert net.ptdf_columns(np.array([0, 1])).shape == (net.n_line, 2)


def test_hosting_capacity_by_hand_from_slack():
    # Base: 100 MW at bus 2 -> 50 MW on every line; ratings 80, 80 and 60 (line 0-2).
    # Extra load at 2 adds 0.5 MW per MW to every line: min(30, 30, 10) / 0.5 = 20 MW.
    # Extra load at 1 adds 0.75 to 0->1, -0.25 to 1->2, 0.25 to 0->2:
    #   0-1: 30 / 0.75 = 40; 1-2: (80 + 50) / 0.25 = 520; 0-2: 10 / 0.25 = 40 -> 40 MW.
    # The slack itself moves no line: inf.
    net = DCNetwork(three_bus())
    base = np.array([0.0, 0.0, -100.0])
    hosting = net.hosting_capacity_mw(base, supply="slack")
    np.testing.assert_allclose(hosting, [np.inf, 40.0, 20.0])
    np.testing.assert_allclose(net.hosting_capacity_mw(base, np.array([2]), supply="slack"), [20.0])


def test_hosting_capacity_by_hand_from_a_generator():
    # Extra load at 2 supplied from bus 1: sensitivities PTDF[:,1] - PTDF[:,2]
    #   = [-0.75, 0.25, -0.25] - [-0.5, -0.5, -0.5] = [-0.25, 0.75, 0.25] on (0-1, 1-2, 0-2):
    #   0-1: (80 + 50) / 0.25 = 520; 1-2: 30 / 0.75 = 40; 0-2: 10 / 0.25 = 40 -> 40 MW.
    net = DCNetwork(three_bus())
    base = np.array([0.0, 0.0, -100.0])
    weights = np.array([0.0, 1.0, 0.0])
    assert net.hosting_capacity_mw(base, np.array([2]), supply=weights)[0] == pytest.approx(40.0)


def test_hosting_capacity_zero_when_an_affected_line_is_overloaded():
    net = DCNetwork(three_bus(rating_02_mw=40.0))  # base flow 50 MW on 0-2
    hosting = net.hosting_capacity_mw(np.array([0.0, 0.0, -100.0]), supply="slack")
    assert hosting[0] == np.inf  # the slack moves nothing
    assert hosting[1] == 0.0 and hosting[2] == 0.0


def test_hosting_capacity_defaults_to_generators_and_is_exact():
    graph = synthetic_grid(200, 4, 3000.0, np.random.default_rng(3))
    net = DCNetwork(graph)
    base = pro_rata_dispatch_mw(net.load_mw, net.gen_capacity_mw)
    hosting = net.hosting_capacity_mw(base)
    assert np.all(hosting > 0) and np.all(np.isfinite(hosting))
    weights = net.gen_capacity_mw / net.gen_capacity_mw.sum()
    for bus in [0, 57, 123, 199]:
        extra = np.zeros(net.n_bus)
        extra[bus] = -1.0
        step = weights + extra  # 1 MW more load at the bus, supplied pro rata
        at_limit = net.loading(base + hosting[bus] * step).max()
        beyond = net.loading(base + hosting[bus] * 1.001 * step).max()
        assert at_limit == pytest.approx(max(1.0, net.loading(base).max()), rel=1e-9)
        assert beyond > 1.0


def test_hosting_capacity_blocks_give_the_same_answer(monkeypatch):
    net = DCNetwork(synthetic_grid(300, 4, 3000.0, np.random.default_rng(5)))
    base = pro_rata_dispatch_mw(net.load_mw, net.gen_capacity_mw)
    whole = net.hosting_capacity_mw(base)
    monkeypatch.setattr(flow, "BLOCK_ELEMENTS", 1000)  # a few columns per block
    np.testing.assert_array_equal(net.hosting_capacity_mw(base), whole)
    some = np.array([250, 3, 3, 99])
    np.testing.assert_array_equal(net.hosting_capacity_mw(base, some), whole[some])


def test_cached_sensitivities_match_the_block_path(monkeypatch):
    grid = synthetic_grid(300, 4, 3000.0, np.random.default_rng(5))
    net, fresh = DCNetwork(grid), DCNetwork(grid)
    base = pro_rata_dispatch_mw(net.load_mw, net.gen_capacity_mw)
    leaf = next(b for b in range(net.n_bus) if grid.degree(b) == 1 and base[b] < 0)
    line = net.line_index(leaf, next(iter(grid[leaf])))
    for n in (net, fresh):  # overload the leaf's only line: it blocks that bus alone
        n.rating_mw[line] = 0.5 * abs(n.flows_mw(base)[line])
    monkeypatch.setattr(flow, "SENSITIVITY_CACHE_BYTES", 0)  # never cache: blocks every call
    uncached = [fresh.hosting_capacity_mw(base, supply=s) for s in ("generators", "slack")]
    assert fresh._sensitivity_cache is None
    monkeypatch.undo()
    cached = [net.hosting_capacity_mw(base, supply=s) for s in ("generators", "slack")]
    assert net._sensitivity_cache is not None
    for a, b in zip(cached, uncached, strict=True):
        np.testing.assert_array_equal(a, b)
    assert cached[1][leaf] == 0.0 and np.count_nonzero(cached[1] == 0.0) == 1
    some = np.array([250, 3, 3, leaf])
    np.testing.assert_array_equal(
        net.hosting_capacity_mw(base, some, supply="slack"), cached[1][some]
    )


def test_sensitivity_cache_follows_the_supply_shares():
    grid = synthetic_grid(120, 3, 1200.0, np.random.default_rng(2))
    net, fresh = DCNetwork(grid), DCNetwork(grid)
    base = pro_rata_dispatch_mw(net.load_mw, net.gen_capacity_mw)
    from_generators = net.hosting_capacity_mw(base)
    from_slack = net.hosting_capacity_mw(base, supply="slack")  # replaces the cached entry
    assert not np.array_equal(from_generators, from_slack)
    np.testing.assert_array_equal(from_slack, fresh.hosting_capacity_mw(base, supply="slack"))
    np.testing.assert_array_equal(net.hosting_capacity_mw(base), from_generators)


def test_solves_in_column_blocks_match_one_solve(monkeypatch):
    net = DCNetwork(synthetic_grid(200, 2, 2000.0, np.random.default_rng(3)))
    buses = np.arange(net.n_bus)
    monkeypatch.setattr(flow, "SOLVE_BLOCK_COLUMNS", 7)  # ragged blocks, the last of 4 columns
    blocked = net.ptdf_columns(buses)
    monkeypatch.setattr(flow, "SOLVE_BLOCK_COLUMNS", net.n_bus)  # one solve
    # each column is solved the same way whatever its block: the same bytes
    np.testing.assert_array_equal(net.ptdf_columns(buses), blocked)


def test_supply_argument_is_checked():
    net = DCNetwork(three_bus())
    with pytest.raises(ValueError, match="supply"):
        net.hosting_capacity_mw(np.zeros(3), supply="everyone")
    with pytest.raises(ValueError, match="non-negative"):
        net.hosting_capacity_mw(np.zeros(3), supply=np.array([1.0, -1.0, 0.0]))


def test_single_bus_network():
    graph = nx.Graph(base_mva=100.0, slack=0)
    graph.add_node(0, territory=0)
    net = DCNetwork(graph)
    assert net.n_line == 0
    assert net.flows_mw(np.array([5.0])).shape == (0,)
    assert net.hosting_capacity_mw(np.array([0.0]))[0] == np.inf


# ------------------------------------------------------------------------------------------
# reference: pandapower's own DC power flow
# ------------------------------------------------------------------------------------------


def _pandapower_reference(case: str) -> tuple[float, int]:
    """Max |our flow - pandapower flow| in p.u. over merged branches, and the branch count.

    pandapower's ``rundcpp`` is run on the same net with (a) the PI transformer model, the
    standard DC branch model (its default "t" model folds magnetising branches into the
    series reactance), and (b) transformer phase shifts set to 0, because our topology has
    no phase shifters. Tap ratios are kept: the builder folds them into x (x * tap), exactly
    as pandapower's makeBdc does (b / tap). Injections are pandapower's bus results
    (``-res_bus.p_mw``), so the comparison tests the network model and solver alone.
    """
    pp = pytest.importorskip("pandapower")
    import pandapower.networks as pn

    net = getattr(pn, case)()
    net.trafo["shift_degree"] = 0.0
    graph = pandapower_net_to_graph(net, name=case, n_territories=4, rng=np.random.default_rng(0))
    pp.rundcpp(net, trafo_model="pi")
    source = [graph.nodes[i]["source_bus"] for i in range(graph.number_of_nodes())]
    node_of = {bus: i for i, bus in enumerate(source)}
    ours = DCNetwork(graph)
    injection = -net.res_bus.p_mw.loc[source].to_numpy()
    reference = np.zeros(ours.n_line)
    for table, a_col, b_col, p_col in (
        ("line", "from_bus", "to_bus", "p_from_mw"),
        ("trafo", "hv_bus", "lv_bus", "p_hv_mw"),
    ):
        a = net[table][a_col].map(node_of).to_numpy()
        b = net[table][b_col].map(node_of).to_numpy()
        p_mw = net[f"res_{table}"][p_col].to_numpy()
        for u, v, p in zip(a, b, p_mw, strict=True):
            reference[ours.line_index(u, v)] += p if u < v else -p
    error_pu = np.abs(ours.flows_mw(injection) - reference) / ours.base_mva
    return float(error_pu.max()), ours.n_line


@pytest.mark.grids
@pytest.mark.parametrize("case", ["case118", "case_illinois200", "GBnetwork"])
def test_flows_match_pandapower_rundcpp(case):
    max_error_pu, n_line = _pandapower_reference(case)
    assert n_line > 100
    assert max_error_pu < 1e-6


def test_hosting_capacity_ignores_lines_below_the_distribution_factor_cutoff():
    # 0-2 is over its 40 MW rating (50 MW); load at bus 1 fed from the slack moves 0-1 by 0.75,
    # 0-2 and 1-2 by 0.25 MW per MW, load at bus 2 every line by 0.5
    net = DCNetwork(three_bus(rating_02_mw=40.0))
    base = np.array([0.0, 0.0, -100.0])
    assert net.hosting_capacity_mw(base, supply="slack")[1] == 0.0  # round-off cutoff only
    net.dfax_cutoff = 0.3
    hosting = net.hosting_capacity_mw(base, supply="slack")
    assert hosting[1] == pytest.approx(40.0)  # only 0-1 limits it: 30 MW headroom / 0.75
    assert hosting[2] == 0.0  # bus 2 still moves the overloaded line by more than the cutoff
