"""Matplotlib figures for the app, built with the Figure OO API only (pyplot is not thread-safe).

Every chart has a title, axis units and large type for projectors; a partial run draws on the
full time axis, so lines grow in place as months arrive. A comparison run is overlaid dashed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.ticker import FuncFormatter, MultipleLocator, ScalarFormatter

from abm.metrics import GridLayout, MapState, time_to_power_by_year
from abm.projects import PATHS
from viz.runs import RunRecord

PATH_LABELS = {
    "grid": "Grid connection",
    "modular_second_life": "Modular, second-life packs",
    "modular_new": "Modular, new batteries",
    "onsite_gas": "On-site gas",
    "other": "Wildcard (orbital)",
}
# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
PATH_COLOURS = {
    "grid": "#0072B2",
    "modular_second_life": "#009E73",
    "modular_new": "#56B4E9",
    "onsite_gas": "#D55E00",
    "other": "#CC79A7",
}
EXISTING_COLOUR = "#BBBBBB"
GRADE_COLOURS = {"A": "#009E73", "B": "#E69F00", "C": "#D55E00", "new": "#0072B2"}
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


def _figure(style: ChartStyle, ncols: int = 1) -> tuple[Figure, list]:
    """A figure with `ncols` axes and readable tick labels."""
    fig = Figure(figsize=(style.width_in, style.height_in), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0].tolist()
    for ax in axes:
        ax.tick_params(labelsize=style.fs(13))
        ax.grid(True, alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    return fig, axes


def _title(fig: Figure, ax, text: str, style: ChartStyle, subtitle: str = "") -> None:
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
            color="#444444",
            va="bottom",
        )


def _label(ax, xlabel: str, ylabel: str, style: ChartStyle) -> None:
    """Axis labels with units."""
    ax.set_xlabel(xlabel, fontsize=style.fs(14))
    ax.set_ylabel(ylabel, fontsize=style.fs(14))


def _legend(ax, style: ChartStyle, **kwargs) -> None:
    """A legend with scaled type, only when something is labelled."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(fontsize=style.fs(11.5), frameon=False, **kwargs)


def decimal_years(dates: pd.Series) -> np.ndarray:
    """'2025-01' labels -> 2025.0, 2025.083, ... (month starts)."""
    parts = dates.astype(str).str.split("-", expand=True).astype(int)
    return (parts[0] + (parts[1] - 1) / 12.0).to_numpy(dtype=float)


def horizon(record: RunRecord) -> tuple[float, float]:
    """x-axis limits of the full run, so partial runs draw on the final axis."""
    year, month = (int(p) for p in record.config.run.start.split("-"))
    start = year + (month - 1) / 12.0
    return start, start + record.months_total / 12.0


def set_time_axis(ax, record: RunRecord) -> None:
    """The run's full horizon on x, with whole years as ticks."""
    lo, hi = horizon(record)
    ax.set_xlim(lo, hi)
    span = hi - lo
    ax.xaxis.set_major_locator(MultipleLocator(1.0 if span <= 8 else 2.0))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:.0f}"))


def energised_paths(frame: pd.DataFrame) -> list[str]:
    """Paths with an `energized_mw_<path>` column, in the model's path order."""
    return [p for p in PATHS if f"energized_mw_{p}" in frame.columns]


def _empty_note(ax, text: str, style: ChartStyle) -> None:
    """A centred note in an empty chart."""
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=style.fs(14),
        color="#666666",
    )


def _progress_subtitle(
    record: RunRecord, compare: RunRecord | None, compare_label: str, line: str = "dashed"
) -> str:
    """'running: 40/192 months' while running, plus which lines show the comparison run."""
    parts = []
    if not record.complete:
        parts.append(f"running: {record.months_done}/{record.months_total} months")
    if compare is not None:
        parts.append(f"{line}: {compare_label}")
    return " | ".join(parts)


