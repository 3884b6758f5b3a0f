"""PackExchange: the pack economy as a service: values, prices, stocks and the monthly auction.

It holds retirement flows, grading shares, the storage fleet and the pack stocks; prices
storage (willingness to pay, expected prices, the storage outlook modular sites plan on);
installs bought packs; clears the call auction per product (the pure `clear_call_auction`)
and pays sellers. It imports neither agents nor the model: agents come in through ports.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from abm.batteries import (
    US_EV_SALES_GWH_BY_YEAR,
    FadeParams,
    StorageFleet,
    ev_retirements_gwh,
    grade_fractions,
    grade_mean_soh,
    quality_adjusted_wtp_for,
)
from abm.catalogue import PRODUCTS
from abm.markets.packs import clear_call_auction
from abm.numerics import exact_dot
from abm.vocabulary import Path, Product, Project, Status
from abm.world import credit_45x_usd_per_kwh, new_storage_price_usd_per_kwh

if TYPE_CHECKING:
    from abm.batteries import Duty
    from abm.ports import Books, Clock, VendorBook
    from abm.roster import Roster
    from abm.schema import ScenarioConfig
    from abm.vocabulary import StorageBuyer
    from abm.world import Calendar


class FlowRecorder(Protocol):
    """The run's accumulators the pack economy adds to."""

    retired_gwh_cum: float
    incentives_usd: float


