"""What a hyperscaler's type adds to a path's cost, and how many agents each type gets.

A type (`abm.schema.FirmType`) prices time, carbon and queue risk its own way: the delay a path's
expected wait costs, the carbon it emits (policy plus internal price), and the carbon-free energy
its commitment must buy for the path's fossil MWh. The logit scale is a share of the cheapest
path's cost, so the same rule is as sharp for a type whose costs are dominated by delay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from abm.schema import FirmType, ScenarioConfig


def agents_per_type(types: tuple[FirmType, ...], n_agents: int) -> list[int]:
    """Agents of each type: n_agents split by demand share (largest remainder), at least one each."""
    shares = np.array([t.demand_share for t in types])
    spare = n_agents - len(types)  # one agent per type first; the schema checks spare >= 0
    exact = shares / shares.sum() * spare
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: spare - int(counts.sum())]] += 1
    return [int(c) + 1 for c in counts]


def delay_usd_per_mw_month(firm: FirmType, cfg: ScenarioConfig) -> float:
    """What one month of expected wait costs this type, spread over the planning horizon."""
    lost = cfg.demand.value_of_lost_compute_usd_per_mw_month * firm.value_of_time_multiplier
    return lost / cfg.hyperscalers.planning_horizon_months


def wait_months_counted(firm: FirmType, wait_months: float, *, queued: bool) -> float:
    """Months of delay a type counts for an expected wait: queue months weigh 1 + its risk premium."""
    return wait_months * (1.0 + firm.queue_risk_premium) if queued else wait_months


def carbon_usd_per_mw_month(
    firm: FirmType, co2_t_per_mw_month: float, cfg: ScenarioConfig
) -> float:
    """Carbon cost of a path to this type: policy plus internal price, plus its carbon-free pledge.

    The pledge buys carbon-free energy for its share of the path's fossil MWh, counted as the
    path's CO2 over the on-site gas factor (gas-equivalent MWh).
    """
    price = cfg.policy.carbon_price_usd_per_t + firm.internal_carbon_price_usd_per_t
    fossil_mwh = co2_t_per_mw_month / cfg.gas.co2_t_per_mwh if cfg.gas.co2_t_per_mwh else 0.0
    pledge = firm.carbon_free_share * fossil_mwh * cfg.hyperscalers.cfe_premium_usd_per_mwh
    return co2_t_per_mw_month * price + pledge


def choice_scale_usd_per_mw_month(costs: list[float], cfg: ScenarioConfig) -> float:
    """The logit scale for one choice: a share of the cheapest path's all-in cost (never zero)."""
    cheapest = max(min(costs), 1.0)  # a free path still needs a positive scale
    return cfg.hyperscalers.choice_scale_share_of_cost * cheapest
