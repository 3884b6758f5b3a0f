"""Upgrades that build network (abm/grid/reinforcement.py), the base-year N-1 plan
(abm/grid/topology/planning.py) and the power market taking new ratings."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from abm.grid.flow import DCNetwork, pro_rata_dispatch_mw
from abm.grid.reinforcement import relieved_lines
from abm.grid.topology import TECHS, synthetic_grid
from abm.grid.topology.planning import (
    PlanningCriteria,
    n1_required_rating_mw,
    planned_unrated_mw,
    planning_cases_mw,
)
from abm.markets.power import NetworkArrays, PowerMarket


def four_bus() -> DCNetwork:
    """Generation at bus 0; a meshed triangle 0-1-2 and a radial line 2-3 to load bus 3."""
    return DCNetwork.from_arrays(
        4,
        np.array([0, 1, 0, 2]),
        np.array([1, 2, 2, 3]),
        np.array([0.1, 0.1, 0.1, 0.1]),
        np.array([500.0, 500.0, 500.0, 120.0]),
        load_mw=np.array([0.0, 50.0, 50.0, 100.0]),
        gen_capacity_mw=np.array([400.0, 0.0, 0.0, 0.0]),
    )


def test_an_upgrade_adds_its_mw_of_hosting_on_the_lines_the_bus_moves() -> None:
    net = four_bus()
    inj = np.array([200.0, -50.0, -50.0, -100.0])
    before = net.hosting_capacity_mw(inj)
    assert before[3] == pytest.approx(20.0)  # the radial line 2-3 limits bus 3
    lines, new_mw = relieved_lines(net, inj, 3, 60.0)
    assert lines.tolist() == [net.line_index(2, 3)]  # the meshed lines have room for 80 MW more
    net.raise_ratings(lines, new_mw)
    after = net.hosting_capacity_mw(inj)
    assert after[3] == pytest.approx(before[3] + 60.0, abs=0.11)
    assert after[1] == pytest.approx(before[1])  # bus 1's limit is elsewhere


def test_a_large_upgrade_also_relieves_the_meshed_lines() -> None:
    net = four_bus()
    inj = np.array([200.0, -50.0, -50.0, -100.0])
    lines, new_mw = relieved_lines(net, inj, 3, 800.0)
    assert set(lines.tolist()) >= {net.line_index(0, 2), net.line_index(2, 3)}
    net.raise_ratings(lines, new_mw)
    assert net.hosting_capacity_mw(inj)[3] >= 820.0 - 0.2
    assert np.all(net.loading(inj) <= 1.0)


def test_ratings_never_fall_and_the_old_array_is_left_alone() -> None:
    net = four_bus()
    old = net.rating_mw
    net.raise_ratings(np.array([0, 3]), np.array([100.0, 200.0]))
    assert net.rating_mw.tolist() == [500.0, 500.0, 500.0, 200.0]
    assert old.tolist() == [500.0, 500.0, 500.0, 120.0]


def test_base_year_plan_meets_n_minus_1_by_removing_each_backbone_line() -> None:
    """Rebuild the network without each backbone line: every flow within the emergency rating."""
    criteria = PlanningCriteria()
    graph = synthetic_grid(60, 3, 600.0, np.random.default_rng(5), criteria)
    net = DCNetwork(graph)
    gen = np.array([[graph.nodes[b][f"gen_{t}_mw"] for t in TECHS] for b in range(net.n_bus)])
    cases = planning_cases_mw(net.load_mw, gen, TECHS, criteria.load_scale)
    for inj in cases:
        assert np.all(np.abs(net.flows_mw(inj)) <= net.rating_mw + 1e-6)
    kinds = [graph.edges[u, v]["kind"] for u, v in net.edges]
    checked = 0
    for k, kind in enumerate(kinds):
        keep = np.arange(net.n_line) != k
        if kind != "backbone":
            continue
        g = nx.Graph(
            list(zip(net.line_from[keep].tolist(), net.line_to[keep].tolist(), strict=True))
        )
        g.add_nodes_from(range(net.n_bus))
        if not nx.is_connected(g):  # a bridge: its outage islands load (consequential loss)
            continue
        cut = DCNetwork.from_arrays(
            net.n_bus,
            net.line_from[keep],
            net.line_to[keep],
            net.x_pu[keep],
            net.rating_mw[keep],
            slack=net.slack,
        )
        checked += 1
        for inj in cases:
            post = np.abs(cut.flows_mw(inj))
            assert np.all(post <= criteria.emergency_rating_ratio * cut.rating_mw + 1e-6)
    assert checked > 5


def test_n1_requirement_on_a_loop_is_the_whole_transfer_over_the_ratio() -> None:
    loop = DCNetwork.from_arrays(
        3, np.array([0, 0, 1]), np.array([1, 2, 2]), np.array([0.1, 0.05, 0.05]), np.ones(3)
    )
    inj = np.array([100.0, -100.0, 0.0])
    required = n1_required_rating_mw(loop, [inj], 1.2)
    # both paths carry 50 MW normally; with either out, the other carries all 100 MW
    np.testing.assert_allclose(required, [100.0 / 1.2] * 3, rtol=1e-9)


def test_market_takes_new_ratings_and_stops_shedding() -> None:
    arrays = NetworkArrays(
        n_bus=2,
        slack=0,
        base_mva=100.0,
        line_from=np.array([0]),
        line_to=np.array([1]),
        x_pu=np.array([0.1]),
        rating_mw=np.array([80.0]),
    )
    market = PowerMarket(arrays)
    args = (np.array([0.0, 100.0]), np.array([0]), np.array([500.0]), np.array([20.0]))
    first = market.clear(*args, np.array([0.4]))
    assert first.shed_mw.sum() == pytest.approx(20.0)
    market.set_ratings(np.array([150.0]))
    second = market.clear(*args, np.array([0.4]))
    assert second.shed_mw.sum() == pytest.approx(0.0, abs=1e-9)
    assert second.lmp_usd_per_mwh.tolist() == pytest.approx([20.0, 20.0])
    assert market.net.rating_mw.tolist() == [150.0]  # a cold rebuild keeps them
    fresh = PowerMarket(market.net).clear(*args, np.array([0.4]))
    assert fresh.gen_mw.tolist() == pytest.approx(second.gen_mw.tolist())


def test_pro_rata_planning_cases_count_firm_generation_only_in_the_second() -> None:
    gen = np.zeros((2, len(TECHS)))
    gen[0, TECHS.index("solar")] = 100.0
    gen[1, TECHS.index("gas")] = 100.0
    all_gen, firm = planning_cases_mw(np.array([50.0, 50.0]), gen, TECHS, 1.0)
    np.testing.assert_allclose(all_gen, pro_rata_dispatch_mw(np.array([50.0, 50.0]), gen.sum(1)))
    np.testing.assert_allclose(firm, [-50.0, 50.0])


def test_unrated_branches_are_planned_n1_and_rated_ones_kept() -> None:
    # the loop above, all load at bus 1 from bus 0: with either path out the other carries
    # all 100 MW, so an unrated branch (fallback 10 MW) is raised to 100 / 1.2; a rated one stays
    loop = DCNetwork.from_arrays(
        3,
        np.array([0, 0, 1]),
        np.array([1, 2, 2]),
        np.array([0.1, 0.05, 0.05]),
        np.array([10.0, 10.0, 30.0]),
    )
    load = np.array([0.0, 100.0, 0.0])
    gen = np.zeros((3, len(TECHS)))
    gen[0, TECHS.index("gas")] = 200.0
    criteria = PlanningCriteria(emergency_rating_ratio=1.2, load_scale=1.0)
    unrated = np.array([True, True, False])
    planned = planned_unrated_mw(loop, unrated, load, gen, TECHS, criteria)
    np.testing.assert_allclose(planned, [83.4, 83.4, 30.0])  # 100 / 1.2 up to 0.1 MW steps
    kept = planned_unrated_mw(loop, np.zeros(3, bool), load, gen, TECHS, criteria)
    np.testing.assert_array_equal(kept, loop.rating_mw)  # nothing unrated: nothing planned
