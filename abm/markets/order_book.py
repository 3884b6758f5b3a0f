"""An equipment maker's order book: production MW a month, a backlog, and the lead time it quotes.

Gas turbines (shared by utilities' gas plants and on-site buyers) and reciprocating engines are
each one such book. Orders are served first come, first served: an order is delivered when the
backlog ahead of it and the order itself have been produced, plus a minimum lead (manufacture,
shipping, installation). So the quoted lead lengthens when orders outrun production and
shortens as production works the backlog off.
"""

from __future__ import annotations

import math


class OrderBook:
    """One supply of equipment: MW produced a month, MW ordered and not yet produced."""

    def __init__(
        self, production_mw_per_month: float, backlog_mw: float, min_lead_months: float
    ) -> None:
        """A book producing `production_mw_per_month` with `backlog_mw` already ordered."""
        if production_mw_per_month < 0 or backlog_mw < 0 or min_lead_months < 0:
            raise ValueError(
                f"order book needs non-negative production ({production_mw_per_month}), "
                f"backlog ({backlog_mw}) and minimum lead ({min_lead_months})"
            )
        self.production_mw_per_month = production_mw_per_month
        self.backlog_mw = backlog_mw
        self.min_lead_months = min_lead_months
        self.ordered_mw = 0.0  # MW ordered during the run
        self.cancelled_mw = 0.0

    def quoted_lead_months(self, mw: float = 0.0) -> float:
        """Months from an order of `mw` today to its delivery (inf if nothing is produced)."""
        if self.production_mw_per_month <= 0:
            return math.inf
        return self.min_lead_months + (self.backlog_mw + mw) / self.production_mw_per_month

    def order(self, mw: float) -> float:
        """Book an order of `mw`; returns its lead time in months (the quote before it joined)."""
        lead = self.quoted_lead_months(mw)
        self.backlog_mw += mw
        self.ordered_mw += mw
        return lead

    def cancel(self, mw: float) -> None:
        """An order not yet produced is cancelled: the orders behind it move up."""
        freed = min(mw, self.backlog_mw)
        self.backlog_mw -= freed
        self.cancelled_mw += freed

    def produce_month(self) -> None:
        """One month of production works the backlog down."""
        self.backlog_mw = max(0.0, self.backlog_mw - self.production_mw_per_month)