class PackExchange:
    """Pack values, stocks, the storage fleet and the monthly call auction of one run."""

    def __init__(
        self,
        config: ScenarioConfig,
        clock: Clock,
        calendar: Calendar,
        ledger: Books,
        recorder: FlowRecorder,
        roster: Roster,
        projects: Iterable[Project],
    ) -> None:
        """Retirement flows, grading shares, degradation parameters and an empty fleet."""
        self.config, self.clock, self.calendar = config, clock, calendar
        self.ledger, self.recorder, self.roster, self.projects = ledger, recorder, roster, projects
        p = config.packs
        self.retirements_gwh = (
            ev_retirements_gwh(
                US_EV_SALES_GWH_BY_YEAR,
                calendar.start_year,
                calendar.start_month,
                config.run.months,
                p.ev_lifetime_weibull_shape,
                p.ev_lifetime_weibull_scale_years,
            )
            * p.retirement_multiplier
        )
        self.grade_share = grade_fractions(p.soh_mean, p.soh_sd)
        self.grade_soh = np.append(
            grade_mean_soh(p.soh_mean, p.soh_sd)[: Product.NEW], 1.0
        )  # A, B, C, new
        self.fade_params = FadeParams(**config.fade.model_dump())
        self.fleet = StorageFleet()
        self.storage_owner_count = 0
        self.retiring_gwh_this_month = 0.0
        self.price_usd_per_kwh = np.full(4, np.nan)
        self.price_history: list[np.ndarray] = []
        self.stocks = {
            "in_delivery_gwh": 0.0,
            "second_life_installed_gwh": 0.0,
            "second_life_retired_gwh": 0.0,
        }
        self.storage_bought_kwh = np.zeros(
            len(Product)
        )  # usable kWh bought per product (for embodied CO2)
        self.storage_bought_nameplate_kwh = np.zeros(len(Product))
        self._wtp_cache: dict[tuple[int, int, Duty | None], float] = {}
        self._sl_supply_kwh_per_month = 0.0
        self._sl_others_kwh_per_month = 0.0  # smoothed second-life kWh bought by non-vendors
        self._sl_bought_by_others_kwh = 0.0  # this month's
        self._outlook_key: tuple[int, int] | None = None
        self._outlook: tuple[bool, float] = (False, 0.0)

    # ------------------------------------------------------------------ stage 1
    def start_month(self) -> None:
        """This month's EV pack retirements (nameplate GWh) arrive at the OEMs."""
        month = self.clock.month
        self.retiring_gwh_this_month = (
            float(self.retirements_gwh[month]) if month < len(self.retirements_gwh) else 0.0
        )
        self.recorder.retired_gwh_cum += self.retiring_gwh_this_month

    def new_storage_owner(self) -> int:
        """A fresh owner index for the storage fleet (one per site or utility)."""
        self.storage_owner_count += 1
        return self.storage_owner_count - 1

    # ------------------------------------------------------------------ values and prices
    def new_storage_price_usd_per_kwh(self) -> float:
        """New storage price this month on the learning curve, net of the 45X credit passed through."""
        m = max(self.clock.month, 0)
        year, _ = self.calendar.year_month(m)
        return max(
            1.0,
            new_storage_price_usd_per_kwh(self.config, m)
            - credit_45x_usd_per_kwh(self.config, year),
        )

    def storage_wtp_usd_per_kwh(self, product: int, duty: Duty | None = None) -> float:
        """Willingness to pay per usable kWh: new storage at its price; second life by remaining life and O&M risk.

        Remaining life is judged under the buyer's `duty` (default: modular sites' `batteries`).
        """
        key = (self.clock.month, product, duty)
        if key in self._wtp_cache:
            return self._wtp_cache[key]
        b = self.config.batteries
        new_price = self.new_storage_price_usd_per_kwh()
        if product == Product.NEW:
            wtp = new_price * self.config.packs.new_storage_bid_markup
        else:
            wtp = quality_adjusted_wtp_for(
                new_price,
                float(self.grade_soh[product]),
                b.second_life_eol_soh,
                self.fade_params,
                b if duty is None else duty,
                self.config.hyperscalers.discount_rate,
                new_eol_soh=b.new_eol_soh,
            )
        self._wtp_cache[key] = wtp
        return wtp

    def expected_price_usd_per_kwh(self, product: int) -> float:
        """Expected price per usable kWh of a product: last clearing price, else the cheapest ask, else its value."""
        price = self.price_usd_per_kwh[product]
        if np.isfinite(price):
            return float(price)
        if product != Product.NEW:
            asks = [a for r in self.roster.recyclers for g, _, a in r.asks() if g == product]
            if asks:
                return float(min(asks))
        return self.storage_wtp_usd_per_kwh(product)

    def second_life_value_ratio(self) -> float:
        """Best second-life price-to-value ratio across grades (below new's ratio means second life is the better buy)."""
        return min(
            self.expected_price_usd_per_kwh(g) / max(self.storage_wtp_usd_per_kwh(g), 1e-9)
            for g in range(3)
        )

    def _storage_outlook(self) -> tuple[bool, float]:
        """(second life preferred, value-equivalent modular storage cost), computed once per pack-market state."""
        key = (self.clock.month, len(self.price_history))
        if self._outlook_key != key:
            new_price = self.expected_price_usd_per_kwh(3)
            sl_ratio = self.second_life_value_ratio()
            preferred = (
                self.config.packs.routing != "recycle_first"
                and sl_ratio < new_price / self.storage_wtp_usd_per_kwh(3)
            )
            cost = sl_ratio * self.storage_wtp_usd_per_kwh(3) if preferred else new_price
            self._outlook_key, self._outlook = key, (preferred, cost)
        return self._outlook

    def second_life_preferred(self) -> bool:
        """Second life is the better buy per unit of value than new storage, and routing allows it."""
        return self._storage_outlook()[0]

    def modular_storage_cost_usd_per_kwh(self) -> float:
        """Value-equivalent storage cost a modular site expects: new price, or second life's if it is the better buy."""
        return self._storage_outlook()[1]

    def second_life_storage_cost_usd_per_kwh(self) -> float:
        """Value-equivalent storage cost of a second-life site: best grade's price-to-value ratio times new storage's value."""
        return self.second_life_value_ratio() * self.storage_wtp_usd_per_kwh(Product.NEW)

    def new_storage_cost_usd_per_kwh(self) -> float:
        """Storage cost of a site on new batteries: new storage's expected price."""
        return self.expected_price_usd_per_kwh(Product.NEW)

    # ------------------------------------------------------------------ second-life supply
    def second_life_supply_kwh_per_month(self) -> float:
        """Usable kWh recyclers route to second life per month, smoothed over recent months."""
        return self._sl_supply_kwh_per_month

    def smooth_second_life_supply(self) -> None:
        """Move the smoothed second-life supply, and other buyers' draw on it, toward this month's."""
        weight = self.config.hyperscalers.expectation_weight
        added = sum(r.second_life_added_kwh for r in self.roster.recyclers)
        self._sl_supply_kwh_per_month += weight * (added - self._sl_supply_kwh_per_month)
        drawn = self._sl_bought_by_others_kwh
        self._sl_others_kwh_per_month += weight * (drawn - self._sl_others_kwh_per_month)
        self._sl_bought_by_others_kwh = 0.0

    def second_life_net_supply_kwh_per_month(self) -> float:
        """Smoothed second-life supply less what buyers other than vendors (utilities) lately took of it."""
        return max(0.0, self._sl_supply_kwh_per_month - self._sl_others_kwh_per_month)

    def _second_life_stock_kwh(self) -> float:
        """Usable second-life kWh in recyclers' inventories."""
        return sum(exact_dot(r.inventory_gwh, r.inventory_soh) for r in self.roster.recyclers) * 1e6

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
        vendors = sum(
            o.second_life_outstanding_kwh() for v in self.roster.vendors for o in v.orders
        )
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
        new_need = sum(o.new_outstanding_kwh() for v in self.roster.vendors for o in v.orders)
        return cfg.oems.lead_time_months + new_need / (cfg.oems.production_gwh_per_month * 1e6)

    def modular_wait_months(self, path: str | None = None) -> float:
        """A modular time-to-power signal: the best vendor quote (site and storage) for `path`, or for the storage vendors would pick."""
        return min(v.expected_delivery_months(path) for v in self.roster.vendors)

    # ------------------------------------------------------------------ installing storage
    def install_storage(
        self,
        owner: int,
        product: int,
        usable_kwh: float,
        soh: float,
        c_rate: float,
        efc_per_month: float,
        duty: float,
    ) -> None:
        """Put bought packs into service; second-life packs move from 'in delivery' to 'in service'."""
        if usable_kwh <= 0:
            return
        gwh = usable_kwh / soh / 1e6
        self.fleet.add(product, owner, gwh, soh, self.clock.month, c_rate, efc_per_month, duty)
        if product != Product.NEW:
            self.stocks["in_delivery_gwh"] -= gwh
            self.stocks["second_life_installed_gwh"] += gwh

    def install_site_storage(
        self, project: Project, usable_kwh: np.ndarray, nameplate_kwh: np.ndarray
    ) -> None:
        """Put a finished modular site's packs into the fleet under the site's owner index."""
        b = self.config.batteries
        for product in range(4):
            if nameplate_kwh[product] > 0:
                soh = usable_kwh[product] / nameplate_kwh[product]
                self.install_storage(
                    project.storage_owner,
                    product,
                    usable_kwh[product],
                    soh,
                    b.c_rate,
                    b.efc_per_month,
                    b.ai_duty_fade_multiplier,
                )

    def install_augmentation(
        self, vendor: VendorBook, product: int, usable_kwh: float, soh: float
    ) -> None:
        """Spread augmentation packs over the vendor's faded sites in proportion to their shortfall."""
        b = self.config.batteries
        short = self._site_shortfalls(vendor)
        total = sum(short.values())
        if total <= 0:
            self.return_unallocated_storage(product, usable_kwh, soh)
            return
        owners = np.array([p.storage_owner for p in short])
        usable = usable_kwh * np.array(list(short.values())) / total
        self.fleet.add_many(
            product,
            owners,
            usable / soh / 1e6,
            soh,
            self.clock.month,
            b.c_rate,
            b.efc_per_month,
            b.ai_duty_fade_multiplier,
        )
        if product != Product.NEW:
            self.stocks["in_delivery_gwh"] -= usable_kwh / soh / 1e6
            self.stocks["second_life_installed_gwh"] += usable_kwh / soh / 1e6

    def return_unallocated_storage(self, product: int, usable_kwh: float, soh: float) -> None:
        """Packs bought but not placed go back to a recycler's inventory (second life) or are resold (new)."""
        if product != Product.NEW and usable_kwh > 0:
            gwh = usable_kwh / soh / 1e6
            self.stocks["in_delivery_gwh"] -= gwh
            self.roster.recyclers[0].restock(product, gwh, soh)

    def _site_shortfalls(self, vendor: VendorBook) -> dict[Project, float]:
        """Usable kWh each energised site of a vendor needs to get back to design, for sites below the trigger."""
        v = self.config.vendors
        usable = self.fleet.usable_gwh_by_owner(self.storage_owner_count)
        out = {}
        for p in self.projects:
            if p.vendor == vendor.unique_id and p.status is Status.ENERGIZED:
                design = p.mw * v.storage_mwh_per_mw * 1000.0
                have = usable[p.storage_owner] * 1e6
                if have < v.augmentation_trigger * design:
                    out[p] = design - have
        return out

    def plan_augmentation(self) -> None:
        """Vendors restore faded sites' usable storage to design (the augmentation demand)."""
        for vendor in self.roster.vendors:
            short = self._site_shortfalls(vendor)
            sl = sum(k for p, k in short.items() if p.path == Path.MODULAR_SECOND_LIFE)
            new = sum(k for p, k in short.items() if p.path == Path.MODULAR_NEW)
            vendor.plan_augmentation(sl, new)

    # ------------------------------------------------------------------ stage 5
    def _orders(
        self,
    ) -> tuple[list[tuple[Any, int, float, float]], list[tuple[Any, int, float, float]]]:
        """All (agent, product, kWh, USD/kWh) bids of buyers and asks of recyclers and OEMs."""
        bids: list[tuple[Any, int, float, float]] = []
        for agent in self.roster.storage_buyers():
            bids += [(agent, prod, qty, price) for prod, qty, price in agent.storage_bids()]
        asks: list[tuple[Any, int, float, float]] = []
        for r in self.roster.recyclers:
            asks += [(r, g, qty, price) for g, qty, price in r.asks()]
        for o in self.roster.oems:
            asks += [(o, prod, qty, price) for prod, qty, price in o.asks()]
        return bids, asks

    def clear_market(self) -> None:
        """Step 5: a call auction per product, best quality first; residual second-life demand moves down the grades."""
        bids, asks = self._orders()
        prices = np.full(4, np.nan)
        bought_by: dict[Any, float] = {}
        for product in range(4):
            pb = [(a, q, p) for a, prod, q, p in bids if prod == product]
            pa = [(a, q, p) for a, prod, q, p in asks if prod == product]
            if not pb or not pa:
                continue
            # second-life buyers already served in a better grade bid only for the rest
            qty_b = np.array(
                [
                    max(0.0, q - (bought_by.get(a, 0.0) if product != Product.NEW else 0.0))
                    for a, q, _ in pb
                ]
            )
            result = clear_call_auction(
                np.zeros(len(pb), dtype=int),
                qty_b,
                np.array([p for _, _, p in pb]),
                np.zeros(len(pa), dtype=int),
                np.array([q for _, q, _ in pa]),
                np.array([p for _, _, p in pa]),
                1,
            )
            price = float(result.price_usd_per_kwh[0])
            prices[product] = price
            if not np.isfinite(price):
                continue
            soh = self._sell_asks(pa, result.ask_fill_kwh, product, price)
            self._deliver(pb, result.bid_fill_kwh, product, price, soh, bought_by)
        self.price_usd_per_kwh = prices
        self.price_history.append(prices)
        for r in self.roster.recyclers:
            r.observe_prices(prices)

    def _deliver(
        self,
        bids: list[tuple[StorageBuyer, float, float]],
        fills: np.ndarray,
        product: int,
        price: float,
        soh: float,
        bought_by: dict[Any, float],
    ) -> None:
        """Charge buyers for their fills and hand them the usable kWh at the sold SoH."""
        for (agent, _, _), fill in zip(bids, fills, strict=True):
            if fill <= 0:
                continue
            if product != Product.NEW:
                bought_by[agent] = bought_by.get(agent, 0.0) + fill
                if all(agent is not v for v in self.roster.vendors):
                    self._sl_bought_by_others_kwh += fill
                self.stocks["in_delivery_gwh"] += fill / soh / 1e6
            self.storage_bought_kwh[product] += fill
            self.storage_bought_nameplate_kwh[product] += fill / soh
            self.ledger.transfer(
                agent.unique_id, "market:packs", fill * price, f"storage {PRODUCTS[product]}"
            )
            agent.receive_storage(product, float(fill), soh)

    def _sell_asks(
        self, asks: list[tuple[Any, float, float]], fills: np.ndarray, product: int, price: float
    ) -> float:
        """Take sold kWh from sellers and pay them; returns the (capacity-weighted) SoH of what was sold."""
        nameplate = 0.0
        usable = 0.0
        for (seller, _, _), fill in zip(asks, fills, strict=True):
            if fill <= 0:
                continue
            self.ledger.transfer(
                "market:packs", seller.unique_id, fill * price, f"storage {PRODUCTS[product]}"
            )
            credit = (
                credit_45x_usd_per_kwh(self.config, self.calendar.year_month(self.clock.month)[0])
                * fill
            )
            self.ledger.transfer("external:treasury", seller.unique_id, credit, "45X credit")
            self.recorder.incentives_usd += credit
            if product != Product.NEW:
                gwh, _ = seller.sold(product, float(fill), price)
                nameplate += gwh * 1e6
            else:
                nameplate += fill
            usable += fill
        return usable / nameplate if nameplate > 0 else 1.0

    # ------------------------------------------------------------------ stage 9
    def age_fleet(self) -> None:
        """Step 9: the fleet fades; packs past end of life come back to recyclers."""
        b = self.config.batteries
        self.fleet.age(1.0, self.fade_params)
        retired = self.fleet.retire_by_eol(b.second_life_eol_soh, b.new_eol_soh)
        second = float(retired[: Product.NEW].sum())
        if second > 0:
            self.stocks["second_life_installed_gwh"] -= second
            self.stocks["second_life_retired_gwh"] += second
            recyclers = self.roster.recyclers
            recyclers[self.clock.month % len(recyclers)].recycle(second)
