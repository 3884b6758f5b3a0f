"""The grid map: buses sized by data-centre MW and coloured by queue wait or price, lines by loading."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.ticker import ScalarFormatter

from abm.metrics import GridLayout, MapState
from viz.charts.frame import ANALYST, NOTE_COLOUR, TERRITORY_COLOURS, ChartStyle
from viz.charts.hull import convex_hull

MAX_LOADING = 1.2  # line shading saturates at 120 % of the rating
NO_VALUE_FACE, NO_VALUE_EDGE = "#DDDDDD", "#777777"
BUS_EDGE = "#333333"
LEGEND_SIZES = ((500.0, "500 MW"), (2000.0, "2 GW"), (5000.0, "5 GW"))
#: colour_by -> (what the colour means, colour map, colour bar label, grey-dot legend label)
COLOURINGS = {
    "wait": (
        "median queue wait of data-centre requests",
        "viridis_r",
        "months waiting (active requests)",
        "no request waiting",
    ),
    "lmp": ("average price (LMP)", "magma_r", "$/MWh", "no price"),
}


def colouring(colour_by: str) -> tuple[str, str, str, str]:
    """How buses are coloured: by queue wait ("wait") or else by price."""
    return COLOURINGS["wait" if colour_by == "wait" else "lmp"]


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


def _draw_territories(ax: Axes, grid: GridLayout, pts: np.ndarray, style: ChartStyle) -> None:
    """Each utility's territory as a tinted hull with its name at the centre."""
    for t in range(grid.n_territories):
        members = pts[grid.territory == t]
        hull = convex_hull(members)
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


def _draw_lines(
    ax: Axes, grid: GridLayout, state: MapState, pts: np.ndarray, density: float
) -> LineCollection:
    """Transmission lines, darker and wider with their loading at the peak hour."""
    segments = (
        np.stack([pts[grid.line_from], pts[grid.line_to]], axis=1)
        if len(grid.line_from)
        else np.zeros((0, 2, 2))
    )
    loading = np.clip(np.nan_to_num(state.line_loading, nan=0.0), 0.0, MAX_LOADING)
    lines = LineCollection(
        segments,
        cmap="Greys",
        norm=Normalize(0.0, MAX_LOADING),
        linewidths=(1.0 + 2.5 * loading) * density,
        zorder=2,
    )
    lines.set_array(loading)
    ax.add_collection(lines)
    return lines


def _draw_buses(
    ax: Axes, grid: GridLayout, state: MapState, colour_by: str, style: ChartStyle, density: float
) -> tuple[PathCollection, bool]:
    """Buses without a value grey, the others coloured; returns the coloured ones and if any."""
    values = state.wait_months if colour_by == "wait" else state.lmp_usd_per_mwh
    size = node_size(state.dc_mw, 10.0 * density) * style.scale
    empty = ~np.isfinite(values)
    ax.scatter(
        grid.x[empty],
        grid.y[empty],
        s=size[empty],
        c=NO_VALUE_FACE,
        edgecolors=NO_VALUE_EDGE,
        linewidths=0.6,
        zorder=3,
    )
    finite = ~empty
    shown = values[finite]
    nodes = ax.scatter(
        grid.x[finite],
        grid.y[finite],
        s=size[finite],
        c=shown,
        cmap=colouring(colour_by)[1],
        norm=Normalize(*robust_range(shown)) if shown.size else None,
        edgecolors=BUS_EDGE,
        linewidths=0.6,
        zorder=4,
    )
    return nodes, bool(finite.any())


def _colour_bars(
    fig: Figure,
    ax: Axes,
    nodes: PathCollection | None,
    lines: LineCollection,
    colour_by: str,
    style: ChartStyle,
) -> None:
    """Colour bars of the bus values (when any bus has one) and of the line loading."""
    if nodes is not None:
        bar = fig.colorbar(
            nodes,
            ax=ax,
            shrink=0.6,
            pad=0.01,
            extend="both",
            format=ScalarFormatter(useOffset=False),
        )
        bar.set_label(colouring(colour_by)[2], fontsize=style.fs(13))
        bar.ax.tick_params(labelsize=style.fs(11))
    lbar = fig.colorbar(lines, ax=ax, shrink=0.6, pad=0.01)
    lbar.set_label("line loading at peak (flow / rating)", fontsize=style.fs(13))
    lbar.ax.tick_params(labelsize=style.fs(11))


def _size_legend(ax: Axes, colour_by: str, style: ChartStyle) -> None:
    """What bus sizes mean, and what a grey bus means."""

    def dot(size_pt: float, face: str, edge: str, label: str) -> Line2D:
        return Line2D(
            [],
            [],
            ls="",
            marker="o",
            markersize=size_pt,
            markerfacecolor=face,
            markeredgecolor=edge,
            label=label,
        )

    handles = [
        dot(float(np.sqrt(node_size(np.array([mw]))[0] * style.scale)), "white", BUS_EDGE, label)
        for mw, label in LEGEND_SIZES
    ]
    handles.append(dot(6, NO_VALUE_FACE, NO_VALUE_EDGE, colouring(colour_by)[3]))
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
    fig.suptitle(
        f"{title_prefix} at {state.label}",
        fontsize=style.fs(17),
        fontweight="bold",
        x=0.01,
        ha="left",
    )
    ax.set_title(
        f"bus size: data-centre MW (all paths); colour: {colouring(colour_by)[0]};\n"
        "line shade: loading at the peak hour",
        fontsize=style.fs(12),
        color=NOTE_COLOUR,
        loc="left",
    )
    pts = np.column_stack([grid.x, grid.y])
    density = float(min(1.0, np.sqrt(200.0 / max(len(pts), 1))))  # thinner on big grids
    _draw_territories(ax, grid, pts, style)
    lines = _draw_lines(ax, grid, state, pts, density)
    nodes, coloured = _draw_buses(ax, grid, state, colour_by, style, density)
    _colour_bars(fig, ax, nodes if coloured else None, lines, colour_by, style)
    _size_legend(ax, colour_by, style)
    ax.autoscale_view()
    return fig
