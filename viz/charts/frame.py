"""The frame every app chart shares: sizes, palette, labels, titles, time axis and legend style.

Figures are built with matplotlib's Figure OO API only (pyplot is not thread-safe). Every chart
has a title, axis units and large type for projectors; a partial run draws on the full time
axis, so lines grow in place as months arrive. A comparison run is overlaid dashed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from abm.catalogue import PATH_CATALOGUE, PRODUCT_CATALOGUE, paths
from viz.runs import RunRecord

PATH_LABELS = {p.name: p.label for p in PATH_CATALOGUE.values()}
PATH_COLOURS = {p.name: p.colour for p in PATH_CATALOGUE.values()}  # Okabe-Ito (abm.catalogue)
EXISTING_COLOUR = "#BBBBBB"
GRADE_COLOURS = {p.name: p.colour for p in PRODUCT_CATALOGUE}
TERRITORY_COLOURS = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
)
NOTE_COLOUR = "#444444"  # subtitles and notes inside a chart
EMPTY_COLOUR = "#666666"  # the note of an empty chart


@dataclass(frozen=True)
class ChartStyle:
    """Size and type scale: analyst screens vs projectors (workshop mode)."""

    scale: float = 1.0
    width_in: float = 11.0
    height_in: float = 5.6

    def fs(self, base: float) -> float:
        """A font size scaled for the mode."""
        return base * self.scale


ANALYST = ChartStyle()
WORKSHOP = ChartStyle(scale=1.3, width_in=12.0, height_in=6.4)
COMPACT = ChartStyle(scale=1.0, width_in=8.0, height_in=5.0)  # the step-by-step view's grid cells


def new_figure(style: ChartStyle, ncols: int = 1) -> tuple[Figure, list[Axes]]:
    """A figure with `ncols` axes and readable tick labels."""
    fig = Figure(figsize=(style.width_in, style.height_in), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0].tolist()
    for ax in axes:
        ax.tick_params(labelsize=style.fs(13))
        ax.grid(True, alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    return fig, axes


def title(ax: Axes, text: str, style: ChartStyle, subtitle: str = "") -> None:
    """Chart title (and a smaller line under it)."""
    ax.set_title(
        text if not subtitle else f"{text}\n", fontsize=style.fs(17), loc="left", fontweight="bold"
    )
    if subtitle:
        ax.text(
            0.0,
            1.01,
            subtitle,
            transform=ax.transAxes,
            fontsize=style.fs(12),
            color=NOTE_COLOUR,
            va="bottom",
        )


def axis_labels(ax: Axes, xlabel: str, ylabel: str, style: ChartStyle) -> None:
    """Axis labels with units."""
    ax.set_xlabel(xlabel, fontsize=style.fs(14))
    ax.set_ylabel(ylabel, fontsize=style.fs(14))


def legend(ax: Axes, style: ChartStyle, **kwargs: object) -> None:
    """A legend with scaled type, only when something is labelled."""
    handles, _labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(fontsize=style.fs(11.5), frameon=False, **kwargs)


def empty_note(ax: Axes, text: str, style: ChartStyle) -> None:
    """A centred note in an empty chart."""
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=style.fs(14),
        color=EMPTY_COLOUR,
    )


def progress_subtitle(
    record: RunRecord, compare: RunRecord | None, compare_label: str, line: str = "dashed"
) -> str:
    """'running: 40/192 months' while running ('stopped at ...' once cancelled), plus the comparison's lines."""
    parts = []
    if record.stopped:
        parts.append(f"stopped at month {record.months_done} of {record.months_total}")
    elif not record.complete:
        parts.append(f"running: {record.months_done}/{record.months_total} months")
    if compare is not None:
        parts.append(f"{line}: {compare_label}")
    return " | ".join(parts)


def decimal_years(dates: pd.Series) -> np.ndarray:
    """'2025-01' labels -> 2025.0, 2025.083, ... (month starts)."""
    parts = dates.astype(str).str.split("-", expand=True).astype(int)
    return (parts[0] + (parts[1] - 1) / 12.0).to_numpy(dtype=float)


def horizon(record: RunRecord) -> tuple[float, float]:
    """x-axis limits of the full run, so partial runs draw on the final axis."""
    year, month = (int(p) for p in record.config.run.start.split("-"))
    start = year + (month - 1) / 12.0
    return start, start + record.months_total / 12.0


def set_time_axis(ax: Axes, record: RunRecord) -> None:
    """The run's full horizon on x, with whole years as ticks."""
    lo, hi = horizon(record)
    ax.set_xlim(lo, hi)
    span = hi - lo
    ax.xaxis.set_major_locator(MultipleLocator(1.0 if span <= 8 else 2.0))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:.0f}"))


def energised_paths(frame: pd.DataFrame) -> list[str]:
    """Paths with an `energized_mw_<path>` column, in the model's path order."""
    return [p for p in paths() if f"energized_mw_{p}" in frame.columns]


def has_rows(record: RunRecord | None) -> bool:
    """Whether a (comparison) run has any month to draw."""
    return record is not None and len(record.timeseries) > 0


def time_figure(
    style: ChartStyle, titles: Sequence[str], subtitle: str
) -> tuple[Figure, list[Axes]]:
    """A figure with one time-series axes per title; the subtitle goes under the first."""
    fig, axes = new_figure(style, len(titles))
    title(axes[0], titles[0], style, subtitle)
    for ax, text in zip(axes[1:], titles[1:], strict=True):
        title(ax, text, style)
    return fig, axes


def finish_time_axes(
    record: RunRecord, style: ChartStyle, axes: Sequence[tuple[Axes, str, str, str]]
) -> None:
    """Full horizon on x, zero at the bottom, labels and legend: (axes, xlabel, ylabel, legend loc).

    A dotted vertical line marks each month a policy trigger changed the scenario from (docs/triggers.md).
    """
    ts = record.timeseries
    fired = ts["triggers_fired"] > 0 if "triggers_fired" in ts else None
    for ax, _, _, _ in axes:
        set_time_axis(ax, record)
        ax.set_ylim(bottom=0)
        for x in decimal_years(ts["date"][fired]) if fired is not None and fired.any() else ():
            ax.axvline(x, color="0.35", linestyle=":", linewidth=1.0)
    for ax, xlabel, ylabel, loc in axes:
        axis_labels(ax, xlabel, ylabel, style)
        legend(ax, style, loc=loc)
