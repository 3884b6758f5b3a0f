"""Interactive time-series charts (hover values, zoom, legend toggles) that work offline.

Bokeh draws them; its JavaScript ships inside the bokeh wheel and is inlined into the page
(`bokeh.resources.INLINE`), so no request leaves the machine. The page shows the result in
an iframe (`srcdoc`). The static matplotlib charts stay: they are the PNG/SVG exports.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from bokeh.embed import file_html
from bokeh.models import ColumnDataSource, HoverTool
from bokeh.plotting import figure
from bokeh.resources import INLINE

from viz.charts.frame import PATH_COLOURS, PATH_LABELS, decimal_years, energised_paths
from viz.runs import RunRecord

INTERACTIVE_TABS = ("energy", "queue", "co2")
Line = tuple[str, str, str, float]  # column, label, colour, scale (to the chart's unit)


def _lines(tab: str, frame: pd.DataFrame) -> tuple[str, list[Line]]:
    """The y-axis label and the lines one tab draws from a monthly table."""
    if tab == "energy":
        lines = [("existing_mw", "Existing in 2025", "#888888", 1e-3)]
        lines += [
            (f"energized_mw_{p}", PATH_LABELS[p], PATH_COLOURS[p], 1e-3)
            for p in energised_paths(frame)
        ]
        lines.append(("ai_demand_mw", "AI demand", "#000000", 1e-3))
        return "GW of data-centre load (facility)", lines
    if tab == "queue":
        return "GW waiting in queues", [
            ("queue_backlog_gw", "All requests", "#0072B2", 1.0),
            ("queue_load_backlog_gw", "Data-centre loads", "#D55E00", 1.0),
        ]
    if tab == "co2":
        return "Mt CO2, cumulative", [
            ("co2_mt_cum", "Total", "#000000", 1.0),
            ("co2_operational_mt_cum", "Operational", "#D55E00", 1.0),
            ("co2_embodied_mt_cum", "Embodied", "#009E73", 1.0),
        ]
    raise ValueError(f"no interactive chart for {tab!r}; expected one of {INTERACTIVE_TABS}")


def _add(fig: figure, frame: pd.DataFrame, lines: Sequence[Line], suffix: str, dash: str) -> None:
    """One run's lines, each with its hover tool (month and value)."""
    x = decimal_years(frame["date"])
    for column, label, colour, scale in lines:
        if column not in frame.columns:
            continue
        name = label + suffix
        source = ColumnDataSource(
            {
                "x": x,
                "y": frame[column].to_numpy(dtype=float) * scale,
                "month": frame["date"].astype(str),
            }
        )
        renderer = fig.line(
            "x",
            "y",
            source=source,
            color=colour,
            line_width=2.5,
            line_dash=dash,
            legend_label=name,
            name=name,
        )
        fig.add_tools(
            HoverTool(
                renderers=[renderer],
                tooltips=[("", name), ("month", "@month"), ("value", "@y{0,0.0}")],
            )
        )


def interactive_html(
    tab: str, record: RunRecord, compare: RunRecord | None = None, compare_label: str = "comparison"
) -> str:
    """A stand-alone HTML page of one tab's chart, BokehJS inlined (no network)."""
    ylabel, lines = _lines(tab, record.timeseries)
    fig = figure(
        height=430,
        sizing_mode="stretch_width",
        tools="pan,wheel_zoom,box_zoom,reset,save",
        active_scroll="wheel_zoom",
        x_axis_label="year",
        y_axis_label=ylabel,
        title=f"{record.config.name}: hover for values, scroll to zoom, click the legend to hide a line",
    )
    _add(fig, record.timeseries, lines, "", "solid")
    if compare is not None and len(compare.timeseries):
        _add(fig, compare.timeseries, lines, f" ({compare_label})", "dashed")
    fig.legend.click_policy = "hide"
    fig.legend.location = "top_left"
    fig.y_range.start = 0 if np.isfinite(0) else None
    return file_html(fig, INLINE, title=f"{tab} chart")