# ---------------------------------------------------------------------- energy
def energy_chart(
    record: RunRecord,
    compare: RunRecord | None = None,
    compare_label: str = "comparison",
    style: ChartStyle = ANALYST,
) -> Figure:
    """Energised AI capacity stacked by path (on top of what existed) against AI demand, in GW."""
    fig, (ax,) = _figure(style)
    ts = record.timeseries
    _title(
        fig,
        ax,
        "AI capacity energised by path vs AI demand",
        style,
        _progress_subtitle(record, compare, compare_label),
    )
    if len(ts):
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
            color="#D55E00",
            alpha=0.18,
            hatch="//",
            label="Unserved",
        )
    if compare is not None and len(compare.timeseries):
        cts = compare.timeseries
        cx = decimal_years(cts["date"])
        csupplied = cts["existing_mw"].to_numpy() / 1000.0 + sum(
            cts[f"energized_mw_{p}"].to_numpy() / 1000.0 for p in energised_paths(cts)
        )
        ax.plot(
            cx,
            csupplied,
            color="#333333",
            lw=2.2,
            ls="--",
            label=f"Energised total: {compare_label}",
        )
        ax.plot(
            cx,
            cts["ai_demand_mw"].to_numpy() / 1000.0,
            color="#333333",
            lw=1.4,
            ls=":",
            label=f"AI demand: {compare_label}",
        )
    set_time_axis(ax, record)
    ax.set_ylim(bottom=0)
    _label(ax, "year", "GW of data-centre load (facility)", style)
    _legend(ax, style, loc="upper left")
    return fig


# ---------------------------------------------------------------------- time to power
def time_to_power_chart(
    record: RunRecord,
    compare: RunRecord | None = None,
    compare_label: str = "comparison",
    style: ChartStyle = ANALYST,
) -> Figure:
    """Median time to power of projects energised each year, one line per path."""
    fig, (ax,) = _figure(style)
    _title(
        fig,
        ax,
        "Time to power by path",
        style,
        _progress_subtitle(record, compare, compare_label)
        or "median months from decision to power, by year energised",
    )
    table = time_to_power_by_year(record.projects, record.config.run.start)
    for path in PATHS:
        rows = table[table["path"] == path]
        if len(rows):
            ax.plot(
                rows["year"] + 0.5,
                rows["months"],
                marker="o",
                ms=7 * style.scale,
                lw=2.6,
                color=PATH_COLOURS[path],
                label=PATH_LABELS[path],
            )
    if compare is not None:
        ctable = time_to_power_by_year(compare.projects, compare.config.run.start)
        for path in PATHS:
            rows = ctable[ctable["path"] == path]
            if len(rows):
                ax.plot(
                    rows["year"] + 0.5,
                    rows["months"],
                    lw=1.8,
                    ls="--",
                    color=PATH_COLOURS[path],
                    alpha=0.8,
                )
    if table.empty:
        _empty_note(ax, "no project energised yet", style)
    set_time_axis(ax, record)
    ax.set_ylim(bottom=0)
    _label(ax, "year energised", "months from decision to power", style)
    _legend(ax, style, loc="upper left")
    return fig


# ---------------------------------------------------------------------- queue
def queue_chart(
    record: RunRecord,
    compare: RunRecord | None = None,
    compare_label: str = "comparison",
    style: ChartStyle = ANALYST,
) -> Figure:
    """Interconnection backlog (GW) and median waits of data-centre requests (months)."""
    fig, (left, right) = _figure(style, 2)
    _title(
        fig,
        left,
        "Interconnection queue backlog",
        style,
        _progress_subtitle(record, compare, compare_label),
    )
    _title(fig, right, "Median wait, data-centre requests", style)
    ts, dv = record.timeseries, record.derived
    if len(ts):
        x = decimal_years(ts["date"])
        left.plot(x, ts["queue_backlog_gw"], color="#0072B2", lw=2.6, label="All requests")
        left.plot(
            x, ts["queue_load_backlog_gw"], color="#D55E00", lw=2.6, label="Data-centre loads"
        )
    if len(dv):
        dx = decimal_years(dv["date"])
        right.plot(
            dx,
            dv["queue_wait_active_median_months"],
            color="#D55E00",
            lw=2.6,
            label="Waiting so far (active)",
        )
        right.plot(
            dx,
            dv["queue_wait_energized_12m_median_months"],
            color="#0072B2",
            lw=2.6,
            label="Request to power (energised, last 12 months)",
        )
    if compare is not None and len(compare.timeseries):
        cx = decimal_years(compare.timeseries["date"])
        left.plot(cx, compare.timeseries["queue_backlog_gw"], color="#0072B2", lw=1.6, ls="--")
        left.plot(cx, compare.timeseries["queue_load_backlog_gw"], color="#D55E00", lw=1.6, ls="--")
        cdv = compare.derived
        if len(cdv):
            cdx = decimal_years(cdv["date"])
            right.plot(
                cdx, cdv["queue_wait_active_median_months"], color="#D55E00", lw=1.6, ls="--"
            )
            right.plot(
                cdx, cdv["queue_wait_energized_12m_median_months"], color="#0072B2", lw=1.6, ls="--"
            )
    for ax in (left, right):
        set_time_axis(ax, record)
        ax.set_ylim(bottom=0)
    _label(left, "year", "GW waiting in queues", style)
    _label(right, "year", "months", style)
    _legend(left, style, loc="upper left")
    _legend(right, style, loc="upper left")
    return fig


