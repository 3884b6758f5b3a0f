"""Where the run stands: a status sentence, progress bar, Cancel / Run again, and errors."""

from __future__ import annotations

from collections.abc import Callable

import solara

from viz.components.base import Html, pretty_name
from viz.runs import CANCELLED, DONE, FAILED, PAUSED, QUEUED, RUNNING, RunJob
from viz.state import public_message


def run_state(job: RunJob | None, cf_job: RunJob | None) -> str:
    """'complete' (run and counterfactual done), 'finished' (run done), or the run's own status."""
    if job is None:
        return "none"
    if job.status == DONE:
        cf_done = cf_job is None or cf_job.key == job.key or cf_job.done
        return "complete" if cf_done else "finished"
    return job.status


def _counterfactual_note(job: RunJob, cf_job: RunJob | None) -> str:
    """What the status line adds about the recycle-first counterfactual of a finished run."""
    if cf_job is None:
        return ""
    if cf_job.key == job.key:
        return " It already recycles every pack, so it is its own CO2 reference."
    if cf_job.status == DONE:
        return " CO2 reference (the same run with every pack recycled) done."
    if cf_job.status in (QUEUED, RUNNING, PAUSED):
        return " CO2 reference (the same run with every pack recycled): running…"
    if cf_job.status == FAILED:
        return " The CO2 reference run (every pack recycled) failed."
    return ""


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
        source = "(shown again: it ran earlier)" if cached else f"in {rec.wall_time_s:.1f} s"
        text = f"Finished: {name}, {rec.months_total} months {source}."
        return text + _counterfactual_note(job, cf_job)
    done, total = job.months_done, job.months_total
    lines = {
        RUNNING: f"Running {name}: month {done} of {total}.",
        PAUSED: f"{name} paused at month {done} of {total} (another run goes first).",
        QUEUED: f"{name}: waiting for the model…",
        CANCELLED: f"Cancelled at month {done} of {total}. The cards keep the previous run's numbers.",
        FAILED: "The run failed.",
    }
    return lines.get(job.status, "")


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
