"""What the speculative wildcard path did: MW powered, failed launches, launch and manufacturing CO2, its cap and cost.

KPI `wildcard` (docs/scenarios.md, `orbital_wildcard`); the launch CO2 is also inside
`co2_mt.embodied` (booked when a wildcard project is powered, `MonthRecorder.observe_energized`).
"""

from __future__ import annotations

from typing import Any

from abm.vocabulary import Path, Status
from abm.wildcard import cap_mw, cost_factor, launch_co2_t

Model = Any  # metrics never import abm.model


def wildcard_kpis(model: Model) -> dict[str, float]:
    """Wildcard MW powered, projects whose first launch failed, their launch CO2 (Mt), the cap and cost share at the end."""
    cfg, month = model.config, model.month
    powered = [p for p in model.projects if p.path == Path.OTHER and p.status is Status.ENERGIZED]
    return {
        "energized_mw": sum(p.mw for p in powered),
        "failed_launches": sum(
            1 for p in model.projects if p.path == Path.OTHER and p.launch_attempts > 1
        ),
        "launch_manufacturing_co2_mt": sum(
            launch_co2_t(cfg, p.mw, p.launch_attempts) for p in powered
        )
        / 1e6,
        "cap_mw_end": cap_mw(cfg, month),
        "cost_share_of_initial_end": cost_factor(cfg, month),
    }
