"""Vendors quoting in one `PackExchange.quoting` session give the quotes they give one by one."""

from __future__ import annotations

import pytest

from abm.model import PowerStackModel
from abm.vocabulary import Path


@pytest.fixture(scope="module")
def model() -> PowerStackModel:
    """A baseline 30 months in: second-life stock, open orders and utilities' bids all exist."""
    m = PowerStackModel("baseline", rng=1, **{"run.months": 30})
    for _ in range(30):
        m.step()
    return m


def test_quotes_in_a_session_are_the_quotes_alone(model: PowerStackModel) -> None:
    """Every vendor's quote for every path, the same float inside a session and outside."""
    packs, vendors = model.packs, list(model.roster.vendors)
    paths = (None, Path.MODULAR_SECOND_LIFE, Path.MODULAR_NEW)
    alone = [[v.expected_delivery_months(p) for p in paths] for v in vendors]
    with packs.quoting():
        inside = [[v.expected_delivery_months(p) for p in paths] for v in vendors]
        with packs.quoting():  # a nested session joins the outer one
            nested = packs.modular_wait_months()
    assert inside == alone
    assert nested == min(q[0] for q in alone)
    assert packs._quote_memo is None


def test_outside_a_session_a_change_is_seen(model: PowerStackModel) -> None:
    """The figures are kept only inside the session: a stock that moves afterwards counts."""
    packs = model.packs
    with packs.quoting():
        before = packs._second_life_stock_kwh()
    stock = next(iter(model.roster.stocks()))
    kept = stock.inventory_gwh
    stock.inventory_gwh = kept + 1.0
    try:
        assert packs._second_life_stock_kwh() > before
    finally:
        stock.inventory_gwh = kept
