"""Exogenous drivers the agents react to: calendar, AI demand path, policy schedule, cost curves.

These are pure functions of the scenario and the month index, so they are cheap to test and
identical in every run of the same scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

from abm.history import dc_twh_before
from abm.numerics import elementary
from abm.schema import ScenarioConfig, parse_month

HOURS_PER_MONTH = 8760.0 / 12.0


@dataclass(frozen=True)
class Calendar:
    """Maps month indices (0 = the scenario's first month) to dates."""

    start_year: int
    start_month: int

    @classmethod
    def from_config(cls, cfg: ScenarioConfig) -> Calendar:
        """Calendar starting at `run.start`."""
        year, month = parse_month(cfg.run.start)
        return cls(year, month)

    def year_month(self, m: int) -> tuple[int, int]:
        """(year, month 1..12) of month index m."""
        total = self.start_year * 12 + (self.start_month - 1) + m
        return total // 12, total % 12 + 1

    def label(self, m: int) -> str:
        """'YYYY-MM' of month index m."""
        y, mo = self.year_month(m)
        return f"{y:04d}-{mo:02d}"

    def decimal_year(self, m: int) -> float:
        """Mid-month decimal year of month index m, e.g. 2025.04 for January 2025."""
        y, mo = self.year_month(m)
        return y + (mo - 0.5) / 12.0

    def index_of(self, label: str) -> int:
        """Month index of a 'YYYY-MM' label (may be negative or beyond the run)."""
        y, mo = parse_month(label)
        return (y * 12 + mo - 1) - (self.start_year * 12 + self.start_month - 1)


def dc_twh_path(cfg: ScenarioConfig, year: float) -> float:
    """US data-centre electricity (TWh/yr) at a decimal year on the sourced path, before the multiplier.

    Before mid-2023 the LBNL 2014-2018-2023 figures of scenarios/history (abm.history), log-linear
    between the 2023 and 2028 anchors (LBNL 2024), compound growth after 2028 (IEA 2025).
    """
    d = cfg.demand
    t23, t28 = 2023.5, 2028.5
    if year < t23:
        return dc_twh_before(year, d.dc_twh_2023)
    if year <= t28:
        rate = elementary.log(d.dc_twh_2028 / d.dc_twh_2023) / (t28 - t23)
        return d.dc_twh_2023 * elementary.exp(rate * (year - t23))
    return d.dc_twh_2028 * elementary.power(1.0 + d.growth_after_2028_per_year, year - t28)


def ai_demand_mw(cfg: ScenarioConfig, cal: Calendar, m: int, seen_at: int | None = None) -> float:
    """Facility peak MW of data-centre demand in month m (the 2023 base plus scaled growth).

    A slowdown (`demand.growth_after_slowdown_share` < 1) keeps that share of the growth after
    `demand.slowdown_from`; seen from a month before it (`seen_at`) the path is the sourced one.
    """
    d = cfg.demand
    twh = _scaled_twh(cfg, cal.decimal_year(m))
    start = cal.index_of(d.slowdown_from)
    if d.growth_after_slowdown_share != 1.0 and m > start and (seen_at is None or seen_at >= start):
        at_start = _scaled_twh(cfg, cal.decimal_year(start))
        twh = max(0.0, at_start + d.growth_after_slowdown_share * (twh - at_start))
    return twh * 1e6 / 8760.0 / d.load_factor


def _scaled_twh(cfg: ScenarioConfig, year: float) -> float:
    """TWh/yr at a decimal year: the 2023 base plus the sourced path's growth times the multiplier."""
    base = cfg.demand.dc_twh_2023
    return base + cfg.demand.growth_multiplier * (dc_twh_path(cfg, year) - base)


def existing_dc_mw(cfg: ScenarioConfig, cal: Calendar) -> float:
    """Data-centre MW already energised when the run starts (demand at the start month)."""
    return ai_demand_mw(cfg, cal, 0)


def facility_demand_mw(
    cfg: ScenarioConfig, cal: Calendar, m: int, seen_at: int | None = None
) -> float:
    """Facility MW of data-centre demand in month m at the run's PUE.

    The energised fleet keeps its measured load; demand above it is new builds' IT power (the
    sourced path read at `demand.source_pue`) times `hyperscalers.pue`. Written as a blend so
    that equal PUEs return the sourced path exactly. `seen_at`: the month it is forecast from.
    """
    ratio = cfg.hyperscalers.pue / cfg.demand.source_pue
    return ai_demand_mw(cfg, cal, m, seen_at) * ratio + existing_dc_mw(cfg, cal) * (1.0 - ratio)


def gas_cancel_penalty_usd(cfg: ScenarioConfig, mw: float) -> float:
    """What an owner forfeits cancelling `mw` of on-site gas on order (USD): a share of its installed cost."""
    return cfg.gas.order_cancel_penalty_share * cfg.gas.bridge_capex_usd_per_mw * mw


def credit_45x_usd_per_kwh(cfg: ScenarioConfig, year: int) -> float:
    """45X module credit in a year: none before its first year, then the statutory phase-out (75 %, 50 %, 25 %, then 0)."""
    p = cfg.policy
    if year < p.credit_45x_first_year:
        return 0.0
    steps = year - p.credit_45x_phaseout_start_year
    factor = 1.0 if steps < 0 else max(0.0, 0.75 - 0.25 * steps)
    return p.credit_45x_usd_per_kwh * factor


def credit_45x_on_usd_per_kwh(cfg: ScenarioConfig, year: int, second_life: bool) -> float:
    """45X credit in a year on new modules or on second-life packs, as `policy.credit_45x_scope` allows."""
    scope = cfg.policy.credit_45x_scope
    covered = scope == "new_and_second_life" or scope == (
        "second_life_only" if second_life else "new_only"
    )
    return credit_45x_usd_per_kwh(cfg, year) if covered else 0.0
