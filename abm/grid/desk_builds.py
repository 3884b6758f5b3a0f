"""Utilities' own builds on the grid: filing, cancelling, turbines and entry into service (part of the GridDesk).

Kept apart from the desk's network and queue stepping: a utility files a plant in its own queue
(a gas plant orders its turbines), may cancel it before its agreement, and the plant enters
service once both its interconnection and its lead time are done, booking its capex.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.grid.build_spec import UtilityBuild, default_build
from abm.grid.queue import InterconnectionQueue, Kind, Reason, State
from abm.grid.utility_builds import UtilityBuildBook
from abm.markets.order_book import OrderBook
from abm.streams import entity_key

if TYPE_CHECKING:
    from abm.ports import Books, Clock, TariffTaker
    from abm.schema import ScenarioConfig


class UtilityBuildDesk:
    """Utility builds from filing to service, with their turbine orders (a mixin of GridDesk)."""

    config: ScenarioConfig
    clock: Clock
    ledger: Books
    queue: InterconnectionQueue
    techs: tuple[str, ...]
    gen_cap_mw: np.ndarray
    utility_builds: UtilityBuildBook
    turbines: OrderBook
    turbine_orders: dict[int, tuple[float, float]]

    def submit_utility_build(
        self,
        utility: TariffTaker,
        node: int,
        kind: Kind,
        mw: float,
        build: UtilityBuild | None = None,
    ) -> None:
        """A utility files a generation or storage build in its own queue (marked as its own).

        `build` says which plant (option, grid technology, firm MW, lead, capex); without it a
        generation build is a combined cycle and a storage build storage, as configured.
        """
        spec = build or default_build(self.config, kind, mw)
        ids = self.queue.submit(
            self.clock.month,
            kind=int(kind),
            mw=mw,
            node=node,
            territory=utility.territory,
            requester=utility.unique_id,
            project=-1,
            draw_key=entity_key("utility_build", utility.unique_id, self.clock.month, int(kind)),
            utility_build=True,
        )
        for i in np.atleast_1d(ids):
            self.utility_builds.filed(utility, int(i), mw, spec)
            if spec.tech == "gas":  # a gas plant orders its turbines when it files
                self.turbine_orders[int(i)] = (self.clock.month + self.turbines.order(mw), mw)

    def unsigned_utility_builds(self, utility: TariffTaker) -> list[tuple[int, float, int]]:
        """(request id, MW, month filed) of a utility's builds still before their agreement."""
        ids = self.queue.active_ids
        q = self.queue
        mine = ids[
            q.column("utility_build", ids)
            & (q.column("requester", ids) == utility.unique_id)
            & (q.column("state", ids) < int(State.AGREEMENT))
        ]
        mw, filed = q.column("mw", mine), q.column("submit_month", mine)
        return [(int(r), float(w), int(f)) for r, w, f in zip(mine, mw, filed, strict=True)]

    def utility_build_costs(self, territory: int) -> tuple[dict[str, float], float]:
        """A territory's builds in service (nameplate MW by option) and the upgrade USD they drew."""
        return self.utility_builds.costs(territory)

    def cancel_utility_build(self, utility: TariffTaker, rid: int) -> None:
        """A utility cancels one of its builds: it leaves the queue, pays its penalty and forfeits, no longer pending."""
        mw = float(self.queue.column("mw", np.array([rid]))[0])
        penalty = float(self.queue.withdraw(np.array([rid]), self.clock.month, Reason.CANCELLED))
        forfeit = self._cancel_turbines(rid)
        self.utility_builds.cancelled(rid, mw, penalty + forfeit)
        self.ledger.transfer(
            utility.unique_id, "external:transmission_provider", penalty, "withdrawal penalty"
        )
        if forfeit > 0.0:
            self.ledger.transfer(
                utility.unique_id, "external:engine_makers", forfeit, "turbine order cancelled"
            )

    def build_lead_months(self, kind: int, rid: int | None = None) -> float:
        """Filing-to-service months of a utility build's plant: its own lead, and a gas plant's turbines' delivery."""
        if rid is None or rid not in self.utility_builds.spec:
            return default_build(self.config, Kind(kind), 0.0).lead_months
        lead = self.utility_builds.spec[rid].lead_months
        if rid not in self.turbine_orders:
            return lead
        filed = float(self.queue.column("submit_month", np.array([rid]))[0])
        return max(lead, self.turbine_orders[rid][0] - filed)

    def _cancel_turbines(self, rid: int) -> float:
        """A withdrawn gas build's turbine order: its slot goes back if not yet produced; returns the reservation forfeit (USD).

        The forfeit is the share `gas.order_cancel_penalty_share` of the plant's capex, as for
        an owner's on-site gas order (abm.world.gas_cancel_penalty_usd).
        """
        delivery, mw = self.turbine_orders.pop(rid, (0.0, 0.0))
        if mw <= 0:
            return 0.0
        if self.clock.month < delivery - self.turbines.min_lead_months:
            self.turbines.cancel(mw)  # still in the backlog, not yet produced
        capex_usd = self.utility_builds.spec[rid].capex_usd_per_kw * 1000.0 * mw
        return self.config.gas.order_cancel_penalty_share * capex_usd

    def _connect_utility_build(self, rid: int) -> None:
        """A utility build whose interconnection is done enters service once its plant's lead time has passed."""
        kind = int(self.queue.column("kind", np.array([rid]))[0])
        filed = float(self.queue.column("submit_month", np.array([rid]))[0])
        self.utility_builds.interconnected(rid, filed + self.build_lead_months(kind, rid))

    def _builds_online(self, month: int) -> None:
        """Utility builds with both their interconnection and their lead time done enter service."""
        for rid in self.utility_builds.due(month):
            self._build_in_service(rid)

    def _build_in_service(self, rid: int) -> None:
        """A utility's build enters service: its technology's capacity grows; plants book their capex, storage is bought."""
        kind, mw, node = self._request_info(rid)
        spec = self.utility_builds.spec[rid]
        upgrade = float(self.queue.column("upgrade_cost_usd", np.array([rid]))[0])
        utility = self.utility_builds.in_service(rid, kind, mw, upgrade)
        self.gen_cap_mw[node, self.techs.index(spec.tech)] += mw
        if kind == Kind.STORAGE:  # bought in the pack market
            utility.storage_need_kwh += mw * self.config.utilities.storage_hours * 1000.0
        else:
            self.ledger.transfer(
                utility.unique_id,
                "external:construction",
                mw * 1000.0 * spec.capex_usd_per_kw,
                "gas build" if spec.tech == "gas" else "utility build",
            )

    def _request_info(self, rid: int) -> tuple[int, float, int]:
        """(kind, MW, node) of one queue request."""
        ids = np.array([rid])
        return (
            int(self.queue.column("kind", ids)[0]),
            float(self.queue.column("mw", ids)[0]),
            int(self.queue.column("node", ids)[0]),
        )
