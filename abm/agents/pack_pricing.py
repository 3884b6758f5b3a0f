"""How pack-market orders are priced: buyers bid from their needs and alternatives, sellers ask from their costs.

Pure functions of a few numbers each, used by the agents that make the orders (vendor, utility,
recycler, OEM) and tested without a world (docs/batteries.md "The pack market").
"""

from __future__ import annotations

import math

import numpy as np


def value_of_time_usd_per_kwh_month(
    damages_usd_per_mw_month: float, storage_mwh_per_mw: float
) -> float:
    """What a month of delay costs a vendor per usable kWh of the site's storage (USD/kWh-month)."""
    return damages_usd_per_mw_month / max(storage_mwh_per_mw * 1000.0, 1e-9)


def vendor_bid_usd_per_kwh(
    value_usd_per_kwh: float,
    value_of_time_usd_per_kwh_month: float,
    waited_months: float,
    alternative_wait_months: float,
) -> float:
    """A vendor's bid for second-life packs for orders waiting for them (USD per usable kWh).

    The pack's value plus the delay a lost auction costs: a month for an order that just became
    due, one more for each month it has already waited (its damages grow), but never more months
    than new storage ordered now would take (the vendor's alternative).
    """
    months = min(1.0 + max(waited_months, 0.0), max(alternative_wait_months, 0.0))
    return value_usd_per_kwh + value_of_time_usd_per_kwh_month * months


def bankable_bid_usd_per_kwh(value_usd_per_kwh: float, bankability_discount: float) -> float:
    """A utility's bid for second-life packs: their value under grid duty less the lenders' haircut."""
    return value_usd_per_kwh * (1.0 - bankability_discount)


def walk_away_usd_per_kwh(
    recycling_value_usd_per_kwh: float, soh: np.ndarray, credit_on_sale_usd_per_kwh: float
) -> np.ndarray:
    """The least a seller of repurposed packs takes per usable kWh: what recycling them instead pays.

    Repurposing is sunk once packs are in stock; a sale also earns the credit paid on it. Never
    below zero: where the credit exceeds the recycling value the seller gives packs away rather
    than pay a buyer to take them (pack prices are non-negative, as the invariants check).
    """
    soh = np.maximum(np.asarray(soh, dtype=float), 1e-6)
    return np.maximum(recycling_value_usd_per_kwh / soh - credit_on_sale_usd_per_kwh, 0.0)


def seller_ask_usd_per_kwh(
    expected_price_usd_per_kwh: np.ndarray,
    walk_away: np.ndarray,
    holding_cost_usd_per_kwh_month: float,
    months_to_sell: np.ndarray,
    months_left: np.ndarray,
) -> np.ndarray:
    """The reservation price of the marginal kWh in stock, per grade (USD per usable kWh).

    Holding it, the seller expects the market price less the holding cost until its stock would
    sell (`months_to_sell`: stock over its recent sales rate). Stock that would not sell before
    it goes stale (`months_left`) is worth only the walk-away price: a large inventory asks less.
    """
    expected = np.asarray(expected_price_usd_per_kwh, dtype=float)
    hold = expected - holding_cost_usd_per_kwh_month * months_to_sell
    sells_in_time = np.asarray(months_to_sell) < np.asarray(months_left)
    return np.maximum(walk_away, np.where(sells_in_time, hold, walk_away))


def months_to_sell(stock_kwh: np.ndarray, sales_kwh_per_month: np.ndarray) -> np.ndarray:
    """Months a stock takes to sell at its recent sales rate (inf with no sales)."""
    stock = np.asarray(stock_kwh, dtype=float)
    rate = np.asarray(sales_kwh_per_month, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rate > 0, stock / np.where(rate > 0, rate, 1.0), math.inf)


def discover_price(
    expected_usd_per_kwh: np.ndarray,
    cleared_usd_per_kwh: np.ndarray,
    best_bid_usd_per_kwh: np.ndarray,
    weight: float,
) -> np.ndarray:
    """Move expected prices toward the clearing price; a product that did not trade moves toward its best bid.

    So a grade priced out at the start (no stock, no trade) learns what buyers would pay and can
    enter the market; with neither a trade nor a bid the expectation stays.
    """
    target = np.where(np.isfinite(cleared_usd_per_kwh), cleared_usd_per_kwh, best_bid_usd_per_kwh)
    moved = (1.0 - weight) * expected_usd_per_kwh + weight * np.nan_to_num(target)
    return np.where(np.isfinite(target), moved, expected_usd_per_kwh)


def second_life_margin_usd_per_kwh(
    soh: np.ndarray,
    yield_share: float,
    expected_price_usd_per_kwh: np.ndarray,
    repurpose_cost_usd_per_kwh: float,
    credits_usd_per_kwh: float,
) -> np.ndarray:
    """Expected margin of repurposing a nameplate kWh for second life, by grade (USD per nameplate kWh).

    Credits (a 45X credit on the sale, a production credit on repurposing) are per usable kWh.
    """
    unit = np.asarray(expected_price_usd_per_kwh) + credits_usd_per_kwh - repurpose_cost_usd_per_kwh
    return np.asarray(soh) * yield_share * unit
