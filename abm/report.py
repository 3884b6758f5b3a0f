"""Plain-text tables of KPIs for the terminal (compare) and docs."""

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


def _fmt(x: float | None) -> str:
    """Numbers with thousands separators; '-' for missing."""
    if x is None:
        return "-"
    return f"{x:,.2f}" if abs(x) < 100 else f"{x:,.0f}"


def kpi_comparison_table(results: dict[str, dict[str, Any]]) -> str:
    """A fixed-width table: one row per headline KPI, one column per scenario."""
    names = list(results)
    width = max(len(label) for label, _ in HEADLINES) + 2
    col = max(14, *(len(n) + 2 for n in names))
    lines = ["".ljust(width) + "".join(n.rjust(col) for n in names)]
    for label, path in HEADLINES:
        lines.append(
            label.ljust(width)
            + "".join(_fmt(kpi_value(results[n], path)).rjust(col) for n in names)
        )
    return "\n".join(lines)
