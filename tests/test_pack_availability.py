"""Second-life pack availability as vendors read it: every buyer's demand counts, not only vendors'.

The pack exchange is built on a hand-made roster (one recycler's stock, one vendor's book, one
utility's grid-storage bid), so each figure can be checked by hand.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from abm.markets.pack_exchange import PackExchange
from abm.roster import Roster
from abm.schema import ScenarioConfig
from abm.vocabulary import Order, Product
from abm.world import Calendar

STOCK_KWH = 1_000_000.0  # usable kWh in the recycler's inventory


class Utility:
    """A grid-storage buyer bidding for grade A and new storage."""

    unique_id = 90

    def __init__(self, need_kwh: float) -> None:
        self.need_kwh = need_kwh

    def storage_bids(self) -> list[Order]:
        if self.need_kwh <= 0:
            return []
        return [Order(Product.A, self.need_kwh, 50.0), Order(Product.NEW, self.need_kwh, 90.0)]


def exchange(utility_need_kwh: float = 0.0, vendor_open_kwh: float = 0.0) -> PackExchange:
    cfg = ScenarioConfig()
    recycler = SimpleNamespace(
        inventory_gwh=np.array([STOCK_KWH / 0.8 / 1e6, 0.0, 0.0]),
        inventory_soh=np.array([0.8, 0.8, 0.8]),
        second_life_added_kwh=0.0,
    )
    order = SimpleNamespace(
        second_life_outstanding_kwh=lambda: vendor_open_kwh, new_outstanding_kwh=lambda: 0.0
    )
    figures = SimpleNamespace(second_life_kwh=(vendor_open_kwh,), new_kwh=(0.0,))
    vendor = SimpleNamespace(
        unique_id=1, orders=[order], orders_due=lambda: [order], book_figures=lambda: figures
    )
    roster = Roster(recyclers=[recycler], vendors=[vendor], utilities=[Utility(utility_need_kwh)])
    clock = SimpleNamespace(month=0)
    recorder = SimpleNamespace(retired_gwh_cum=0.0, incentives_usd=0.0)
    return PackExchange(cfg, clock, Calendar.from_config(cfg), None, recorder, roster, [])


def test_room_is_stock_less_every_buyers_open_second_life_demand():
    assert exchange().second_life_room_kwh(0.0) == pytest.approx(STOCK_KWH)
    room = exchange(utility_need_kwh=300_000.0, vendor_open_kwh=200_000.0).second_life_room_kwh(0.0)
    assert room == pytest.approx(STOCK_KWH - 500_000.0)


def test_supply_counts_net_of_what_other_buyers_draw():
    packs = exchange()
    packs._sl_supply_kwh_per_month = 100_000.0
    packs._sl_bought_by_others_kwh = 400_000.0  # utilities bought this month
    packs.smooth_second_life_supply()
    weight = packs.config.hyperscalers.expectation_weight
    drawn = weight * 400_000.0
    assert packs.second_life_net_supply_kwh_per_month() == pytest.approx(
        max(0.0, 100_000.0 * (1 - weight) - drawn)
    )
    assert packs._sl_bought_by_others_kwh == 0.0  # the month's draw is consumed


def test_delivery_months_count_the_shortfall_at_net_supply():
    packs = exchange(utility_need_kwh=300_000.0)
    packs._sl_supply_kwh_per_month = 50_000.0
    assert packs.second_life_delivery_months(STOCK_KWH) == 0.0
    assert packs.second_life_delivery_months(STOCK_KWH + 200_000.0) == pytest.approx(4.0)
    assert packs.second_life_competing_kwh() == pytest.approx(300_000.0)
