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
    yield_share = r.config.packs.second_life_yield
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


def test_fresh_stock_asks_above_break_even(model, config, packs, ledger):
    r = routed(model, config, packs, ledger, "second_use_first")
    p = r.config.packs
    asks = r.asks()
    assert [g for g, _, _ in asks] == list(range(N_GRADES))
    for grade, usable_kwh, ask in asks:
        soh = r.inventory_soh[grade]
        # break-even per usable kWh: repurposing plus the recycling value given up
        assert ask > packs.repurpose_cost_usd_per_kwh() + p.recycling_value_usd_per_kwh / soh
        assert usable_kwh == pytest.approx(r.inventory_gwh[grade] * soh * 1e6)


def test_older_stock_asks_less(model, config, packs, ledger):
    r = routed(model, config, packs, ledger, "second_use_first")
    young = r.asks()
    r.inventory_age_months[:] += 6.0
    old = r.asks()
    assert all(o[2] < y[2] for o, y in zip(old, young, strict=True))


def test_no_inventory_no_asks(model, config, packs, ledger):
    assert routed(model, config, packs, ledger, "recycle_first").asks() == []
