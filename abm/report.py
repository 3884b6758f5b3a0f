"""The headline KPIs (label and key path in kpis.json) and how to read one out of a run's KPIs."""

from __future__ import annotations

from typing import Any

from abm.vocabulary import Path

HEADLINES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("energised grid MW", ("energized_mw", Path.GRID)),
    ("energised modular 2nd-life MW", ("energized_mw", Path.MODULAR_SECOND_LIFE)),
    ("energised modular new MW", ("energized_mw", Path.MODULAR_NEW)),
    ("energised on-site gas MW", ("energized_mw", Path.ONSITE_GAS)),
    ("median time-to-power grid (months)", ("time_to_power_months_median", Path.GRID)),
    (
        "median time-to-power modular 2nd-life (months)",
        ("time_to_power_months_median", Path.MODULAR_SECOND_LIFE),
    ),
    ("unserved compute (MW-months)", ("unserved_compute_mw_months",)),
    ("queue median wait (months)", ("queue", "median_wait_months")),
    ("queue withdrawn share", ("queue", "withdrawn_share")),
    ("packs to second life (GWh)", ("packs", "second_life_gwh")),
    ("packs recycled (GWh)", ("packs", "recycled_gwh")),
    ("CO2 total (Mt)", ("co2_mt", "total")),
)


def kpi_value(kpis: dict[str, Any], path: tuple[str, ...]) -> float | None:
    """Dig a nested KPI out by its key path; None when absent."""
    node: Any = kpis
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node if isinstance(node, (int, float)) else None
