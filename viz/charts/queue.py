"""Interconnection queue: backlog (GW) and median waits of data-centre requests (months)."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from viz.charts.bands import NO_BANDS, Bands, band_label, draw_band
from viz.charts.frame import (
    ANALYST,
    ChartStyle,
    decimal_years,
    finish_time_axes,
    progress_subtitle,
    time_figure,
)
from viz.runs import RunRecord

ALL_COLOUR, LOAD_COLOUR = "#0072B2", "#D55E00"
#: (column, colour, label): the left panel reads the contract table, the right the app series
BACKLOG = (
    ("queue_backlog_gw", ALL_COLOUR, "All requests"),
    ("queue_load_backlog_gw", LOAD_COLOUR, "Data-centre loads"),
)
WAITS = (
    ("queue_wait_active_median_months", LOAD_COLOUR, "Waiting so far (active)"),
    (
        "queue_wait_energized_12m_median_months",
        ALL_COLOUR,
        "Request to power (energised, last 12 months)",
    ),
)


def _draw(left: Axes, right: Axes, record: RunRecord, compare: bool) -> None:
    """Backlog lines on the left, wait lines on the right; a comparison run thin and dashed."""
    look = {"lw": 1.6, "ls": "--"} if compare else {"lw": 2.6}
    for ax, frame, lines in (
        (left, record.timeseries, BACKLOG),
        (right, record.derived, WAITS),
    ):
        if not len(frame):
            continue
        x = decimal_years(frame["date"])
        for column, colour, label in lines:
            ax.plot(x, frame[column], color=colour, **look, **({} if compare else {"label": label}))


def queue_chart(
    record: RunRecord,
    compare: RunRecord | None = None,
    compare_label: str = "comparison",
    style: ChartStyle = ANALYST,
    bands: Bands = NO_BANDS,
) -> Figure:
    """Interconnection backlog (GW) and median waits of data-centre requests (months).

    `bands`: the backlog of all requests, median and range over the ensemble's seeds.
    """
    fig, (left, right) = time_figure(
        style,
        ["Interconnection queue backlog", "Median wait, data-centre requests"],
        progress_subtitle(record, compare, compare_label),
    )
    _draw(left, right, record, compare=False)
    if compare is not None and len(compare.timeseries):
        _draw(left, right, compare, compare=True)
    backlog = lambda f: f["queue_backlog_gw"].to_numpy(dtype=float)  # noqa: E731
    draw_band(
        left, bands.shown, backlog, ALL_COLOUR, band_label(bands.shown, bands.n, "All requests")
    )
    draw_band(
        left, bands.compare, backlog, "#333333", band_label(bands.compare, bands.n, compare_label)
    )
    finish_time_axes(
        record,
        style,
        [
            (left, "year", "GW waiting in queues", "upper left"),
            (right, "year", "months", "upper left"),
        ],
    )
    return fig
