"""The planner's rolling transmission assessment: when it runs, which lines it raises, who pays."""

from __future__ import annotations

import numpy as np
import pytest

from abm.grid.flow import DCNetwork
from abm.grid.topology import PlanningCriteria
from abm.grid.transmission_plan import assessment_due, short_lines
from abm.grid.utility_builds import UtilityBuildBook
from tests.grid_helpers import triangle_graph

TECHS = ("gas", "solar")


def test_assessments_run_every_period_and_never_at_the_start_or_when_off():
    assert [m for m in range(40) if assessment_due(m, 1.0)] == [12, 24, 36]
    assert [m for m in range(40) if assessment_due(m, 2.5)] == [30]
    assert not any(assessment_due(m, 0.0) for m in range(40))


def _triangle(rating_02_mw: float) -> DCNetwork:
    graph = triangle_graph((500.0, 500.0, rating_02_mw), (0.1, 0.1, 0.1), (10.0, 10.0, 20.0))
    return DCNetwork(graph)


def test_a_line_short_of_n1_for_the_planned_system_is_raised_to_its_requirement():
    """100 MW load at bus 2 from gas at bus 0: line 0-2 carries 2/3 (P0) and all of it after 0-1-2 is lost (P1)."""
    net = _triangle(40.0)
    load = np.array([0.0, 0.0, 100.0])
    gen = np.array([[200.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    criteria = PlanningCriteria(emergency_rating_ratio=1.25, load_scale=1.0)
    lines, new_mw = short_lines(net, load, gen, TECHS, criteria, None)
    line_02 = net.edges.index((0, 2))
    assert line_02 in lines.tolist()
    assert new_mw[lines.tolist().index(line_02)] == pytest.approx(100.0 / 1.25, abs=0.1)
    assert (new_mw > net.rating_mw[lines]).all()


def test_a_system_within_its_criteria_needs_nothing():
    net = _triangle(500.0)
    load = np.array([0.0, 0.0, 100.0])
    gen = np.array([[200.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    lines, _ = short_lines(net, load, gen, TECHS, PlanningCriteria(1.25, 1.0), None)
    assert lines.size == 0


def test_the_last_peak_dispatch_is_planned_for_too():
    """A peak that ran solar at bus 1 the pro-rata cases never see: line 1-2 is rated for it."""
    net = _triangle(500.0)
    load = np.array([0.0, 0.0, 100.0])
    gen = np.array([[200.0, 0.0], [0.0, 200.0], [0.0, 0.0]])
    peak = np.array([-400.0, 1000.0, -600.0])
    lines, _ = short_lines(net, load, gen, TECHS, PlanningCriteria(1.25, 1.0), peak)
    assert net.edges.index((1, 2)) in lines.tolist()


def test_assessed_lines_enter_the_network_charge_of_their_territory():
    book = UtilityBuildBook(2)
    book.upgrade_usd[1] = 5.0
    book.transmission_usd[1] = 7.0
    assert book.costs(1) == ({}, 12.0)
    assert book.costs(0) == ({}, 0.0)
