"""Median time to power of projects energised each year, one line per path (months)."""

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
    """One line per path at mid-year; the comparison run thin and dashed. True if any drawn."""
    table = time_to_power_by_year(record.projects, record.config.run.start)
    for path in paths():
        rows = table[table["path"] == path]
        if not len(rows):
            continue
        if compare:
            look = {"lw": 1.8, "ls": "--", "alpha": 0.8}
        else:
            look = {"marker": "o", "ms": 7 * style.scale, "lw": 2.6, "label": PATH_LABELS[path]}
        ax.plot(rows["year"] + 0.5, rows["months"], color=PATH_COLOURS[path], **look)
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
        or "median months from decision to power, by year energised"
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
