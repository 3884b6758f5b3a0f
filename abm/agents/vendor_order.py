"""A modular vendor's order book: one site's storage, factory progress, and the vendor's rules over them.

The rules are pure functions of the book and the month so a test can check each without a
world: which orders the factory builds first (`factory_queue`), when an order's storage is
secured (`storage_secured`), and when the vendor stops waiting for second-life packs
(`gives_up_on_packs`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from abm.vocabulary import SECOND_LIFE_PRODUCTS, Path, Product, Project

_KWH_TOLERANCE = 1e-6  # usable kWh below which an order's storage counts as complete (float noise)


@dataclass
class Order:
    """A modular site in the vendor's book: its storage need (second life and new parts) and progress."""

    project: Project
    storage_need_kwh: float  # usable kWh to buy
    permit_ready_month: float
    second_life_need_kwh: float = 0.0  # usable kWh designated second life; the rest is new storage
    factory_mw_done: float = 0.0
    factory_done_month: int | None = None
    acquired_kwh: np.ndarray = field(
        default_factory=lambda: np.zeros(len(Product))
    )  # usable kWh by product
    acquired_nameplate_kwh: np.ndarray = field(default_factory=lambda: np.zeros(len(Product)))
    pending_new_kwh: list[tuple[int, float]] = field(default_factory=list)  # (arrival month, kWh)
    due_month: int | None = None  # first month its storage fell due (the vendor started buying)
    pack_wait_months: float | None = (
        None  # months from due to its second-life part bought or given up
    )
    _outstanding: tuple[tuple[object, ...], tuple[float, float]] | None = field(
        default=None, init=False, repr=False, compare=False
    )  # (storage state, outstanding kWh) of the last `outstanding_kwh` call

    @property
    def second_life(self) -> bool:
        """Whether part of the order's storage is designated second life."""
        return self.second_life_need_kwh > 0

    def second_life_outstanding_kwh(self) -> float:
        """Second-life usable kWh still to buy."""
        return self.outstanding_kwh()[0]

    def new_outstanding_kwh(self) -> float:
        """New-storage usable kWh still to order (kWh in transit count as bought)."""
        return self.outstanding_kwh()[1]

    def outstanding_kwh(self) -> tuple[float, float]:
        """(second-life, new) usable kWh still to buy, recomputed only when the order's storage changed.

        The vendor's quotes read every order many times a month; the state compared is all
        the two figures depend on, so the result is always theirs.
        """
        state = (
            self.storage_need_kwh,
            self.second_life_need_kwh,
            self.acquired_kwh.tobytes(),
            tuple(self.pending_new_kwh),
        )
        if self._outstanding is None or self._outstanding[0] != state:
            bought = float(self.acquired_kwh[: Product.NEW].sum())
            second_life = max(0.0, self.second_life_need_kwh - bought)
            in_transit = sum(k for _, k in self.pending_new_kwh)
            new_need = self.storage_need_kwh - self.second_life_need_kwh
            new = max(0.0, new_need - float(self.acquired_kwh[Product.NEW]) - in_transit)
            self._outstanding = (state, (second_life, new))
        return self._outstanding[1]

    def storage_outstanding_kwh(self) -> float:
        """Usable kWh still to buy, second life and new."""
        second_life, new = self.outstanding_kwh()
        return second_life + new

    def outstanding_kwh_of(self, product: int) -> float:
        """Usable kWh still to buy of the kind `product` belongs to (any second-life grade, or new)."""
        second_life, new = self.outstanding_kwh()
        return second_life if product in SECOND_LIFE_PRODUCTS else new

    def second_life_share(self) -> float:
        """Share of the site's storage designated second life (0-1)."""
        return self.second_life_need_kwh / self.storage_need_kwh if self.storage_need_kwh else 0.0

    def redesignate_rest_to_new(self) -> None:
        """The unbought second-life part goes to new storage; packs already bought stay.

        The site's path follows the majority of its storage (`modular_second_life` when at least
        half is second life), and the project keeps the share for the per-project table.
        """
        self.second_life_need_kwh = float(self.acquired_kwh[: Product.NEW].sum())
        share = self.second_life_share()
        self.project.path = Path.MODULAR_SECOND_LIFE if share >= 0.5 else Path.MODULAR_NEW
        self.project.second_life_storage_share = share


