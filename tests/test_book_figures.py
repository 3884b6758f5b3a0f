"""A vendor's book figures extended by newly booked orders equal the figures of the whole book."""

from __future__ import annotations

import numpy as np

from abm.agents.vendor_order import BookFigures, Order
from abm.vocabulary import Path, Product, Project


def _order(pid: int, mw: float, need_kwh: float, second_life: bool) -> Order:
    """An order of a modular site with some storage bought and some factory work done."""
    project = Project(pid=pid, owner=0, mw=mw, path=Path.MODULAR_NEW, node=0, month_opened=0)
    order = Order(project, need_kwh, 3.0, second_life_need_kwh=need_kwh / 2 if second_life else 0.0)
    order.acquired_kwh[Product.NEW] = need_kwh / 7
    order.factory_mw_done = mw / 3
    return order


def test_extended_is_of_the_whole_book() -> None:
    """Extending by one order at a time gives the same floats, bit for bit, as one pass over the book."""
    rng = np.random.default_rng(3)
    orders = [
        _order(i, float(rng.uniform(1, 50)), float(rng.uniform(1e3, 1e5)), i % 2 == 0)
        for i in range(12)
    ]
    figures = BookFigures.of([], 5)
    for k in range(len(orders)):
        figures = figures.extended(orders[: k + 1])
        assert figures == BookFigures.of(orders[: k + 1], 5)
    assert repr(figures.backlog_mw) == repr(BookFigures.of(orders, 5).backlog_mw)