# ---------------------------------------------------------------------- packs
def packs_chart(
    record: RunRecord,
    compare: RunRecord | None = None,
    compare_label: str = "comparison",
    style: ChartStyle = ANALYST,
) -> Figure:
    """Retired EV packs and where they went (GWh), and traded pack prices by grade ($/kWh)."""
    fig, (left, right) = _figure(style, 2)
    _title(
        fig,
        left,
        "Retired EV packs: where they went",
        style,
        _progress_subtitle(record, compare, compare_label),
    )
    _title(fig, right, "Storage prices by grade", style)
    ts = record.timeseries
    flows = (
        ("packs_retired_gwh_cum", "Retired (cumulative)", "#000000", "-"),
        ("packs_second_life_gwh_cum", "To second life (cumulative)", "#009E73", "-"),
        ("packs_recycled_gwh_cum", "Recycled (cumulative)", "#0072B2", "-"),
        ("packs_inventory_gwh", "Graded, in inventory", "#E69F00", ":"),
        ("packs_awaiting_test_gwh", "Waiting for testing", "#D55E00", ":"),
    )
    if len(ts):
        x = decimal_years(ts["date"])
        for col, label, colour, ls in flows:
            left.plot(x, ts[col], color=colour, lw=2.6, ls=ls, label=label)
        for grade, colour in GRADE_COLOURS.items():
            name = "new storage" if grade == "new" else f"second life, grade {grade}"
            right.plot(
                x,
                ts[f"pack_price_usd_per_kwh_{grade}"],
                color=colour,
                lw=2.4,
                marker=".",
                ms=4 * style.scale,
                label=name,
            )
    if compare is not None and len(compare.timeseries):
        cts = compare.timeseries
        cx = decimal_years(cts["date"])
        for col, _, colour, _ in flows[:3]:
            left.plot(cx, cts[col], color=colour, lw=1.5, ls="--")
        for grade, colour in GRADE_COLOURS.items():
            right.plot(cx, cts[f"pack_price_usd_per_kwh_{grade}"], color=colour, lw=1.4, ls="--")
    for ax in (left, right):
        set_time_axis(ax, record)
        ax.set_ylim(bottom=0)
    _label(left, "year", "GWh of pack capacity", style)
    _label(right, "year", "$/kWh (usable, clearing price)", style)
    _legend(left, style, loc="upper left")
    _legend(right, style, loc="upper right")
    return fig


