"""The book of utilities' own builds: whose each queue request is, what is pending, what came of it.

A utility's gas or storage build is a queue request marked `utility_build`: it goes through
the studies, agreement and construction like any generator, but no random attrition or
upgrade-cost decision withdraws it; it leaves the queue only when its utility cancels it.
It enters service once both its interconnection is energised and its plant's lead time from
filing has passed. The book counts MW filed, cancelled and in service (cumulative, for the
time series and KPIs), the firm MW still pending per territory (nameplate x capacity credit),
which utilities count as firm, and each build's option (gas CC or CT, solar, wind, storage),
whose in-service MW per territory the tariff recovers. A cancelled build's sunk cost (its
turbine reservation, its withdrawal penalty) is recovered too, with the upgrades: prudently
incurred costs of abandoned plant are recoverable in rates (FERC Order 679's abandoned-plant
incentive for transmission; state commissions for generation), so phantom-driven builds that
are cancelled still land on the bill.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.grid.build_spec import UtilityBuild
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
        self.in_service_mw_cum = np.zeros(len(Kind))  # by kind (generation, storage)
        self.spec: dict[int, UtilityBuild] = {}  # request id -> which plant (option, tech, firm MW)
        # (territory, option) -> nameplate MW in service: what each territory's tariff recovers
        self.in_service_by_option: dict[tuple[int, str], float] = {}
        self.gas_in_service_mw = 0.0  # combined cycle and CT
        self.upgrade_usd = np.zeros(n_territories)  # network upgrades drawn by builds in service
        self.transmission_usd = np.zeros(n_territories)  # lines the rolling assessments raised
        # cancelled builds' forfeits and withdrawal penalties, recovered in rates like upgrades
        self.sunk_usd = np.zeros(n_territories)

    def filed(self, utility: TariffTaker, rid: int, mw: float, spec: UtilityBuild) -> None:
        """Book a build request `rid` of `mw` MW (nameplate; `spec.firm_mw` of it firm) filed by `utility`."""
        self.owner[rid], self.spec[rid] = utility, spec
        self.pending_mw[utility.territory] += spec.firm_mw
        self.filed_mw_cum += mw

    def _unpend(self, rid: int) -> int:
        """Take a build's firm MW out of its territory's pending total; returns the territory."""
        territory = self.owner[rid].territory
        firm = self.spec[rid].firm_mw
        self.pending_mw[territory] = max(0.0, self.pending_mw[territory] - firm)
        return territory

    def cancelled(self, rid: int, mw: float, sunk_usd: float = 0.0) -> None:
        """A build left the queue (its utility cancelled it, losing `sunk_usd`): no longer pending."""
        territory = self._unpend(rid)
        self.cancelled_mw_cum += mw
        self.sunk_usd[territory] += sunk_usd

    def interconnected(self, rid: int, plant_ready_month: float) -> None:
        """A build's interconnection is energised; its plant is ready at `plant_ready_month`."""
        self.awaiting_plant.append((plant_ready_month, rid))

    def due(self, month: int) -> list[int]:
        """Builds whose interconnection and plant are both done by `month` (removed from the wait list)."""
        due = [rid for ready, rid in self.awaiting_plant if ready <= month]
        self.awaiting_plant = [b for b in self.awaiting_plant if b[0] > month]
        return due

    def in_service(self, rid: int, kind: int, mw: float, upgrade_usd: float = 0.0) -> TariffTaker:
        """A build enters service (with the network upgrade cost it drew): no longer pending, counted in service; returns its utility."""
        territory = self._unpend(rid)
        self.upgrade_usd[territory] += upgrade_usd
        self.in_service_mw_cum[kind] += mw
        key = (territory, self.spec[rid].option)
        self.in_service_by_option[key] = self.in_service_by_option.get(key, 0.0) + mw
        if self.spec[rid].tech == "gas":
            self.gas_in_service_mw += mw
        return self.owner[rid]

    def in_service_mw(self, territory: int) -> dict[str, float]:
        """Nameplate MW in service of each build option of `territory`'s utility."""
        return {o: mw for (t, o), mw in self.in_service_by_option.items() if t == territory}

    def costs(self, territory: int) -> tuple[dict[str, float], float]:
        """What `territory`'s tariff recovers: nameplate MW in service by option, and network USD (build upgrades, assessed lines, cancelled builds' sunk cost)."""
        t = territory
        network_usd = self.upgrade_usd[t] + self.transmission_usd[t] + self.sunk_usd[t]
        return self.in_service_mw(territory), float(network_usd)

    @property
    def gas_in_service_mw_cum(self) -> float:
        """MW of utility gas plant (combined cycle and CT) that entered service during the run."""
        return self.gas_in_service_mw

    def in_service_mw_by_option(self) -> dict[str, float]:
        """Nameplate MW in service by build option, over all territories."""
        out: dict[str, float] = {}
        for (_, o), mw in self.in_service_by_option.items():
            out[o] = out.get(o, 0.0) + mw
        return out
