"""Learning curves on cumulative volume: the price of new packs, balance of plant and repurposing.

A cost falls by ``learning_rate`` per doubling of cumulative volume (Wright's law). The volume is
an exogenous global path (a start volume plus yearly additions growing at a constant rate) plus
what the model itself has deployed, so a run that builds more storage learns faster.
"""

from __future__ import annotations

import math

from abm.errors import InputError


def learned_cost_usd_per_kwh(
    start_usd_per_kwh: float, learning_rate: float, start_gwh: float, cumulative_gwh: float
) -> float:
    """Cost after cumulative volume grew from ``start_gwh`` to ``cumulative_gwh`` (Wright's law)."""
    if start_gwh <= 0 or not 0 <= learning_rate < 1:
        raise InputError("learning: start volume must be > 0 and learning rate in [0, 1)")
    doublings = math.log2(max(cumulative_gwh, start_gwh) / start_gwh)
    return start_usd_per_kwh * (1.0 - learning_rate) ** doublings


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
    rate = math.log1p(growth_per_year)
    added = gwh_per_year * (math.expm1(rate * years) / rate if rate > 0 else years)
    return start_gwh + added + own_gwh
