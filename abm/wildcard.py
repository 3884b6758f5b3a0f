"""The wildcard path's story numbers over time: its growing cap, its falling cost, its launch risk and CO2.

Pure functions of the scenario and the month (like `abm.world`), read by the project book (cap,
relaunch months), the hyperscalers (cost) and the metrics (launch CO2). The wildcard is
speculative: every number behind them is an assumption in `other.*` (docs/parameters.md).
"""

from __future__ import annotations

from abm.numerics import elementary
from abm.schema import ScenarioConfig
from abm.world import Calendar


def years_open(cfg: ScenarioConfig, month: int) -> float:
    """Years since the wildcard became available (0 before)."""
    start = Calendar.from_config(cfg).index_of(cfg.other.available_from)
    return max(0.0, (month - start) / 12.0)


def cap_mw(cfg: ScenarioConfig, month: int) -> float:
    """Total MW the wildcard can have taken by `month`: the first cap plus its yearly growth."""
    o = cfg.other
    return o.capacity_cap_mw + o.cap_growth_mw_per_year * years_open(cfg, month)


def cost_factor(cfg: ScenarioConfig, month: int) -> float:
    """The wildcard's cost in `month` as a share of `other.cost_usd_per_mwh` (its learning curve)."""
    return elementary.power(1.0 - cfg.other.cost_decline_per_year, years_open(cfg, month))


def launch_attempts(cfg: ScenarioConfig, u: float) -> int:
    """Launches a project needs: 2 when its keyed uniform `u` falls under `other.failure_risk`, else 1."""
    return 2 if u < cfg.other.failure_risk else 1


def launch_co2_t(cfg: ScenarioConfig, mw: float, attempts: int) -> float:
    """CO2 (t) of launching and manufacturing `mw` of orbital compute `attempts` times."""
    return cfg.other.launch_manufacturing_t_co2_per_mw * mw * attempts
