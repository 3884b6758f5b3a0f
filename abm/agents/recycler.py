"""Battery recyclers: test and grade retired packs within capacity, then route to second life or recycling.

Stocks are nameplate GWh held as scalars and small per-grade arrays, never one object per pack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from abm.agents import buyback
from abm.agents import pack_pricing as pricing
from abm.batteries import FadeParams, fade_step_at_rate, shelf_fade_rate_per_year
from abm.numerics import exact_dot
from abm.vocabulary import Order, Product

if TYPE_CHECKING:
    from abm.ports import Books, PackDesk
    from abm.schema import ScenarioConfig

N_GRADES = int(Product.NEW)  # A, B, C


class Recycler(mesa.Agent):
    """A Redwood-like recycler with finite test-and-grade capacity and a graded inventory.

    Ports: `packs` (grading shares, grade SoH, fade parameters, values) and `ledger`.
    """

    def __init__(
        self,
        model: mesa.Model,
        capacity_gwh_per_month: float,
        *,
        config: ScenarioConfig,
        packs: PackDesk,
        ledger: Books,
        repurpose_cost_share: float = 1.0,
    ) -> None:
        """A recycler testing up to `capacity_gwh_per_month` nameplate GWh a month.

        It repurposes at `repurpose_cost_share` of the market's learned repurposing cost (an OEM's
        own line repurposes for less).
        """
        super().__init__(model)
        self.config, self.packs, self.ledger = config, packs, ledger
        self.capacity_gwh_per_month = capacity_gwh_per_month
        self.repurpose_cost_share = repurpose_cost_share
        self.awaiting_test_gwh = 0.0
        self.inventory_gwh = np.zeros(N_GRADES)  # nameplate GWh ready for second life
        self.inventory_soh = packs.grade_soh[:N_GRADES].copy()
        self.inventory_age_months = np.zeros(N_GRADES)
        self.recycled_gwh = 0.0
        self.expected_price_usd_per_kwh = np.array(
            [packs.storage_wtp_usd_per_kwh(g) for g in range(N_GRADES)]
        )
        self.tested_this_month_gwh = 0.0
        self.second_life_added_kwh = 0.0  # usable kWh routed to second life this month
        self.sold_kwh = np.zeros(N_GRADES)  # usable kWh sold this month, by grade
        self.sales_kwh_per_month = np.zeros(N_GRADES)  # smoothed sales rate, by grade
        self._asks: tuple[tuple[object, ...], tuple[Order, ...]] | None = None  # (inputs, asks)

    def receive(self, gwh: float) -> None:
        """Retired packs arrive to be tested."""
        self.awaiting_test_gwh += gwh

    def spot_bid_usd_per_kwh(self) -> float:
        """What this recycler offers for retired packs: its expected value of an ungraded nameplate kWh."""
        m = self.packs
        return buyback.pack_value_usd_per_kwh(
            self.expected_price_usd_per_kwh,
            m.grade_soh,
            m.grade_share,
            m.second_life_yield(),
            self.repurpose_cost_usd_per_kwh(),
            m.recycling_value_usd_per_kwh(),
            self._credits_usd_per_kwh(),
        )

    def repurpose_cost_usd_per_kwh(self) -> float:
        """This recycler's cost of repurposing a kWh this month: its share of the learned market cost."""
        return self.repurpose_cost_share * self.packs.repurpose_cost_usd_per_kwh()

    def _credits_usd_per_kwh(self) -> float:
        """Credits a usable second-life kWh earns: 45X on the sale and a production credit."""
        return (
            self.packs.second_life_credit_usd_per_kwh()
            + self.config.policy.second_life_production_credit_usd_per_kwh
        )

    def _second_life_value_per_kwh(self) -> np.ndarray:
        """Expected margin of second life per nameplate kWh, by grade: price and credits less repurposing."""
        return pricing.second_life_margin_usd_per_kwh(
            self.packs.grade_soh[:N_GRADES],
            self.packs.second_life_yield(),
            self.expected_price_usd_per_kwh,
            self.repurpose_cost_usd_per_kwh(),
            self._credits_usd_per_kwh(),
        )

    def grade_and_route(self) -> None:
        """Test what capacity allows, grade by SoH, and route each grade by the scenario's policy."""
        m = self.packs
        p = self.config.packs
        tested = min(self.awaiting_test_gwh, self.capacity_gwh_per_month)
        self.awaiting_test_gwh -= tested
        self.tested_this_month_gwh = tested
        by_grade = tested * m.grade_share  # A, B, C, below-C
        recycle = by_grade[3]
        if p.routing == "recycle_first":
            second_life = np.zeros(N_GRADES)
        elif p.routing == "second_use_first":
            second_life = by_grade[:N_GRADES].copy()
        else:
            worth = self._second_life_value_per_kwh() > m.recycling_value_usd_per_kwh()
            second_life = np.where(worth, by_grade[:N_GRADES], 0.0)
        recycle += float(by_grade[:N_GRADES].sum() - second_life.sum())
        kept = second_life * m.second_life_yield()
        recycle += float(second_life.sum() - kept.sum())
        self._add_inventory(kept)
        self.second_life_added_kwh = exact_dot(kept, m.grade_soh[:N_GRADES]) * 1e6
        self.recycle(recycle)
        repurposed_kwh = exact_dot(kept, m.grade_soh[:N_GRADES]) * 1e6
        self.ledger.transfer(
            self.unique_id,
            "external:repurposing",
            repurposed_kwh * self.repurpose_cost_usd_per_kwh(),
            "repurposing",
        )
        m.pay_production_credit(self.unique_id, repurposed_kwh)
        self._age_inventory()
        self._expand_capacity()

    def _add_inventory(self, gwh: np.ndarray) -> None:
        """Add graded nameplate GWh to inventory, averaging SoH with what is there."""
        total = self.inventory_gwh + gwh
        with np.errstate(invalid="ignore", divide="ignore"):
            self.inventory_soh = np.where(
                total > 0,
                (self.inventory_gwh * self.inventory_soh + gwh * self.packs.grade_soh[:N_GRADES])
                / total,
                self.packs.grade_soh[:N_GRADES],
            )
            self.inventory_age_months = np.where(
                total > 0,
                self.inventory_age_months * self.inventory_gwh / np.where(total > 0, total, 1),
                0.0,
            )
        self.inventory_gwh = total

    def _age_inventory(self) -> None:
        """Calendar ageing and holding cost; stock older than two years is recycled."""
        fp: FadeParams = self.packs.fade_params
        self.inventory_soh = fade_step_at_rate(
            self.inventory_soh, 1.0, shelf_fade_rate_per_year(fp), fp
        )
        self.inventory_age_months = np.where(
            self.inventory_gwh > 0, self.inventory_age_months + 1, 0.0
        )
        holding = (
            exact_dot(self.inventory_gwh, self.inventory_soh)
            * 1e6
            * self.config.recyclers.holding_cost_usd_per_kwh_month
        )
        self.ledger.transfer(self.unique_id, "external:holding", holding, "inventory holding")
        stale = self.inventory_age_months > self.config.recyclers.stale_months
        if stale.any():
            self.recycle(float(self.inventory_gwh[stale].sum()))
            self.inventory_gwh[stale] = 0.0
            self.inventory_age_months[stale] = 0.0

    def recycle(self, gwh: float) -> None:
        """Send nameplate GWh to material recovery and book its value."""
        if gwh <= 0:
            return
        self.recycled_gwh += gwh
        value = gwh * 1e6 * self.packs.recycling_value_usd_per_kwh()
        self.ledger.transfer("external:materials", self.unique_id, value, "recycled materials")

    def restock(self, grade: int, gwh: float, soh: float) -> None:
        """Take back unplaced second-life packs into inventory at their SoH."""
        total = self.inventory_gwh[grade] + gwh
        if total > 0:
            self.inventory_soh[grade] = (
                self.inventory_gwh[grade] * self.inventory_soh[grade] + gwh * soh
            ) / total
        self.inventory_gwh[grade] = total

    def asks(self) -> list[Order]:
        """(grade, usable kWh, min USD per usable kWh) offered this month: the reservation price of its stock.

        Never below what recycling the packs pays (less the credit a sale earns); lower the more
        months of sales the stock holds (holding cost), at that floor when it would go stale unsold.
        """
        r = self.config.recyclers
        recycling_value = self.packs.recycling_value_usd_per_kwh()
        credit = self.packs.second_life_credit_usd_per_kwh()
        # the market reads the asks several times a month; recomputed only when an input changed
        state = (
            recycling_value,
            credit,
            r.holding_cost_usd_per_kwh_month,
            r.stale_months,
            *(
                np.asarray(a, dtype=float).tobytes()
                for a in (
                    self.inventory_gwh,
                    self.inventory_soh,
                    self.inventory_age_months,
                    self.expected_price_usd_per_kwh,
                    self.sales_kwh_per_month,
                )
            ),
        )
        if self._asks is None or self._asks[0] != state:
            self._asks = (state, self._compute_asks(recycling_value, credit))
        return list(self._asks[1])

    def _compute_asks(self, recycling_value: float, credit: float) -> tuple[Order, ...]:
        """The asks of `asks` from the stock as it stands (Orders are immutable tuples)."""
        r = self.config.recyclers
        usable_kwh = self.inventory_gwh * self.inventory_soh * 1e6
        floor = pricing.walk_away_usd_per_kwh(recycling_value, self.inventory_soh, credit)
        ask = pricing.seller_ask_usd_per_kwh(
            self.expected_price_usd_per_kwh,
            floor,
            r.holding_cost_usd_per_kwh_month,
            pricing.months_to_sell(usable_kwh, self.sales_kwh_per_month),
            r.stale_months - self.inventory_age_months,
        )
        return tuple(
            Order(Product(g), float(usable_kwh[g]), float(ask[g]))
            for g in range(N_GRADES)
            if usable_kwh[g] > 0
        )

    def sold(self, grade: int, usable_kwh: float, price_usd_per_kwh: float) -> tuple[float, float]:
        """Remove sold usable kWh from inventory; returns (nameplate GWh, SoH) that left."""
        soh = float(self.inventory_soh[grade])
        gwh = min(self.inventory_gwh[grade], usable_kwh / 1e6 / soh)
        self.inventory_gwh[grade] -= gwh
        self.sold_kwh[grade] += usable_kwh
        return gwh, soh

    def observe_prices(
        self, price_usd_per_kwh: np.ndarray, best_bid_usd_per_kwh: np.ndarray | None = None
    ) -> None:
        """Learn from the month's auction: expected prices (toward the best bid where a grade did not trade) and sales rates."""
        alpha = self.config.hyperscalers.expectation_weight
        bids = np.full(N_GRADES, np.nan) if best_bid_usd_per_kwh is None else best_bid_usd_per_kwh
        self.expected_price_usd_per_kwh = pricing.discover_price(
            self.expected_price_usd_per_kwh,
            np.asarray(price_usd_per_kwh[:N_GRADES], dtype=float),
            np.asarray(bids[:N_GRADES], dtype=float),
            alpha,
        )
        self.sales_kwh_per_month += alpha * (self.sold_kwh - self.sales_kwh_per_month)
        self.sold_kwh = np.zeros(N_GRADES)

    def _expand_capacity(self) -> None:
        """Invest in test capacity when the backlog exceeds `recyclers.backlog_trigger_months` and second life pays."""
        r = self.config.recyclers
        if (
            self.awaiting_test_gwh > r.backlog_trigger_months * self.capacity_gwh_per_month
            and self._second_life_value_per_kwh().max() > 0
        ):
            self.capacity_gwh_per_month *= 1.0 + r.capacity_growth_per_month
