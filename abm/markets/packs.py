"""Monthly call auction for storage packs, priced per usable kWh; pure functions over numpy arrays.

Products are the second-life grades and new storage (``abm.vocabulary.Product``, names in ``abm.catalogue.PRODUCTS``). Rules, per product:

* Bids are ranked by price, highest first; asks by price, lowest first. Orders with zero quantity
  are ignored.
* The traded volume Q is the largest volume at which the marginal bid price is still >= the
  marginal ask price (the crossing of the stepped demand and supply curves).
* The marginal bid is the lowest-priced bid needed for Q, the marginal ask the highest-priced ask
  needed for Q. The uniform clearing price is their midpoint, so it lies between them and no order
  trades above its bid or below its ask.
* Orders priced strictly better than the marginal price level fill completely; orders at exactly
  the marginal price level share the remainder pro rata to quantity. Fills therefore do not depend
  on order position (ties are symmetric and deterministic).
* Bids may carry a priority (e.g. months the buyer's demand has gone unfilled): at the marginal
  bid level, higher priority fills first and equal priorities share pro rata. Price, volume and
  the fills of every other order are unchanged by priority.
* A product with no crossing has price ``nan`` and no fills. Unfilled demand is returned to the
  caller (``bid_qty - bid_fill``) to carry to next month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm.errors import InputError


@dataclass
class AuctionResult:
    """Outcome of one call auction: uniform price per product and the fill of every order."""

    price_usd_per_kwh: np.ndarray
    """(n_products,) uniform clearing price per product; nan where no trade."""
    bid_fill_kwh: np.ndarray
    """(n_bids,) kWh bought by each bid, 0 <= fill <= quantity."""
    ask_fill_kwh: np.ndarray
    """(n_asks,) kWh sold by each ask, 0 <= fill <= quantity."""
    volume_kwh: np.ndarray
    """(n_products,) kWh traded per product (= sum of bid fills = sum of ask fills)."""


def _orders(
    side: str, product: np.ndarray, qty: np.ndarray, price: np.ndarray, n_products: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate one side of the book and return float/int arrays."""
    p = np.asarray(product)
    q = np.asarray(qty, dtype=float)
    c = np.asarray(price, dtype=float)
    if not (p.ndim == q.ndim == c.ndim == 1 and p.size == q.size == c.size):
        raise InputError(f"{side}: product, quantity and price must be 1-D arrays of equal length")
    if p.size and (not np.issubdtype(p.dtype, np.integer) or p.min() < 0 or p.max() >= n_products):
        raise InputError(f"{side}: product must be integers in 0..{n_products - 1}")
    if not (np.all(np.isfinite(q)) and np.all(np.isfinite(c))) or np.any(q < 0):
        raise InputError(f"{side}: quantities must be finite and >= 0, prices finite")
    return p.astype(np.int64), q, c


def _level_fill(
    qty: np.ndarray,
    price: np.ndarray,
    marginal: float,
    volume: float,
    better: np.ndarray,
    priority: np.ndarray | None = None,
) -> np.ndarray:
    """Fill orders strictly better than the marginal price fully, the marginal level by priority, then pro rata."""
    fill = np.where(better, qty, 0.0)
    at_level = (price == marginal) & (qty > 0)
    remainder = max(volume - fill.sum(), 0.0)
    rank = np.zeros(qty.size) if priority is None else priority
    for level in sorted(set(rank[at_level].tolist()), reverse=True):
        group = at_level & (rank == level)
        group_qty = qty[group].sum()
        share = min(remainder / group_qty, 1.0)
        fill[group] = qty[group] * share
        remainder = max(remainder - group_qty * share, 0.0)
    return fill


def _clear_one(
    bid_qty: np.ndarray,
    bid_price: np.ndarray,
    ask_qty: np.ndarray,
    ask_price: np.ndarray,
    bid_priority: np.ndarray,
) -> tuple[float, np.ndarray, np.ndarray, float]:
    """Clear one product: (price, bid fills, ask fills, volume)."""
    bid_fill = np.zeros(bid_qty.size)
    ask_fill = np.zeros(ask_qty.size)
    bq, bp = bid_qty[bid_qty > 0], bid_price[bid_qty > 0]
    aq, ap = ask_qty[ask_qty > 0], ask_price[ask_qty > 0]
    if bq.size == 0 or aq.size == 0:
        return float("nan"), bid_fill, ask_fill, 0.0
    bo = np.argsort(-bp, kind="stable")
    ao = np.argsort(ap, kind="stable")
    b_cum, b_sorted = np.cumsum(bq[bo]), bp[bo]
    a_cum, a_sorted = np.cumsum(aq[ao]), ap[ao]
    # Supply available at or below each bid's price; the feasible volume within bid i's step.
    supply_at_bid = np.concatenate([[0.0], a_cum])[
        np.searchsorted(a_sorted, b_sorted, side="right")
    ]
    volume = float(np.max(np.minimum(b_cum, supply_at_bid)))
    if volume <= 0:
        return float("nan"), bid_fill, ask_fill, 0.0
    marginal_bid = float(b_sorted[min(np.searchsorted(b_cum, volume, side="left"), b_cum.size - 1)])
    marginal_ask = float(a_sorted[min(np.searchsorted(a_cum, volume, side="left"), a_cum.size - 1)])
    price = 0.5 * (marginal_bid + marginal_ask)
    bid_fill = _level_fill(
        bid_qty, bid_price, marginal_bid, volume, bid_price > marginal_bid, bid_priority
    )
    ask_fill = _level_fill(ask_qty, ask_price, marginal_ask, volume, ask_price < marginal_ask)
    return price, bid_fill, ask_fill, volume


def clear_call_auction(
    bid_product: np.ndarray,
    bid_qty_kwh: np.ndarray,
    bid_price_usd_per_kwh: np.ndarray,
    ask_product: np.ndarray,
    ask_qty_kwh: np.ndarray,
    ask_price_usd_per_kwh: np.ndarray,
    n_products: int,
    bid_priority: np.ndarray | None = None,
) -> AuctionResult:
    """Clear a uniform-price call auction per product (rules in the module docstring).

    `bid_priority` (finite, one per bid; default all equal) orders bids at the marginal price.
    """
    if n_products < 1:
        raise InputError(f"n_products must be >= 1, got {n_products}")
    bprod, bq, bp = _orders("bids", bid_product, bid_qty_kwh, bid_price_usd_per_kwh, n_products)
    prio = np.zeros(bq.size) if bid_priority is None else np.asarray(bid_priority, dtype=float)
    if prio.shape != bq.shape or not np.all(np.isfinite(prio)):
        raise InputError("bids: priority must be a finite 1-D array, one per bid")
    aprod, aq, ap = _orders("asks", ask_product, ask_qty_kwh, ask_price_usd_per_kwh, n_products)
    price = np.full(n_products, np.nan)
    volume = np.zeros(n_products)
    bid_fill = np.zeros(bq.size)
    ask_fill = np.zeros(aq.size)
    for k in range(n_products):
        bi = np.flatnonzero(bprod == k)
        ai = np.flatnonzero(aprod == k)
        price[k], bid_fill[bi], ask_fill[ai], volume[k] = _clear_one(
            bq[bi], bp[bi], aq[ai], ap[ai], prio[bi]
        )
    return AuctionResult(price, bid_fill, ask_fill, volume)
