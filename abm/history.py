"""Dated snapshots of the US power stack (scenarios/history/snapshots.toml), read at any month.

Starts from 2020-01 take the parts of their initial state and exogenous paths the table wires
(data-centre electricity before 2023, the queue's arrivals before 2025) from it, and the
hindcast report compares the model with its published points. A series is interpolated
between its dated points (linear, or log-linear for a series that grows at a rate) and held at
the nearest point outside them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from abm.errors import InputError
from abm.numerics import elementary
from abm.schema import ScenarioConfig, parse_month

TABLE = Path(__file__).resolve().parent.parent / "scenarios" / "history" / "snapshots.toml"


@dataclass(frozen=True)
class Point:
    """One published figure: the month it describes, its value and where it comes from."""

    date: str
    value: float
    source: str
    unconfirmed: bool = False

    @property
    def year(self) -> float:
        """Mid-month decimal year of the point (2021.96 for 2021-12)."""
        y, m = parse_month(self.date)
        return y + (m - 0.5) / 12.0


@dataclass(frozen=True)
class Series:
    """A dated series: its unit, how it is interpolated and its points in date order."""

    name: str
    unit: str
    interpolation: str
    doc: str
    points: tuple[Point, ...]

    def at(self, year: float) -> float:
        """Value at a decimal year: interpolated between points, held at the ends."""
        pts = self.points
        if year <= pts[0].year:
            return pts[0].value
        if year >= pts[-1].year:
            return pts[-1].value
        for a, b in zip(pts, pts[1:], strict=False):
            if a.year <= year <= b.year:
                w = (year - a.year) / (b.year - a.year)
                if self.interpolation == "log":
                    log_a, log_b = elementary.log(a.value), elementary.log(b.value)
                    return elementary.exp((1 - w) * log_a + w * log_b)
                return (1 - w) * a.value + w * b.value
        raise AssertionError("unreachable: points are sorted")

    def value_on(self, date: str) -> float | None:
        """The published value for exactly this month, or None."""
        return next((p.value for p in self.points if p.date == date), None)


def _series(name: str, raw: dict) -> Series:
    """One series of the table, checked: known interpolation, positive values, sorted dates."""
    interpolation = raw.get("interpolation", "linear")
    if interpolation not in ("linear", "log"):
        raise InputError(f"{TABLE.name}: {name}: interpolation must be linear or log")
    points = tuple(
        Point(p["date"], float(p["value"]), p["source"], bool(p.get("unconfirmed", False)))
        for p in raw["points"]
    )
    if not points or any(not p.value > 0 or not p.source for p in points):
        raise InputError(f"{TABLE.name}: {name}: every point needs a value > 0 and a source")
    years = [p.year for p in points]
    if years != sorted(years) or len(set(years)) != len(years):
        raise InputError(f"{TABLE.name}: {name}: points must be in strictly increasing date order")
    return Series(name, raw["unit"], interpolation, raw.get("doc", ""), points)


@cache
def snapshots(path: Path = TABLE) -> dict[str, Series]:
    """Every series of the snapshot table, by name."""
    with path.open("rb") as f:
        raw = tomllib.load(f)
    return {name: _series(name, s) for name, s in raw["series"].items()}


@cache
def assumptions(path: Path = TABLE) -> dict[str, str]:
    """What the table does not source and how each part of the initial state is set (or not)."""
    with path.open("rb") as f:
        return dict(tomllib.load(f).get("assumptions", {}))


ARRIVALS_REFERENCE = "2024-06"
"""The year whose new-request volume (`queue.merchant_gw_per_year`, ~500 GW in 2024) is sourced."""


STORAGE_SHARE_OF_FILINGS = "queue_new_requests_storage_share"
"""The table's series of storage's share of the capacity filed in a year (the flow)."""


def arrival_factor(kind: str, year: float) -> float:
    """New requests of a kind ('storage' or 'generation') at a decimal year relative to 2024's.

    The total follows the table's new-request series (GW filed per year, points mid-year);
    each kind's part of it follows its share of the filings (`STORAGE_SHARE_OF_FILINGS`)
    relative to that share in 2024, so 1.0 from mid-2024 on. The filings' share, not the
    active queue's: a kind whose share of the queue rises must be filed above that share.
    """
    table = snapshots()
    new = table["queue_new_requests_gw_per_year"]
    reference = new.value_on(ARRIVALS_REFERENCE)
    assert reference is not None, f"new requests: no {ARRIVALS_REFERENCE} point"
    return new.at(year) / reference * filing_share_ratio(kind, year)


def filing_share_ratio(kind: str, year: float) -> float:
    """A kind's share of the capacity filed at a decimal year over its share from mid-2024."""
    storage = snapshots()[STORAGE_SHARE_OF_FILINGS]
    share, share_2024 = storage.at(year), storage.points[-1].value
    if kind == "storage":
        return share / share_2024
    if kind == "generation":
        return (1.0 - share) / (1.0 - share_2024)
    raise InputError(f"arrival kind {kind!r}: expected 'storage' or 'generation'")


