"""The step-by-step view: Mesa's SolaraViz (Step, Play, Reset, model parameters) on the live model.

SolaraViz re-creates the model on Reset as `type(model)(**params)` and passes a Mesa
`Scenario` along; `ExploreModel` adapts that call to `PowerStackModel`, keeps the extra monthly
series the charts need, and serialises `step()` so Play and "Run to the end" cannot interleave.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from abm.errors import InputError
from abm.metrics import AppSeries, month_label
from abm.model import PowerStackModel
from abm.runner import run_model
from abm.scenario import config_with, list_scenarios, load_scenario
from viz import charts
from viz.components import CSS, Html, KpiGrid, pretty_name
from viz.kpis import WORKSHOP_KPIS, cards
from viz.levers import BIG_LEVERS, config_value
from viz.runs import RunRecord, record_of
from viz.state import ViewSettings, from_query, resolve_config

LEVER_PARAM = {lever.key: lever.key.replace(".", "__") for lever in BIG_LEVERS}


class ExploreModel(PowerStackModel):
    """PowerStackModel built from SolaraViz's parameters: scenario name, seed and lever values.

    `base_overrides` are the settings the page was opened with (the dashboard's link); a lever
    moved away from its starting value (`untouched`) overrides them. Levers left alone keep the
    chosen scenario's values plus the link's overrides.
    """

    def __init__(
        self,
        scenario_name: str = "baseline",
        seed: int | str | None = None,
        base_overrides: dict[str, Any] | None = None,
        untouched: dict[str, Any] | None = None,
        scenario: Any = None,
        **levers: Any,
    ) -> None:
        del scenario  # SolaraViz passes an empty mesa Scenario on Reset; the config is ours
        overrides = dict(base_overrides or {})
        for key, param in LEVER_PARAM.items():
            if param in levers and (untouched is None or levers[param] != untouched.get(param)):
                overrides[key] = levers[param]
        unknown = set(levers) - set(LEVER_PARAM.values())
        if unknown:
            raise InputError(f"explore: unknown parameters {sorted(unknown)}")
        cfg = load_scenario(scenario_name, overrides, check_grid=True, untrusted=True)
        if seed not in (None, ""):
            try:
                value = int(str(seed).strip())
            except ValueError:
                raise InputError(f"seed = {seed!r}; expected a whole number") from None
            cfg = config_with(cfg, {"run.seed": value}, "seed")
        super().__init__(cfg)
        self.app_series = AppSeries.of(self)
        self._step_lock = threading.Lock()

    def step(self) -> None:
        """One month (ignored once the run has ended), plus the app's extra series."""
        with self._step_lock:
            if not self.running:
                return
            super().step()
            self.app_series.observe(self)


def live_record(model: ExploreModel) -> RunRecord:
    """The model's state so far in the shape the dashboard charts draw."""
    kpis = model.recorder.kpis() if not model.running else None
    return record_of(f"explore-{id(model)}", model.config, model, model.app_series, kpis)


def model_params(settings: ViewSettings, cfg: Any) -> dict[str, Any]:
    """SolaraViz parameters: scenario, seed and the big levers, starting at `cfg`'s values."""
    names = [n for n, _ in list_scenarios()]
    params: dict[str, Any] = {
        "scenario_name": {
            "type": "Select",
            "value": settings.scenario if settings.scenario in names else names[0],
            "values": names,
            "label": "Scenario",
        },
        "seed": {"type": "InputText", "value": str(cfg.run.seed), "label": "Seed"},
    }
    untouched: dict[str, Any] = {}
    for lever in BIG_LEVERS:
        param = LEVER_PARAM[lever.key]
        value = config_value(cfg, lever.key)
        untouched[param] = value
        if lever.kind == "choice":
            params[param] = {
                "type": "Select",
                "value": value,
                "values": list(lever.choices),
                "label": lever.label,
            }
        elif lever.kind == "bool":
            params[param] = {"type": "Checkbox", "value": value, "label": lever.label}
        else:
            lo, hi = lever.span_for(value)
            params[param] = {
                "type": "SliderFloat",
                "value": float(value),
                "min": lo,
                "max": hi,
                "step": lever.step,
                "label": lever.label,
            }
    params["base_overrides"] = settings.overrides_dict
    params["untouched"] = untouched
    return params


# ---------------------------------------------------------------------- components shown by SolaraViz
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


def _chart(model: ExploreModel, tab: str) -> solara.Element:
    """One dashboard chart of the live model."""
    record = live_record(model)
    if tab == "map":
        state = record.maps[-1] if record.maps else None
        if state is None:
            return Html("div", "The map appears after the first month (press Step).", "ps-status")
        return solara.FigureMatplotlib(
            charts.network_map(record.grid, state, "wait", charts.COMPACT), format="svg"
        )
    builders = {
        "energy": charts.energy_chart,
        "queue": charts.queue_chart,
        "packs": charts.packs_chart,
        "time_to_power": charts.time_to_power_chart,
    }
    if tab == "co2":
        return solara.FigureMatplotlib(
            charts.co2_chart(record, None, None, style=charts.COMPACT), format="svg"
        )
    return solara.FigureMatplotlib(builders[tab](record, style=charts.COMPACT), format="svg")


def EnergyView(model: ExploreModel) -> solara.Element:
    """Energised MW by path vs demand (live)."""
    return _chart(model, "energy")


def QueueView(model: ExploreModel) -> solara.Element:
    """Queue backlog and waits (live)."""
    return _chart(model, "queue")


def PacksView(model: ExploreModel) -> solara.Element:
    """Pack flows and prices (live)."""
    return _chart(model, "packs")


def MapView(model: ExploreModel) -> solara.Element:
    """Network map at the current month (live)."""
    return _chart(model, "map")


def TimeToPowerView(model: ExploreModel) -> solara.Element:
    """Time to power by path (live)."""
    return _chart(model, "time_to_power")


def Co2View(model: ExploreModel) -> solara.Element:
    """Cumulative CO2 (live; the counterfactual is on the dashboard)."""
    return _chart(model, "co2")


@solara.component
def KpiView(model: ExploreModel) -> None:
    """KPI cards once the run has finished."""
    update_counter.get()
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
    solara.Style(CSS)
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
        play_interval=50,
    )
