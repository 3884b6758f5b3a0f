"""Recycler decisions: test within capacity, route by policy, recycle stale stock, ask above break-even."""

from __future__ import annotations

import numpy as np
import pytest

from abm.agents.recycler import N_GRADES, Recycler

STALE_AFTER_MONTHS = 24  # the recycler's stale rule (a literal in the agent today; issue 14 item 4)


def build(model, cfg, packs, ledger, capacity_gwh_per_month: float = 1.0) -> Recycler:
    return Recycler(model, capacity_gwh_per_month, config=cfg, packs=packs, ledger=ledger)


def routed(model, config, packs, ledger, routing: str, arriving_gwh: float = 1.0) -> Recycler:
    r = build(model, config(packs={"routing": routing}), packs, ledger)
    r.receive(arriving_gwh)
    r.grade_and_route()
    return r


def test_recycle_first_routes_nothing_to_inventory(model, config, packs, ledger):
    r = routed(model, config, packs, ledger, "recycle_first")
    assert r.inventory_gwh.sum() == 0.0
    assert r.second_life_added_kwh == 0.0
    assert r.recycled_gwh == pytest.approx(1.0)  # every tested GWh goes to material recovery


def test_second_use_first_routes_every_graded_pack_to_inventory(model, config, packs, ledger):
    r = routed(model, config, packs, ledger, "second_use_first")
    yield_share = packs.second_life_yield()
    graded = packs.grade_share[:N_GRADES]  # A-C; below-C is always recycled
    np.testing.assert_allclose(r.inventory_gwh, graded * yield_share)
    assert r.recycled_gwh + r.inventory_gwh.sum() == pytest.approx(1.0)  # packs conserved
    assert r.second_life_added_kwh == pytest.approx(
        float(graded * yield_share @ packs.grade_soh[:N_GRADES]) * 1e6
    )


@pytest.mark.parametrize("wtp_usd_per_kwh, keeps", [(500.0, True), (0.0, False)])
def test_market_routing_keeps_grades_only_when_second_life_pays(
    model, config, packs, ledger, wtp_usd_per_kwh, keeps
):
    packs.wtp_usd_per_kwh[:N_GRADES] = [wtp_usd_per_kwh] * N_GRADES  # the recycler's price prior
    r = routed(model, config, packs, ledger, "market")
    assert bool(r.inventory_gwh.sum() > 0) is keeps


def test_grading_respects_test_capacity(model, config, packs, ledger):
    r = build(model, config(packs={"routing": "recycle_first"}), packs, ledger, 1.0)
    r.receive(1.5)
    r.grade_and_route()
    assert r.tested_this_month_gwh == pytest.approx(1.0)
    assert r.awaiting_test_gwh == pytest.approx(0.5)  # the backlog waits for next month
    r.grade_and_route()
    assert r.awaiting_test_gwh == pytest.approx(0.0)
    assert r.recycled_gwh == pytest.approx(1.5)


def test_a_long_backlog_grows_test_capacity(model, config, packs, ledger):
    cfg = config(packs={"routing": "second_use_first"})
    r = build(model, cfg, packs, ledger, 1.0)
    r.receive(4.0)  # 3 GWh left after testing: more than two months of capacity
    r.grade_and_route()
    assert r.capacity_gwh_per_month == pytest.approx(1.0 + cfg.recyclers.capacity_growth_per_month)


def test_stale_inventory_is_recycled_after_its_age_limit(model, config, packs, ledger):
    r = routed(model, config, packs, ledger, "second_use_first")
    stock_gwh = r.inventory_gwh.sum()
    recycled_before = r.recycled_gwh
    for _ in range(STALE_AFTER_MONTHS - 1):  # one month of age is already on it
        r.grade_and_route()
    assert r.inventory_gwh.sum() == pytest.approx(stock_gwh)  # 24 months old: still on sale
    r.grade_and_route()
    assert r.inventory_gwh.sum() == 0.0
    assert r.recycled_gwh == pytest.approx(recycled_before + stock_gwh)


def test_stock_with_no_sales_asks_what_recycling_pays(model, config, packs, ledger):
    """No sales yet: the marginal kWh would go stale unsold, so it asks the walk-away price."""
    r = routed(model, config, packs, ledger, "second_use_first")
    asks = r.asks()
    assert [g for g, _, _ in asks] == list(range(N_GRADES))
    for grade, usable_kwh, ask in asks:
        soh = r.inventory_soh[grade]
        assert ask == pytest.approx(packs.recycling_value_usd_per_kwh() / soh)
        assert usable_kwh == pytest.approx(r.inventory_gwh[grade] * soh * 1e6)


def selling(model, config, packs, ledger, stock_gwh: float) -> Recycler:
    """A recycler with `stock_gwh` of each grade that sells 0.1 GWh of each a month."""
    r = routed(model, config, packs, ledger, "second_use_first", arriving_gwh=0.0)
    r.inventory_gwh[:] = stock_gwh
    r.sales_kwh_per_month[:] = 0.1e6
    return r


