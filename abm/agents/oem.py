"""OEMs: deliver retired packs to recyclers under buy-back contracts and sell new stationary storage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import mesa

from abm.vocabulary import Order, Product

if TYPE_CHECKING:
    from abm.agents.recycler import Recycler
    from abm.ports import Books, Clock, PackDesk
    from abm.schema import ScenarioConfig


class OEM(mesa.Agent):
    """An EV or battery maker with a share of retiring packs, a buy-back contract and storage to sell.

    Ports: `clock`, `packs` (this month's retirements, the new-storage price), `recyclers` (who
    bids for packs, in creation order) and `ledger`.
    """

    def __init__(
        self,
        model: mesa.Model,
        share: float,
        contract_recycler: Recycler,
        contract_months: int,
        *,
        config: ScenarioConfig,
        clock: Clock,
        packs: PackDesk,
        recyclers: Sequence[Recycler],
        ledger: Books,
    ) -> None:
        """An OEM with `share` of retirements, contracted to a recycler for `contract_months`."""
        super().__init__(model)
        self.config, self.clock, self.packs = config, clock, packs
        self.recyclers, self.ledger = recyclers, ledger
        self.share = share
        self.contract_recycler = contract_recycler
        self.contract_end_month = contract_months
        self.delivered_gwh = 0.0

    def deliver_packs(self) -> None:
        """Send this month's retired packs: the contracted share to the partner, the rest to the best bidder."""
        p = self.config.packs
        gwh = self.packs.retiring_gwh_this_month * self.share
        if gwh <= 0:
            return
        if self.clock.month >= self.contract_end_month:
            self._renew_contract()
        contracted = gwh * p.buyback_share
        spot = gwh - contracted
        self.contract_recycler.receive(contracted)
        self.ledger.transfer(
            self.contract_recycler.unique_id,
            self.unique_id,
            contracted * 1e6 * p.buyback_price_usd_per_kwh,
            "buy-back contract",
        )
        if spot > 0:
            bidders = list(self.recyclers)
            bids = [r.spot_bid_usd_per_kwh() for r in bidders]
            best = max(range(len(bidders)), key=lambda i: (bids[i], -bidders[i].awaiting_test_gwh))
            bidders[best].receive(spot)
            self.ledger.transfer(
                bidders[best].unique_id,
                self.unique_id,
                spot * 1e6 * max(0.0, bids[best]),
                "spot pack sale",
            )
        self.delivered_gwh += gwh

    def _renew_contract(self) -> None:
        """At contract end the packs go to the recycler offering the most (ties: the least backlog)."""
        self.contract_recycler = max(
            self.recyclers, key=lambda r: (r.spot_bid_usd_per_kwh(), -r.awaiting_test_gwh)
        )
        self.contract_end_month = self.clock.month + self.config.packs.contract_months

    def asks(self) -> list[Order]:
        """(product 'new', kWh, USD/kWh): this OEM's monthly production at its price."""
        kwh = self.config.oems.production_gwh_per_month * self.share * 1e6
        return [Order(Product.NEW, kwh, self.packs.new_storage_price_usd_per_kwh())]
