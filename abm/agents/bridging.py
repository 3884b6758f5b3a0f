"""Bridge power: whether a waiting grid project runs on on-site gas until its grid connection.

The Colossus pattern: engines or turbines on site now, the grid later. The owner bridges when
the compute the bridge would serve during the months it runs is worth more than the bridge
costs over those months: its capex recovered over the bridge alone (it is retired when the
grid arrives), fuel and O&M, and carbon at the firm's price. The months it runs are the
expected remaining grid wait less the bridge's own lead (the order book's quote plus the
expected air-permit delay). Used by `Hyperscaler.consider_bridges`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from abm.finance import capital_recovery_factor_per_month
from abm.world import HOURS_PER_MONTH

if TYPE_CHECKING:
    from abm.schema import ScenarioConfig


def bridge_months(remaining_wait_months: float, lead_months: float) -> float:
    """Months a bridge ordered today would run: the grid wait still expected after it arrives (>= 0)."""
    return max(0.0, remaining_wait_months - lead_months)


def bridge_lead_months(config: ScenarioConfig, quote_months: float) -> float:
    """Expected months to bridge power: the order book's quote plus the expected air-permit delay."""
    g = config.gas
    return quote_months + g.air_permit_risk * g.air_permit_delay_months


def bridge_cost_usd_per_mw_month(
    config: ScenarioConfig, months: float, carbon_usd_per_t: float
) -> float:
    """Cost of a MW of bridge gas per month it runs for `months`: capex annuity, fuel and O&M, carbon."""
    g, h = config.gas, config.hyperscalers
    mwh = HOURS_PER_MONTH * config.demand.load_factor
    capex = g.bridge_capex_usd_per_mw * capital_recovery_factor_per_month(h.discount_rate, months)
    fuel = g.bridge_fuel_om_usd_per_mwh * mwh
    carbon = g.co2_t_per_mwh * mwh * carbon_usd_per_t
    return capex + fuel + carbon


def should_bridge(
    config: ScenarioConfig,
    remaining_wait_months: float,
    quote_months: float,
    carbon_usd_per_t: float,
    value_of_time_multiplier: float = 1.0,
) -> bool:
    """Bridge when a month of compute served (to this firm) is worth more than a month of bridge gas over its run."""
    if not config.gas.bridge_enabled:
        return False
    months = bridge_months(remaining_wait_months, bridge_lead_months(config, quote_months))
    if months <= 0:
        return False
    value = config.demand.value_of_lost_compute_usd_per_mw_month * value_of_time_multiplier
    return value > bridge_cost_usd_per_mw_month(config, months, carbon_usd_per_t)
