"""Retired EV packs and where they went (GWh), and traded storage prices by grade ($/kWh)."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from viz.charts.frame import (
    ANALYST,
    GRADE_COLOURS,
    ChartStyle,
    decimal_years,
    finish_time_axes,
    has_rows,
    progress_subtitle,
    time_figure,
)
from viz.runs import RunRecord

#: (column, label, colour, line style); the comparison run repeats the first three (cumulative)
FLOWS = (
    ("packs_retired_gwh_cum", "Retired (cumulative)", "#000000", "-"),
    ("packs_second_life_gwh_cum", "To second life (cumulative)", "#009E73", "-"),
    ("packs_recycled_gwh_cum", "Recycled (cumulative)", "#0072B2", "-"),
    ("packs_inventory_gwh", "Graded, in inventory", "#E69F00", ":"),
    ("packs_awaiting_test_gwh", "Waiting for testing", "#D55E00", ":"),
)
COMPARED_FLOWS = 3


def _grade_label(grade: str) -> str:
    """How a storage product is named in the legend."""
    return "new storage" if grade == "new" else f"second life, grade {grade}"


def _draw_run(left: Axes, right: Axes, record: RunRecord, style: ChartStyle) -> None:
    """Pack flows on the left, prices by grade on the right."""
    ts = record.timeseries
    x = decimal_years(ts["date"])
    for col, label, colour, ls in FLOWS:
        left.plot(x, ts[col], color=colour, lw=2.6, ls=ls, label=label)
    for grade, colour in GRADE_COLOURS.items():
        right.plot(
            x,
            ts[f"pack_price_usd_per_kwh_{grade}"],
            color=colour,
            lw=2.4,
            marker=".",
            ms=4 * style.scale,
            label=_grade_label(grade),
        )


def _draw_compare(left: Axes, right: Axes, compare: RunRecord) -> None:
    """The comparison run's cumulative flows and prices, thin and dashed."""
    cts = compare.timeseries
    cx = decimal_years(cts["date"])
    for col, _, colour, _ in FLOWS[:COMPARED_FLOWS]:
        left.plot(cx, cts[col], color=colour, lw=1.5, ls="--")
    for grade, colour in GRADE_COLOURS.items():
        right.plot(cx, cts[f"pack_price_usd_per_kwh_{grade}"], color=colour, lw=1.4, ls="--")


def packs_chart(
    record: RunRecord,
    compare: RunRecord | None = None,
    compare_label: str = "comparison",
    style: ChartStyle = ANALYST,
) -> Figure:
    """Retired EV packs and where they went (GWh), and traded pack prices by grade ($/kWh)."""
    fig, (left, right) = time_figure(
        style,
        ["Retired EV packs: where they went", "Storage prices by grade"],
        progress_subtitle(record, compare, compare_label),
    )
    if has_rows(record):
        _draw_run(left, right, record, style)
    if compare is not None and has_rows(compare):
        _draw_compare(left, right, compare)
    finish_time_axes(
        record,
        style,
        [
            (left, "year", "GWh of pack capacity", "upper left"),
            (right, "year", "$/kWh (usable, clearing price)", "upper right"),
        ],
    )
    return fig