def dc_twh_before(year: float, twh_2023: float) -> float:
    """Data-centre electricity (TWh/yr) at a decimal year before mid-2023, on the table's LBNL path.

    Scaled so that mid-2023 gives `twh_2023` (the scenario's `demand.dc_twh_2023`).
    """
    series = snapshots()["dc_electricity_twh"]
    return twh_2023 * series.at(year) / series.points[-1].value


def merchant_mix(config: ScenarioConfig, month: int) -> tuple[float, float]:
    """(arrivals relative to `queue.merchant_gw_per_year`, storage share) of month m's merchant requests.

    With `run.history_snapshot`, arrivals follow the published new requests, split by kind on
    the published storage share of filings (`arrival_factor`) at the month's mid-month date;
    otherwise (1, `queue.merchant_storage_share`). With the schema's share equal to the table's
    2024 point (0.39), the storage share is the table's at that date.
    """
    share = config.queue.merchant_storage_share
    if not config.run.history_snapshot:
        return 1.0, share
    start_year, start_month = parse_month(config.run.start)
    year = start_year + (start_month - 1 + month + 0.5) / 12.0
    storage = share * arrival_factor("storage", year)
    generation = (1.0 - share) * arrival_factor("generation", year)
    total = storage + generation
    return total, storage / total


PRICES_ANCHOR = "2025-01"
"""The month the schema's storage costs describe (`oems.pack_price_usd_per_kwh`: BNEF 2025)."""


def _months_before_anchor(config: ScenarioConfig) -> int:
    """Months from the run's start to the price anchor (0 for a start on or after it)."""
    start_year, start_month = parse_month(config.run.start)
    anchor_year, anchor_month = parse_month(PRICES_ANCHOR)
    return max(0, (anchor_year - start_year) * 12 + anchor_month - start_month)


def learning_months(config: ScenarioConfig, month: int) -> int:
    """Months of cost learning at run month `month`: counted from the price anchor with history on.

    So a start from 2020 meets the schema's 2025 costs in January 2025, as a 2025 start does.
    """
    if not config.run.history_snapshot:
        return month
    return max(0, month - _months_before_anchor(config))


def storage_costs_before(config: ScenarioConfig, month: int) -> tuple[float, float] | None:
    """(pack, balance of plant) USD/kWh before credits at a month before the anchor, or None.

    With `run.history_snapshot`: the pack is the table's BNEF stationary pack price and the
    balance of plant the BNEF turnkey system price less it, both interpolated and held outside
    their published dates; None from the anchor on or with history off (the learning path).
    """
    if not config.run.history_snapshot or month >= _months_before_anchor(config):
        return None
    start_year, start_month = parse_month(config.run.start)
    year = start_year + (start_month - 1 + month + 0.5) / 12.0
    table = snapshots()
    pack = table["stationary_pack_price_usd_per_kwh"].at(year)
    turnkey = table["storage_price_usd_per_kwh"].at(year)
    return pack, max(0.0, turnkey - pack)
