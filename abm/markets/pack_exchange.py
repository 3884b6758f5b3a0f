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
    CHEMISTRIES,
    LFP,
    FadeParams,
    StorageCosts,
    StorageFleet,
    chemistry_mix,
    fade_params_by_chemistry,
    grade_fractions,
    grade_mean_soh,
    mix_weighted,
    mix_weighted_wtp,
    storage_costs,
    us_retirements_by_chemistry_gwh,
)
from abm.catalogue import PRODUCTS
from abm.history import learning_months, storage_costs_before
from abm.markets.contract_book import ContractBook
from abm.markets.pack_outlook import SecondLifeOutlook
from abm.markets.packs import clear_call_auction
from abm.shiftable import modular_storage_mwh_per_mw
from abm.vocabulary import Path, Product, Project, Status
from abm.world import credit_45x_on_usd_per_kwh

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


class PackExchange(SecondLifeOutlook):
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
        self.retirements_by_chemistry_gwh = (
            p.retirement_multiplier
            * us_retirements_by_chemistry_gwh(
                calendar.start_year, calendar.start_month, config.run.months, p
            )
        )
        self.retirements_gwh = self.retirements_by_chemistry_gwh.sum(axis=1)
        self.grade_share = grade_fractions(p.soh_mean, p.soh_sd)
        self.grade_soh = np.append(
            grade_mean_soh(p.soh_mean, p.soh_sd)[: Product.NEW], 1.0
        )  # A, B, C, new
        self.fade_params = FadeParams(**config.fade.model_dump())  # LFP: new storage
        self.fade_by_chemistry = fade_params_by_chemistry(
            config.fade, config.fade_nmc, config.fade_other
        )
        self.fleet = StorageFleet()
        self.contracts = ContractBook(config, ledger)
        self._unit_usd_per_kwh = 0.0  # cost per usable kWh of the fill being delivered
        self.storage_owner_count = 0
        self.retiring_gwh_this_month = 0.0
        self.price_usd_per_kwh = np.full(4, np.nan)
        self.price_history: list[np.ndarray] = []
        self.stocks = dict.fromkeys(
            ("in_delivery_gwh", "second_life_installed_gwh", "second_life_retired_gwh"), 0.0
        )
        self.storage_bought_kwh = np.zeros(
            len(Product)
        )  # usable kWh bought per product (for embodied CO2)
        self.storage_bought_nameplate_kwh = np.zeros(len(Product))
        self._wtp_cache: dict[tuple[int, int, Duty | None], float] = {}
        self._sl_supply_kwh_per_month = 0.0
        self._sl_others_kwh_per_month = 0.0  # smoothed second-life kWh bought by non-vendors
        self._sl_bought_by_others_kwh = 0.0  # this month's
        self._unfilled_months: dict[tuple[int, int], int] = {}  # (buyer id, product) -> months
        self._outlook_key: tuple[int, int] | None = None
        self._outlook: tuple[bool, float] = (False, 0.0)
        self._learned: tuple[int, StorageCosts] | None = None
        # this month's chemistry mix and the values weighted by it: (month, retirements table, mix, values)
        self._mix: tuple[int, np.ndarray, np.ndarray, dict[str, float]] | None = None

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
    def _learned_costs(self) -> StorageCosts:
        """This month's pack, balance-of-plant and repurposing costs (history before 2025, abm.history)."""
        month = max(self.clock.month, 0)
        if self._learned is None or self._learned[0] != month:
            own_gwh = self.storage_bought_nameplate_kwh / 1e6
            costs = storage_costs(self.config, learning_months(self.config, month), own_gwh)
            if (past := storage_costs_before(self.config, month)) is not None:
                costs = costs._replace(pack=past[0], balance_of_plant=past[1])
            self._learned = (month, costs)
        return self._learned[1]

    def pack_price_usd_per_kwh(self) -> float:
        """New LFP pack price this month, net of the 45X credit (the part a second-life pack replaces)."""
        year, _ = self.calendar.year_month(max(self.clock.month, 0))
        credit = credit_45x_on_usd_per_kwh(self.config, year, second_life=False)
        return max(1.0, self._learned_costs().pack - credit)

    def balance_of_plant_usd_per_kwh(self) -> float:
        """Balance of plant per usable kWh this month, paid for new and second-life storage."""
        return self._learned_costs().balance_of_plant

    def repurpose_cost_usd_per_kwh(self) -> float:
        """Cost of testing, reconfiguring and integrating a second-life kWh this month (its chemistry mix)."""
        return self._learned_costs().repurpose * self._by_chemistry("repurpose_cost_share_{}")

    def second_life_yield(self) -> float:
        """Usable share of graded capacity that survives repurposing, for this month's chemistry mix."""
        return self._by_chemistry("second_life_yield_{}")

    def recycling_value_usd_per_kwh(self) -> float:
        """Net value of recycling a nameplate kWh of this month's retired packs (chemistry-mix weighted)."""
        return self._by_chemistry("recycling_value_{}_usd_per_kwh")

    def _by_chemistry(self, key: str) -> float:
        """The ``packs`` key per chemistry (``{}`` = nmc, lfp, other), weighted by this month's mix (once a month)."""
        mix = self.second_life_chemistry_mix()
        assert self._mix is not None
        weighted = self._mix[3]
        if key not in weighted:
            values = [getattr(self.config.packs, key.format(name)) for name in CHEMISTRIES]
            weighted[key] = mix_weighted(mix, values)
        return weighted[key]

    def new_storage_price_usd_per_kwh(self) -> float:
        """New turnkey storage this month: pack (net of the 45X credit passed through) plus balance of plant."""
        return self.pack_price_usd_per_kwh() + self.balance_of_plant_usd_per_kwh()

    def second_life_credit_usd_per_kwh(self) -> float:
        """The 45X credit a sale of second-life packs earns this month (USD per usable kWh; 0 where out of scope)."""
        year, _ = self.calendar.year_month(max(self.clock.month, 0))
        return credit_45x_on_usd_per_kwh(self.config, year, second_life=True)

    def pay_production_credit(self, seller: int, usable_kwh: float) -> None:
        """The treasury pays `policy.second_life_production_credit_usd_per_kwh` on repurposed kWh."""
        usd = usable_kwh * self.config.policy.second_life_production_credit_usd_per_kwh
        if usd > 0:
            self.ledger.transfer("external:treasury", seller, usd, "second-life production credit")
            self.recorder.incentives_usd += usd

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
            wtp = mix_weighted_wtp(
                self.pack_price_usd_per_kwh(),
                float(self.grade_soh[product]),
                b.second_life_eol_soh,
                self.fade_by_chemistry,
                self.second_life_chemistry_mix(),
                b if duty is None else duty,
                self.config.hyperscalers.discount_rate,
                b.new_eol_soh,
                self.fade_params,
            )
        self._wtp_cache[key] = wtp
        return wtp

    def second_life_chemistry_mix(self) -> np.ndarray:
        """Chemistry shares (``CHEMISTRIES`` order) of second-life packs sold this month (read-only, computed once a month)."""
        month, table = self.clock.month, self.retirements_by_chemistry_gwh
        if self._mix is None or self._mix[0] != month or self._mix[1] is not table:
            mix = chemistry_mix(table, month)
            mix.flags.writeable = False
            self._mix = (month, table, mix, {})
        return self._mix[2]

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
            # a second-life pack replaces a new pack; balance of plant is paid either way
            sl_cost = sl_ratio * self.pack_price_usd_per_kwh() + self.balance_of_plant_usd_per_kwh()
            cost = sl_cost if preferred else new_price
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

    def sign_contract(self, project: Project) -> None:
        """A vendor books a site: the contract book signs the contract its buyer chose, the fee or PPA price on today's storage."""
        self.contracts.sign(project, *self._storage_terms(project.path == Path.MODULAR_SECOND_LIFE))

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
        for chem, lot in self._chemistry_lots(product, gwh):
            self.fleet.add(
                product, owner, lot, soh, self.clock.month, c_rate, efc_per_month, duty, chem
            )
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
        self.contracts.bill_augmentation(
            vendor.unique_id, short, usable_kwh, self._unit_usd_per_kwh, self.clock.month
        )
        usable = usable_kwh * np.array(list(short.values())) / total
        duty = (b.c_rate, b.efc_per_month, b.ai_duty_fade_multiplier)
        for chem, share in self._chemistry_lots(product, 1.0):
            self.fleet.add_many(
                product, owners, share * usable / soh / 1e6, soh, self.clock.month, *duty, chem
            )
        if product != Product.NEW:
            self.stocks["in_delivery_gwh"] -= usable_kwh / soh / 1e6
            self.stocks["second_life_installed_gwh"] += usable_kwh / soh / 1e6

    def _chemistry_lots(self, product: int, gwh: float) -> list[tuple[int, float]]:
        """(chemistry, GWh) lots of a purchase: new storage is LFP, second life this month's mix."""
        if product == Product.NEW:
            return [(LFP, gwh)]
        return [(c, gwh * s) for c, s in enumerate(self.second_life_chemistry_mix()) if s > 0]

    def return_unallocated_storage(self, product: int, usable_kwh: float, soh: float) -> None:
        """Packs bought but not placed go back to a recycler's inventory (second life) or are resold (new)."""
        if product != Product.NEW and usable_kwh > 0:
            gwh = usable_kwh / soh / 1e6
            self.stocks["in_delivery_gwh"] -= gwh
            self.roster.recyclers[0].restock(product, gwh, soh)

    def _site_shortfalls(self, vendor: VendorBook) -> dict[Project, float]:
        """Usable kWh each energised site of a vendor needs to get back to design, for sites below the trigger."""
        usable = self.fleet.usable_gwh_by_owner(self.storage_owner_count)
        mwh_per_mw = modular_storage_mwh_per_mw(self.config)  # one config: the same for every site
        out = {}
        for p in self.projects:
            if p.vendor == vendor.unique_id and p.status is Status.ENERGIZED:
                design = p.mw * mwh_per_mw * 1000.0
                have = usable[p.storage_owner] * 1e6
                if have < self.contracts.trigger(p, self.clock.month) * design:
                    out[p] = design - have
        return out

    def plan_augmentation(self) -> None:
        """Vendors restore faded sites' usable storage to design (the augmentation demand)."""
        self.contracts.bill_fees(self.projects, self.clock.month)  # BaaS fees, monthly
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
        for r in self.roster.stocks():
            asks += [(r, g, qty, price) for g, qty, price in r.asks()]
        for o in self.roster.oems:
            asks += [(o, prod, qty, price) for prod, qty, price in o.asks()]
        return bids, asks

    def clear_market(self) -> None:
        """Step 5: a call auction per product, best quality first; residual second-life demand moves down the grades."""
        bids, asks = self._orders()
        prices = np.full(4, np.nan)
        live = [(prod, p) for _, prod, q, p in bids if q > 0]
        best_bids = np.array(
            [max((p for j, p in live if j == k), default=np.nan) for k in range(4)]
        )
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
                self._priorities(pb, product),
            )
            self._carry_unfilled(pb, qty_b, result.bid_fill_kwh, product)
            price = float(result.price_usd_per_kwh[0])
            prices[product] = price
            if not np.isfinite(price):
                continue
            soh = self._sell_asks(pa, result.ask_fill_kwh, product, price)
            self._deliver(pb, result.bid_fill_kwh, product, price, soh, bought_by)
        self.price_usd_per_kwh = prices
        self.price_history.append(prices)
        for r in self.roster.stocks():
            r.observe_prices(prices, best_bids)

    def _priorities(self, bids: list[tuple[Any, float, float]], product: int) -> np.ndarray:
        """Each bid's priority at the marginal price: the months its buyer's demand has gone unfilled."""
        return np.array(
            [float(self._unfilled_months.get((a.unique_id, product), 0)) for a, _, _ in bids]
        )

    def _carry_unfilled(
        self, bids: list[tuple[Any, float, float]], qty: np.ndarray, fill: np.ndarray, product: int
    ) -> None:
        """A bid left (partly) unfilled carries one more month of priority; a filled one starts over."""
        for (agent, _, _), q, f in zip(bids, qty, fill, strict=True):
            key = (agent.unique_id, product)
            if q > 0 and f < q - 1e-6:
                self._unfilled_months[key] = self._unfilled_months.get(key, 0) + 1
            else:
                self._unfilled_months.pop(key, None)

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
            if product != Product.NEW:  # new storage is sold turnkey; second-life packs need it
                bop = fill * self.balance_of_plant_usd_per_kwh()
                self.ledger.transfer(agent.unique_id, "external:bop", bop, "balance of plant")
            self._unit_usd_per_kwh = price + (bop / fill if product != Product.NEW else 0.0)
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
            year = self.calendar.year_month(self.clock.month)[0]
            second_life = product != Product.NEW
            credit = credit_45x_on_usd_per_kwh(self.config, year, second_life) * fill
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
        self.fleet.age(1.0, self.fade_by_chemistry)
        retired = self.fleet.retire_by_eol(b.second_life_eol_soh, b.new_eol_soh)
        second = float(retired[: Product.NEW].sum())
        if second > 0:
            self.stocks["second_life_installed_gwh"] -= second
            self.stocks["second_life_retired_gwh"] += second
            recyclers = self.roster.recyclers
            recyclers[self.clock.month % len(recyclers)].recycle(second)
