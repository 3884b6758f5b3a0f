"""Resource planning over the whole interconnection: every territory's forecast and firm capacity.

A utility can lean on its neighbours' spare capacity (imports), so whether capacity is short
is a question for the system, not for one territory. Each utility reads every territory's
load, queue and capacity from its grid port (the planning data a regional operator publishes)
and applies the same rule to all of them, so every utility sees the same system picture
whatever order they plan in. The functions are pure: arrays in, MW out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.catalogue import TECHNOLOGY_CATALOGUE
from abm.numerics import elementary, weights_dot

if TYPE_CHECKING:
    from abm.ports import TerritoryGrid
    from abm.schema import ScenarioConfig


def forecast_mw_by_territory(grid: TerritoryGrid, config: ScenarioConfig) -> np.ndarray:
    """Peak forecast per territory (MW): grown base load, DC load, signed load, a share of the queue.

    The base load grows for `planning.horizon_months` (a build filed now serves that far
    ahead); queued (unsigned) DC requests, duplicates included, count at
    `utilities.forecast_inclusion`.
    """
    n = grid.pending_utility_build_mw.size
    years = config.planning.horizon_months / 12.0
    growth = elementary.power(1 + config.grid.load_growth_per_year, years)
    load = grid.base_load_mw * growth + grid.dc_grid_load_mw
    by_territory = np.bincount(grid.bus_territory, weights=load, minlength=n)
    return (
        by_territory
        + grid.signed_load_mw_by_territory
        + config.utilities.forecast_inclusion * grid.queue_load_mw_by_territory
    )


def firm_mw_by_territory(grid: TerritoryGrid, notice_months: float = 0.0) -> np.ndarray:
    """Firm capacity per territory (MW): nameplate times capacity credit, plus utility builds pending.

    Plants scheduled to retire within `notice_months` (announced retirements) are not counted.
    """
    credit = np.array([TECHNOLOGY_CATALOGUE[t].capacity_credit for t in grid.techs])
    staying = grid.gen_cap_mw - grid.scheduled_retirement_mw(notice_months)
    firm_by_bus = weights_dot(credit, staying.T)  # fixed summation order, every CPU
    n = grid.pending_utility_build_mw.size
    return (
        np.bincount(grid.bus_territory, weights=firm_by_bus, minlength=n)
        + grid.pending_utility_build_mw
    )


def shortfall_share_mw(need_mw: np.ndarray, firm_mw: np.ndarray, territory: int) -> float:
    """One territory's share (MW) of the system's shortfall of firm capacity, when it has one.

    The system shortfall is total need minus total firm capacity; when positive it is shared
    among the territories short on their own, in proportion to their own shortfall. A share
    never exceeds the territory's own shortfall, and the shares add up to the system's.
    """
    system = float(need_mw.sum() - firm_mw.sum())
    own = np.maximum(need_mw - firm_mw, 0.0)
    if system <= 0.0 or own[territory] <= 0.0:
        return 0.0
    return system * float(own[territory] / own.sum())


def surplus_share_mw(
    firm_mw: np.ndarray, ceiling_mw: np.ndarray, pending_mw: np.ndarray, territory: int
) -> float:
    """One territory's share (MW) of the system's firm capacity above its ceiling, to cancel.

    The surplus (total firm minus total ceiling, when positive) is shared among the utilities
    that have builds pending, in proportion to their pending MW: those are the utilities that
    can give capacity back.
    """
    system = float(firm_mw.sum() - ceiling_mw.sum())
    total_pending = float(pending_mw.sum())
    if system <= 0.0 or pending_mw[territory] <= 0.0:
        return 0.0
    return system * float(pending_mw[territory]) / total_pending


def builds_to_cancel(builds: list[tuple[int, float, int]], surplus_mw: float) -> list[int]:
    """Request ids to cancel out of `builds` ((id, MW, month filed)), latest filed first.

    A build is cancelled only if it fits in what is left of `surplus_mw`, so cancelling never
    takes planned capacity below the cancel threshold (and never makes the utility refile).
    """
    out: list[int] = []
    left = surplus_mw
    for rid, mw, _ in sorted(builds, key=lambda b: (b[2], b[0]), reverse=True):
        if mw <= left:
            out.append(rid)
            left -= mw
    return out
