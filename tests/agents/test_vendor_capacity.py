"""A vendor's factory investment: lines its order book pays for, their lead time, and the quote that counts them."""

from __future__ import annotations

import pytest

from abm.agents.vendor import ModularVendor
from abm.agents.vendor_capacity import (
    commission,
    expansion_mw_per_month,
    margin_usd_per_mw,
    months_to_build,
)
from abm.vocabulary import Path, Project


def payback_months(v) -> float:
    return v.factory_capex_usd_per_mw_per_month / margin_usd_per_mw(v)


def test_no_lines_until_the_book_outlasts_the_lead_time_plus_the_payback(config):
    v = config().vendors
    months = v.factory_lead_time_months + payback_months(v)
    assert expansion_mw_per_month(0.99 * months * 10.0, 10.0, v) == 0.0
    assert expansion_mw_per_month(1.01 * months * 10.0, 10.0, v) > 0.0


def test_the_factory_grows_to_clear_the_remaining_book_within_the_payback(config):
    v = config().vendors
    planned, backlog = 10.0, 2_000.0
    added = expansion_mw_per_month(backlog, planned, v)
    remaining = backlog - planned * v.factory_lead_time_months
    # the last MW/month added works the remaining book for exactly the months its capex takes
    assert remaining / (planned + added) == pytest.approx(payback_months(v))


def test_dearer_lines_mean_fewer_lines(config):
    cheap = config().vendors
    dear = config(
        vendors={"factory_capex_usd_per_mw_per_month": 4 * cheap.factory_capex_usd_per_mw_per_month}
    ).vendors
    assert (
        0
        <= expansion_mw_per_month(2_000.0, 10.0, dear)
        < expansion_mw_per_month(2_000.0, 10.0, cheap)
    )


def test_a_book_the_planned_capacity_clears_within_the_lead_time_adds_nothing(config):
    v = config().vendors
    planned = 10.0
    backlog = planned * v.factory_lead_time_months  # gone by the time a line runs
    assert expansion_mw_per_month(backlog, planned, v) == 0.0


def test_months_to_build_counts_lines_from_their_start():
    assert months_to_build(100.0, 10.0, [], 0) == 10.0
    # 10 MW/month for 4 months (40 MW), then 30 MW/month for the other 60 MW
    assert months_to_build(100.0, 10.0, [(4.0, 20.0)], 0) == pytest.approx(6.0)
    assert months_to_build(30.0, 10.0, [(4.0, 20.0)], 0) == pytest.approx(3.0)  # done before


def test_commission_moves_started_lines_online():
    online, building = commission(10.0, [(3.0, 5.0), (8.0, 7.0)], 3)
    assert online == 15.0 and building == [(8.0, 7.0)]


def test_a_vendor_with_a_long_book_builds_lines_that_shorten_its_quote_and_produce_later(
    model, config, clock, packs, make_desk
):
    cfg = config()
    v = cfg.vendors
    vendor = ModularVendor(model, config=cfg, clock=clock, packs=packs, projects=make_desk())
    for pid in range(40):
        project = Project(pid=pid, owner=1, mw=50.0, path=Path.MODULAR_NEW, node=0, month_opened=0)
        vendor.take_order(project)
    before = vendor.factory_delivery_months()
    clock.month = 0
    vendor.build()
    assert vendor.factory_lines and vendor.capacity_mw_per_month == v.factory_mw_per_month
    assert vendor.factory_delivery_months() < before
    clock.month = int(v.factory_lead_time_months)
    vendor.build()
    assert vendor.capacity_mw_per_month > v.factory_mw_per_month
