"""Property tests for the pack call auction."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abm.errors import InputError
from abm.markets.packs import clear_call_auction

N_PRODUCTS = 4
PRICES = st.integers(0, 40).map(lambda p: 5.0 * p)  # coarse grid so ties are common
QTYS = st.one_of(st.just(0.0), st.floats(0.1, 1e4, allow_nan=False))


@st.composite
def books(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    n_bids = draw(st.integers(0, 12))
    n_asks = draw(st.integers(0, 12))
    bp = np.array(
        draw(st.lists(st.integers(0, N_PRODUCTS - 1), min_size=n_bids, max_size=n_bids)), dtype=int
    )
    bq = np.array(draw(st.lists(QTYS, min_size=n_bids, max_size=n_bids)), dtype=float)
    bc = np.array(draw(st.lists(PRICES, min_size=n_bids, max_size=n_bids)), dtype=float)
    ap = np.array(
        draw(st.lists(st.integers(0, N_PRODUCTS - 1), min_size=n_asks, max_size=n_asks)), dtype=int
    )
    aq = np.array(draw(st.lists(QTYS, min_size=n_asks, max_size=n_asks)), dtype=float)
    ac = np.array(draw(st.lists(PRICES, min_size=n_asks, max_size=n_asks)), dtype=float)
    return bp, bq, bc, ap, aq, ac


@settings(max_examples=300, deadline=None)
@given(books())
def test_auction_properties(book: tuple[np.ndarray, ...]) -> None:
    bp, bq, bc, ap, aq, ac = book
    r = clear_call_auction(bp, bq, bc, ap, aq, ac, N_PRODUCTS)
    assert r.price_usd_per_kwh.shape == (N_PRODUCTS,)
    tol = 1e-9 * (1 + bq.sum() + aq.sum())
    # fills within [0, quantity]
    assert np.all(r.bid_fill_kwh >= 0) and np.all(r.bid_fill_kwh <= bq + tol)
    assert np.all(r.ask_fill_kwh >= 0) and np.all(r.ask_fill_kwh <= aq + tol)
    for k in range(N_PRODUCTS):
        bi, ai = bp == k, ap == k
        buy, sell = r.bid_fill_kwh[bi].sum(), r.ask_fill_kwh[ai].sum()
        assert buy == pytest.approx(sell, abs=tol)
        assert r.volume_kwh[k] == pytest.approx(buy, abs=tol)
        price = r.price_usd_per_kwh[k]
        if np.isnan(price):
            assert buy == 0 and sell == 0
            # no trade means no crossing: every live bid is below every live ask
            live_b, live_a = bc[bi & (bq > 0)], ac[ai & (aq > 0)]
            if live_b.size and live_a.size:
                assert live_b.max() < live_a.min()
            continue
        filled_b = bi & (r.bid_fill_kwh > 0)
        filled_a = ai & (r.ask_fill_kwh > 0)
        # no fill above a bid or below an ask; price between marginal bid and marginal ask
        assert np.all(bc[filled_b] >= price) and np.all(ac[filled_a] <= price)
        marginal_bid, marginal_ask = bc[filled_b].min(), ac[filled_a].max()
        assert marginal_ask <= price <= marginal_bid
        assert price == pytest.approx(0.5 * (marginal_bid + marginal_ask))
        # efficiency: no unfilled bid priced above the price meets an unfilled ask below it
        rest_b = bi & (bq - r.bid_fill_kwh > tol) & (bc > price)
        rest_a = ai & (aq - r.ask_fill_kwh > tol) & (ac < price)
        assert not (rest_b.any() and rest_a.any())
        # strictly better orders are filled completely
        assert np.allclose(r.bid_fill_kwh[bi & (bc > marginal_bid)], bq[bi & (bc > marginal_bid)])
        assert np.allclose(r.ask_fill_kwh[ai & (ac < marginal_ask)], aq[ai & (ac < marginal_ask)])


@settings(max_examples=100, deadline=None)
@given(books(), st.randoms(use_true_random=False))
def test_auction_independent_of_order_position(book: tuple[np.ndarray, ...], rnd) -> None:
    bp, bq, bc, ap, aq, ac = book
    r1 = clear_call_auction(bp, bq, bc, ap, aq, ac, N_PRODUCTS)
    pb = np.array(rnd.sample(range(bp.size), bp.size), dtype=int)
    pa = np.array(rnd.sample(range(ap.size), ap.size), dtype=int)
    r2 = clear_call_auction(bp[pb], bq[pb], bc[pb], ap[pa], aq[pa], ac[pa], N_PRODUCTS)
    np.testing.assert_array_equal(r1.price_usd_per_kwh, r2.price_usd_per_kwh)
    np.testing.assert_allclose(r1.bid_fill_kwh[pb], r2.bid_fill_kwh, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(r1.ask_fill_kwh[pa], r2.ask_fill_kwh, rtol=1e-12, atol=1e-9)


def test_auction_worked_example_and_pro_rata_tie() -> None:
    # product 0: bids 100@60, 50@50 (two of 50 at 50), asks 80@30, 100@55
    r = clear_call_auction(
        np.array([0, 0, 0]),
        np.array([100.0, 50.0, 50.0]),
        np.array([60.0, 50.0, 50.0]),
        np.array([0, 0]),
        np.array([80.0, 100.0]),
        np.array([30.0, 55.0]),
        2,
    )
    # demand at 55 is 100, supply at <=55 is 180 -> trade 100 with marginal bid 60, marginal ask 55
    assert r.volume_kwh[0] == 100.0
    assert r.price_usd_per_kwh[0] == 57.5
    assert r.bid_fill_kwh.tolist() == [100.0, 0.0, 0.0]
    assert r.ask_fill_kwh.tolist() == [80.0, 20.0]
    assert np.isnan(r.price_usd_per_kwh[1])
    # a tie at the margin is shared pro rata to quantity
    t = clear_call_auction(
        np.array([0, 0]),
        np.array([30.0, 10.0]),
        np.array([50.0, 50.0]),
        np.array([0]),
        np.array([20.0]),
        np.array([40.0]),
        1,
    )
    assert t.bid_fill_kwh.tolist() == [15.0, 5.0]
    assert t.price_usd_per_kwh[0] == 45.0


def test_auction_empty_sides() -> None:
    empty_i, empty_f = np.array([], dtype=int), np.array([], dtype=float)
    r = clear_call_auction(
        empty_i, empty_f, empty_f, np.array([1]), np.array([5.0]), np.array([1.0]), 4
    )
    assert np.all(np.isnan(r.price_usd_per_kwh))
    assert r.ask_fill_kwh.tolist() == [0.0] and r.bid_fill_kwh.size == 0
    r = clear_call_auction(empty_i, empty_f, empty_f, empty_i, empty_f, empty_f, 4)
    assert r.volume_kwh.tolist() == [0.0] * 4


def test_auction_input_errors() -> None:
    one_i, one_f = np.array([0]), np.array([1.0])
    with pytest.raises(InputError):
        clear_call_auction(np.array([4]), one_f, one_f, one_i, one_f, one_f, 4)
    with pytest.raises(InputError):
        clear_call_auction(one_i, np.array([-1.0]), one_f, one_i, one_f, one_f, 4)
    with pytest.raises(InputError):
        clear_call_auction(one_i, one_f, np.array([np.nan]), one_i, one_f, one_f, 4)
    with pytest.raises(InputError):
        clear_call_auction(np.array([0.0]), one_f, one_f, one_i, one_f, one_f, 4)


@settings(max_examples=100, deadline=None)
@given(books(), st.data())
def test_priority_orders_the_marginal_level_only(book: tuple[np.ndarray, ...], data) -> None:
    """Priority (months unfilled) changes who fills at the marginal bid, nothing else."""
    bp, bq, bc, ap, aq, ac = book
    prio = np.array(data.draw(st.lists(st.integers(0, 3), min_size=bp.size, max_size=bp.size)))
    plain = clear_call_auction(bp, bq, bc, ap, aq, ac, N_PRODUCTS)
    r = clear_call_auction(bp, bq, bc, ap, aq, ac, N_PRODUCTS, prio)
    np.testing.assert_array_equal(r.price_usd_per_kwh, plain.price_usd_per_kwh)
    np.testing.assert_allclose(r.volume_kwh, plain.volume_kwh, atol=1e-9)
    np.testing.assert_allclose(r.ask_fill_kwh, plain.ask_fill_kwh, atol=1e-9)
    tol = 1e-9 * (1 + bq.sum())
    for k in range(N_PRODUCTS):
        bi = bp == k
        if not np.isfinite(r.price_usd_per_kwh[k]) or not (bi & (r.bid_fill_kwh > 0)).any():
            continue
        marginal = bc[bi & (r.bid_fill_kwh > 0)].min()
        off_level = bi & (bc != marginal)
        np.testing.assert_allclose(r.bid_fill_kwh[off_level], plain.bid_fill_kwh[off_level])
        level = bi & (bc == marginal) & (bq > 0)
        short = level & (r.bid_fill_kwh < bq - tol)
        if short.any():  # a bid left short: no lower-priority bid at its price got anything
            lower = level & (prio < prio[short].max())
            assert np.all(r.bid_fill_kwh[lower] <= tol)


def test_priority_fills_the_longest_unfilled_bid_first() -> None:
    # two bids of 30 at the same price for 40 kWh: the one unfilled for 2 months fills first
    r = clear_call_auction(
        np.array([0, 0]),
        np.array([30.0, 30.0]),
        np.array([50.0, 50.0]),
        np.array([0]),
        np.array([40.0]),
        np.array([40.0]),
        1,
        np.array([0.0, 2.0]),
    )
    assert r.bid_fill_kwh.tolist() == [10.0, 30.0]
    assert r.price_usd_per_kwh[0] == 45.0
    with pytest.raises(InputError):
        clear_call_auction(
            np.array([0]),
            np.array([1.0]),
            np.array([1.0]),
            np.array([0]),
            np.array([1.0]),
            np.array([1.0]),
            1,
            np.array([np.nan]),
        )