# ---------------------------------------------------------------------- CO2
def co2_chart(
    record: RunRecord,
    counterfactual: RunRecord | None = None,
    compare: RunRecord | None = None,
    compare_label: str = "comparison",
    style: ChartStyle = ANALYST,
) -> Figure:
    """Cumulative CO2 of the AI load energised in the run, against the recycle-first counterfactual."""
    fig, (ax,) = _figure(style)
    same = counterfactual is not None and counterfactual.key == record.key
    subtitle = _progress_subtitle(record, compare, compare_label, "dotted")
    if counterfactual is None or (not same and not counterfactual.complete):
        done = counterfactual.months_done if counterfactual is not None else 0
        note = f"recycle-first counterfactual: computing ({done}/{record.months_total} months)"
        subtitle = f"{subtitle} | {note}" if subtitle else note
    _title(fig, ax, "Cumulative CO2 vs the recycle-first counterfactual", style, subtitle)
    ts = record.timeseries
    if len(ts):
        x = decimal_years(ts["date"])
        ax.plot(x, ts["co2_mt_cum"], color="#000000", lw=3.0, label="This run: total")
        ax.plot(x, ts["co2_operational_mt_cum"], color="#D55E00", lw=1.8, label="  operational")
        ax.plot(
            x,
            ts["co2_embodied_mt_cum"],
            color="#009E73",
            lw=1.8,
            label="  embodied (storage, solar)",
        )
    if counterfactual is not None and len(counterfactual.timeseries) and not same:
        cts = counterfactual.timeseries
        ax.plot(
            decimal_years(cts["date"]),
            cts["co2_mt_cum"],
            color="#CC79A7",
            lw=2.6,
            ls="--",
            label="Recycle-first counterfactual: total",
        )
    elif same:
        ax.text(
            0.02,
            0.6,
            "this run already routes recycle-first:\nit is its own counterfactual",
            transform=ax.transAxes,
            fontsize=style.fs(12),
            color="#444444",
        )
    if compare is not None and len(compare.timeseries):
        cts = compare.timeseries
        ax.plot(
            decimal_years(cts["date"]),
            cts["co2_mt_cum"],
            color="#666666",
            lw=2.0,
            ls=":",
            label=f"Total: {compare_label}",
        )
    set_time_axis(ax, record)
    ax.set_ylim(bottom=0)
    _label(ax, "year", "Mt CO2, cumulative", style)
    _legend(ax, style, loc="upper left")
    return fig


# ---------------------------------------------------------------------- map
def _cross(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """z of (a - o) x (b - o): > 0 for a left turn."""
    return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))


def _hull(points: np.ndarray) -> np.ndarray | None:
    """Convex hull of 2-D points (monotone chain), None for fewer than three distinct points."""
    pts = np.unique(points, axis=0)
    if len(pts) < 3:
        return None
    pts = pts[np.lexsort((pts[:, 1], pts[:, 0]))]

    def half(seq: np.ndarray) -> list[np.ndarray]:
        out: list[np.ndarray] = []
        for p in seq:
            while len(out) >= 2 and _cross(out[-2], out[-1], p) <= 0:
                out.pop()
            out.append(p)
        return out

    lower, upper = half(pts), half(pts[::-1])
    return np.array(lower[:-1] + upper[:-1])


def robust_range(values: np.ndarray) -> tuple[float, float]:
    """Colour range from the 5th to the 95th percentile, so a few scarcity prices do not wash out the rest."""
    lo, hi = (float(v) for v in np.percentile(values, [5, 95]))
    if hi - lo < 1.0:  # a flat map: show it as flat, not as noise in the fifth decimal
        mid = (lo + hi) / 2.0
        return mid - 1.0, mid + 1.0
    return lo, hi


def node_size(dc_mw: np.ndarray, base_pt2: float = 10.0) -> np.ndarray:
    """Marker area (pt^2) for a bus: area grows with the square root of its data-centre MW."""
    return base_pt2 + 420.0 * np.sqrt(np.clip(dc_mw, 0, None) / 5000.0)


