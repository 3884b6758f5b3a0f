"""How many utilities an owner files a grid project with: queue risk against the cost of a twin.

A project filed with k utilities gets power unless all k filings fail, and a failed project
starts over, losing about one grid wait. The owner judges a filing's failure odds from the
outcomes the market shows (committed large-load filings that signed, or withdrew for a queue
reason), by the rule of succession so that no outcome yet means even odds. Each filing beyond
the first is a twin that withdraws when the lead signs and costs what the queue and the tariff
charge for that (deposits, the penalty of its phase, the carrying cost of collateral). The
owner files the k, up to its cap, that maximises

    (1 - f**k) x wait x value of a month x MW - (k - 1) x cost of a twin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from abm.grid.queue import QueueRules
from abm.grid.queue.deposits import months_before_signing, twin_cost_usd

if TYPE_CHECKING:
    from abm.schema import ScenarioConfig, TariffSection


@dataclass(frozen=True)
class FilingOutlook:
    """What an owner weighs before filing one grid project (money in USD, time in months)."""

    mw: float
    wait_months: float  # the owner's expected grid wait (learned from the grid wait signal)
    signed: int  # committed load filings the market has seen sign an agreement
    failed: int  # committed load filings seen withdrawing for a queue reason
    value_usd_per_mw_month: float  # what a month of earlier power is worth to the owner
    twin_cost_usd: float  # expected cost of one duplicate filing that will withdraw
    max_filings: int  # utilities the owner can file with at most

    @property
    def failure_odds(self) -> float:
        """Odds a filing fails, by the rule of succession: (failed + 1) / (seen + 2)."""
        return (self.failed + 1.0) / (self.signed + self.failed + 2.0)

    def expected_value_usd(self, k: int) -> float:
        """Value of filing with k utilities: P(at least one gets through) x the wait it saves, less the twins."""
        saved = self.wait_months * self.value_usd_per_mw_month * self.mw
        all_fail = math.prod([self.failure_odds] * k)  # k products, no libm pow
        return (1.0 - all_fail) * saved - (k - 1) * self.twin_cost_usd


def filings_wanted(outlook: FilingOutlook) -> int:
    """The number of filings (1..max) with the highest expected value; the fewest on a tie."""
    best_k, best = 1, outlook.expected_value_usd(1)
    for k in range(2, outlook.max_filings + 1):
        value = outlook.expected_value_usd(k)
        if value > best:
            best_k, best = k, value
    return best_k


def filing_cap(duplicate_filings: float, u: float, n_utilities: int) -> int:
    """Most utilities a project may file with: the cap's whole part, one more with its fraction's odds."""
    whole = math.floor(duplicate_filings)
    extra = 1 if u < duplicate_filings - whole else 0
    return max(1, min(n_utilities, whole + extra))


def twin_cost_with_tariff_usd(
    rules: QueueRules, tariff: TariffSection, mw: float, carry_rate_per_month: float
) -> float:
    """The queue's cost of a twin plus, under a large-load tariff, the carrying cost of its collateral.

    Collateral is posted with each filing and returned when the twin withdraws before signing,
    so a twin costs its carrying cost over the months before the lead signs.
    """
    cost = twin_cost_usd(rules, mw, carry_rate_per_month)
    if tariff.large_load_tariff:
        months = sum(months_before_signing(rules))
        cost += tariff.collateral_usd_per_mw * mw * carry_rate_per_month * months
    return cost


def filings_for(
    config: ScenarioConfig,
    mw: float,
    wait_months: float,
    record: tuple[int, int],
    u: float,
    n_utilities: int,
    value_of_time_multiplier: float = 1.0,
) -> int:
    """How many utilities an owner files a project of `mw` with, from what it expects and sees.

    A month of waiting costs the owner the value of lost compute times its type's
    `value_of_time_multiplier` (abm/agents/firm_types.py).

    `record` is the market's (signed, failed) count of committed load filings and `u` the
    project's uniform for a fractional cap (`hyperscalers.duplicate_filings`).
    """
    h = config.hyperscalers
    rules = QueueRules.from_config(config.queue, 1.0)
    carry = h.discount_rate / 12.0
    outlook = FilingOutlook(
        mw=mw,
        wait_months=wait_months,
        signed=record[0],
        failed=record[1],
        value_usd_per_mw_month=config.demand.value_of_lost_compute_usd_per_mw_month
        * value_of_time_multiplier,
        twin_cost_usd=twin_cost_with_tariff_usd(rules, config.tariff, mw, carry),
        max_filings=filing_cap(h.duplicate_filings, u, n_utilities),
    )
    return filings_wanted(outlook)
