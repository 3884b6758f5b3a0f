"""The step-by-step view: Mesa's SolaraViz (Step, Play, Reset, model parameters) on the live model.

SolaraViz re-creates the model on Reset as `type(model)(**params)`; `ExploreModel`
(viz/explore_model.py) adapts that call to `PowerStackModel`, refuses bad input with a one-line
message instead of a traceback, and serialises `step()` so Play and "Run to the end" cannot
interleave. Each chart is redrawn only when its month changed (the map once a year).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import reacton.ipyvuetify as rv
import reacton.ipywidgets as ipw
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from abm.errors import InputError
from abm.metrics import month_label
from abm.runner import run_model
from viz import charts, exports
from viz.components import CSS, Html, KpiGrid, pretty_name
from viz.explore_model import SEED_TEXT, ExploreModel, model_params
from viz.kpis import WORKSHOP_KPIS, cards
from viz.runs import RunRecord, record_of
from viz.state import from_query, resolve_config

# SolaraViz's sliders show their value only while dragged; keep it on show beside each slider
EXPLORE_CSS = """
.v-slider__thumb-label-container { display: block !important; }
.v-slider__thumb-label { transform: translateY(-20%) translateY(-12px) translateX(-50%) rotate(45deg) !important; }
.v-input__slider { margin-top: 28px; }
.ps-live-hidden img { display: none; }
"""


def live_record(model: ExploreModel) -> RunRecord:
    """The model's state so far in the shape the dashboard charts draw (one per month shown).

    Every chart of a page draws from the same record, so it is made once per month, not once
    per chart.
    """
    key = (model.month, model.running)
    cached = model.live_cache
    if cached is not None and cached[0] == key:
        return cached[1]
    with model.step_lock:  # Play steps in a thread of its own: read between two months
        kpis = model.recorder.kpis() if not model.running and model.step_error is None else None
        record = record_of(f"explore-{id(model)}", model.config, model, model.app_series, kpis)
    model.live_cache = (key, record)
    return record


# ---------------------------------------------------------------------- components shown by SolaraViz
@solara.component
def SeedField(model: ExploreModel) -> None:
    """The seed, kept as typed: every keystroke is stored, so no redraw can reset the field.

    SolaraViz's InputText keeps the typed text only in the browser until Enter; a redraw that
    landed meanwhile put the old seed back. Reset reads the text from the model's `memory`.
    """
    memory = model.memory
    text, set_text = solara.use_state(str(memory.get(SEED_TEXT, model.config.run.seed)))

    def on_text(value: str) -> None:
        memory[SEED_TEXT] = value
        set_text(value)

    solara.InputText(
        "Seed (whole number)",
        value=text,
        on_value=on_text,
        continuous_update=True,
        message="Press Reset to run with it.",
    )


@solara.component
def RunToEnd(model: ExploreModel) -> None:
    """'Run to the end' in a worker thread with a Stop button; the charts refresh about once a second."""
    update_counter.get()
    running, set_running = solara.use_state(False)
    stop = solara.use_memo(threading.Event, [model])

    def work() -> None:
        last = time.perf_counter()

        def redraw(_model: ExploreModel) -> None:
            nonlocal last
            if time.perf_counter() - last > 1.0:
                force_update()
                last = time.perf_counter()

        try:
            run_model(model, redraw, stop.is_set)
        finally:
            set_running(False)
            force_update()

    def start() -> None:
        stop.clear()
        set_running(True)
        threading.Thread(target=work, name="explore-run-to-end", daemon=True).start()

    months = model.config.run.months
    done = model.month + 1
    with solara.Card("Run"):
        SeedField(model)
        if model.input_error:
            solara.Error(model.input_error, classes=["ps-input-error"])
        if model.step_error:
            solara.Error(
                f"The model stopped with an error: {model.step_error}. Press Reset to start again.",
                classes=["ps-step-error"],
            )
        with solara.Row(style={"gap": "8px", "align-items": "center"}):
            solara.Button(
                "Run to the end",
                on_click=start,
                color="primary",
                disabled=running or not model.running,
                icon_name="mdi-fast-forward",
            )
            solara.Button(
                "Stop", on_click=stop.set, disabled=not running, outlined=True, icon_name="mdi-stop"
            )
        if done <= 0:
            text = f"{pretty_name(model.config.name)}: not started ({months} months to run)."
        elif model.running:
            text = (
                f"{pretty_name(model.config.name)}: {month_label(model)}, month {done} of {months}"
                + (" (running...)" if running else ".")
            )
        else:
            text = f"Finished: {pretty_name(model.config.name)}, {months} months."
        Html("div", text, "ps-status")
        if running:
            solara.ProgressLinear(value=100.0 * done / max(months, 1))


def _figure(record: RunRecord, tab: str) -> Any:
    """One dashboard chart of the live record (the map: its latest yearly snapshot)."""
    if tab == "map":
        return charts.network_map(record.grid, record.maps[-1], "wait", charts.COMPACT)
    if tab == "co2":
        return charts.co2_chart(record, None, None, style=charts.COMPACT)
    builders = {
        "energy": charts.energy_chart,
        "queue": charts.queue_chart,
        "packs": charts.packs_chart,
        "time_to_power": charts.time_to_power_chart,
    }
    return builders[tab](record, style=charts.COMPACT)


def _chart_version(model: ExploreModel, tab: str) -> tuple[int, int]:
    """What one chart shows: the month (the map: its number of yearly snapshots)."""
    return (id(model), len(model.app_series.maps) if tab == "map" else model.month)


@solara.component
def LiveChart(model: ExploreModel, tab: str) -> None:
    """One chart, drawn by its own thread at the newest month whenever what it shows changed.

    Latest wins: during Play the model moves on while a chart draws (0.3-1 s each), so a draw
    per month piled up stale drawings that took the model's time under the GIL (about one
    month a second). The drawer skips the months it missed and draws the last one at the end.
    """
    update_counter.get()
    drawn, set_drawn = solara.use_state((0, 0, b""))  # (model id, months done, SVG bytes)
    wake = solara.use_memo(threading.Event, [])
    wake.set()  # each render: the model may have moved on

    def drawer(cancel: threading.Event) -> None:
        shown = None
        while not cancel.is_set():
            if not wake.wait(0.5):
                continue
            wake.clear()
            version = _chart_version(model, tab)
            if version == shown:
                continue
            record = live_record(model)
            if tab == "map" and not record.maps:
                continue
            try:
                image = exports.figure_bytes(_figure(record, tab), "svg")
            except Exception:
                if cancel.is_set():  # the page closed mid-drawing: its rcParams went with it
                    return
                raise
            if not cancel.is_set():
                shown = version
                set_drawn((id(model), record.months_done, image))

    solara.use_thread(drawer, dependencies=[id(model), tab], intrusive_cancel=False)
    model_id, months_done, image = drawn
    waiting = tab == "map" and model.month < 0
    current = model_id == id(model)
    # One fixed tree (the image, once drawn, is only updated, never removed and re-added): a
    # widget closed and re-created between two quick redraws (Play, Reset) made the browser ask
    # for a model the server had already closed ("widget model not found"). The class says which
    # month is on show (the browser tests and the screenshots wait for it).
    classes = f"ps-live ps-live-{tab} ps-live-drawn-{months_done if current else 0}"
    with rv.Html(tag="div", class_=classes + (" ps-live-hidden" if waiting else "")):
        Html(
            "div",
            "The map appears after the first month (press Step)." if waiting else "",
            "ps-status",
        )
        if image:
            ipw.Image(value=image, format="svg+xml")


def EnergyView(model: ExploreModel) -> solara.Element:
    """Energised MW by path vs demand (live)."""
    return LiveChart(model, "energy")


def QueueView(model: ExploreModel) -> solara.Element:
    """Queue backlog and waits (live)."""
    return LiveChart(model, "queue")


def PacksView(model: ExploreModel) -> solara.Element:
    """Pack flows and prices (live)."""
    return LiveChart(model, "packs")


def MapView(model: ExploreModel) -> solara.Element:
    """Network map at the latest December (live)."""
    return LiveChart(model, "map")


def TimeToPowerView(model: ExploreModel) -> solara.Element:
    """Time to power by path (live)."""
    return LiveChart(model, "time_to_power")


def Co2View(model: ExploreModel) -> solara.Element:
    """Cumulative CO2 (live; the counterfactual is on the dashboard)."""
    return LiveChart(model, "co2")


@solara.component
def KpiView(model: ExploreModel) -> None:
    """KPI cards once the run has finished."""
    update_counter.get()
    if model.step_error:
        return
    if model.running:
        Html(
            "div",
            "KPIs appear when the run reaches its last month (Play, or Run to the end).",
            "ps-status",
        )
        return
    KpiGrid(cards(live_record(model).kpis, keys=WORKSHOP_KPIS), None)


@solara.component
def Explore() -> None:
    """SolaraViz page on the settings in the URL (the dashboard links here with its own query)."""
    router = solara.use_router()
    settings, link_errors = solara.use_memo(lambda: from_query(router.search), [router.search])

    def build() -> tuple[Any, Any, str | None]:
        try:
            cfg = resolve_config(settings)
        except InputError as exc:
            return None, None, str(exc)
        params = model_params(settings, cfg)
        kwargs = {
            k: (v["value"] if isinstance(v, dict) and "type" in v else v) for k, v in params.items()
        }
        return ExploreModel(**kwargs), params, None

    model0, params, error = solara.use_memo(build, [settings])
    model = solara.use_reactive(model0)
    solara.Style(CSS + EXPLORE_CSS)
    for message in link_errors:
        solara.Warning(message)
    if error is not None or model.value is None:
        solara.Error(f"{error}. Open the dashboard to pick valid settings.")
        return
    SolaraViz(
        model,
        components=[
            (RunToEnd, 0),
            (KpiView, 0),
            (EnergyView, 0),
            (MapView, 0),
            (QueueView, 1),
            (PacksView, 1),
            (TimeToPowerView, 1),
            (Co2View, 1),
        ],
        model_params=params,
        name="AI power stack: step by step",
        play_interval=10,
        use_threads=True,  # the model steps while the charts draw: Play shows a year in seconds
    )
