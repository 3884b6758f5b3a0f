"""OEMs: deliver retired packs to recyclers under buy-back contracts and sell new stationary storage."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from abm.agents.recycler import Recycler
    from abm.model import PowerStackModel


class OEM(mesa.Agent):
    """An EV or battery maker with a share of retiring packs, a buy-back contract and storage to sell."""

    def __init__(
        self,
        model: PowerStackModel,
        share: float,
        contract_recycler: Recycler,
        contract_months: int,
    ) -> None:
        super().__init__(model)
        self.share = share
        self.contract_recycler = contract_recycler
        self.contract_end_month = contract_months
        self.delivered_gwh = 0.0

    def deliver_packs(self) -> None:
        """Send this month's retired packs: the contracted share to the partner, the rest to the best bidder."""
        m = self.model
        p = m.config.packs
        gwh = m.retiring_gwh_this_month * self.share
        if gwh <= 0:
            return
        if m.month >= self.contract_end_month:
            self._renew_contract()
        contracted = gwh * p.buyback_share
        spot = gwh - contracted
        self.contract_recycler.receive(contracted)
        m.ledger.transfer(
            self.contract_recycler.unique_id,
            self.unique_id,
            contracted * 1e6 * p.buyback_price_usd_per_kwh,
            "buy-back contract",
        )
        if spot > 0:
            bidders = m.recyclers()
            bids = [r.spot_bid_usd_per_kwh() for r in bidders]
            best = max(range(len(bidders)), key=lambda i: (bids[i], -bidders[i].awaiting_test_gwh))
            bidders[best].receive(spot)
            m.ledger.transfer(
                bidders[best].unique_id,
                self.unique_id,
                spot * 1e6 * max(0.0, bids[best]),
                "spot pack sale",
            )
        self.delivered_gwh += gwh

    def _renew_contract(self) -> None:
        """At contract end the packs go to the recycler offering the most (ties: the least backlog)."""
        m = self.model
        bidders = m.recyclers()
        self.contract_recycler = max(
            bidders, key=lambda r: (r.spot_bid_usd_per_kwh(), -r.awaiting_test_gwh)
        )
        self.contract_end_month = m.month + m.config.packs.contract_months

    def asks(self) -> list[tuple[int, float, float]]:
        """(product 'new', kWh, USD/kWh): this OEM's monthly production at its price."""
        m = self.model
        kwh = m.config.oems.production_gwh_per_month * self.share * 1e6
        return [(3, kwh, m.new_storage_price_usd_per_kwh())]
