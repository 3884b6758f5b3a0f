"""An OEM's buy-back terms: the share of its retiring packs it contracts and the price, from bids and its own option.

At each renegotiation the OEM compares the recyclers' bids with what keeping packs for its own
stationary line is worth, keeps what its line can take when that pays more, contracts a share of
the rest with the best bidder, and prices the contract at its next-best option (the second bid,
or its own use): pure functions, tested without a world (docs/batteries.md "OEMs").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm.agents.pack_pricing import second_life_margin_usd_per_kwh
from abm.numerics import exact_dot


@dataclass(frozen=True)
class Terms:
    """One buy-back contract as negotiated."""

    partner: int
    """Index of the recycler that won the contract."""
    share: float
    """Share of the OEM's retiring packs under contract (the rest goes spot or to its own line)."""
    price_usd_per_kwh: float
    """Price per nameplate kWh the partner pays."""
    keep_gwh_per_month: float
    """Nameplate GWh a month the OEM keeps for its own stationary line."""


def pack_value_usd_per_kwh(
    expected_price_usd_per_kwh: np.ndarray,
    grade_soh: np.ndarray,
    grade_share: np.ndarray,
    yield_share: float,
    repurpose_cost_usd_per_kwh: float,
    recycling_value_usd_per_kwh: float,
    credits_usd_per_kwh: float,
) -> float:
    """Expected value of an ungraded retired nameplate kWh (USD): each grade repurposed where that beats recycling.

    `grade_share` holds A, B, C and below-C; below-C packs are recycled.
    """
    n = len(expected_price_usd_per_kwh)
    margin = second_life_margin_usd_per_kwh(
        grade_soh[:n],
        yield_share,
        expected_price_usd_per_kwh,
        repurpose_cost_usd_per_kwh,
        credits_usd_per_kwh,
    )
    per_grade = np.maximum(margin, recycling_value_usd_per_kwh)
    below = float(grade_share[n:].sum()) * recycling_value_usd_per_kwh
    return exact_dot(grade_share[:n], per_grade) + below


def negotiate_terms(
    bids_usd_per_kwh: list[float],
    backlogs_gwh: list[float],
    own_value_usd_per_kwh: float,
    line_gwh_per_month: float,
    contract_share: float,
) -> Terms:
    """Terms from recyclers' bids (ties: the smaller backlog) and the OEM's own use of packs.

    The OEM keeps what its stationary line can take when its own use beats the best bid; the
    partner pays the OEM's next-best option: the second-best bid or its own use, at most its bid.
    """
    order = sorted(
        range(len(bids_usd_per_kwh)), key=lambda i: (-bids_usd_per_kwh[i], backlogs_gwh[i])
    )
    best = bids_usd_per_kwh[order[0]]
    second = bids_usd_per_kwh[order[1]] if len(order) > 1 else 0.0
    keep = line_gwh_per_month if own_value_usd_per_kwh > best else 0.0
    price = min(best, max(second, own_value_usd_per_kwh))
    return Terms(order[0], contract_share, max(price, 0.0), keep)
