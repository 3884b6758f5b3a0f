"""Solara components of the dashboard: levers, scenario picker, story, run status, KPI cards, charts, exports.

No `solara.Markdown` on purpose: it loads KaTeX from a public CDN, which fails offline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import reacton.ipyvuetify as rv
import solara
from matplotlib.figure import Figure

from abm.schema import ScenarioConfig
from viz import charts, exports
from viz.kpis import KpiCard
from viz.levers import CHOICE_LABELS, Lever, format_value, snap
from viz.runs import CANCELLED, DONE, ENGINE, FAILED, PAUSED, QUEUED, RUNNING, RunJob, RunRecord
from viz.state import TAB_LABELS, TABS, public_message

CSS = """
.ps-story { font-size: 1.05rem; line-height: 1.5; max-width: 70em; margin: 0 0 0.5em 0; }
.ps-title { font-size: 1.7rem; font-weight: 700; margin: 0.2em 0 0.3em 0; }
.ps-changed { font-size: 0.95rem; color: #8a4b00; margin: 0 0 0.6em 0; }
.ps-kpi { padding: 10px 14px; min-width: 12.5em; flex: 1 1 12.5em; border-radius: 6px; }
.ps-kpi-label { font-size: 0.9rem; color: #444; }
.ps-kpi-value { font-size: 1.9rem; font-weight: 700; line-height: 1.2; }
.ps-kpi-unit { font-size: 1rem; font-weight: 400; color: #555; margin-left: 0.25em; }
.ps-kpi-delta { font-size: 0.95rem; }
.ps-better { color: #00734d; }
.ps-worse { color: #b23c00; }
.ps-same, .ps-none { color: #666; }
.ps-lever-label { font-size: 0.95rem; font-weight: 600; margin-top: 6px; }
.ps-lever-value { font-weight: 400; color: #0b5394; }
.ps-status { font-size: 1rem; }
.ps-workshop .ps-story { font-size: 1.55rem; line-height: 1.45; }
.ps-workshop .ps-title { font-size: 2.4rem; }
.ps-workshop .ps-kpi-label { font-size: 1.25rem; }
.ps-workshop .ps-kpi-value { font-size: 3rem; }
.ps-workshop .ps-kpi-unit { font-size: 1.4rem; }
.ps-workshop .ps-kpi-delta { font-size: 1.3rem; }
.ps-workshop .ps-lever-label { font-size: 1.3rem; }
.ps-workshop .ps-status { font-size: 1.3rem; }
.ps-workshop .v-btn { font-size: 1.05rem; }
.ps-workshop .v-select__selection { font-size: 1.25rem; }
"""


def pretty_name(name: str) -> str:
    """'queue_reform' -> 'Queue reform'."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@solara.component
def Html(tag: str, text: str, classes: str = "") -> None:
    """One element of plain text (escaped by the front end), with CSS classes."""
    rv.Html(tag=tag, children=[text], class_=classes)


# ---------------------------------------------------------------------- watching jobs
def use_job_watch(
    jobs: list[RunJob | None], quiet: tuple[RunJob | None, ...] = (), min_interval_s: float = 0.8
) -> int:
    """Re-render when one of `jobs` publishes progress (at most every `min_interval_s`, at once when one ends).

    `quiet` jobs only cause a re-render when they end: their partial results are not on show,
    and every redraw costs the model time under the GIL.
    """
    tick, set_tick = solara.use_state(0)
    live = [j for j in (*jobs, *quiet) if j is not None]
    quiet_ids = {id(j) for j in quiet if j is not None} - {id(j) for j in jobs if j is not None}
    rendered = {id(j): (j.version, j.done) for j in live}

    def watch(cancel: threading.Event) -> None:
        seen = {k: version for k, (version, _) in rendered.items()}
        finished = {k for k, (_, done) in rendered.items() if done}
        last = 0.0
        while not cancel.is_set():
            if not ENGINE.wait(live, seen, 0.25):
                if all(j.done for j in live):
                    return
                continue
            ended = {id(j) for j in live if j.done} - finished
            loud = any(seen[id(j)] != j.version for j in live if id(j) not in quiet_ids)
            if not ended and not loud:
                seen.update({id(j): j.version for j in live if id(j) in quiet_ids})
            elif ended or time.monotonic() - last >= min_interval_s:
                seen = {id(j): j.version for j in live}
                finished |= ended
                last = time.monotonic()
                set_tick(lambda t: t + 1)
            else:
                time.sleep(0.05)

    key = (tuple(id(j) for j in live), tuple(sorted(quiet_ids)))
    solara.use_thread(watch, dependencies=[key], intrusive_cancel=False)
    return tick


def use_run(cfg: ScenarioConfig | None, priority: int, restart: int = 0) -> RunJob | None:
    """Ask the engine for a run of `cfg` while this component shows it; let it go afterwards."""
    from viz.runs import config_key

    key = config_key(cfg) if cfg is not None else None
    job = solara.use_memo(
        lambda: ENGINE.submit(cfg, priority) if cfg is not None else None, [key, priority, restart]
    )

    def hold() -> Callable[[], None]:
        return lambda: ENGINE.release(job) if job is not None else None

    solara.use_effect(hold, [job])
    return job


# ---------------------------------------------------------------------- levers
@solara.component
def LeverSlider(
    lever: Lever, value: float, on_commit: Callable[[str, Any], None], disabled: bool = False
) -> None:
    """A slider that shows its value while dragging and commits (re-runs) only on release."""
    live, set_live = solara.use_state(value)
    solara.use_effect(lambda: set_live(value), [value])
    commit_ref = solara.use_ref(on_commit)
    commit_ref.current = on_commit
    lo, hi = lever.span_for(value)
    with solara.Tooltip(lever.tooltip()):
        Html("div", f"{lever.label}: ", "ps-lever-label")
    Html("div", format_value(lever, snap(lever, live)), "ps-lever-value")
    slider = rv.Slider(
        v_model=live,
        on_v_model=set_live,
        min=lo,
        max=hi,
        step=lever.step,
        thumb_label=True,
        hide_details=True,
        disabled=disabled,
        class_=f"ps-lever ps-lever-{lever.key.replace('.', '-').replace('_', '-')}",
    )

    def attach() -> Callable[[], None]:
        widget = solara.get_widget(slider)

        def on_change(_widget: Any, _event: str, data: Any) -> None:
            commit_ref.current(lever.key, snap(lever, float(data)))

        widget.on_event("change", on_change)
        return lambda: widget.on_event("change", on_change, remove=True)

    solara.use_effect(attach, [])


@solara.component
def LeverSelect(
    lever: Lever, value: str, on_commit: Callable[[str, Any], None], disabled: bool = False
) -> None:
    """A drop-down for a choice parameter (commits at once)."""
    with solara.Tooltip(lever.tooltip()):
        Html("div", lever.label, "ps-lever-label")
    rv.Select(
        label=lever.label,
        items=[{"text": CHOICE_LABELS.get(c, c), "value": c} for c in lever.choices],
        v_model=value,
        on_v_model=lambda new: on_commit(lever.key, new),
        hide_details=True,
        dense=True,
        disabled=disabled,
    )


@solara.component
def LeverPanel(
    levers: tuple[Lever, ...],
    values: dict[str, Any],
    overridden: set[str],
    on_commit: Callable[[str, Any], None],
    on_reset: Callable[[], None],
) -> None:
    """The big levers, each starting at the scenario's value; moved ones are marked and can be reset."""
    for lever in levers:
        value = values[lever.key]
        with solara.Column(gap="0px", classes=["ps-lever-box"]):
            if lever.kind == "choice":
                LeverSelect(lever, value, on_commit)
            elif lever.kind == "bool":
                solara.Checkbox(
                    label=lever.label,
                    value=bool(value),
                    on_value=lambda new, k=lever.key: on_commit(k, new),
                )
            else:
                LeverSlider(lever, value, on_commit)
            if lever.key in overridden:
                Html("div", "changed from the scenario", "ps-changed")
    solara.Button(
        "Reset levers to the scenario",
        on_click=on_reset,
        outlined=True,
        disabled=not overridden,
        icon_name="mdi-restore",
    )


# ---------------------------------------------------------------------- scenario and story
@solara.component
def ScenarioPicker(
    scenarios: list[tuple[str, str]],
    value: str,
    on_value: Callable[[str], None],
    large: bool = False,
) -> None:
    """Pick a scenario: a drop-down for analysts, a row of big buttons in workshop mode."""
    if large:
        with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
            for name, _ in scenarios:
                solara.Button(
                    pretty_name(name),
                    on_click=lambda n=name: on_value(n),
                    color="primary" if name == value else None,
                    outlined=name != value,
                    large=True,
                )
        return
    rv.Select(
        label="Scenario",
        items=[{"text": pretty_name(n), "value": n} for n, _ in scenarios],
        v_model=value,
        on_v_model=on_value,
        hide_details=True,
    )


@solara.component
def Story(cfg: ScenarioConfig, overrides: dict[str, Any], labels: dict[str, str]) -> None:
    """The scenario's name and narrative, then what this page changed from it."""
    Html("div", pretty_name(cfg.name), "ps-title")
    Html("p", cfg.description or "(This scenario has no description.)", "ps-story")
    if overrides:
        changed = "; ".join(
            f"{labels.get(k, k)} = {CHOICE_LABELS.get(str(val), val)}"
            for k, val in sorted(overrides.items())
        )
        Html("p", f"Changed on this page: {changed}", "ps-changed")


# ---------------------------------------------------------------------- status
def run_state(job: RunJob | None, cf_job: RunJob | None) -> str:
    """'complete' (run and counterfactual done), 'finished' (run done), or the run's own status."""
    if job is None:
        return "none"
    if job.status == DONE:
        cf_done = cf_job is None or cf_job.key == job.key or cf_job.done
        return "complete" if cf_done else "finished"
    return job.status


def status_line(job: RunJob | None, cf_job: RunJob | None, cached: bool, name: str = "") -> str:
    """One sentence on where the run stands (`name`: the scenario as the page calls it).

    A cached run may have been made for another scenario with the same parameters (the
    recycle-first scenario is the baseline's counterfactual), so the name comes from the page.
    """
    if job is None:
        return ""
    rec = job.record
    name = name or pretty_name(job.config.name)
    if job.status == DONE and rec is not None:
        source = "from the cache" if cached else f"in {rec.wall_time_s:.1f} s"
        text = f"Finished: {name}, {rec.months_total} months {source}."
        if cf_job is not None and cf_job.key == job.key:
            text += " It routes recycle-first, so it is its own counterfactual."
        elif cf_job is not None:
            if cf_job.status == DONE:
                text += " Recycle-first counterfactual ready."
            elif cf_job.status in (QUEUED, RUNNING, PAUSED):
                text += " Recycle-first counterfactual: computing..."
            elif cf_job.status == FAILED:
                text += " The recycle-first counterfactual failed."
        return text
    if job.status == RUNNING:
        return f"Running {name}: month {job.months_done} of {job.months_total}."
    if job.status == PAUSED:
        return f"{name} paused at month {job.months_done} of {job.months_total} (another run goes first)."
    if job.status == QUEUED:
        return f"{name}: waiting for the model..."
    if job.status == CANCELLED:
        return f"Cancelled at month {job.months_done} of {job.months_total}."
    if job.status == FAILED:
        return "The run failed."
    return ""


@solara.component
def RunStatus(
    job: RunJob | None,
    cf_job: RunJob | None,
    cached: bool,
    on_cancel: Callable[[], None],
    on_restart: Callable[[], None],
    versions: tuple[int, ...] = (),
    name: str = "",
) -> None:
    """Progress bar, status sentence, Cancel / Run again, and the error of a failed run.

    Jobs are mutable, so the caller passes their `versions` to make a re-render happen.
    """
    del versions
    if job is None:
        return
    active = job.status in (QUEUED, RUNNING, PAUSED)
    with solara.Row(style={"align-items": "center", "gap": "12px"}):
        Html(
            "span",
            status_line(job, cf_job, cached, name),
            f"ps-status ps-state-{run_state(job, cf_job)}",
        )
        if active:
            solara.Button(
                "Cancel run",
                on_click=on_cancel,
                color="warning",
                outlined=True,
                icon_name="mdi-stop",
            )
        if job.status in (CANCELLED, FAILED):
            solara.Button("Run again", on_click=on_restart, color="primary", icon_name="mdi-play")
    if active:
        total = max(job.months_total, 1)
        solara.ProgressLinear(value=100.0 * job.months_done / total)
    if job.status == FAILED and job.error:
        solara.Error(
            f"The model stopped with an error: {public_message(job.error)}. Change a setting or run again; the page keeps working."
        )


# ---------------------------------------------------------------------- KPIs
@solara.component
def KpiGrid(cards: list[KpiCard], compare_label: str | None, pending: bool = False) -> None:
    """KPI cards in a wrapping row; deltas are against the comparison run."""
    if compare_label:
        Html(
            "div",
            f"Changes are against: {compare_label}" + (" (updating...)" if pending else ""),
            "ps-kpi-delta ps-none ps-compare-note",
        )
    elif pending:
        Html("div", "updating...", "ps-kpi-delta ps-none")
    with solara.Row(style={"flex-wrap": "wrap", "gap": "10px"}):
        for card in cards:
            with (
                solara.Tooltip(card.help),
                rv.Sheet(
                    class_="ps-kpi",
                    elevation=1,
                    outlined=True,
                    style_="opacity: 0.55;" if pending else "",
                ),
            ):
                Html("div", card.label, "ps-kpi-label")
                with rv.Html(tag="div", class_="ps-kpi-value"):
                    rv.Html(
                        tag="span", children=[card.value], class_=f"ps-kpi-number ps-kpi-{card.key}"
                    )
                    rv.Html(tag="span", children=[card.unit], class_="ps-kpi-unit")
                if card.delta:
                    Html("div", card.delta, f"ps-kpi-delta ps-{card.tone}")


# ---------------------------------------------------------------------- charts
def build_chart(
    tab: str,
    record: RunRecord,
    compare: RunRecord | None,
    compare_label: str,
    counterfactual: RunRecord | None,
    style: charts.ChartStyle,
    map_colour: str = "wait",
    map_index: int = -1,
) -> Figure:
    """The figure of one chart tab."""
    if tab == "energy":
        return charts.energy_chart(record, compare, compare_label, style)
    if tab == "time_to_power":
        return charts.time_to_power_chart(record, compare, compare_label, style)
    if tab == "queue":
        return charts.queue_chart(record, compare, compare_label, style)
    if tab == "packs":
        return charts.packs_chart(record, compare, compare_label, style)
    if tab == "co2":
        return charts.co2_chart(record, counterfactual, compare, compare_label, style)
    if tab == "map":
        state = record.maps[map_index if -len(record.maps) <= map_index < len(record.maps) else -1]
        return charts.network_map(record.grid, state, map_colour, style)
    raise ValueError(f"unknown chart {tab!r}; expected one of {', '.join(TABS)}")


def _version(rec: RunRecord | None) -> tuple[str, int] | None:
    """What identifies a record's drawing state (run and months so far)."""
    return None if rec is None else (rec.key, rec.months_done)


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
) -> None:
    """Chart selector buttons, the selected chart (only it is drawn), and PNG/SVG downloads."""
    with solara.Row(style={"flex-wrap": "wrap", "gap": "6px"}):
        for name in TABS:
            solara.Button(
                TAB_LABELS[name],
                on_click=lambda n=name: on_tab(n),
                color="primary" if name == tab else None,
                outlined=name != tab,
                classes=[f"ps-tab-{name}"],
            )
    map_index, set_map_index = solara.use_state(-1)
    if tab == "map":
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
    deps = [
        tab,
        _version(record),
        _version(compare),
        compare_label,
        _version(counterfactual) if tab == "co2" else None,  # only the CO2 chart draws it
        style,
        map_colour,
        map_index,
    ]

    def make() -> Figure:
        return build_chart(
            tab, record, compare, compare_label, counterfactual, style, map_colour, map_index
        )

    fig = solara.use_memo(make, deps)
    with rv.Html(tag="div", class_=f"ps-chart ps-chart-{tab}"):
        solara.FigureMatplotlib(fig, dependencies=deps, format="svg")
    if downloads:
        name = tab if tab != "map" else f"map-{map_colour}"
        with solara.Row(style={"gap": "8px"}):
            for fmt in ("png", "svg"):
                solara.FileDownload(
                    lambda fmt=fmt: exports.figure_bytes(make(), fmt),
                    filename=f"{file_stem or record.config.name}-{record.key[:6]}-{name}.{fmt}",
                    label=f"Chart as {fmt.upper()}",
                    mime_type=exports.MIME[fmt],
                )


# ---------------------------------------------------------------------- exports
@solara.component
def ExportPanel(
    record: RunRecord | None,
    cfg: ScenarioConfig,
    overrides: dict[str, Any],
    kpis: dict[str, Any] | None,
    link: str,
) -> None:
    """Downloads: the monthly data (CSV, Parquet), KPIs (JSON) and the scenario (TOML for `powerstack run`)."""
    from viz.runs import config_key

    key = config_key(cfg)
    solara.FileDownload(
        lambda: exports.scenario_toml(cfg, overrides, link),
        filename=exports.export_name(cfg, key, "scenario", "toml"),
        label="Scenario (TOML for powerstack run)",
        mime_type=exports.MIME["toml"],
    )
    complete = record is not None and record.complete and record.key == key
    if not complete:
        Html("div", "Data downloads appear when the run has finished.", "ps-kpi-delta ps-none")
        return
    assert record is not None
    frame = record.timeseries
    solara.FileDownload(
        lambda: exports.timeseries_csv(frame),
        filename=exports.export_name(cfg, key, "timeseries", "csv"),
        label="Monthly data (CSV)",
        mime_type=exports.MIME["csv"],
    )
    solara.FileDownload(
        lambda: exports.timeseries_parquet(frame),
        filename=exports.export_name(cfg, key, "timeseries", "parquet"),
        label="Monthly data (Parquet)",
        mime_type=exports.MIME["parquet"],
    )
    if kpis is not None:
        solara.FileDownload(
            lambda: exports.kpis_json(kpis),
            filename=exports.export_name(cfg, key, "kpis", "json"),
            label="KPIs (JSON)",
            mime_type=exports.MIME["json"],
        )
