"""The second-life supply outlook and the waits modular sites plan on: part of the PackExchange.

Kept apart from the exchange's prices and auction: these methods read the recyclers' stocks,
the vendors' open orders and other buyers' bids (through the roster) and smooth the supply
recyclers route to second life, so that vendors and hyperscalers can quote how long packs and
new storage take.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from abm.numerics import exact_dot
from abm.vocabulary import Product

if TYPE_CHECKING:
    from abm.roster import Roster
    from abm.schema import ScenarioConfig


class SecondLifeOutlook:
    """Second-life supply, stocks and open demand, and the storage waits they imply (a mixin of PackExchange)."""

    config: ScenarioConfig
    roster: Roster
    _sl_supply_kwh_per_month: float
    _sl_others_kwh_per_month: float
    _sl_bought_by_others_kwh: float

    # ------------------------------------------------------------------ second-life supply
    def second_life_supply_kwh_per_month(self) -> float:
        """Usable kWh recyclers route to second life per month, smoothed over recent months."""
        return self._sl_supply_kwh_per_month

    def smooth_second_life_supply(self) -> None:
        """Move the smoothed second-life supply, and other buyers' draw on it, toward this month's."""
        weight = self.config.hyperscalers.expectation_weight
        added = sum(r.second_life_added_kwh for r in self.roster.stocks())
        self._sl_supply_kwh_per_month += weight * (added - self._sl_supply_kwh_per_month)
        drawn = self._sl_bought_by_others_kwh
        self._sl_others_kwh_per_month += weight * (drawn - self._sl_others_kwh_per_month)
        self._sl_bought_by_others_kwh = 0.0

    def second_life_net_supply_kwh_per_month(self) -> float:
        """Smoothed second-life supply less what buyers other than vendors (utilities) lately took of it."""
        return max(0.0, self._sl_supply_kwh_per_month - self._sl_others_kwh_per_month)

    def _second_life_stock_kwh(self) -> float:
        """Usable second-life kWh in recyclers' and OEM lines' inventories."""
        return sum(exact_dot(r.inventory_gwh, r.inventory_soh) for r in self.roster.stocks()) * 1e6

    def _others_open_second_life_kwh(self) -> float:
        """Open second-life bids of buyers other than vendors (utilities' grid storage)."""
        vendors = {id(v) for v in self.roster.vendors}
        return sum(
            max((q for prod, q, _ in b.storage_bids() if prod != Product.NEW), default=0.0)
            for b in self.roster.storage_buyers()
            if id(b) not in vendors
        )

    def second_life_open_kwh(self) -> float:
        """Every buyer's open second-life demand: vendors' unbought second-life parts and others' open bids."""
        vendors = sum(k for v in self.roster.vendors for k in v.book_figures().second_life_kwh)
        return vendors + self._others_open_second_life_kwh()

    def second_life_competing_kwh(self) -> float:
        """Second-life demand bidding now: vendors' due orders and other buyers' open bids."""
        vendors = sum(
            o.second_life_outstanding_kwh() for v in self.roster.vendors for o in v.orders_due()
        )
        return vendors + self._others_open_second_life_kwh()

    def second_life_delivery_months(self, kwh_ahead: float) -> float:
        """Months until stock plus net supply deliver `kwh_ahead` usable second-life kWh."""
        short = max(0.0, kwh_ahead - self._second_life_stock_kwh())
        return short / max(self.second_life_net_supply_kwh_per_month(), 1.0)

    def second_life_room_kwh(self, months_ahead: float) -> float:
        """Second-life kWh not yet spoken for: stock plus net supply until `months_ahead`, less every buyer's open demand."""
        stock = self._second_life_stock_kwh()
        supply = self.second_life_net_supply_kwh_per_month() * months_ahead
        return stock + supply - self.second_life_open_kwh()

    def new_storage_wait_months(self) -> float:
        """Months for new storage ordered now: the OEM lead time plus the vendors' unordered new storage at OEM output."""
        cfg = self.config
        new_need = sum(k for v in self.roster.vendors for k in v.book_figures().new_kwh)
        return cfg.oems.lead_time_months + new_need / (cfg.oems.production_gwh_per_month * 1e6)

    def modular_wait_months(self, path: str | None = None) -> float:
        """A modular time-to-power signal: the best vendor quote (site and storage) for `path`, or for the storage vendors would pick."""
        return min(v.expected_delivery_months(path) for v in self.roster.vendors)
