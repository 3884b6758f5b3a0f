"""The speculative wildcard: a cap that grows, a cost that falls, launches that fail, and launch CO2."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from abm.catalogue import PATH_CATALOGUE
from abm.metrics.wildcard_view import wildcard_kpis
from abm.scenario import config_with, list_scenarios, load_scenario
from abm.vocabulary import Path, Project, Status
from abm.wildcard import cap_mw, cost_factor, launch_attempts, launch_co2_t, years_open
from abm.world import Calendar

ORBITAL = load_scenario("orbital_wildcard")
OPEN = Calendar.from_config(ORBITAL).index_of(ORBITAL.other.available_from)


def test_cap_grows_by_its_stated_rule_from_the_opening_month() -> None:
    """The first cap until it opens, then plus `cap_growth_mw_per_year` a year."""
    o = ORBITAL.other
    assert years_open(ORBITAL, OPEN - 5) == 0.0
    assert cap_mw(ORBITAL, OPEN - 5) == o.capacity_cap_mw
    assert cap_mw(ORBITAL, OPEN + 24) == pytest.approx(
        o.capacity_cap_mw + 2 * o.cap_growth_mw_per_year
    )


def test_cost_follows_its_learning_curve() -> None:
    """Two years open: (1 - decline)^2 of the first cost; before it opens, the first cost."""
    d = ORBITAL.other.cost_decline_per_year
    assert cost_factor(ORBITAL, OPEN - 1) == 1.0
    assert cost_factor(ORBITAL, OPEN + 24) == pytest.approx((1 - d) ** 2)


def test_a_failed_launch_doubles_the_attempts_and_the_launch_co2() -> None:
    """Under the risk: two launches (and twice the CO2); above it: one."""
    risk = ORBITAL.other.failure_risk
    assert launch_attempts(ORBITAL, risk / 2) == 2 and launch_attempts(ORBITAL, (1 + risk) / 2) == 1
    per_mw = ORBITAL.other.launch_manufacturing_t_co2_per_mw
    assert launch_co2_t(ORBITAL, 10.0, 2) == 2 * launch_co2_t(ORBITAL, 10.0, 1) == 20 * per_mw
    assert launch_attempts(config_with(ORBITAL, {"other.failure_risk": 0.0}), 0.0) == 1


def test_wildcard_kpis_report_launch_co2_of_powered_projects_only() -> None:
    """Powered MW, failed launches and launch CO2 (Mt) from the project list."""
    powered = Project(pid=1, owner=0, mw=100.0, path=Path.OTHER, node=0, month_opened=0)
    powered.status, powered.launch_attempts = Status.ENERGIZED, 2
    waiting = Project(pid=2, owner=0, mw=50.0, path=Path.OTHER, node=0, month_opened=0)
    k = wildcard_kpis(SimpleNamespace(config=ORBITAL, month=OPEN, projects=[powered, waiting]))
    assert k["energized_mw"] == 100.0 and k["failed_launches"] == 1
    assert k["launch_manufacturing_co2_mt"] == pytest.approx(launch_co2_t(ORBITAL, 100.0, 2) / 1e6)
    assert k["cap_mw_end"] == ORBITAL.other.capacity_cap_mw


def test_the_wildcard_says_it_is_speculative() -> None:
    """Its path label (the app's legends) and its scenario's description in `list` say so."""
    assert "speculative" in PATH_CATALOGUE[Path.OTHER].label
    assert dict(list_scenarios())["orbital_wildcard"].startswith("Speculative.")