def network_map(
    grid: GridLayout,
    state: MapState,
    colour_by: str = "wait",
    style: ChartStyle = ANALYST,
    title_prefix: str = "Grid",
) -> Figure:
    """Buses sized by data-centre MW and coloured by queue wait or price; lines shaded by loading."""
    fig = Figure(figsize=(style.width_in, style.height_in * 1.25), layout="constrained")
    ax = fig.subplots()
    ax.set_aspect("equal")
    ax.set_axis_off()
    what = (
        "median queue wait of data-centre requests"
        if colour_by == "wait"
        else "average price (LMP)"
    )
    fig.suptitle(
        f"{title_prefix} at {state.label}",
        fontsize=style.fs(17),
        fontweight="bold",
        x=0.01,
        ha="left",
    )
    ax.set_title(
        f"bus size: data-centre MW (all paths); colour: {what};\nline shade: loading at the peak hour",
        fontsize=style.fs(12),
        color="#444444",
        loc="left",
    )
    pts = np.column_stack([grid.x, grid.y])
    density = float(
        min(1.0, np.sqrt(200.0 / max(len(pts), 1)))
    )  # thinner lines, smaller dots on big grids
    for t in range(grid.n_territories):
        members = pts[grid.territory == t]
        hull = _hull(members)
        colour = TERRITORY_COLOURS[t % len(TERRITORY_COLOURS)]
        if hull is not None:
            ax.add_patch(
                Polygon(
                    hull,
                    closed=True,
                    facecolor=colour,
                    edgecolor=colour,
                    alpha=0.12,
                    lw=1.5,
                    zorder=0,
                )
            )
        if len(members):
            cx, cy = members.mean(axis=0)
            ax.text(
                cx,
                cy,
                f"utility {t + 1}",
                fontsize=style.fs(12),
                color="#222222",
                ha="center",
                va="center",
                zorder=5,
                fontweight="bold",
                bbox={
                    "boxstyle": "round,pad=0.2",
                    "facecolor": colour,
                    "alpha": 0.35,
                    "edgecolor": "none",
                },
            )
    segments = (
        np.stack([pts[grid.line_from], pts[grid.line_to]], axis=1)
        if len(grid.line_from)
        else np.zeros((0, 2, 2))
    )
    loading = np.clip(np.nan_to_num(state.line_loading, nan=0.0), 0.0, 1.2)
    lines = LineCollection(
        segments,
        cmap="Greys",
        norm=Normalize(0.0, 1.2),
        linewidths=(1.0 + 2.5 * loading) * density,
        zorder=2,
    )
    lines.set_array(loading)
    ax.add_collection(lines)
    values = state.wait_months if colour_by == "wait" else state.lmp_usd_per_mwh
    size = node_size(state.dc_mw, 10.0 * density)
    empty = ~np.isfinite(values)
    ax.scatter(
        grid.x[empty],
        grid.y[empty],
        s=size[empty] * style.scale,
        c="#DDDDDD",
        edgecolors="#777777",
        linewidths=0.6,
        zorder=3,
    )
    finite = ~empty
    cmap = "viridis_r" if colour_by == "wait" else "magma_r"
    shown = values[finite]
    norm = Normalize(*robust_range(shown)) if shown.size else None
    nodes = ax.scatter(
        grid.x[finite],
        grid.y[finite],
        s=size[finite] * style.scale,
        c=shown,
        cmap=cmap,
        norm=norm,
        edgecolors="#333333",
        linewidths=0.6,
        zorder=4,
    )
    if finite.any():
        bar = fig.colorbar(
            nodes,
            ax=ax,
            shrink=0.6,
            pad=0.01,
            extend="both",
            format=ScalarFormatter(useOffset=False),
        )
        bar.set_label(
            "months waiting (active requests)" if colour_by == "wait" else "$/MWh",
            fontsize=style.fs(13),
        )
        bar.ax.tick_params(labelsize=style.fs(11))
    lbar = fig.colorbar(lines, ax=ax, shrink=0.6, pad=0.01)
    lbar.set_label("line loading at peak (flow / rating)", fontsize=style.fs(13))
    lbar.ax.tick_params(labelsize=style.fs(11))
    legend_sizes = [(500.0, "500 MW"), (2000.0, "2 GW"), (5000.0, "5 GW")]
    handles = [
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            markersize=float(np.sqrt(node_size(np.array([mw]))[0] * style.scale)),
            markerfacecolor="white",
            markeredgecolor="#333333",
            label=label,
        )
        for mw, label in legend_sizes
    ]
    handles.append(
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            markersize=6,
            markerfacecolor="#DDDDDD",
            markeredgecolor="#777777",
            label="no request waiting" if colour_by == "wait" else "no price",
        )
    )
    ax.legend(
        handles=handles,
        title="data-centre MW",
        fontsize=style.fs(11),
        title_fontsize=style.fs(11),
        loc="lower left",
        frameon=True,
        framealpha=0.85,
        labelspacing=1.2,
    )
    ax.autoscale_view()
    return fig


CHARTS = ("energy", "time_to_power", "queue", "packs", "co2", "map")
