"""What a large-load tariff (AEP Ohio 2025) means to an owner: the grid path's cost and the exit fee.

A signed project under the tariff owes the minimum bill from service whether it draws power
or not, or the exit fee (months of minimum charges) to cancel. An owner with more signed
capacity than demand keeps a surplus project when the months it would sit idle cost less
than the exit fee; without the tariff an idle connection costs nothing, so it keeps it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from abm.schema import ScenarioConfig


def tariff_cost_usd_per_mw_month(config: ScenarioConfig) -> float:
    """What a large-load tariff adds to the grid path per MW-month over the planning horizon.

    The lead filing's collateral is carried over the minimum bill's term, and the minimum bill
    charges the contracted demand the campus leaves unused: the billed share above its load
    factor (nothing at AEP's 85 % for a campus that runs at 86 %).
    """
    t, h = config.tariff, config.hyperscalers
    if not t.large_load_tariff:
        return 0.0
    term_share = min(t.minimum_bill_years * 12.0, h.planning_horizon_months)
    term_share /= h.planning_horizon_months
    carry = t.collateral_usd_per_mw * h.discount_rate / 12.0
    unused = max(0.0, t.minimum_bill_share - config.demand.load_factor)
    return term_share * (carry + unused * t.demand_charge_usd_per_kw_month * 1000.0)


def months_idle(
    need_mw: Callable[[int], float], committed_mw: float, from_month: int, term_months: int
) -> int:
    """Months from `from_month` until the owner's need (MW by month) covers its committed MW (capped at the term)."""
    for m in range(term_months):
        if need_mw(from_month + m) >= committed_mw:
            return m
    return term_months


def cancel_signed_surplus(
    config: ScenarioConfig, need_mw: Callable[[int], float], committed_mw: float, from_month: int
) -> bool:
    """Whether a signed surplus project is cheaper to cancel (exit fee) than to keep idle (minimum bill)."""
    t = config.tariff
    if not t.large_load_tariff:
        return False
    term = round(t.minimum_bill_years * 12.0)
    return months_idle(need_mw, committed_mw, from_month, term) > t.exit_fee_months