@dataclass(frozen=True)
class BookFigures:
    """A vendor's book in booking order, computed once per book state: what is still to buy, and the backlog.

    Quotes read these many times a month while the book rarely changes, so the vendor keeps them
    until an order changes (`ModularVendor._book_changed`); the figures are the orders' own, so
    sums over them are the same floats as sums over the orders.
    """

    month: int
    second_life_kwh: tuple[float, ...]  # second-life usable kWh still to buy, per order
    new_kwh: tuple[float, ...]  # new-storage usable kWh still to order, per order
    backlog_mw: float  # MW ordered and not yet through the factory

    @classmethod
    def of(cls, orders: list[Order], month: int) -> BookFigures:
        """The figures of `orders` as they stand in `month`."""
        outstanding = [o.outstanding_kwh() for o in orders]
        return cls(
            month,
            tuple(sl for sl, _ in outstanding),
            tuple(new for _, new in outstanding),
            sum(o.project.mw - o.factory_mw_done for o in orders),
        )

    def extended(self, book: list[Order]) -> BookFigures:
        """The figures of `book`, whose first orders are those these figures counted (same month).

        Booking a site leaves the other orders alone, so only the orders booked since are read.
        The backlog is summed over the whole book again: `sum` of floats is compensated
        (Python 3.12), so continuing a total term by term would not give its bytes.
        """
        outstanding = [o.outstanding_kwh() for o in book[len(self.new_kwh) :]]
        return BookFigures(
            self.month,
            self.second_life_kwh + tuple(sl for sl, _ in outstanding),
            self.new_kwh + tuple(new for _, new in outstanding),
            sum(o.project.mw - o.factory_mw_done for o in book),
        )


def storage_secured(
    order: Order, month: int, capacity_mw_per_month: float, delivery_months: float
) -> bool:
    """All storage bought, and any new storage in transit lands before the site could be delivered.

    The site could be delivered at the earliest after its remaining factory work at full output
    plus `delivery_months`; storage arriving by then is secured within the factory lead.
    """
    if order.storage_outstanding_kwh() > _KWH_TOLERANCE:
        return False
    remaining_mw = max(0.0, order.project.mw - order.factory_mw_done)
    ready = month + remaining_mw / capacity_mw_per_month + delivery_months
    return all(arrival <= ready for arrival, _ in order.pending_new_kwh)


def factory_queue(
    orders: list[Order], month: int, capacity_mw_per_month: float, delivery_months: float
) -> list[Order]:
    """The order in which the factory builds: secured orders first, then the rest, each in booking order.

    The factory never idles while any order is unbuilt (work-conserving), and an order is passed
    over only while its storage is not secured. No order waits forever: new storage is secured
    once bought, and `gives_up_on_packs` bounds how long a second-life order waits for packs.
    """
    secured = [storage_secured(o, month, capacity_mw_per_month, delivery_months) for o in orders]
    return [o for o, s in zip(orders, secured, strict=True) if s] + [
        o for o, s in zip(orders, secured, strict=True) if not s
    ]


def gives_up_on_packs(
    waited_months: float, expected_wait_months: float, patience_months: float
) -> bool:
    """Whether the vendor stops waiting for an order's second-life packs and buys new storage instead.

    It gives up when the packs are expected later than its patience (new storage's lead time plus
    the vendor's tolerance), or when it has already waited that long (estimates that keep slipping).
    """
    return expected_wait_months > patience_months or waited_months >= patience_months


def second_life_storage_wait_months(
    pack_wait_months: float, patience_months: float, new_wait_months: float
) -> float:
    """Months a second-life order is expected to wait for its storage once the factory reaches it.

    The packs' wait while they are expected within the vendor's patience; beyond it the vendor
    gives up at once (`gives_up_on_packs`) and new storage comes after its own wait.
    """
    return pack_wait_months if pack_wait_months <= patience_months else new_wait_months
