"""A modular vendor's factory investment: how much output its order book pays for, and when it comes online.

The vendor adds production lines when its book pays for them: it sizes the addition so that
the last line added just pays back its capex (`vendors.factory_capex_usd_per_mw_per_month`)
from the margin on orders already booked, with no orders assumed beyond the book, so it adds
nothing until the book outlasts the lead time plus the payback months at the planned output.
A line ordered now produces after `vendors.factory_lead_time_months`. The quote it gives buyers counts the lines it is building.
Pure functions of numbers, so a test can check each without a world.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from abm.schema import VendorSection

Line = tuple[float, float]  # (month it starts producing, MW of output per month)


def margin_usd_per_mw(v: VendorSection) -> float:
    """The vendor's margin on one MW of site it builds: markup on the facility and its solar (USD/MW).

    Storage is bought in the pack market and passed through, so it is left out.
    """
    return v.margin * (v.facility_capex_usd_per_mw + v.solar_mw_per_mw * v.solar_capex_usd_per_mw)


def expansion_mw_per_month(
    backlog_mw: float,
    planned_mw_per_month: float,
    v: VendorSection,
) -> float:
    """MW per month of output to start building now (0: none), given the book and the capacity online or building.

    The book a line ordered now could work on is what is left once the planned capacity has
    worked `factory_lead_time_months`. Each MW/month of capacity earns the margin on the MW it
    builds while that book lasts, so a line pays back only if the whole factory clears the
    remaining book in at least `capex / margin` months: the vendor grows to that size.
    """
    remaining_mw = backlog_mw - planned_mw_per_month * v.factory_lead_time_months
    if remaining_mw <= 0:
        return 0.0
    payback_months = v.factory_capex_usd_per_mw_per_month / margin_usd_per_mw(v)
    return max(0.0, remaining_mw / payback_months - planned_mw_per_month)


def months_to_build(
    mw: float, online_mw_per_month: float, lines: list[Line], month: float
) -> float:
    """Months from `month` until the factory has built `mw`, with building lines joining when they start producing."""
    capacity, t, left = online_mw_per_month, float(month), mw
    for start, added in sorted(lines):
        if start > t:
            span = start - t
            if capacity * span >= left:
                break
            left -= capacity * span
            t = start
        capacity += added
    return t - month + (left / capacity if left > 0 else 0.0)


def commission(
    online_mw_per_month: float, lines: list[Line], month: float
) -> tuple[float, list[Line]]:
    """Lines whose start month has come join the online capacity; the rest keep building."""
    started = sum(added for start, added in lines if start <= month)
    return online_mw_per_month + started, [line for line in lines if line[0] > month]
