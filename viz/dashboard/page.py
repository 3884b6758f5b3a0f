"""The dashboard page: hooks for state, configs and runs, then the sidebar and the main column."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import solara

from abm.scenario import list_scenarios, load_scenario
from abm.schema import ScenarioConfig
from abm.version import __version__
from viz import charts, exports
from viz.components import (
    CSS,
    ChartTabs,
    EnsemblePanel,
    Footer,
    Html,
    KpiGrid,
    LeverSelect,
    LeverSlider,
    RunStatus,
    ScenarioPicker,
    Story,
    WhyPanel,
    pretty_name,
    use_stable_callbacks,
)
from viz.components.attribution_panel import AttributionPanel
from viz.components.discovery_panel import DiscoveryPanel
from viz.components.story import shown_value
from viz.dashboard.ensembles import Ensembles, use_ensembles
from viz.dashboard.hooks import Configs, Runs, View, use_configs, use_runs, use_view
from viz.dashboard.sidebar import AnalystSidebar
from viz.ensemble import ensemble_size
from viz.kpis import WORKSHOP_KPIS, cards
from viz.levers import BIG_LEVERS, LEVERS_BY_KEY, WORKSHOP_LEVERS, config_value
from viz.runs import CANCELLED, ENGINE, FAILED, QUEUED, RunJob

LEVER_LABELS = {lever.key: lever.label for lever in BIG_LEVERS}
Levers = tuple[dict[str, Any], set[str]]  # lever values, and the keys this page overrides


def _workshop_lever(key: str, levers: Levers, on_lever: Callable[[str, Any], None]) -> None:
    """One lever in workshop mode (big type comes from the page's CSS)."""
    values, overridden = levers
    lever = LEVERS_BY_KEY[key]
    if lever.kind == "choice":
        LeverSelect(lever, values[key], on_lever)
    else:
        LeverSlider(lever, values[key], on_lever)
    if key in overridden:
        Html("div", "changed from the scenario", "ps-changed")


def _workshop_levers(
    levers: Levers, on_lever: Callable[[str, Any], None], on_reset: Callable[[], None]
) -> None:
    """The workshop's few levers in a row, and a reset button."""
    with solara.Row(style={"flex-wrap": "wrap", "gap": "24px"}):
        for key in WORKSHOP_LEVERS:
            with solara.Column(style={"min-width": "18em", "flex": "1 1 18em"}):
                _workshop_lever(key, levers, on_lever)
    solara.Button(
        "Reset levers to the scenario",
        on_click=on_reset,
        outlined=True,
        disabled=not levers[1],
        icon_name="mdi-restore",
    )


def _messages(view: View, configs: Configs) -> None:
    """Warnings about the link, errors of the settings or the comparison."""
    for message in view.link_errors:
        solara.Warning(message)
    if configs.error is not None:
        solara.Error(
            f"These settings cannot run: {configs.error}. Showing the last valid settings instead."
        )
    if configs.compare_error is not None:
        solara.Warning(f"Comparison unavailable: {configs.compare_error}")


def _charts(view: View, runs: Runs, shown_cfg: ScenarioConfig, ensembles: Ensembles) -> None:
    """The chart tabs of the run (and comparison), or a note until the first months arrive."""
    workshop = view.settings.mode == "workshop"
    if runs.record is None:
        Html("div", "The first months of the run will appear here in a moment.", "ps-note")
        return
    ChartTabs(
        view.settings.tab,
        lambda tab: view.set(tab=tab),
        runs.record,
        runs.cmp_record,
        runs.cmp_label or "comparison",
        runs.cf_record,
        charts.WORKSHOP if workshop else charts.ANALYST,
        view.settings.map_colour,
        lambda colour: view.set(map_colour=colour),
        downloads=True,  # workshop mode too: the charts are the room's hand-outs
        file_stem=shown_cfg.name,
        stamp=_stamp(view, runs, shown_cfg, ensembles.seeds),
        bands=ensembles.bands,
    )


def _stamp(view: View, runs: Runs, cfg: ScenarioConfig, seeds: tuple[int, ...]) -> str:
    """The context every exported chart carries: scenario, page changes, seed(s), comparison, version."""
    changes = "; ".join(
        f"{LEVER_LABELS.get(k, k)} = {shown_value(k, v)}"
        for k, v in sorted(view.settings.overrides_dict.items())
    )
    shown = str(seeds[0]) + (f" (bands: seeds {seeds[0]}-{seeds[-1]})" if len(seeds) > 1 else "")
    seeds_text = shown + (" (both runs)" if runs.cmp_label else "")
    return exports.stamp_text(
        pretty_name(cfg.name), changes, seeds_text, runs.cmp_label, __version__
    )


def _kpi_progress(job: RunJob | None) -> str:
    """What the cards say while they show an earlier run's numbers: a run under way, or why not."""
    if job is None:
        return "updating…"
    done, total = job.months_done, job.months_total
    if job.status == CANCELLED:
        return f"not updated: the new run was cancelled at month {done} of {total}"
    if job.status == FAILED:
        return "not updated: the new run failed"
    if job.status == QUEUED:
        return "updating… waiting for the model"
    return f"updating… month {done} of {total}"


def _cards(runs: Runs, ensembles: Ensembles, workshop: bool) -> None:
    """The KPI cards (paired over the seeds once all are in) and the ensemble line."""
    job = runs.job
    KpiGrid(
        cards(
            runs.kpis,
            runs.cmp_kpis,
            WORKSHOP_KPIS if workshop else None,
            ensembles.noise,
            ensembles.pending,
        ),
        runs.cmp_label,
        pending=not runs.current,
        progress=_kpi_progress(job),
    )
    EnsemblePanel(
        ensembles.seeds,
        ensembles.seeds_in,
        runs.cmp_label if runs.cmp_kpis is not None else None,
        ensembles.shown_kpis,
        ensembles.compare_kpis,
        table=not workshop,
    )


def _main_column(
    view: View,
    scenarios: list[tuple[str, str]],
    configs: Configs,
    runs: Runs,
    levers: Levers,
    handlers: dict[str, Callable[..., None]],
    ensembles: Ensembles,
) -> None:
    """Story, run status, KPI cards, ensemble, charts, (workshop levers), link to the Mesa view.

    In workshop mode the story folds to one line, the cards sit left of the chart and the
    levers come after them, so that the cards and the chart fit a 1920x1080 projector's first
    screen (the scenario's name is on its selected button).
    """
    settings = view.settings
    workshop = settings.mode == "workshop"
    shown_cfg = configs.shown
    with solara.Column(
        classes=["ps-workshop" if workshop else "ps-analyst"], style={"padding": "4px 12px"}
    ):
        _messages(view, configs)
        if shown_cfg is None:
            solara.Error("No scenario could be loaded; check the scenarios folder.")
            return
        if workshop:
            ScenarioPicker(scenarios, settings.scenario, handlers["scenario"], large=True)
        Story(shown_cfg, settings.overrides_dict, LEVER_LABELS, folded=workshop)
        job, cf_job = runs.job, runs.cf_job
        RunStatus(
            job,
            cf_job,
            bool(job and job.from_cache),
            handlers["cancel"],
            handlers["restart"],
            versions=tuple(j.version if j is not None else -1 for j in (job, cf_job)),
            name=pretty_name(shown_cfg.name),
        )
        if workshop:  # cards left, chart right: both on a projector's first screen
            with solara.Row(classes=["ps-workshop-main"]):
                with solara.Column(classes=["ps-workshop-cards"]):
                    _cards(runs, ensembles, workshop)
                with solara.Column(classes=["ps-workshop-chart"]):
                    _charts(view, runs, shown_cfg, ensembles)
            _workshop_levers(levers, handlers["lever"], handlers["reset_levers"])
            WhyPanel(runs.record)
            AttributionPanel(shown_cfg, configs.compare, ensemble_size())
        else:
            _cards(runs, ensembles, workshop)
            _charts(view, runs, shown_cfg, ensembles)
            WhyPanel(runs.record)
            AttributionPanel(shown_cfg, configs.compare, ensemble_size())
            DiscoveryPanel()
            solara.Button(
                "Step through this scenario month by month (Mesa view)",
                on_click=lambda: view.open("/explore"),
                outlined=True,
                icon_name="mdi-step-forward",
            )


def _mode_button(view: View) -> None:
    """The app bar's switch between analyst and workshop mode."""
    workshop = view.settings.mode == "workshop"
    with solara.AppBar():
        solara.AppBarTitle("AI power stack")
        solara.Button(
            "Analyst mode" if workshop else "Workshop mode",
            on_click=lambda: view.set(mode="analyst" if workshop else "workshop"),
            text=True,
            icon_name="mdi-presentation" if not workshop else "mdi-tune",
            style={"color": "white"},
        )


def _handlers(
    view: View,
    names: list[str],
    shown_cfg: ScenarioConfig | None,
    runs: Runs,
    restart: Any,
    set_cancels: Callable[[Any], None],
) -> dict[str, Callable[..., None]]:
    """What the page's controls do: change a lever, reset levers, switch scenario, cancel, rerun."""
    settings = view.settings

    def on_lever(key: str, value: Any) -> None:
        base = (
            load_scenario(settings.scenario, untrusted=True)
            if settings.scenario in names
            else shown_cfg
        )
        view.update(
            settings.with_override(
                key, value, config_value(base, key) if base is not None else None
            )
        )

    def on_reset_levers() -> None:
        kept = tuple((k, v) for k, v in settings.overrides if k not in LEVERS_BY_KEY)
        view.update(replace(settings, overrides=kept))

    def on_cancel() -> None:
        # the run and its CO2 reference: left queued, the reference would take the model's
        # thread (and half the GIL) from the very render that shows the cancel
        for job in (runs.job, runs.cf_job):
            if job is None or job.done:
                continue
            if job.subscribers <= 1:
                ENGINE.cancel(job)
            else:
                ENGINE.release(job)
        set_cancels(lambda n: n + 1)  # re-render now, not when the watcher thread notices

    count, set_count = restart
    return {
        "lever": on_lever,
        "reset_levers": on_reset_levers,
        "scenario": lambda name: view.update(settings.with_scenario(name)),
        "cancel": on_cancel,
        "restart": lambda: set_count(count + 1),
    }


@solara.component
def Dashboard() -> None:
    """The workshop and analyst page: scenario, levers, story, KPIs, charts, comparison, exports."""
    view = use_view()
    saved, set_saved = solara.use_state({})
    restart, set_restart = solara.use_state(0)
    _cancels, set_cancels = solara.use_state(0)
    scenarios = solara.use_memo(list_scenarios, [])
    names = [n for n, _ in scenarios]
    configs = use_configs(view.settings, saved, names)
    runs = use_runs(configs, view.settings, restart)
    ensembles = use_ensembles(configs, runs)
    shown_cfg = configs.shown

    def on_save(label: str) -> None:
        if shown_cfg is not None:
            set_saved({**saved, label: shown_cfg})

    # the same functions on every render: a Cancel (or a month of progress) redraws only the
    # parts whose data changed, not the sidebar, the app bar and every lever (docs/app.md)
    handlers = use_stable_callbacks(
        {
            **_handlers(view, names, shown_cfg, runs, (restart, set_restart), set_cancels),
            "save": on_save,
        }
    )
    values = (
        {lever.key: config_value(shown_cfg, lever.key) for lever in BIG_LEVERS}
        if shown_cfg is not None
        else {}
    )
    levers = (values, {k for k, _ in view.settings.overrides if k in LEVERS_BY_KEY})
    solara.Style(CSS)
    solara.Title("AI power stack")
    _mode_button(view)
    if view.settings.mode != "workshop" and shown_cfg is not None:
        AnalystSidebar(
            view,
            scenarios,
            shown_cfg,
            runs.export,
            levers,
            handlers["lever"],
            handlers["reset_levers"],
            saved,
            handlers["save"],
        )
    _main_column(view, scenarios, configs, runs, levers, handlers, ensembles)
    Footer()
