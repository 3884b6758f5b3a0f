"""The book of utilities' own builds: whose each queue request is, what is pending, what came of it.

A utility's gas or storage build is a queue request marked `utility_build`: it goes through
the studies, agreement and construction like any generator, but no random attrition or
upgrade-cost decision withdraws it; it leaves the queue only when its utility cancels it.
It enters service once both its interconnection is energised and its plant's lead time from
filing has passed. The book counts MW filed, cancelled and in service (cumulative, for the
time series and KPIs) and the MW still pending per territory, which utilities count as firm.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.grid.queue import Kind

if TYPE_CHECKING:
    from abm.ports import TariffTaker


class UtilityBuildBook:
    """Utility builds of one run: owners, pending MW by territory, plants awaiting lead time, totals."""

    def __init__(self, n_territories: int) -> None:
        """An empty book for `n_territories` utilities."""
        self.owner: dict[int, TariffTaker] = {}  # request id -> the utility that filed it
        self.pending_mw = np.zeros(n_territories)  # filed, neither in service nor cancelled
        # (month its build lead time ends, request id): interconnection done, plant not yet
        self.awaiting_plant: list[tuple[float, int]] = []
        self.filed_mw_cum = 0.0
        self.cancelled_mw_cum = 0.0
        self.in_service_mw_cum = np.zeros(len(Kind))  # by kind (generation = gas, storage)

    def filed(self, utility: TariffTaker, rid: int, mw: float) -> None:
        """Book a build request `rid` of `mw` MW filed by `utility`."""
        self.owner[rid] = utility
        self.pending_mw[utility.territory] += mw
        self.filed_mw_cum += mw

    def cancelled(self, rid: int, mw: float) -> None:
        """A build left the queue (its utility cancelled it): no longer pending."""
        territory = self.owner[rid].territory
        self.pending_mw[territory] = max(0.0, self.pending_mw[territory] - mw)
        self.cancelled_mw_cum += mw

    def interconnected(self, rid: int, plant_ready_month: float) -> None:
        """A build's interconnection is energised; its plant is ready at `plant_ready_month`."""
        self.awaiting_plant.append((plant_ready_month, rid))

    def due(self, month: int) -> list[int]:
        """Builds whose interconnection and plant are both done by `month` (removed from the wait list)."""
        due = [rid for ready, rid in self.awaiting_plant if ready <= month]
        self.awaiting_plant = [b for b in self.awaiting_plant if b[0] > month]
        return due

    def in_service(self, rid: int, kind: int, mw: float) -> TariffTaker:
        """A build enters service: no longer pending, counted in service; returns its utility."""
        utility = self.owner[rid]
        territory = utility.territory
        self.pending_mw[territory] = max(0.0, self.pending_mw[territory] - mw)
        self.in_service_mw_cum[kind] += mw
        return utility

    @property
    def gas_in_service_mw_cum(self) -> float:
        """MW of utility gas plant that entered service during the run."""
        return float(self.in_service_mw_cum[Kind.GENERATION])
