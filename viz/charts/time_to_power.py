"""Median time to power of projects energised each year, one line per path, with project counts (months)."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from abm.catalogue import paths
from abm.metrics import time_to_power_by_year
from viz.charts.frame import (
    ANALYST,
    PATH_COLOURS,
    PATH_LABELS,
    ChartStyle,
    empty_note,
    finish_time_axes,
    progress_subtitle,
    time_figure,
)
from viz.runs import RunRecord


def _draw_paths(ax: Axes, record: RunRecord, style: ChartStyle, compare: bool) -> bool:
    """One line per path at mid-year; the comparison run thin and dashed. True if any drawn.

    Each year is one bin (the median of the projects energised that year); the run's points
    are sized by and labelled with their project count, so a year of two projects does not
    read like a year of fifty, and the legend gives each path's total.
    """
    table = time_to_power_by_year(record.projects, record.config.run.start)
    drawn = 0
    for path in paths():
        rows = table[table["path"] == path]
        if not len(rows):
            continue
        # counts of paths that share a point go above and below it in turn, not on top of each other
        offset = (7 + 9 * (drawn // 2)) if drawn % 2 == 0 else -(13 + 9 * (drawn // 2))
        drawn += 1
        x, y, n = rows["year"] + 0.5, rows["months"], rows["n"].astype(int)
        if compare:
            ax.plot(x, y, color=PATH_COLOURS[path], lw=1.8, ls="--", alpha=0.8)
            continue
        label = f"{PATH_LABELS[path]} ({int(n.sum())} projects)"
        ax.plot(x, y, color=PATH_COLOURS[path], lw=2.6, label=label, zorder=2)
        ax.scatter(x, y, s=(12 + 6 * n**0.5) * style.scale**2, color=PATH_COLOURS[path], zorder=3)
        for xi, yi, ni in zip(x, y, n, strict=True):
            ax.annotate(
                str(ni),
                (xi, yi),
                xytext=(0, offset * style.scale),
                textcoords="offset points",
                ha="center",
                fontsize=style.fs(8),
                color=PATH_COLOURS[path],
            )
    return not table.empty


def time_to_power_chart(
    record: RunRecord,
    compare: RunRecord | None = None,
    compare_label: str = "comparison",
    style: ChartStyle = ANALYST,
) -> Figure:
    """Median time to power of projects energised each year, one line per path."""
    subtitle = (
        progress_subtitle(record, compare, compare_label)
        or "median months from decision to power, by year energised; numbers: projects in that year"
    )
    fig, (ax,) = time_figure(style, ["Time to power by path"], subtitle)
    drawn = _draw_paths(ax, record, style, compare=False)
    if compare is not None:
        _draw_paths(ax, compare, style, compare=True)
    if not drawn:
        empty_note(ax, "no project energised yet", style)
    finish_time_axes(
        record, style, [(ax, "year energised", "months from decision to power", "upper left")]
    )
    return fig
