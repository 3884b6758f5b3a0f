"""Energised AI capacity by path against AI demand (GW), with the comparison run's totals."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from viz.charts.frame import (
    ANALYST,
    EXISTING_COLOUR,
    PATH_COLOURS,
    PATH_LABELS,
    ChartStyle,
    decimal_years,
    energised_paths,
    finish_time_axes,
    has_rows,
    progress_subtitle,
    time_figure,
)
from viz.runs import RunRecord

UNSERVED_COLOUR = "#D55E00"
COMPARE_COLOUR = "#333333"


def _draw_run(ax: Axes, record: RunRecord) -> None:
    """Stacked energised layers (existing first), the demand line and the unserved gap."""
    ts = record.timeseries
    x = decimal_years(ts["date"])
    paths = energised_paths(ts)
    layers = [ts["existing_mw"].to_numpy() / 1000.0] + [
        ts[f"energized_mw_{p}"].to_numpy() / 1000.0 for p in paths
    ]
    ax.stackplot(
        x,
        *layers,
        labels=["Existing in 2025", *[PATH_LABELS[p] for p in paths]],
        colors=[EXISTING_COLOUR, *[PATH_COLOURS[p] for p in paths]],
        alpha=0.9,
    )
    supplied = np.sum(layers, axis=0)
    demand = ts["ai_demand_mw"].to_numpy() / 1000.0
    ax.plot(x, demand, color="black", lw=2.8, label="AI demand")
    ax.fill_between(
        x,
        supplied,
        demand,
        where=demand > supplied,
        color=UNSERVED_COLOUR,
        alpha=0.18,
        hatch="//",
        label="Unserved",
    )


def _draw_compare(ax: Axes, compare: RunRecord, label: str) -> None:
    """The comparison run's energised total (dashed) and demand (dotted)."""
    cts = compare.timeseries
    cx = decimal_years(cts["date"])
    supplied = cts["existing_mw"].to_numpy() / 1000.0 + sum(
        cts[f"energized_mw_{p}"].to_numpy() / 1000.0 for p in energised_paths(cts)
    )
    ax.plot(cx, supplied, color=COMPARE_COLOUR, lw=2.2, ls="--", label=f"Energised total: {label}")
    ax.plot(
        cx,
        cts["ai_demand_mw"].to_numpy() / 1000.0,
        color=COMPARE_COLOUR,
        lw=1.4,
        ls=":",
        label=f"AI demand: {label}",
    )


def energy_chart(
    record: RunRecord,
    compare: RunRecord | None = None,
    compare_label: str = "comparison",
    style: ChartStyle = ANALYST,
) -> Figure:
    """Energised AI capacity stacked by path (on top of what existed) against AI demand, in GW."""
    subtitle = progress_subtitle(record, compare, compare_label)
    fig, (ax,) = time_figure(style, ["AI capacity energised by path vs AI demand"], subtitle)
    if has_rows(record):
        _draw_run(ax, record)
    if compare is not None and has_rows(compare):
        _draw_compare(ax, compare, compare_label)
    finish_time_axes(
        record, style, [(ax, "year", "GW of data-centre load (facility)", "upper left")]
    )
    return fig
