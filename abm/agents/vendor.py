"""Modular DC vendors: turn orders, packs and factory slots into energised off-grid sites.

A second-life order cannot be delivered until its packs are bought in the pack market: this is
the coupling through which second-life supply shapes deployment and time-to-power. The vendor
adapts: it stops waiting for packs that come too late (the rest of the site gets new storage),
builds first the sites whose storage is secured, and quotes buyers a delivery that includes the
storage wait (rules in `abm.agents.vendor_order`, docs/batteries.md "Vendors").
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import mesa

from abm.agents import pack_pricing
from abm.agents.modular_choice import MODULAR_OPTIONS
from abm.agents.vendor_capacity import commission, expansion_mw_per_month, months_to_build
from abm.agents.vendor_order import (
    BookFigures,
    Order,
    factory_queue,
    gives_up_on_packs,
    second_life_storage_wait_months,
)
from abm.shiftable import modular_storage_mwh_per_mw
from abm.vocabulary import SECOND_LIFE_PRODUCTS, Path, Product, Project
from abm.vocabulary import Order as PackOrder

if TYPE_CHECKING:
    from abm.ports import Clock, PackDesk, ProjectDesk
    from abm.schema import ScenarioConfig


class ModularVendor(mesa.Agent):
    """A vendor of containerised DCs with solar plus storage (Crusoe Spark-like).

    Ports: `clock`, `packs` (storage values, second-life room, installing packs) and `projects`
    (energising finished sites).
    """

    def __init__(
        self,
        model: mesa.Model,
        *,
        config: ScenarioConfig,
        clock: Clock,
        packs: PackDesk,
        projects: ProjectDesk,
    ) -> None:
        """A vendor with the scenario's initial factory capacity and an empty order book."""
        super().__init__(model)
        self.config, self.clock, self.packs, self.desk = config, clock, packs, projects
        self.capacity_mw_per_month = config.vendors.factory_mw_per_month
        self.factory_lines: list[tuple[float, float]] = []  # (start month, MW/month) being built
        self.orders: list[Order] = []
        self._figures: BookFigures | None = None  # the book's figures until an order changes
        self._figures_before_booking: BookFigures | None = None  # figures before sites booked
        self.done_pack_waits_months: list[float] = []  # pack waits of energised second-life orders
        self.delivered_mw = 0.0
        self.installed_storage_kwh = 0.0  # usable kWh the energised sites were built with
        self.augmentation_kwh = {
            "second_life": 0.0,
            "new": 0.0,
        }  # usable kWh wanted to restore faded sites

    def book_figures(self) -> BookFigures:
        """What each order still has to buy and the backlog, kept until the book changes or the month turns."""
        month = self.clock.month
        if self._figures is None or self._figures.month != month:
            base = self._figures_before_booking
            if base is not None and base.month == month:  # only sites booked since: extend
                self._figures = base.extended(self.orders)
            else:
                self._figures = BookFigures.of(self.orders, month)
            self._figures_before_booking = None
        return self._figures

    def _book_changed(self, booked: bool = False) -> None:
        """An order's storage or factory progress, or the order list, changed: the figures are recomputed.

        `booked`: the only change is orders appended, so the figures before them are kept and
        extended by the new orders' (a vendor books many sites a month on a growing book).
        """
        if not booked:
            self._figures_before_booking = None
        elif self._figures is not None:
            self._figures_before_booking = self._figures
        self._figures = None

    def backlog_mw(self) -> float:
        """MW ordered and not yet through the factory."""
        return self.book_figures().backlog_mw

    def factory_delivery_months(self) -> float:
        """Months until a site booked today leaves the factory and is delivered, or permitting if longer."""
        v = self.config.vendors
        factory = months_to_build(
            self.backlog_mw(), self.capacity_mw_per_month, self.factory_lines, self.clock.month
        )
        return max(factory + v.delivery_months, v.solar_permit_months)

    def expected_delivery_months(self, path: str | None = None) -> float:
        """The vendor's quote for a design site (`vendors.max_site_mw`) on `path` booked today: site and storage.

        New storage is ordered its lead time ahead of the factory slot, so the later of the two
        counts. Second-life packs are bought at the slot, so their wait (after every buyer's open
        second-life demand, or new storage's lead if the vendor would give up) adds to the
        factory's. `path` None: the storage the vendor would designate itself.
        """
        v = self.config.vendors
        m = self.packs
        need = v.max_site_mw * modular_storage_mwh_per_mw(self.config) * 1000.0
        path = self.designate_storage(need) if path is None else path
        new_wait = m.new_storage_wait_months()
        if path == Path.MODULAR_SECOND_LIFE:
            pack_wait = m.second_life_delivery_months(m.second_life_open_kwh() + need)
            patience = self.config.oems.lead_time_months + v.second_life_wait_tolerance_months
            storage = second_life_storage_wait_months(pack_wait, patience, new_wait)
            return self.factory_delivery_months() + storage
        return max(self.factory_delivery_months(), new_wait)

    def quoting(self) -> AbstractContextManager[None]:
        """A stretch of vendor quotes (pure reads): the pack market reads its market-wide figures once."""
        return self.packs.quoting()

    def take_order(self, project: Project) -> None:
        """Book a modular site with the storage its buyer chose (else the vendor designates it), and start solar permitting."""
        v = self.config.vendors
        need = project.mw * modular_storage_mwh_per_mw(self.config) * 1000.0
        if project.path not in MODULAR_OPTIONS:
            project.path = self.designate_storage(need)
        second_life = project.path == Path.MODULAR_SECOND_LIFE
        project.second_life_storage_share = 1.0 if second_life else 0.0
        project.vendor = self.unique_id
        project.storage_owner = self.packs.new_storage_owner()
        self.packs.sign_contract(project)  # the contract its buyer chose (abm.contracts)
        self.orders.append(
            Order(
                project,
                need,
                permit_ready_month=self.clock.month + v.solar_permit_months,
                second_life_need_kwh=need if second_life else 0.0,
            )
        )
        self._book_changed(booked=True)

    def designate_storage(self, need_kwh: float) -> str:
        """Second life when it is the better buy per unit of value and the pack supply can cover it; new otherwise."""
        m = self.packs
        months_ahead = self.factory_delivery_months()
        if m.second_life_preferred() and m.second_life_room_kwh(months_ahead) >= need_kwh:
            return Path.MODULAR_SECOND_LIFE
        return Path.MODULAR_NEW

    # --- pack market --------------------------------------------------------------------
    def factory_queue(self) -> list[Order]:
        """Orders in the factory's build order this month (secured storage first, `factory_queue`)."""
        return factory_queue(
            self.orders,
            self.clock.month,
            self.capacity_mw_per_month,
            self.config.vendors.delivery_months,
        )

    def orders_due(self) -> list[Order]:
        """Orders whose storage must be bought now (in booking order): the factory reaches them within the storage's lead time.

        New storage is ordered `oems.lead_time_months` ahead; second-life packs come from stock,
        so they are bought when the order is within `delivery_months` of its factory slot. The
        factory's reach counts the orders booked before it, except due orders stalled waiting for
        packs (the factory builds secured orders first); an order stays due once buying started.
        """
        cfg = self.config
        due = []
        ahead_mw = 0.0
        figures = self.book_figures()
        for o, sl_kwh, new_kwh in zip(
            self.orders, figures.second_life_kwh, figures.new_kwh, strict=True
        ):
            stalled = o.due_month is not None and sl_kwh > 1e-6
            if not stalled:
                ahead_mw += o.project.mw - o.factory_mw_done
            months_to_built = ahead_mw / self.capacity_mw_per_month
            new_part = new_kwh > 0
            lead = cfg.oems.lead_time_months if new_part else cfg.vendors.delivery_months
            if o.due_month is not None or months_to_built <= lead + cfg.vendors.order_ahead_months:
                due.append(o)
        return due

    def storage_bids(self) -> list[PackOrder]:
        """(product, usable kWh, max USD/kWh) the vendor wants this month, by quality-adjusted value."""
        m = self.packs
        due = self.orders_due()
        for o in due:
            if o.due_month is None:
                o.due_month = self.clock.month
        sl_need = (
            sum(o.second_life_outstanding_kwh() for o in due) + self.augmentation_kwh["second_life"]
        )
        new_need = sum(o.new_outstanding_kwh() for o in due) + self.augmentation_kwh["new"]
        bids = []
        if sl_need > 0:
            for product in SECOND_LIFE_PRODUCTS:
                price = self.second_life_bid_usd_per_kwh(product, due, sl_need)
                bids.append(PackOrder(product, sl_need, price))
        if new_need > 0:
            bids.append(PackOrder(Product.NEW, new_need, m.storage_wtp_usd_per_kwh(Product.NEW)))
        return bids

    def second_life_bid_usd_per_kwh(self, product: int, due: list[Order], need_kwh: float) -> float:
        """Bid for a grade: its value plus the value of time of the due orders waiting for packs.

        The premium (`pack_pricing.vendor_bid_usd_per_kwh`) is weighted by those orders' share of
        the need; augmentation (a faded site keeps running) bids the value alone.
        """
        v, month = self.config.vendors, self.clock.month
        waiting = [(o.second_life_outstanding_kwh(), o.due_month) for o in due]
        order_kwh = sum(k for k, _ in waiting)
        waited = sum(k * (month - (month if d is None else d)) for k, d in waiting)
        value = self.packs.storage_wtp_usd_per_kwh(product)
        if order_kwh <= 0:
            return value
        vot = pack_pricing.value_of_time_usd_per_kwh_month(
            v.late_delivery_damages_usd_per_mw_month, modular_storage_mwh_per_mw(self.config)
        )
        bid = pack_pricing.vendor_bid_usd_per_kwh(
            value, vot, waited / order_kwh, self.packs.new_storage_wait_months()
        )
        return value + (bid - value) * order_kwh / need_kwh

    def receive_storage(self, product: int, kwh: float, soh: float) -> None:
        """Allocate bought usable kWh: augmentation first, then due orders in booking order."""
        m = self.packs
        if kwh <= 0:
            return
        kind = "new" if product == Product.NEW else "second_life"
        take = min(kwh, self.augmentation_kwh[kind])
        if take > 0:
            m.install_augmentation(self, product, take, soh)
            self.augmentation_kwh[kind] -= take
            kwh -= take
        for o in self.orders_due():
            if kwh <= 0:
                break
            take = min(kwh, o.outstanding_kwh_of(product))
            if take > 0:
                self._place(o, product, take, soh)
                kwh -= take
        if kwh > 1e-6:
            m.return_unallocated_storage(product, kwh, soh)

    def _place(self, order: Order, product: int, kwh: float, soh: float) -> None:
        """Book bought kWh to an order: new storage in transit, packs in hand (ending its pack wait when complete)."""
        month = self.clock.month
        self._book_changed()
        if product == Product.NEW:
            arrival = month + int(round(self.config.oems.lead_time_months))
            order.pending_new_kwh.append((arrival, kwh))
            return
        order.acquired_kwh[product] += kwh
        order.acquired_nameplate_kwh[product] += kwh / soh
        if order.second_life_outstanding_kwh() <= 1e-6 and order.pack_wait_months is None:
            started = month if order.due_month is None else order.due_month
            order.pack_wait_months = float(month - started)

    # --- adapting -----------------------------------------------------------------------
    def review_second_life_waits(self) -> None:
        """Give up on packs that come too late: the unbought part of such orders goes to new storage.

        An order's expected pack wait is the time stock plus net supply take to deliver the
        second-life kWh of this vendor's due orders up to it (booking order), scaled by the
        vendor's share of all buyers' open second-life demand (the auction shares pro rata).
        """
        month = self.clock.month
        m = self.packs
        patience = (
            self.config.oems.lead_time_months
            + self.config.vendors.second_life_wait_tolerance_months
        )
        waiting = [o for o in self.orders_due() if o.second_life_outstanding_kwh() > 1e-6]
        own_kwh = sum(o.second_life_outstanding_kwh() for o in waiting)
        scale = m.second_life_competing_kwh() / own_kwh if own_kwh > 0 else 1.0
        ahead_kwh = 0.0
        for o in waiting:
            ahead_kwh += o.second_life_outstanding_kwh()
            waited = month - (month if o.due_month is None else o.due_month)
            expected = m.second_life_delivery_months(ahead_kwh * max(scale, 1.0))
            if gives_up_on_packs(waited, expected, patience):
                ahead_kwh -= o.second_life_outstanding_kwh()  # it no longer queues for packs
                o.pack_wait_months = float(waited)
                o.redesignate_rest_to_new()
                self._book_changed()

    def pack_waits_months(self) -> list[float]:
        """Months each second-life order waited for packs: resolved orders, and due ones still waiting (so far)."""
        month = self.clock.month
        out = list(self.done_pack_waits_months)
        for o in self.orders:
            if o.pack_wait_months is not None:
                out.append(o.pack_wait_months)
            elif o.second_life and o.due_month is not None:
                out.append(float(month - o.due_month))
        return out

    def orders_waiting_for_packs(self) -> int:
        """Due orders whose second-life packs are not all bought."""
        return sum(
            1
            for o in self.orders
            if o.due_month is not None and o.second_life_outstanding_kwh() > 1e-6
        )

    # --- building -----------------------------------------------------------------------
    def build(self) -> None:
        """Land arriving new storage, give up on late packs, run the factory, and energise sites that have everything."""
        month = self.clock.month
        v = self.config.vendors
        self.capacity_mw_per_month, self.factory_lines = commission(
            self.capacity_mw_per_month, self.factory_lines, month
        )
        for o in self.orders:
            arrived = sum(k for t, k in o.pending_new_kwh if t <= month)
            o.acquired_kwh[Product.NEW] += arrived
            o.acquired_nameplate_kwh[Product.NEW] += arrived
            o.pending_new_kwh = [(t, k) for t, k in o.pending_new_kwh if t > month]
        self._book_changed()
        self.review_second_life_waits()
        slots = self.capacity_mw_per_month
        for o in self.factory_queue():
            if slots > 0 and o.factory_mw_done < o.project.mw:
                step = min(slots, o.project.mw - o.factory_mw_done)
                o.factory_mw_done += step
                slots -= step
                if o.factory_mw_done >= o.project.mw - 1e-9:
                    o.factory_done_month = month
        self._book_changed()
        done = []
        for o in self.orders:
            built = (
                o.factory_done_month is not None
                and month >= o.factory_done_month + v.delivery_months
            )
            if not built or month < o.permit_ready_month:
                continue  # (the storage sum is read only for sites that could be done)
            if o.acquired_kwh.sum() >= o.storage_need_kwh - 1e-6:
                done.append(o)
        for o in done:
            self.orders.remove(o)
            self._book_changed()
            if o.pack_wait_months is not None:
                self.done_pack_waits_months.append(o.pack_wait_months)
            self.packs.install_site_storage(o.project, o.acquired_kwh, o.acquired_nameplate_kwh)
            self.desk.energize_project(o.project)
            self.delivered_mw += o.project.mw
            self.installed_storage_kwh += float(o.acquired_kwh.sum())
        self._expand_factory()

    def _expand_factory(self) -> None:
        """Start the factory lines the order book pays for; they produce after `vendors.factory_lead_time_months`."""
        v = self.config.vendors
        planned = self.capacity_mw_per_month + sum(mw for _, mw in self.factory_lines)
        added = expansion_mw_per_month(self.backlog_mw(), planned, v)
        if added > 0:
            self.factory_lines.append((self.clock.month + v.factory_lead_time_months, added))

    def plan_augmentation(self, second_life_kwh: float, new_kwh: float) -> None:
        """Set this month's augmentation wish (usable kWh) for the vendor's faded sites."""
        self.augmentation_kwh = {"second_life": second_life_kwh, "new": new_kwh}
