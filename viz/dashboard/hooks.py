"""The dashboard's hooks: view settings synced with the URL, the configs they resolve to, the runs.

Each hook is one concern of the page (URL state, scenario configs, run lifecycle) and returns a
small frozen value the sub-components read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import solara

from abm.errors import InputError
from abm.scenario import load_scenario
from abm.schema import ScenarioConfig
from viz.components import pretty_name, use_job_watch, use_run, use_stable_callback
from viz.runs import (
    COMPARE,
    COMPARE_COUNTERFACTUAL,
    COUNTERFACTUAL,
    PRIMARY,
    RunJob,
    RunRecord,
    config_key,
    counterfactual_config,
    kpis_with_counterfactual,
)
from viz.state import (
    COMPARE_LEVERS,
    SAVED_PREFIX,
    ViewSettings,
    compare_config,
    from_query,
    public_message,
    resolve_config,
    to_query,
)


def try_input(fn: Callable[..., Any], *args: Any) -> tuple[Any, str | None]:
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


@dataclass(frozen=True)
class View:
    """The page's settings, link warnings, and how to change them (recorded in the URL)."""

    settings: ViewSettings
    link_errors: tuple[str, ...]
    update: Callable[[ViewSettings], None]
    router: Any

    def set(self, **changes: Any) -> None:
        """Change some display settings (tab, mode, comparison, ...)."""
        self.update(replace(self.settings, **changes))

    def open(self, path: str) -> None:
        """Go to another page with the same settings in its query."""
        if self.router.set_path is not None:
            self.router.push(f"{path}?{to_query(self.settings)}")


def use_view() -> View:
    """View settings from the URL; back/forward and pasted links show what the query says."""
    router = solara.use_router()
    initial, initial_errors = solara.use_memo(lambda: from_query(router.search), [])
    settings, set_settings = solara.use_state(initial)
    link_errors, set_link_errors = solara.use_state(tuple(initial_errors))

    def follow_url() -> None:
        parsed, errors = from_query(router.search)
        if parsed != settings:
            set_settings(parsed)
            set_link_errors(tuple(errors))

    solara.use_effect(follow_url, [router.search])

    def update(new: ViewSettings) -> None:
        """Apply new settings and record them in the page URL (so the link reproduces the view)."""
        set_settings(new)
        set_link_errors(())
        if router.set_path is not None:
            router.push(f"{router.path or '/'}?{to_query(new)}")

    # the same function on every render: a View with unchanged settings equals the last one
    return View(settings, link_errors, use_stable_callback(update), router)


@dataclass(frozen=True)
class Configs:
    """The scenario configs the settings resolve to (bad input: a message, the last good one)."""

    error: str | None
    shown: ScenarioConfig | None  # what runs: the settings, or the last settings that worked
    compare: ScenarioConfig | None
    compare_error: str | None

    @property
    def counterfactual(self) -> ScenarioConfig | None:
        """The recycle-first twin of the shown run."""
        return counterfactual_config(self.shown) if self.shown is not None else None

    @property
    def compare_counterfactual(self) -> ScenarioConfig | None:
        """The recycle-first twin of the comparison run."""
        return counterfactual_config(self.compare) if self.compare is not None else None


def use_configs(
    settings: ViewSettings, saved: dict[str, ScenarioConfig], names: list[str]
) -> Configs:
    """Resolve the settings and the comparison; keep showing the last good config on bad input."""
    cfg, cfg_error = solara.use_memo(lambda: try_input(resolve_config, settings), [settings])
    last_good = solara.use_ref(None)
    if cfg is not None:
        last_good.current = cfg
    elif last_good.current is None:
        last_good.current, _ = (
            try_input(resolve_config, replace(settings, overrides=(), seed=None))
            if settings.scenario in names
            else try_input(load_scenario, "baseline")
        )
    cmp_cfg, cmp_error = solara.use_memo(
        lambda: try_input(compare_config, settings, saved), [settings, saved]
    )
    return Configs(cfg_error, cfg if cfg is not None else last_good.current, cmp_cfg, cmp_error)


@dataclass(frozen=True)
class Runs:
    """The page's four jobs and what is drawn from them right now."""

    job: RunJob | None
    cf_job: RunJob | None
    record: RunRecord | None  # the run as drawn (the previous one until the new one publishes)
    cmp_record: RunRecord | None
    kpis: dict[str, Any] | None  # of the last complete run shown
    cmp_kpis: dict[str, Any] | None
    cmp_label: str | None
    current: bool  # whether the KPIs are of the run asked for (else dimmed, "updating")

    @property
    def export(self) -> tuple[RunRecord | None, dict[str, Any] | None]:
        """The finished run asked for and its KPIs, for the downloads (else None, None).

        Unchanged while a run is under way or cancelled, so the sidebar is not redrawn by them.
        """
        return (self.record, self.kpis) if self.current else (None, None)

    @property
    def cf_record(self) -> RunRecord | None:
        """The counterfactual as far as it has run."""
        return self.cf_job.record if self.cf_job is not None else None


def _shown_records(job: RunJob | None) -> tuple[RunRecord | None, RunRecord | None]:
    """The record to draw (the previous one until the job publishes) and the last complete one."""
    previous = solara.use_ref(None)
    record = job.record if job is not None and job.record is not None else previous.current
    if job is not None and job.record is not None:
        previous.current = job.record
    last_complete = solara.use_ref(None)
    if record is not None and record.complete:
        last_complete.current = record
    return record, last_complete.current


def use_runs(configs: Configs, settings: ViewSettings, restart: int) -> Runs:
    """Ask for the run, its counterfactual and the comparison pair; re-render on their progress."""
    job = use_run(configs.shown, PRIMARY, restart)
    cf_job = use_run(configs.counterfactual, COUNTERFACTUAL, restart)
    cmp_job = use_run(configs.compare, COMPARE)
    cmp_cf_job = use_run(configs.compare_counterfactual, COMPARE_COUNTERFACTUAL)
    # the counterfactuals are drawn only on the CO2 tab; elsewhere only their end matters
    on_co2 = settings.tab == "co2"
    use_job_watch([job, cmp_job, *((cf_job,) if on_co2 else ())], quiet=(cf_job, cmp_cf_job))
    record, kpi_record = _shown_records(job)
    current = job is not None and kpi_record is not None and kpi_record.key == job.key
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
    shown, cmp_cfg = configs.shown, configs.compare
    same = cmp_cfg is not None and shown is not None and config_key(cmp_cfg) == config_key(shown)
    label = (
        None
        if cmp_cfg is None
        else compare_label(settings)
        + (" (identical to this run: nothing to compare)" if same else "")
    )
    return Runs(
        job,
        cf_job,
        record,
        cmp_record if cmp_cfg is not None else None,
        kpis,
        None if same else cmp_kpis,  # all deltas would read "no change"
        label,
        current,
    )
