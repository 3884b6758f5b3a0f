"""Modular DC vendors: turn orders, packs and factory slots into energised off-grid sites.

A second-life order cannot be delivered until its packs are bought in the pack market: this is
the coupling through which second-life supply shapes deployment and time-to-power.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa
import numpy as np

from abm.vocabulary import SECOND_LIFE_PRODUCTS, Path, Product, Project
from abm.vocabulary import Order as PackOrder

if TYPE_CHECKING:
    from abm.ports import Clock, PackDesk, ProjectDesk
    from abm.schema import ScenarioConfig


@dataclass
class Order:
    """A modular site in the vendor's book."""

    project: Project
    storage_need_kwh: float  # usable kWh to buy
    permit_ready_month: float
    factory_mw_done: float = 0.0
    factory_done_month: int | None = None
    acquired_kwh: np.ndarray = field(
        default_factory=lambda: np.zeros(len(Product))
    )  # usable kWh by product
    acquired_nameplate_kwh: np.ndarray = field(default_factory=lambda: np.zeros(len(Product)))
    pending_new_kwh: list[tuple[int, float]] = field(default_factory=list)  # (arrival month, kWh)

    @property
    def second_life(self) -> bool:
        """Whether the order uses graded second-life packs."""
        return self.project.path == Path.MODULAR_SECOND_LIFE

    def storage_outstanding_kwh(self) -> float:
        """Usable kWh still to buy (new-storage kWh in transit count as bought)."""
        in_transit = sum(k for _, k in self.pending_new_kwh)
        return max(0.0, self.storage_need_kwh - self.acquired_kwh.sum() - in_transit)


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
        self.orders: list[Order] = []
        self.delivered_mw = 0.0
        self.augmentation_kwh = {
            "second_life": 0.0,
            "new": 0.0,
        }  # usable kWh wanted to restore faded sites

    def backlog_mw(self) -> float:
        """MW ordered and not yet through the factory."""
        return sum(o.project.mw - o.factory_mw_done for o in self.orders)

    def expected_delivery_months(self) -> float:
        """What a buyer would expect today: factory queue plus delivery, or permitting if longer."""
        v = self.config.vendors
        factory = self.backlog_mw() / self.capacity_mw_per_month
        return max(factory + v.delivery_months, v.solar_permit_months)

    def take_order(self, project: Project) -> None:
        """Book a modular site, designate its storage (second life or new), and start solar permitting."""
        v = self.config.vendors
        need = project.mw * v.storage_mwh_per_mw * 1000.0
        project.path = self.designate_storage(need)
        project.vendor = self.unique_id
        project.storage_owner = self.packs.new_storage_owner()
        self.orders.append(
            Order(project, need, permit_ready_month=self.clock.month + v.solar_permit_months)
        )

    def designate_storage(self, need_kwh: float) -> str:
        """Second life when it is the better buy per unit of value and the pack supply can cover it; new otherwise."""
        m = self.packs
        months_ahead = self.expected_delivery_months()
        if m.second_life_preferred() and m.second_life_room_kwh(months_ahead) >= need_kwh:
            return Path.MODULAR_SECOND_LIFE
        return Path.MODULAR_NEW

    # --- pack market --------------------------------------------------------------------
    def orders_due(self) -> list[Order]:
        """Orders whose storage must be bought now: the factory reaches them within the storage's lead time.

        New storage is ordered `oems.lead_time_months` ahead; second-life packs come from stock,
        so they are bought when the order is within `delivery_months` of its factory slot.
        """
        cfg = self.config
        due = []
        ahead_mw = 0.0
        for o in self.orders:
            ahead_mw += o.project.mw - o.factory_mw_done
            months_to_built = ahead_mw / self.capacity_mw_per_month
            lead = cfg.vendors.delivery_months if o.second_life else cfg.oems.lead_time_months
            if months_to_built <= lead + cfg.vendors.order_ahead_months:
                due.append(o)
        return due

    def storage_bids(self) -> list[PackOrder]:
        """(product, usable kWh, max USD/kWh) the vendor wants this month, by quality-adjusted value."""
        m = self.packs
        due = self.orders_due()
        sl_need = (
            sum(o.storage_outstanding_kwh() for o in due if o.second_life)
            + self.augmentation_kwh["second_life"]
        )
        new_need = (
            sum(o.storage_outstanding_kwh() for o in due if not o.second_life)
            + self.augmentation_kwh["new"]
        )
        bids = []
        if sl_need > 0:
            for product in SECOND_LIFE_PRODUCTS:
                bids.append(PackOrder(product, sl_need, m.storage_wtp_usd_per_kwh(product)))
        if new_need > 0:
            bids.append(PackOrder(Product.NEW, new_need, m.storage_wtp_usd_per_kwh(Product.NEW)))
        return bids

    def receive_storage(self, product: int, kwh: float, soh: float) -> None:
        """Allocate bought usable kWh: augmentation first, then orders first-come-first-served."""
        m = self.packs
        month = self.clock.month
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
            if o.second_life != (product in SECOND_LIFE_PRODUCTS):
                continue
            take = min(kwh, o.storage_outstanding_kwh())
            if take <= 0:
                continue
            if product == Product.NEW:
                o.pending_new_kwh.append(
                    (month + int(round(self.config.oems.lead_time_months)), take)
                )
            else:
                o.acquired_kwh[product] += take
                o.acquired_nameplate_kwh[product] += take / soh
            kwh -= take
        if kwh > 1e-6:
            m.return_unallocated_storage(product, kwh, soh)

    # --- building -----------------------------------------------------------------------
    def build(self) -> None:
        """Run the factory, land arriving new storage, and energise sites that have everything."""
        month = self.clock.month
        v = self.config.vendors
        slots = self.capacity_mw_per_month
        for o in self.orders:
            arrived = sum(k for t, k in o.pending_new_kwh if t <= month)
            o.acquired_kwh[3] += arrived
            o.acquired_nameplate_kwh[3] += arrived
            o.pending_new_kwh = [(t, k) for t, k in o.pending_new_kwh if t > month]
            if slots > 0 and o.factory_mw_done < o.project.mw:
                step = min(slots, o.project.mw - o.factory_mw_done)
                o.factory_mw_done += step
                slots -= step
                if o.factory_mw_done >= o.project.mw - 1e-9:
                    o.factory_done_month = month
        done = []
        for o in self.orders:
            storage_ok = o.acquired_kwh.sum() >= o.storage_need_kwh - 1e-6
            built = (
                o.factory_done_month is not None
                and month >= o.factory_done_month + v.delivery_months
            )
            if storage_ok and built and month >= o.permit_ready_month:
                done.append(o)
        for o in done:
            self.orders.remove(o)
            self.packs.install_site_storage(o.project, o.acquired_kwh, o.acquired_nameplate_kwh)
            self.desk.energize_project(o.project)
            self.delivered_mw += o.project.mw
        self._expand_factory()

    def _expand_factory(self) -> None:
        """Grow the factory when the backlog exceeds `vendors.backlog_trigger_months` of output."""
        v = self.config.vendors
        if self.backlog_mw() > v.backlog_trigger_months * self.capacity_mw_per_month:
            self.capacity_mw_per_month *= 1.0 + v.factory_growth_per_month

    def plan_augmentation(self, second_life_kwh: float, new_kwh: float) -> None:
        """Set this month's augmentation wish (usable kWh) for the vendor's faded sites."""
        self.augmentation_kwh = {"second_life": second_life_kwh, "new": new_kwh}
