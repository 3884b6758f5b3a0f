"""The powerstack app: a workshop dashboard (/) and Mesa's step-by-step SolaraViz view (/explore).

Run with `solara run viz/app.py` (or `powerstack app`). The dashboard re-runs the whole
scenario when a lever is released, in a worker thread, drawing the run as it grows and caching
finished runs; see docs/app.md for why that view is a custom page beside SolaraViz.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from typing import Any

import reacton.ipyvuetify as rv
import solara

from abm.errors import InputError
from abm.scenario import list_scenarios, load_scenario, parse_overrides
from abm.schema import ScenarioConfig
from viz import charts
from viz.components import (
    CSS,
    ChartTabs,
    ExportPanel,
    Html,
    KpiGrid,
    LeverPanel,
    RunStatus,
    ScenarioPicker,
    Story,
    pretty_name,
    use_job_watch,
    use_run,
)
from viz.explore import Explore
from viz.kpis import WORKSHOP_KPIS, cards
from viz.levers import BIG_LEVERS, LEVERS_BY_KEY, WORKSHOP_LEVERS, config_value
from viz.runs import (
    COMPARE,
    COMPARE_COUNTERFACTUAL,
    COUNTERFACTUAL,
    ENGINE,
    PRIMARY,
    RunRecord,
    config_key,
    counterfactual_config,
    kpis_with_counterfactual,
)
from viz.state import (
    COMPARE_LEVERS,
    COMPARE_NONE,
    SAVED_PREFIX,
    ViewSettings,
    compare_config,
    from_query,
    public_message,
    resolve_config,
    to_query,
)

log = logging.getLogger(__name__)
LEVER_LABELS = {lever.key: lever.label for lever in BIG_LEVERS}


def _try(fn: Any, *args: Any) -> tuple[Any, str | None]:
    """(result, None) or (None, one-line message fit for the page) for bad input."""
    try:
        return fn(*args), None
    except InputError as exc:
        return None, public_message(str(exc))


def compare_label(settings: ViewSettings) -> str:
    """How the comparison run is named on the page."""
    target = settings.compare
    if target == COMPARE_LEVERS:
        return f"{pretty_name(settings.scenario)} without this page's changes"
    if target.startswith(SAVED_PREFIX):
        return f"saved run '{target.removeprefix(SAVED_PREFIX)}'"
    return pretty_name(target)


def prewarm_configs(mode: str) -> list[ScenarioConfig]:
    """Scenarios to run before anyone asks: 'all' built-in ones (default), 'baseline', or 'none'.

    Warm-up runs yield to every run somebody is looking at, so they only use idle time; with
    'all', switching scenario in front of a room is instant once the warm-up is through.
    """
    if mode == "none":
        return []
    names = ["baseline"] if mode == "baseline" else [n for n, _ in list_scenarios()]
    out: list[ScenarioConfig] = []
    for name in names:
        cfg, error = _try(load_scenario, name)
        if cfg is None:
            log.warning("prewarm: skipping %s: %s", name, error)
            continue
        out += [cfg, counterfactual_config(cfg)]
    return out


@solara.component
def Dashboard() -> None:
    """The workshop and analyst page: scenario, levers, story, KPIs, charts, comparison, exports."""
    router = solara.use_router()
    initial_settings, initial_errors = solara.use_memo(lambda: from_query(router.search), [])
    settings, set_settings = solara.use_state(initial_settings)
    link_errors, set_link_errors = solara.use_state(initial_errors)
    saved, set_saved = solara.use_state({})
    restart, set_restart = solara.use_state(0)
    override_text, set_override_text = solara.use_state("")
    override_error, set_override_error = solara.use_state(None)
    save_label, set_save_label = solara.use_state("")
    scenarios = solara.use_memo(list_scenarios, [])
    names = [n for n, _ in scenarios]

    def follow_url() -> None:
        """Back/forward buttons and pasted links change the query: show what it says."""
        parsed, errors = from_query(router.search)
        if parsed != settings:
            set_settings(parsed)
            set_link_errors(errors)

    solara.use_effect(follow_url, [router.search])

    def update(new: ViewSettings) -> None:
        """Apply new settings and record them in the page URL (so the link reproduces the view)."""
        set_settings(new)
        set_link_errors([])
        if router.set_path is not None:
            router.push(f"{router.path or '/'}?{to_query(new)}")

    # ---- scenario configs (bad input -> message, keep showing the last good one)
    cfg, cfg_error = solara.use_memo(lambda: _try(resolve_config, settings), [settings])
    last_good = solara.use_ref(None)
    if cfg is not None:
        last_good.current = cfg
    elif last_good.current is None:
        last_good.current, _ = (
            _try(resolve_config, replace(settings, overrides=(), seed=None))
            if settings.scenario in names
            else _try(load_scenario, "baseline")
        )
    shown_cfg: ScenarioConfig | None = cfg if cfg is not None else last_good.current
    cmp_cfg, cmp_error = solara.use_memo(
        lambda: _try(compare_config, settings, saved), [settings, saved]
    )
    cf_cfg = counterfactual_config(shown_cfg) if shown_cfg is not None else None
    cmp_cf_cfg = counterfactual_config(cmp_cfg) if cmp_cfg is not None else None

    # ---- runs
    job = use_run(shown_cfg, PRIMARY, restart)
    cf_job = use_run(cf_cfg, COUNTERFACTUAL, restart)
    cmp_job = use_run(cmp_cfg, COMPARE)
    cmp_cf_job = use_run(cmp_cf_cfg, COMPARE_COUNTERFACTUAL)
    # the counterfactuals are drawn only on the CO2 tab; elsewhere only their end matters
    on_co2 = settings.tab == "co2"
    use_job_watch([job, cmp_job, *((cf_job,) if on_co2 else ())], quiet=(cf_job, cmp_cf_job))
    previous = solara.use_ref(None)
    record: RunRecord | None = (
        job.record if job is not None and job.record is not None else previous.current
    )
    if job is not None and job.record is not None:
        previous.current = job.record
    last_complete = solara.use_ref(None)
    if record is not None and record.complete:
        last_complete.current = record
    kpi_record: RunRecord | None = last_complete.current
    current = job is not None and kpi_record is not None and kpi_record.key == job.key
    pending = not current
    cf_record = cf_job.record if cf_job is not None else None
    cmp_record = cmp_job.record if cmp_job is not None else None
    kpis = (
        kpis_with_counterfactual(kpi_record, cf_record if current else None)
        if kpi_record is not None
        else None
    )
    cmp_kpis = (
        kpis_with_counterfactual(cmp_record, cmp_cf_job.record if cmp_cf_job else None)
        if cmp_record is not None and cmp_record.complete
        else None
    )
    same_as_compare = (
        cmp_cfg is not None
        and shown_cfg is not None
        and config_key(cmp_cfg) == config_key(shown_cfg)
    )
    cmp_label = (
        None
        if cmp_cfg is None
        else compare_label(settings) + (" (same settings as this run)" if same_as_compare else "")
    )
    if same_as_compare:
        cmp_kpis = None  # all deltas would read "no change"

    # ---- handlers
    def on_lever(key: str, value: Any) -> None:
        base = (
            load_scenario(settings.scenario, untrusted=True)
            if settings.scenario in names
            else shown_cfg
        )
        update(
            settings.with_override(
                key, value, config_value(base, key) if base is not None else None
            )
        )

    def on_reset_levers() -> None:
        update(
            replace(
                settings,
                overrides=tuple((k, v) for k, v in settings.overrides if k not in LEVERS_BY_KEY),
            )
        )

    def on_add_override() -> None:
        parsed, error = _try(parse_overrides, [override_text.strip()])
        if parsed is None:
            set_override_error(error)
            return
        new = settings
        for key, value in parsed.items():
            new = replace(new, overrides=tuple(sorted({**new.overrides_dict, key: value}.items())))
        _, error = _try(resolve_config, new)
        if error is not None:
            set_override_error(error)
            return
        set_override_error(None)
        set_override_text("")
        update(new)

    def on_cancel() -> None:
        if job is not None:
            if job.subscribers <= 1:
                ENGINE.cancel(job)
            else:
                ENGINE.release(job)

    def on_save() -> None:
        label = save_label.strip() or f"run {len(saved) + 1}"
        if shown_cfg is None:
            return
        set_saved({**saved, label: shown_cfg})
        set_save_label("")

    workshop = settings.mode == "workshop"
    style = charts.WORKSHOP if workshop else charts.ANALYST
    values = (
        {lever.key: config_value(shown_cfg, lever.key) for lever in BIG_LEVERS}
        if shown_cfg is not None
        else {}
    )
    overridden = {k for k, _ in settings.overrides if k in LEVERS_BY_KEY}
    link = f"/?{to_query(settings)}"

    solara.Style(CSS)
    solara.Title("AI power stack")
    with solara.AppBar():
        solara.AppBarTitle("AI power stack")
        solara.Button(
            "Analyst mode" if workshop else "Workshop mode",
            on_click=lambda: update(replace(settings, mode="analyst" if workshop else "workshop")),
            text=True,
            icon_name="mdi-presentation" if not workshop else "mdi-tune",
            style={"color": "white"},
        )

    if not workshop and shown_cfg is not None:
        with solara.Sidebar(), solara.Column(style={"width": "360px"}):
            with solara.Card("Scenario"):
                ScenarioPicker(
                    scenarios, settings.scenario, lambda name: update(settings.with_scenario(name))
                )
            with solara.Card(
                "Big levers", subtitle="Start at the scenario's values; release a slider to re-run."
            ):
                LeverPanel(BIG_LEVERS, values, overridden, on_lever, on_reset_levers)
            with solara.Card("Compare with"):
                items = [
                    {"text": "nothing", "value": COMPARE_NONE},
                    {
                        "text": f"{pretty_name(settings.scenario)} without this page's changes",
                        "value": COMPARE_LEVERS,
                    },
                    *[{"text": pretty_name(n), "value": n} for n in names],
                    *[
                        {"text": f"saved: {label}", "value": f"{SAVED_PREFIX}{label}"}
                        for label in saved
                    ],
                ]
                rv.Select(
                    label="Comparison run",
                    items=items,
                    v_model=settings.compare,
                    on_v_model=lambda value: update(replace(settings, compare=value)),
                    hide_details=True,
                )
                solara.InputText(
                    "Name for this run",
                    value=save_label,
                    on_value=set_save_label,
                    continuous_update=True,
                )
                solara.Button(
                    "Save this run for comparison",
                    on_click=on_save,
                    outlined=True,
                    icon_name="mdi-content-save",
                )
            with solara.Card("Seed and other parameters"):
                solara.InputInt(
                    "Seed",
                    value=settings.seed if settings.seed is not None else shown_cfg.run.seed,
                    on_value=lambda s: update(replace(settings, seed=s)),
                )
                for key, value in settings.overrides:
                    if key not in LEVERS_BY_KEY:
                        with solara.Row(style={"align-items": "center"}):
                            Html("span", f"{key} = {value}", "ps-changed")
                            solara.Button(
                                icon_name="mdi-close",
                                on_click=lambda k=key: update(settings.without_override(k)),
                                icon=True,
                                text=True,
                            )
                solara.InputText(
                    "Set any parameter (key=value)",
                    value=override_text,
                    on_value=set_override_text,
                    continuous_update=True,
                    error=bool(override_error),
                    message=override_error or "e.g. queue.flexible_connections=true",
                )
                solara.Button(
                    "Apply",
                    on_click=on_add_override,
                    outlined=True,
                    disabled=not override_text.strip(),
                )
            with solara.Card("Export"):
                ExportPanel(
                    record, shown_cfg, settings.overrides_dict, kpis if current else None, link
                )
                Html("div", f"Link to this view: {link}", "ps-kpi-delta ps-none")

    with solara.Column(
        classes=["ps-workshop" if workshop else "ps-analyst"], style={"padding": "4px 12px"}
    ):
        for message in link_errors:
            solara.Warning(message)
        if cfg_error is not None:
            solara.Error(
                f"These settings cannot run: {cfg_error}. Showing the last valid settings instead."
            )
        if cmp_error is not None:
            solara.Warning(f"Comparison unavailable: {cmp_error}")
        if shown_cfg is None:
            solara.Error("No scenario could be loaded; check the scenarios folder.")
            return
        if workshop:
            ScenarioPicker(
                scenarios,
                settings.scenario,
                lambda name: update(settings.with_scenario(name)),
                large=True,
            )
        Story(shown_cfg, settings.overrides_dict, LEVER_LABELS)
        RunStatus(
            job,
            cf_job,
            bool(job and job.from_cache),
            on_cancel,
            lambda: set_restart(restart + 1),
            versions=tuple(j.version if j is not None else -1 for j in (job, cf_job)),
            name=pretty_name(shown_cfg.name),
        )
        KpiGrid(
            cards(kpis, cmp_kpis, WORKSHOP_KPIS if workshop else None), cmp_label, pending=pending
        )
        if workshop:
            with solara.Row(style={"flex-wrap": "wrap", "gap": "24px"}):
                for key in WORKSHOP_LEVERS:
                    with solara.Column(style={"min-width": "18em", "flex": "1 1 18em"}):
                        _workshop_lever(key, values, overridden, on_lever)
            solara.Button(
                "Reset levers to the scenario",
                on_click=on_reset_levers,
                outlined=True,
                disabled=not overridden,
                icon_name="mdi-restore",
            )
        if record is not None:
            ChartTabs(
                settings.tab,
                lambda tab: update(replace(settings, tab=tab)),
                record,
                cmp_record if cmp_cfg is not None else None,
                cmp_label or "comparison",
                cf_record,
                style,
                settings.map_colour,
                lambda colour: update(replace(settings, map_colour=colour)),
                downloads=not workshop,
                file_stem=shown_cfg.name,
            )
        else:
            Html("div", "The first months of the run will appear here in a moment.", "ps-note")
        if not workshop:
            solara.Button(
                "Step through this scenario month by month (Mesa view)",
                on_click=lambda: (
                    router.push(f"/explore?{to_query(settings)}")
                    if router.set_path is not None
                    else None
                ),
                outlined=True,
                icon_name="mdi-step-forward",
            )


def _workshop_lever(key: str, values: dict[str, Any], overridden: set[str], on_lever: Any) -> None:
    """One lever in workshop mode (big type comes from the page's CSS)."""
    from viz.components import LeverSelect, LeverSlider

    lever = LEVERS_BY_KEY[key]
    if lever.kind == "choice":
        LeverSelect(lever, values[key], on_lever)
    else:
        LeverSlider(lever, values[key], on_lever)
    if key in overridden:
        Html("div", "changed from the scenario", "ps-changed")


@solara.component
def Layout(children: list[Any] = []) -> None:  # noqa: B006 - solara's Layout signature
    """Solara's app layout with the two pages as tabs; switching page keeps the settings in the URL."""
    router = solara.use_router()
    route, all_routes = solara.use_route()
    index = all_routes.index(route) if route in all_routes else 0

    def go(i: int) -> None:
        target = all_routes[i].path
        path = "/" if target == "/" else f"/{target}"
        router.push(f"{path}?{router.search}" if router.search else path)

    with solara.AppLayout(title="AI power stack", navigation=True):
        with solara.AppBar(), solara.lab.Tabs(value=index, on_value=go, align="center"):
            for r in all_routes:
                solara.lab.Tab(r.label)
        solara.Column(children=children, style={"padding": "0"})


routes = [
    solara.Route(path="/", component=Dashboard, label="Dashboard", layout=Layout),
    solara.Route(path="explore", component=Explore, label="Step by step (Mesa SolaraViz)"),
]

PREWARM_MODES = ("all", "baseline", "none")
_prewarm_mode = os.environ.get("POWERSTACK_APP_PREWARM", "all")
if _prewarm_mode not in PREWARM_MODES:
    log.warning(
        "POWERSTACK_APP_PREWARM=%r; expected one of %s, using 'baseline'",
        _prewarm_mode,
        PREWARM_MODES,
    )
    _prewarm_mode = "baseline"
ENGINE.prewarm(prewarm_configs(_prewarm_mode))