def test_a_larger_inventory_asks_less(model, config, packs, ledger):
    small = selling(model, config, packs, ledger, 0.3).asks()
    large = selling(model, config, packs, ledger, 1.2).asks()
    assert all(lg[2] < sm[2] for lg, sm in zip(large, small, strict=True))
    r = selling(model, config, packs, ledger, 0.3)
    months = r.inventory_gwh * r.inventory_soh / 0.1  # months of sales the stock holds
    expected = (
        r.expected_price_usd_per_kwh - r.config.recyclers.holding_cost_usd_per_kwh_month * months
    )
    np.testing.assert_allclose([a for _, _, a in small], expected)


def test_stock_that_would_go_stale_unsold_asks_the_walk_away_price(model, config, packs, ledger):
    r = selling(model, config, packs, ledger, 0.3)
    r.inventory_age_months[:] = r.config.recyclers.stale_months - 1  # a month left, ~2 to sell
    floor = packs.recycling_value_usd_per_kwh() / r.inventory_soh
    np.testing.assert_allclose([a for _, _, a in r.asks()], floor)


def test_a_credit_on_sale_lowers_the_ask_and_raises_the_routing_value(model, config, packs, ledger):
    p = config().packs
    soh = packs.grade_soh[:N_GRADES]
    # a price prior just short of break-even: 0.9 x soh x (price - repurposing) < recycling value
    prior = p.repurpose_cost_usd_per_kwh + 0.9 * packs.recycling_value_usd_per_kwh() / (
        soh * packs.second_life_yield()
    )
    packs.wtp_usd_per_kwh[:N_GRADES] = list(prior)
    assert routed(model, config, packs, ledger, "market").inventory_gwh.sum() == 0.0
    floor_before = [
        a for _, _, a in routed(model, config, packs, ledger, "second_use_first").asks()
    ]
    packs.credit_usd_per_kwh = 5.0
    assert routed(model, config, packs, ledger, "market").inventory_gwh.sum() > 0.0
    floor_after = [a for _, _, a in routed(model, config, packs, ledger, "second_use_first").asks()]
    np.testing.assert_allclose(np.array(floor_before) - floor_after, 5.0)


def test_a_production_credit_reaches_routing_and_is_paid_on_repurposed_kwh(
    model, config, packs, ledger
):
    p = config().packs
    soh = packs.grade_soh[:N_GRADES]
    prior = p.repurpose_cost_usd_per_kwh + 0.9 * packs.recycling_value_usd_per_kwh() / (
        soh * packs.second_life_yield()
    )
    packs.wtp_usd_per_kwh[:N_GRADES] = list(prior)
    cfg = config(policy={"second_life_production_credit_usd_per_kwh": 5.0})
    r = build(model, cfg, packs, ledger)
    r.receive(1.0)
    r.grade_and_route()
    assert r.inventory_gwh.sum() > 0.0
    assert packs.production_credits == ((r.unique_id, pytest.approx(r.second_life_added_kwh)),)


def test_a_grade_that_did_not_trade_expects_its_best_bid(model, config, packs, ledger):
    r = build(model, config(), packs, ledger)
    before = r.expected_price_usd_per_kwh.copy()
    w = r.config.hyperscalers.expectation_weight
    r.observe_prices(np.array([70.0, np.nan, np.nan, 150.0]), np.array([90.0, 30.0, np.nan, 160.0]))
    assert r.expected_price_usd_per_kwh[0] == pytest.approx(
        (1 - w) * before[0] + w * 70.0
    )  # traded
    assert r.expected_price_usd_per_kwh[1] == pytest.approx((1 - w) * before[1] + w * 30.0)  # bid
    assert r.expected_price_usd_per_kwh[2] == before[2]  # neither a trade nor a bid


def test_sales_set_the_sales_rate(model, config, packs, ledger):
    r = routed(model, config, packs, ledger, "second_use_first")
    r.sold(0, 1000.0, 50.0)
    r.observe_prices(np.full(4, np.nan))
    w = r.config.hyperscalers.expectation_weight
    np.testing.assert_allclose(r.sales_kwh_per_month, [w * 1000.0, 0.0, 0.0])


def test_no_inventory_no_asks(model, config, packs, ledger):
    assert routed(model, config, packs, ledger, "recycle_first").asks() == []


def test_a_credit_above_the_recycling_value_asks_zero_not_a_negative_price(
    model, config, packs, ledger
):
    """The walk-away price is floored at zero: a seller gives packs away rather than pay a buyer."""
    r = selling(model, config, packs, ledger, 0.3)
    r.inventory_age_months[:] = r.config.recyclers.stale_months - 1  # asks the walk-away price
    packs.credit_usd_per_kwh = 10.0 * float(
        np.max(packs.recycling_value_usd_per_kwh() / r.inventory_soh)
    )
    asks = [a for _, _, a in r.asks()]
    assert asks and min(asks) == 0.0
