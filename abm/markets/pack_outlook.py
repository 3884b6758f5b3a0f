"""The second-life outlook modular sites plan on (expected prices, supply, waits): part of the PackExchange.

Kept apart from the exchange's values and auction: these methods read the last clearing prices,
the recyclers' stocks and asks, the vendors' open orders and other buyers' bids (through the
roster) and smooth the supply recyclers route to second life, so that vendors and hyperscalers
can judge which storage is the better buy and quote how long packs and new storage take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from abm.markets.contract_book import ContractBook, site_fade_per_year
from abm.numerics import exact_dot
from abm.vocabulary import Product

if TYPE_CHECKING:
    from abm.batteries import FadeParams
    from abm.roster import Roster
    from abm.schema import ScenarioConfig


class SecondLifeOutlook:
    """Second-life supply, stocks and open demand, and the storage waits they imply (a mixin of PackExchange)."""

    config: ScenarioConfig
    roster: Roster
    _sl_supply_kwh_per_month: float
    _sl_others_kwh_per_month: float
    _sl_bought_by_others_kwh: float
    price_usd_per_kwh: np.ndarray  # last clearing price per product (NaN: no trade)
    storage_wtp_usd_per_kwh: Callable[..., float]  # PackExchange's value of a product
    fade_by_chemistry: dict[str, FadeParams]
    grade_soh: np.ndarray  # mean SoH of grades A, B, C and new
    second_life_chemistry_mix: Callable[[], np.ndarray]
    second_life_storage_cost_usd_per_kwh: Callable[[], float]  # PackExchange's, per usable kWh
    new_storage_cost_usd_per_kwh: Callable[[], float]
    contracts: ContractBook
    # the vendors' book figures last summed, per field, and their sum (`_vendors_sum`)
    _vendor_sums: dict[str, tuple[tuple[object, ...], float]] | None = None

    # the market-wide figures read while vendors quote one after another (`quoting`), else None
    _quote_memo: dict[str, float] | None = None

    @contextmanager
    def quoting(self) -> Iterator[None]:
        """A stretch of pure reads, vendors quoting one after another: market-wide figures are read once.

        Inside it nothing changes stocks, books or bids (a quote only reads them), so the second
        and later vendors' quotes take the first's second-life stock, open second-life demand
        and new-storage wait: the same floats. Nested sessions join the outer one.
        """
        if self._quote_memo is not None:
            yield
            return
        self._quote_memo = {}
        try:
            yield
        finally:
            self._quote_memo = None

    def _quoted(self, name: str, compute: Callable[[], float]) -> float:
        """`compute()`, kept under `name` for the rest of a `quoting` session (computed afresh outside one)."""
        memo = self._quote_memo
        if memo is None:
            return compute()
        if name not in memo:
            memo[name] = compute()
        return memo[name]

    def _vendors_sum(self, field: str) -> float:
        """Sum of a `BookFigures` field over the vendors' orders, in vendor and booking order.

        Recomputed only when some vendor's figures changed (they are new objects then); the
        same floats in the same order as the plain sum, so the result is the same bytes.
        """
        figures = tuple(v.book_figures() for v in self.roster.vendors)
        if self._vendor_sums is None:
            self._vendor_sums = {}
        hit = self._vendor_sums.get(field)
        if (
            hit is not None
            and len(hit[0]) == len(figures)
            and all(a is b for a, b in zip(hit[0], figures, strict=True))
        ):
            return hit[1]
        total = sum(k for f in figures for k in getattr(f, field))
        self._vendor_sums[field] = (figures, total)
        return total

    # ------------------------------------------------------------------ expected prices
    def expected_price_usd_per_kwh(
        self, product: int, asks: list[tuple[int, float, float]] | None = None
    ) -> float:
        """Expected price per usable kWh of a product: last clearing price, else the cheapest ask, else its value.

        `asks`: the stocks' (grade, kWh, USD/kWh) asks in stock order, when the caller already has them.
        """
        price = self.price_usd_per_kwh[product]
        if np.isfinite(price):
            return float(price)
        if product != Product.NEW:
            if asks is None:
                asks = self._stock_asks()
            prices = [a for g, _, a in asks if g == product]
            if prices:
                return float(min(prices))
        return self.storage_wtp_usd_per_kwh(product)

    def _stock_asks(self) -> list[tuple[int, float, float]]:
        """Every stock's (grade, usable kWh, USD/kWh) asks, in stock order."""
        return [ask for r in self.roster.stocks() for ask in r.asks()]

    def second_life_value_ratio(self) -> float:
        """Best second-life price-to-value ratio across grades (below new's ratio means second life is the better buy)."""
        cleared = np.isfinite(self.price_usd_per_kwh[: Product.NEW]).all()
        asks = None if cleared else self._stock_asks()  # one look at the stocks for all grades
        return min(
            self.expected_price_usd_per_kwh(g, asks) / max(self.storage_wtp_usd_per_kwh(g), 1e-9)
            for g in range(3)
        )

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
        return self._quoted("stock", self._sum_second_life_stock_kwh)

    def _sum_second_life_stock_kwh(self) -> float:
        """`_second_life_stock_kwh` summed over the stocks as they stand."""
        return sum(exact_dot(r.inventory_gwh, r.inventory_soh) for r in self.roster.stocks()) * 1e6

    def _others_open_second_life_kwh(self) -> float:
        """Open second-life bids of buyers other than vendors (utilities' grid storage)."""
        vendors = {id(v) for v in self.roster.vendors}
        open_kwh = []  # per buyer, its largest second-life bid (0.0 without one), then summed
        for b in self.roster.storage_buyers():
            if id(b) not in vendors:
                bids = b.storage_bids()  # most buyers bid nothing most months: no max to take
                second_life = (q for prod, q, _ in bids if prod != Product.NEW)
                open_kwh.append(max(second_life, default=0.0) if bids else 0.0)
        return sum(open_kwh)

    def second_life_open_kwh(self) -> float:
        """Every buyer's open second-life demand: vendors' unbought second-life parts and others' open bids."""
        return self._quoted("open", self._sum_second_life_open_kwh)

    def _sum_second_life_open_kwh(self) -> float:
        """`second_life_open_kwh` from the books and bids as they stand."""
        vendors = self._vendors_sum("second_life_kwh")
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
        return self._quoted("new_wait", self._compute_new_storage_wait_months)

    def _compute_new_storage_wait_months(self) -> float:
        """`new_storage_wait_months` from the vendors' books as they stand."""
        cfg = self.config
        new_need = self._vendors_sum("new_kwh")
        return cfg.oems.lead_time_months + new_need / (cfg.oems.production_gwh_per_month * 1e6)

    def modular_wait_months(self, path: str | None = None) -> float:
        """A modular time-to-power signal: the best vendor quote (site and storage) for `path`, or for the storage vendors would pick."""
        with self.quoting():
            return min(v.expected_delivery_months(path) for v in self.roster.vendors)

    def expected_fade_per_year(self, second_life: bool) -> float:
        """Usable kWh a modular site loses per usable kWh-year: new LFP, or second life at the best grade's SoH."""
        mix, soh = self.second_life_chemistry_mix(), float(self.grade_soh[0])
        return site_fade_per_year(self.config, self.fade_by_chemistry, mix, soh, second_life)

    def _storage_terms(self, second_life: bool) -> tuple[float, float]:
        """Today's storage cost per usable kWh of a modular option and its expected site fade per year."""
        cost = (
            self.second_life_storage_cost_usd_per_kwh
            if second_life
            else self.new_storage_cost_usd_per_kwh
        )()
        return cost, self.expected_fade_per_year(second_life)

    def baas_fee_quote_usd_per_mw_month(self, second_life: bool) -> float:
        """The BaaS fee a site booked now would be signed at, per MW-month."""
        return self.contracts.fee_usd_per_mw_month(*self._storage_terms(second_life), second_life)

    def ppa_price_quote_usd_per_mwh(self, second_life: bool) -> float:
        """The PPA price a site booked now would be signed at, per MWh."""
        return self.contracts.ppa_price_usd_per_mwh(*self._storage_terms(second_life), second_life)
