"""Cumulative CO2 of the AI load energised in the run against the recycle-first counterfactual."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from viz.charts.bands import NO_BANDS, Bands, band_label, draw_band
from viz.charts.frame import (
    ANALYST,
    NOTE_COLOUR,
    ChartStyle,
    decimal_years,
    finish_time_axes,
    has_rows,
    progress_subtitle,
    time_figure,
)
from viz.runs import RunRecord

#: (column, colour, line width, label) of this run's lines
RUN_LINES = (
    ("co2_mt_cum", "#000000", 3.0, "This run: total"),
    ("co2_operational_mt_cum", "#D55E00", 1.8, "  operational"),
    ("co2_embodied_mt_cum", "#009E73", 1.8, "  embodied (storage, solar)"),
)
COUNTERFACTUAL_COLOUR = "#CC79A7"
COMPARE_COLOUR = "#666666"


def _subtitle(
    record: RunRecord, counterfactual: RunRecord | None, compare: RunRecord | None, label: str
) -> str:
    """Progress and comparison, plus how far the counterfactual is while it is computed."""
    subtitle = progress_subtitle(record, compare, label, "dotted")
    same = counterfactual is not None and counterfactual.key == record.key
    if counterfactual is None or (not same and not counterfactual.complete):
        done = counterfactual.months_done if counterfactual is not None else 0
        note = f"recycle-first counterfactual: computing ({done}/{record.months_total} months)"
        subtitle = f"{subtitle} | {note}" if subtitle else note
    return subtitle


def _draw_counterfactual(
    ax: Axes, record: RunRecord, counterfactual: RunRecord | None, style: ChartStyle
) -> None:
    """The counterfactual's total (dashed), or a note when the run is its own counterfactual."""
    if counterfactual is not None and counterfactual.key == record.key:
        ax.text(
            0.02,
            0.6,
            "this run already routes recycle-first:\nit is its own counterfactual",
            transform=ax.transAxes,
            fontsize=style.fs(12),
            color=NOTE_COLOUR,
        )
    elif has_rows(counterfactual):
        cts = counterfactual.timeseries
        ax.plot(
            decimal_years(cts["date"]),
            cts["co2_mt_cum"],
            color=COUNTERFACTUAL_COLOUR,
            lw=2.6,
            ls="--",
            label="Recycle-first counterfactual: total",
        )


def co2_chart(
    record: RunRecord,
    counterfactual: RunRecord | None = None,
    compare: RunRecord | None = None,
    compare_label: str = "comparison",
    style: ChartStyle = ANALYST,
    bands: Bands = NO_BANDS,
) -> Figure:
    """Cumulative CO2 of the AI load energised in the run, against the recycle-first counterfactual.

    `bands`: the total's median and range over the ensemble's seeds.
    """
    subtitle = _subtitle(record, counterfactual, compare, compare_label)
    fig, (ax,) = time_figure(
        style, ["Cumulative CO2 vs the recycle-first counterfactual"], subtitle
    )
    if has_rows(record):
        x = decimal_years(record.timeseries["date"])
        for column, colour, width, label in RUN_LINES:
            ax.plot(x, record.timeseries[column], color=colour, lw=width, label=label)
    _draw_counterfactual(ax, record, counterfactual, style)
    if compare is not None and has_rows(compare):
        cts = compare.timeseries
        ax.plot(
            decimal_years(cts["date"]),
            cts["co2_mt_cum"],
            color=COMPARE_COLOUR,
            lw=2.0,
            ls=":",
            label=f"Total: {compare_label}",
        )
    total = lambda f: f["co2_mt_cum"].to_numpy(dtype=float)  # noqa: E731
    draw_band(ax, bands.shown, total, "#000000", band_label(bands.shown, bands.n, "Total"))
    draw_band(
        ax, bands.compare, total, COMPARE_COLOUR, band_label(bands.compare, bands.n, compare_label)
    )
    finish_time_axes(record, style, [(ax, "year", "Mt CO2, cumulative", "upper left")])
    return fig
