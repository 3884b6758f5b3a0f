"""The agents of a run, by type and in creation order, as the services see them (through ports)."""

from __future__ import annotations

from dataclasses import dataclass, field

from abm.ports import GradedStock, PathLearner, TariffTaker, VendorBook
from abm.vocabulary import PackSeller, StorageBuyer


@dataclass
class Roster:
    """Agent lists filled once at construction; services iterate them in this (creation) order."""

    utilities: list[TariffTaker] = field(default_factory=list)
    recyclers: list[GradedStock] = field(default_factory=list)
    oems: list[PackSeller] = field(default_factory=list)
    vendors: list[VendorBook] = field(default_factory=list)
    hyperscalers: list[PathLearner] = field(default_factory=list)
    oem_lines: list[GradedStock] = field(default_factory=list)  # OEMs' own second-life lines

    def storage_buyers(self) -> list[StorageBuyer]:
        """Who bids in the pack market: vendors first, then utilities (the auction's bid order)."""
        return [*self.vendors, *self.utilities]

    def stocks(self) -> list[GradedStock]:
        """Who holds and sells graded second-life stock: recyclers, then OEMs' own lines."""
        return [*self.recyclers, *self.oem_lines]
