"""Bridge power: a waiting grid project runs on on-site gas when the compute it serves is worth more.

Decisions on a bare model with a fake desk that quotes a gas lead and records bridge orders;
the order book the quote comes from is tested on its own below.
"""

from __future__ import annotations

import math

import pytest

from abm.agents.bridging import bridge_cost_usd_per_mw_month, should_bridge
from abm.agents.hyperscaler import Hyperscaler
from abm.markets.order_book import OrderBook
from abm.signals import Signals
from abm.streams import Streams
from abm.vocabulary import Project, Status, Switch


class BridgeDesk:
    """ProjectDesk for bridging: a fixed gas quote (months) and a record of bridge orders."""

    def __init__(self, quote_months: float = 15.0) -> None:
        self.quote_months = quote_months
        self.bridged: list[Project] = []

    def gas_quote_months(self, mw: float = 0.0) -> float:
        return self.quote_months

    def order_bridge(self, project: Project) -> None:
        project.bridge_mw = project.mw
        self.bridged.append(project)


def signals(month: int) -> Signals:
    return Signals(
        month=month,
        expected_lmp_usd_per_mwh=60.0,
        grid_co2_t_per_mwh=0.4,
        expected_upgrade_share=0.3,
        modular_storage_cost_usd_per_kwh=150.0,
    )


def owner(model, cfg, desk, grid_wait_months: float, *projects: Project) -> Hyperscaler:
    h = Hyperscaler(model, 1.0, config=cfg, streams=Streams(1), projects=desk, sites=None)
    h.expected_wait_months["grid"] = grid_wait_months
    h.projects.extend(projects)
    return h


def grid_project(pid: int = 1, month_opened: int = 0, **fields) -> Project:
    return Project(
        pid=pid, owner=0, mw=200.0, path="grid", node=0, month_opened=month_opened, **fields
    )


def test_a_long_expected_grid_wait_bridges(model, config):
    desk = BridgeDesk(quote_months=15.0)
    project = grid_project()
    owner(model, config(), desk, 60.0, project).consider_bridges(signals(0))
    assert desk.bridged == [project]


def test_a_short_expected_wait_does_not_bridge(model, config):
    # 20 months expected, 15 to deliver plus the expected permit delay: under 3 months of bridge,
    # whose capex recovered over so short a run costs more than the compute it would serve
    desk = BridgeDesk(quote_months=15.0)
    owner(model, config(), desk, 20.0, grid_project()).consider_bridges(signals(0))
    assert desk.bridged == []


def test_the_wait_already_served_counts_from_the_last_refiling(model, config):
    desk = BridgeDesk(quote_months=15.0)
    old = grid_project(1, month_opened=0)  # waited 50 of the 60 months expected
    refiled = grid_project(2, month_opened=0, switch_log=[Switch(48, "grid", "grid")])
    owner(model, config(), desk, 60.0, old, refiled).consider_bridges(signals(50))
    assert desk.bridged == [refiled]


def test_a_high_enough_carbon_price_stops_bridging(model, config):
    desk = BridgeDesk(quote_months=15.0)
    cfg = config(policy={"carbon_price_usd_per_t": 1000.0})
    # precondition: at this price a month of bridge gas costs more than its compute is worth
    assert bridge_cost_usd_per_mw_month(cfg, 45.0, 1000.0) > (
        cfg.demand.value_of_lost_compute_usd_per_mw_month
    )
    owner(model, cfg, desk, 60.0, grid_project()).consider_bridges(signals(0))
    assert desk.bridged == []


def test_a_long_gas_quote_leaves_nothing_to_bridge(model, config):
    desk = BridgeDesk(quote_months=70.0)  # the grid is expected before the gas could arrive
    owner(model, config(), desk, 60.0, grid_project()).consider_bridges(signals(0))
    assert desk.bridged == []


def test_only_waiting_grid_projects_without_a_bridge_are_considered(model, config):
    desk = BridgeDesk(quote_months=15.0)
    projects = [
        grid_project(1, status=Status.ENERGIZED),
        grid_project(2, bridge_mw=200.0),
        Project(pid=3, owner=0, mw=50.0, path="onsite_gas", node=0, month_opened=0),
        grid_project(4),
    ]
    owner(model, config(), desk, 60.0, *projects).consider_bridges(signals(0))
    assert [p.pid for p in desk.bridged] == [4]


def test_bridging_off_in_the_scenario_never_bridges(model, config):
    assert not should_bridge(config(gas={"bridge_enabled": False}), 60.0, 15.0, 15.0)
    assert should_bridge(config(), 60.0, 15.0, 15.0)


# --- the order book the quote comes from ------------------------------------------------------
def test_orders_beyond_production_lengthen_the_quoted_lead():
    book = OrderBook(production_mw_per_month=100.0, backlog_mw=0.0, min_lead_months=24.0)
    assert book.quoted_lead_months() == 24.0
    first = book.order(100.0)  # one month of production
    second = book.order(1_000.0)  # ten more months of production behind the first
    assert first == pytest.approx(25.0)
    assert second == pytest.approx(35.0)
    assert book.quoted_lead_months() == pytest.approx(35.0)


def test_production_and_cancellations_shorten_the_quote():
    book = OrderBook(production_mw_per_month=100.0, backlog_mw=1_200.0, min_lead_months=24.0)
    book.produce_month()
    assert book.quoted_lead_months() == pytest.approx(35.0)
    book.cancel(500.0)
    assert book.quoted_lead_months() == pytest.approx(30.0)
    book.cancel(10_000.0)  # never below an empty book
    assert book.backlog_mw == 0.0


def test_a_book_that_produces_nothing_never_delivers():
    assert math.isinf(OrderBook(0.0, 0.0, 15.0).quoted_lead_months(10.0))
    with pytest.raises(ValueError):
        OrderBook(-1.0, 0.0, 15.0)


def test_the_same_orders_give_the_same_leads():
    def leads() -> list[float]:
        book = OrderBook(1_667.0 * 0.5, 14_500.0, 24.0)
        out = []
        for month, mw in enumerate([300.0, 5_000.0, 0.0, 120.0, 40_000.0]):
            out.append(book.order(mw))
            if month % 2:
                book.produce_month()
        return out

    assert leads() == leads()


def test_a_firm_that_values_time_more_bridges_where_another_would_not(config):
    cfg = config()
    months, quote = 30.0, 15.0
    cost = bridge_cost_usd_per_mw_month(cfg, months - quote, 0.0)
    value = cfg.demand.value_of_lost_compute_usd_per_mw_month
    carbon = (value - cost) / 0.5  # a carbon price that makes the bridge cost twice its gain
    carbon_cost = bridge_cost_usd_per_mw_month(cfg, months - quote, carbon)
    multiplier = 1.01 * carbon_cost / value
    assert not should_bridge(cfg, months, quote, carbon)
    assert should_bridge(cfg, months, quote, carbon, multiplier)
