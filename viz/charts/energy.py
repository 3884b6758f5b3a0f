"""Energised AI capacity by path against AI demand (GW), with the comparison run's totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from viz.charts.bands import NO_BANDS, Bands, band_label, draw_band
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
BAND_COLOUR = "#0B3D91"


def energised_total_gw(frame: pd.DataFrame) -> np.ndarray:
    """What existed in 2025 plus every path's new load, GW, month by month."""
    total = frame["existing_mw"].to_numpy(dtype=float)
    for p in energised_paths(frame):
        total = total + frame[f"energized_mw_{p}"].to_numpy(dtype=float)
    return total / 1000.0


def _draw_bands(ax: Axes, bands: Bands, compare_label: str) -> None:
    """The energised total's median and range over the seeds, for the run and the comparison."""
    draw_band(
        ax,
        bands.shown,
        energised_total_gw,
        BAND_COLOUR,
        band_label(bands.shown, bands.n, "Energised total"),
    )
    draw_band(
        ax,
        bands.compare,
        energised_total_gw,
        COMPARE_COLOUR,
        band_label(bands.compare, bands.n, compare_label),
    )


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
    bands: Bands = NO_BANDS,
) -> Figure:
    """Energised AI capacity stacked by path (on top of what existed) against AI demand, in GW.

    The stack is the page's seed; `bands` adds the energised total's median and range over
    the ensemble's seeds (the run's and the comparison's).
    """
    subtitle = progress_subtitle(record, compare, compare_label)
    fig, (ax,) = time_figure(style, ["AI capacity energised by path vs AI demand"], subtitle)
    if has_rows(record):
        _draw_run(ax, record)
    if compare is not None and has_rows(compare):
        _draw_compare(ax, compare, compare_label)
    _draw_bands(ax, bands, compare_label)
    finish_time_axes(
        record, style, [(ax, "year", "GW of data-centre load (facility)", "upper left")]
    )
    return fig
