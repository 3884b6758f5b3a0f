"""Stranded capacity and cancellations: MW energised but idle when demand falls short, and orders dropped.

Idle MW each month is what is powered (the pre-run fleet, every path, bridge gas) above the
month's demand; it is shared over the sources pro rata (no source is preferred when compute
idles). Columns `stranded_mw` and `stranded_mw_<path>` (the fleet as `existing_fleet`); KPIs
`stranded_mw_peak` (and its month and split by path) and `cancellations` (MW cancelled by path,
on-site gas penalties in USD). See docs/scenarios.md, `ai_slowdown`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from abm.vocabulary import Path, Status
from abm.world import gas_cancel_penalty_usd

Model = Any  # metrics never import abm.model
Reporter = Callable[[dict[str, Any]], Any]
FLEET = "existing_fleet"


class StrandedView:
    """This month's idle MW by source, the run's peak and MW-months, and cancellations."""

    def __init__(self, model: Model, paths: list[str]) -> None:
        """A view of `model`'s projects for the enabled `paths`."""
        self.model, self.paths = model, paths
        self.keys = [*paths, FLEET, "bridge_gas"]
        self.month_mw = dict.fromkeys(self.keys, 0.0)
        self.peak: tuple[float, int, dict[str, float]] = (0.0, 0, dict(self.month_mw))
        self.mw_months = 0.0

    def observe(self, demand_mw: float, energized: dict[str, float], bridge_mw: float) -> None:
        """Book this month's idle MW: supply above `demand_mw`, split pro rata over the sources."""
        m = self.model
        sources = {**energized, FLEET: m.projects.existing_mw, "bridge_gas": bridge_mw}
        supplied = sum(sources.values())
        idle = max(0.0, supplied - demand_mw)
        share = idle / supplied if supplied > 0 else 0.0
        self.month_mw = {k: sources.get(k, 0.0) * share for k in self.keys}
        self.mw_months += idle
        if idle > self.peak[0]:
            self.peak = (idle, m.month + 1, dict(self.month_mw))

    def reporters(self) -> list[tuple[str, Reporter]]:
        """Columns: stranded_mw and stranded_mw_<source>."""

        def mw(key: str) -> Reporter:
            return lambda _: self.month_mw[key]

        total = ("stranded_mw", lambda _: sum(self.month_mw.values()))
        return [total, *[(f"stranded_mw_{k}", mw(k)) for k in self.keys]]

    def kpis(self) -> dict[str, Any]:
        """Peak idle MW, its month and split, idle MW-months; MW cancelled by path and gas penalties."""
        cancelled = dict.fromkeys(self.paths, 0.0)
        penalty_usd = 0.0
        for p in self.model.projects:
            if p.status is Status.CANCELLED and p.path in cancelled:
                cancelled[p.path] += p.mw
                if p.path == Path.ONSITE_GAS:
                    penalty_usd += gas_cancel_penalty_usd(self.model.config, p.mw)
        return {
            "stranded_mw_peak": self.peak[0],
            "stranded_mw_peak_run_month": self.peak[1] or None,  # 1 = the run's first month
            "stranded_mw_at_peak_by_source": self.peak[2],
            "stranded_mw_months": self.mw_months,
            "cancellations": {"mw_by_path": cancelled, "gas_penalties_usd": penalty_usd},
        }
