"""A demand slowdown: the path after `demand.slowdown_from`, what planners see before it, idle MW and penalties."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from abm.metrics.stranded_view import StrandedView
from abm.scenario import config_with, load_scenario
from abm.vocabulary import Project, Status
from abm.world import Calendar, ai_demand_mw, gas_cancel_penalty_usd

BASE = load_scenario("baseline")
CAL = Calendar.from_config(BASE)
BUST = config_with(
    BASE, {"demand.slowdown_from": "2027-01", "demand.growth_after_slowdown_share": 0.0}
)
START = CAL.index_of("2027-01")


def test_growth_stops_at_the_slowdown_and_a_share_of_it_continues() -> None:
    """Share 0: flat from the start month; share 0.5: half the sourced growth above that level."""
    flat = ai_demand_mw(BUST, CAL, START)
    assert ai_demand_mw(BUST, CAL, START + 30) == pytest.approx(flat)
    assert ai_demand_mw(BUST, CAL, START - 1) == ai_demand_mw(BASE, CAL, START - 1)
    half = config_with(BUST, {"demand.growth_after_slowdown_share": 0.5})
    growth = ai_demand_mw(BASE, CAL, START + 30) - flat
    assert ai_demand_mw(half, CAL, START + 30) == pytest.approx(flat + 0.5 * growth)
    bust = config_with(BUST, {"demand.growth_after_slowdown_share": -0.5})
    assert ai_demand_mw(bust, CAL, START + 30) < flat


def test_planners_see_the_sourced_path_until_the_slowdown_comes() -> None:
    """Forecast from before the start month, the bust is invisible; from it on, it is the path."""
    later = START + 24
    assert ai_demand_mw(BUST, CAL, later, seen_at=START - 1) == ai_demand_mw(BASE, CAL, later)
    assert ai_demand_mw(BUST, CAL, later, seen_at=START) == pytest.approx(
        ai_demand_mw(BUST, CAL, START)
    )


def test_no_slowdown_leaves_the_path_bit_for_bit() -> None:
    """At share 1 the start month changes nothing (the baseline's bytes stay)."""
    moved = config_with(BASE, {"demand.slowdown_from": "2026-01"})
    assert all(ai_demand_mw(moved, CAL, m) == ai_demand_mw(BASE, CAL, m) for m in range(0, 120, 7))


def _model(existing_mw: float, projects: list[Project]) -> SimpleNamespace:
    """A stand-in with what the view reads: the project book (with the pre-run fleet), the calendar."""
    return SimpleNamespace(
        config=BASE, month=5, calendar=CAL, projects=_Book(existing_mw, projects)
    )


class _Book(list):
    """Projects that also carry the pre-run fleet's MW, like the ProjectBook."""

    def __init__(self, existing_mw: float, projects: list[Project]) -> None:
        super().__init__(projects)
        self.existing_mw = existing_mw


def test_idle_mw_is_supply_above_demand_shared_pro_rata() -> None:
    """300 MW above demand out of 1,200 supplied: a quarter of each source idles; the peak keeps it."""
    view = StrandedView(_model(600.0, []), ["grid", "modular_new"])
    view.observe(900.0, {"grid": 400.0, "modular_new": 200.0}, 0.0)
    assert sum(view.month_mw.values()) == pytest.approx(300.0)
    assert view.month_mw["grid"] == pytest.approx(100.0)
    assert view.month_mw["existing_fleet"] == pytest.approx(150.0)
    view.observe(2000.0, {"grid": 400.0, "modular_new": 200.0}, 0.0)  # demand above supply
    assert sum(view.month_mw.values()) == 0.0
    k = view.kpis()
    assert k["stranded_mw_peak"] == pytest.approx(300.0) and k[
        "stranded_mw_months"
    ] == pytest.approx(300.0)


def test_cancelled_gas_orders_forfeit_their_penalty() -> None:
    """Cancelled MW by path; on-site gas pays its share of installed cost."""
    gas = Project(pid=1, owner=0, mw=100.0, path="onsite_gas", node=0, month_opened=0)
    gas.status = Status.CANCELLED
    grid = Project(pid=2, owner=0, mw=50.0, path="grid", node=0, month_opened=0)
    grid.status = Status.CANCELLED
    view = StrandedView(_model(0.0, [gas, grid]), ["grid", "onsite_gas"])
    c = view.kpis()["cancellations"]
    assert c["mw_by_path"] == {"grid": 50.0, "onsite_gas": 100.0}
    g = BASE.gas
    assert c["gas_penalties_usd"] == pytest.approx(
        g.order_cancel_penalty_share * g.bridge_capex_usd_per_mw * 100.0
    )
    assert gas_cancel_penalty_usd(BASE, 100.0) == c["gas_penalties_usd"]
