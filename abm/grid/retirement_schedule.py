"""The retirement schedule of the 2025 fleet: coal and old gas leave at sourced shares a year.

A linear schedule over each bus's 2025 capacity of a technology (`planning.retire_*_share_per_year`,
EIA's planned retirements of 2025): plants built during the run never retire. Planners count the
retirements scheduled within their notice horizon (`planning.horizon_months`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from abm.schema import ScenarioConfig


def share_per_month(config: ScenarioConfig, techs: tuple[str, ...]) -> np.ndarray:
    """Share of each technology's 2025 capacity retired a month (coal and gas; others none)."""
    p = config.planning
    per_year = {"coal": p.retire_coal_share_per_year, "gas": p.retire_gas_share_per_year}
    return np.array([per_year.get(t, 0.0) / 12.0 for t in techs])


def scheduled_mw(
    cap_2025_mw: np.ndarray, retired_mw: np.ndarray, share: np.ndarray, months: float
) -> np.ndarray:
    """MW (bus x technology) the schedule retires over the next `months`, never more than is left of 2025's."""
    left = np.maximum(cap_2025_mw - retired_mw, 0.0)
    return np.minimum(cap_2025_mw * share * months, left)
