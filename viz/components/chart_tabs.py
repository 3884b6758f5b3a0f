"""The chart tabs: selector buttons, map controls, the selected chart and its downloads."""

from __future__ import annotations

from collections.abc import Callable

import reacton.ipyvuetify as rv
import reacton.ipywidgets as ipw
import solara
from matplotlib.figure import Figure

from viz import charts, exports
from viz.charts.bands import NO_BANDS, Bands
from viz.charts.interactive import INTERACTIVE_TABS, interactive_html
from viz.components.base import Html
from viz.components.download import Download
from viz.components.drawing import use_drawn
from viz.runs import RunRecord
from viz.state import TAB_LABELS, TABS


def build_chart(
    tab: str,
    record: RunRecord,
    compare: RunRecord | None,
    compare_label: str,
    counterfactual: RunRecord | None,
    style: charts.ChartStyle,
    map_colour: str = "wait",
    map_index: int = -1,
    bands: Bands = NO_BANDS,
) -> Figure:
    """The figure of one chart tab (`bands`: the ensemble's median and range, where drawn)."""
    if tab == "energy":
        return charts.energy_chart(record, compare, compare_label, style, bands)
    if tab == "time_to_power":
        return charts.time_to_power_chart(record, compare, compare_label, style)
    if tab == "queue":
        return charts.queue_chart(record, compare, compare_label, style, bands)
    if tab == "packs":
        return charts.packs_chart(record, compare, compare_label, style)
    if tab == "co2":
        return charts.co2_chart(record, counterfactual, compare, compare_label, style, bands)
    if tab == "map":
        state = record.maps[map_index if -len(record.maps) <= map_index < len(record.maps) else -1]
        return charts.network_map(record.grid, state, map_colour, style)
    raise ValueError(f"unknown chart {tab!r}; expected one of {', '.join(TABS)}")


def _bands_note(bands: Bands) -> str:
    """What the chart's dash-dot lines and shaded bands are."""
    shown, compare = bands.version
    sides = f"{shown} seeds of this run" + (f", {compare} of the comparison" if compare else "")
    return f"Dash-dot lines and shaded bands: median and range over {sides} (of {bands.n})."


def _version(rec: RunRecord | None) -> tuple[str, int, bool] | None:
    """What identifies a record's drawing state (run, months so far, stopped by a Cancel)."""
    return None if rec is None else (rec.key, rec.months_done, rec.stopped)


def _tab_buttons(tab: str, on_tab: Callable[[str], None]) -> None:
    """One button per chart; the selected one filled."""
    with solara.Row(style={"flex-wrap": "wrap", "gap": "6px"}):
        for name in TABS:
            solara.Button(
                TAB_LABELS[name],
                on_click=lambda n=name: on_tab(n),
                color="primary" if name == tab else None,
                outlined=name != tab,
                classes=[f"ps-tab-{name}"],
            )


def _map_controls(
    record: RunRecord,
    map_colour: str,
    on_map_colour: Callable[[str], None],
    map_index: int,
    set_map_index: Callable[[int], None],
) -> None:
    """The map's colour toggle and, once there are several snapshots, the month slider."""
    with solara.Row(style={"align-items": "center", "gap": "16px"}):
        rv.BtnToggle(
            v_model=map_colour,
            on_v_model=lambda value: on_map_colour(value) if value else None,
            mandatory=True,
            children=[
                rv.Btn(value="wait", children=["Colour: queue wait"]),
                rv.Btn(value="lmp", children=["Colour: price (LMP)"]),
            ],
        )
        labels = [m.label for m in record.maps]
        if len(labels) > 1:
            index = map_index if -len(labels) <= map_index < len(labels) else -1
            solara.SliderInt(
                "Month shown",
                value=index % len(labels),
                min=0,
                max=len(labels) - 1,
                on_value=lambda i: set_map_index(-1 if i == len(labels) - 1 else i),
                tick_labels=False,
            )
            Html("span", labels[index], "ps-status")


def _downloads(make: Callable[[], Figure], stem: str, stamp: str) -> None:
    """PNG and SVG downloads of the chart, stamped with `stamp` (`stem`: the file name without extension)."""
    with solara.Row(style={"gap": "8px"}):
        for fmt in ("png", "svg"):
            Download(
                lambda fmt=fmt: exports.figure_bytes(make(), fmt, stamp),
                f"{stem}.{fmt}",
                f"Chart as {fmt.upper()}",
                exports.MIME[fmt],
            )


@solara.component
def InteractiveChart(
    tab: str, record: RunRecord, compare: RunRecord | None, compare_label: str
) -> None:
    """The tab's chart in Bokeh (BokehJS inlined from the wheel), redrawn when a run ends.

    A growing run is not redrawn month by month: each page carries BokehJS (about 1.4 MB).
    """
    versions = [tab, record.key, record.complete, compare.key if compare else None, compare_label]
    html = solara.use_memo(lambda: interactive_html(tab, record, compare, compare_label), versions)
    if not record.complete:
        Html("div", "Drawn at the month shown; redrawn when the run ends.", "ps-note")
    rv.Html(
        tag="iframe",
        attributes={"srcdoc": html, "title": "interactive chart"},
        style_="width: 100%; height: 480px; border: 0;",
        class_=f"ps-interactive ps-interactive-{tab}",
    )


@solara.component
def ChartTabs(
    tab: str,
    on_tab: Callable[[str], None],
    record: RunRecord,
    compare: RunRecord | None,
    compare_label: str,
    counterfactual: RunRecord | None,
    style: charts.ChartStyle,
    map_colour: str,
    on_map_colour: Callable[[str], None],
    downloads: bool = True,
    file_stem: str = "",
    stamp: str = "",
    bands: Bands = NO_BANDS,
) -> None:
    """Chart selector buttons, the selected chart (only it is drawn), and PNG/SVG downloads."""
    _tab_buttons(tab, on_tab)
    map_index, set_map_index = solara.use_state(-1)
    if tab == "map":
        _map_controls(record, map_colour, on_map_colour, map_index, set_map_index)
    deps = [
        tab,
        _version(record),
        _version(compare),
        compare_label,
        _version(counterfactual) if tab == "co2" else None,  # only the CO2 chart draws it
        style,
        map_colour,
        map_index,
        bands.version if tab in ("energy", "queue", "co2") else None,
    ]

    def make() -> Figure:
        return build_chart(
            tab, record, compare, compare_label, counterfactual, style, map_colour, map_index, bands
        )

    live, set_live = solara.use_state(False)
    shows_live = live and tab in INTERACTIVE_TABS
    image = use_drawn(lambda: None if shows_live else make(), [*deps, shows_live])
    if tab in INTERACTIVE_TABS:
        solara.Button(
            "Static chart" if live else "Interactive chart (hover, zoom, legend)",
            on_click=lambda: set_live(not live),
            text=True,
            icon_name="mdi-chart-line" if not live else "mdi-image",
            classes=["ps-interactive-toggle"],
        )
    if shows_live:
        InteractiveChart(tab, record, compare, compare_label)
    else:
        with rv.Html(tag="div", class_=f"ps-chart ps-chart-{tab}"):
            if image is not None:
                ipw.Image(value=image, format="svg+xml")
    # always there (maybe empty): a new element before the downloads would remount them
    banded = not shows_live and tab in ("energy", "queue", "co2") and max(bands.version) >= 2
    Html("div", _bands_note(bands) if banded else "", "ps-note ps-chart-bands" if banded else "")
    if downloads:
        name = tab if tab != "map" else f"map-{map_colour}"
        _downloads(make, f"{file_stem or record.config.name}-{record.key[:6]}-{name}", stamp)
