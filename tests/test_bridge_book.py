"""The project book's side of bridge power: which book a bridge orders from, and how it ends.

A `ProjectBook` on fakes: a grid desk holding only a turbine book and the filing calls the book
makes, a recorder that books nothing.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from abm.markets.order_book import OrderBook
from abm.projects import ProjectBook
from abm.schema import ScenarioConfig
from abm.streams import Streams
from abm.vocabulary import Project, Status
from abm.world import Calendar


class FakeGrid:
    """GridFiling: a turbine book; filings are recorded, sites are bus 0, the rest does nothing."""

    def __init__(self, turbines: OrderBook) -> None:
        self.turbines = turbines
        self.filed: list[int] = []

    def choose_site(self, path: str, mw: float, pid: int, switches: int) -> int:
        return 0

    def file_grid_requests(self, project: Project, month: int) -> None:
        self.filed.append(project.pid)

    def withdraw_requests(self, project: Project, reason=None) -> None:
        pass

    def connect_load(self, project: Project) -> None:
        pass


def book(turbine_backlog_mw: float = 0.0, **gas) -> tuple[ProjectBook, FakeGrid]:
    # no permit delays, so the ready month is the order book's lead alone
    cfg = ScenarioConfig.model_validate({"gas": {"air_permit_risk": 0.0, **gas}})
    g = cfg.gas
    grid = FakeGrid(OrderBook(1_000.0, turbine_backlog_mw, g.turbine_min_lead_months))
    clock = SimpleNamespace(month=10)
    recorder = SimpleNamespace(observe_energized=lambda project: None)
    calendar = Calendar.from_config(cfg)
    owner = SimpleNamespace(unique_id=0, request_filings=lambda project: None)  # files once
    return ProjectBook(cfg, clock, calendar, Streams(1), recorder, grid, [], [owner]), grid


def waiting(pid: int = 1, mw: float = 300.0) -> Project:
    return Project(pid=pid, owner=0, mw=mw, path="grid", node=0, month_opened=0)


def test_a_bridge_orders_from_the_book_that_delivers_first():
    projects, _ = book(turbine_backlog_mw=0.0)  # turbines: 24 + 0.3 months; engines: 15 + 2
    p = waiting()
    projects.order_bridge(p)
    assert p.bridge_supply == "engines"
    assert p.bridge_ready_month == pytest.approx(10 + 15.0 + 300.0 / 150.0)
    projects.engines.backlog_mw = 10_000.0  # engines now over five years out
    q = waiting(2)
    projects.order_bridge(q)
    assert q.bridge_supply == "turbines"
    assert q.bridge_ready_month == pytest.approx(10 + 24.0 + 300.0 / 1_000.0)


@pytest.mark.parametrize(("rule", "backup"), [("retire", False), ("backup", True)])
def test_grid_energisation_retires_the_bridge_or_keeps_it_as_backup(rule, backup):
    projects, _ = book(bridge_after_grid=rule)
    p = waiting()
    projects.order_bridge(p)
    projects.clock.month = 40  # delivered at 27
    assert p.bridge_online(40)
    projects.energize_project(p)
    assert p.status is Status.ENERGIZED and not p.bridge_online(40)
    assert p.gas_backup is backup and p.bridge_end_month == 40


def test_a_cancelled_project_gives_its_undelivered_bridge_back_to_the_book():
    projects, _ = book()
    p = waiting()
    projects.order_bridge(p)
    assert projects.engines.backlog_mw == 300.0
    projects.cancel_project(p)
    assert projects.engines.backlog_mw == 0.0 and p.bridge_end_month == 10


def test_a_refiled_campus_keeps_its_bridge_and_a_switch_off_the_grid_ends_it():
    projects, grid = book()
    refiled, switched = waiting(1), waiting(2)
    for p in (refiled, switched):
        projects.records.append(p)
        projects.order_bridge(p)
    projects.clock.month = 30
    projects.switch_project(refiled, "grid")
    projects.switch_project(switched, "onsite_gas")
    assert grid.filed == [1] and refiled.bridge_online(30)
    assert switched.bridge_end_month == 30 and not switched.gas_backup
