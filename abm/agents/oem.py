"""OEMs: negotiate buy-back terms, deliver retired packs to recyclers or their own line, sell new storage.

Terms (share, price, what the OEM keeps) are renegotiated at each contract end from recyclers'
bids and the OEM's own option (`abm.agents.buyback`, docs/batteries.md "OEMs").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import mesa

from abm.agents import buyback
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
        p = config.packs
        self.terms = buyback.Terms(0, p.buyback_share, p.buyback_price_usd_per_kwh, 0.0)
        self.line: Recycler | None = None  # its own stationary line, if it runs one
        self.kept_gwh = 0.0

    def open_line(self, line: Recycler) -> None:
        """Run `line` (a test-and-repurpose line of its own) for the packs it keeps."""
        self.line = line

    def deliver_packs(self) -> None:
        """Send this month's retired packs: what it keeps to its line, the contracted share to the partner, the rest spot."""
        gwh = self.packs.retiring_gwh_this_month * self.share
        if gwh <= 0:
            return
        if self.clock.month >= self.contract_end_month:
            self._renew_contract()
        kept = min(gwh, self.terms.keep_gwh_per_month) if self.line is not None else 0.0
        if kept > 0:
            self.line.receive(kept)  # graded with the recyclers this month
            self.kept_gwh += kept
        contracted = (gwh - kept) * self.terms.share
        spot = gwh - kept - contracted
        self.contract_recycler.receive(contracted)
        self.ledger.transfer(
            self.contract_recycler.unique_id,
            self.unique_id,
            contracted * 1e6 * self.terms.price_usd_per_kwh,
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

    def own_value_usd_per_kwh(self) -> float:
        """What a retired nameplate kWh is worth to its own line (0 without one: it cannot keep packs)."""
        line = self.line
        if line is None or line.capacity_gwh_per_month <= 0:
            return 0.0
        return line.spot_bid_usd_per_kwh()

    def _renew_contract(self) -> None:
        """At contract end: new terms from recyclers' bids and its own option (`buyback.negotiate_terms`)."""
        self.terms = buyback.negotiate_terms(
            [r.spot_bid_usd_per_kwh() for r in self.recyclers],
            [r.awaiting_test_gwh for r in self.recyclers],
            self.own_value_usd_per_kwh(),
            0.0 if self.line is None else self.line.capacity_gwh_per_month,
            self.config.packs.buyback_share,
        )
        self.contract_recycler = self.recyclers[self.terms.partner]
        self.contract_end_month = self.clock.month + self.config.packs.contract_months

    def asks(self) -> list[Order]:
        """(product 'new', kWh, USD/kWh): this OEM's monthly production at its price."""
        kwh = self.config.oems.production_gwh_per_month * self.share * 1e6
        return [Order(Product.NEW, kwh, self.packs.new_storage_price_usd_per_kwh())]
