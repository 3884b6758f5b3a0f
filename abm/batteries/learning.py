"""Learning curves on cumulative volume: the price of new packs, balance of plant and repurposing.

A cost falls by ``learning_rate`` per doubling of cumulative volume (Wright's law). The volume is
an exogenous global path (a start volume plus yearly additions growing at a constant rate) plus
what the model itself has deployed, so a run that builds more storage learns faster.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from abm.errors import InputError
from abm.numerics import elementary

LN_2 = 0.6931471805599453  # ln 2, correctly rounded (log2 x = ln x / ln 2)

if TYPE_CHECKING:
    from abm.schema import ScenarioConfig


def learned_cost_usd_per_kwh(
    start_usd_per_kwh: float, learning_rate: float, start_gwh: float, cumulative_gwh: float
) -> float:
    """Cost after cumulative volume grew from ``start_gwh`` to ``cumulative_gwh`` (Wright's law)."""
    if start_gwh <= 0 or not 0 <= learning_rate < 1:
        raise InputError("learning: start volume must be > 0 and learning rate in [0, 1)")
    doublings = elementary.log(max(cumulative_gwh, start_gwh) / start_gwh) / LN_2
    return start_usd_per_kwh * elementary.power(1.0 - learning_rate, doublings)


def cumulative_gwh(
    start_gwh: float,
    gwh_per_year: float,
    growth_per_year: float,
    months_elapsed: int,
    own_gwh: float = 0.0,
) -> float:
    """Cumulative GWh after ``months_elapsed``: start, growing yearly additions, own deployment.

    Yearly additions start at ``gwh_per_year`` and grow at ``growth_per_year`` (integrated
    continuously); ``own_gwh`` is what the model itself has installed.
    """
    if min(start_gwh, gwh_per_year, growth_per_year, own_gwh) < 0:
        raise InputError("learning: volumes and growth must be >= 0")
    years = max(months_elapsed, 0) / 12.0
    rate = elementary.log1p(growth_per_year)
    added = gwh_per_year * (elementary.expm1(rate * years) / rate if rate > 0 else years)
    return start_gwh + added + own_gwh


class StorageCosts(NamedTuple):
    """A month's storage costs before credits, USD per kWh."""

    pack: float
    """New LFP pack."""
    balance_of_plant: float
    """Balance of plant of a system, new or second life."""
    repurpose: float
    """Testing, reconfiguring and integrating a second-life kWh."""


def storage_costs(
    config: ScenarioConfig, months_elapsed: int, own_nameplate_gwh: np.ndarray
) -> StorageCosts:
    """Pack, balance-of-plant and repurposing costs after ``months_elapsed`` months.

    Packs learn on the global Li-ion path (the model's own volume is negligible beside it);
    balance of plant on the global stationary path plus every GWh installed in the run (it is paid
    for new and second-life storage alike); repurposing on the second-life GWh bought in the run.
    ``own_nameplate_gwh`` is the nameplate GWh bought so far per product (A, B, C, new).
    """
    o, p = config.oems, config.packs
    own = np.asarray(own_nameplate_gwh, dtype=float)
    growth, m = o.global_demand_growth_per_year, months_elapsed
    packs_gwh = cumulative_gwh(o.global_pack_gwh_start, o.global_pack_gwh_per_year, growth, m)
    stationary_gwh = cumulative_gwh(
        o.global_stationary_gwh_start, o.global_stationary_gwh_per_year, growth, m, own.sum()
    )
    return StorageCosts(
        learned_cost_usd_per_kwh(
            o.pack_price_usd_per_kwh, o.pack_learning_rate, o.global_pack_gwh_start, packs_gwh
        ),
        learned_cost_usd_per_kwh(
            o.balance_of_plant_usd_per_kwh,
            o.balance_of_plant_learning_rate,
            o.global_stationary_gwh_start,
            stationary_gwh,
        ),
        learned_cost_usd_per_kwh(
            p.repurpose_cost_usd_per_kwh,
            p.repurpose_learning_rate,
            p.repurposed_gwh_start,
            p.repurposed_gwh_start + float(own[:-1].sum()),
        ),
    )
