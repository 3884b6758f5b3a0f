"""The noise check panel: start it, watch its runs, stop it, read per KPI whether a change is noise."""

from __future__ import annotations

from collections.abc import Callable

import reacton.ipyvuetify as rv
import solara

from viz.components.base import Html
from viz.components.hooks import use_job_watch
from viz.noise import NOISE_SEEDS, NoiseCheck, noise_rows

VERDICT_CLASS = {"beyond noise": "ps-better", "within noise": "ps-none", "identical": "ps-same"}


def _table(check: NoiseCheck) -> None:
    """Per KPI: change (mean over seeds), 95 % interval, verdict."""
    rows = noise_rows(check)
    head = ("KPI", "Change (mean of per-seed differences)", "95 % interval", "Verdict")
    with rv.SimpleTable(dense=True, class_="ps-noise-table"):
        with rv.Html(tag="thead"), rv.Html(tag="tr"):
            for cell in head:
                Html("th", cell)
        with rv.Html(tag="tbody"):
            for row in rows:
                with rv.Html(tag="tr"):
                    Html("td", f"{row.label} ({row.unit})")
                    Html("td", row.difference, "ps-noise-difference")
                    Html("td", row.interval)
                    verdict = row.verdict + ("" if row.n == len(check.seeds) else f" (n={row.n})")
                    tone = VERDICT_CLASS.get(row.verdict.split(" (")[0], "ps-none")
                    Html("td", verdict, f"ps-noise-verdict ps-noise-{row.key} {tone}")


@solara.component
def _CheckProgress(check: NoiseCheck, compare_label: str, on_stop: Callable[[], None]) -> None:
    """A running check's progress and Cancel, then its result; re-renders as its runs end.

    Only this component watches the check's runs, so their progress never re-renders the page.
    """
    use_job_watch([], quiet=check.jobs)
    total = len(check.jobs)
    if not check.finished:
        with solara.Row(style={"align-items": "center", "gap": "12px"}):
            Html(
                "span",
                f"Noise check: {check.runs_done} of {total} runs done "
                f"(seeds 1-{len(check.seeds)}, after the runs on show)...",
                "ps-status ps-noise-status",
            )
            solara.Button(
                "Cancel check",
                on_click=on_stop,
                color="warning",
                outlined=True,
                icon_name="mdi-stop",
            )
        solara.ProgressLinear(value=100.0 * check.runs_done / total)
        return
    failed = f"; {check.failed} runs failed (missing pairs)" if check.failed else ""
    with solara.Row(style={"align-items": "center", "gap": "12px"}):
        Html(
            "span",
            f"Noise check against {compare_label}, paired on seeds 1-{len(check.seeds)}: "
            f"this run minus the comparison, seed by seed{failed}.",
            "ps-status ps-noise-status",
        )
        solara.Button("Close", on_click=on_stop, text=True, icon_name="mdi-close")
    _table(check)


@solara.component
def NoiseCheckPanel(
    check: NoiseCheck | None,
    compare_label: str,
    on_start: Callable[[], None],
    on_stop: Callable[[], None],
) -> None:
    """Button to check the comparison against seed noise; progress and Cancel; the result table."""
    if check is not None:
        _CheckProgress(check, compare_label, on_stop)
        return
    with solara.Row(style={"align-items": "center", "gap": "12px"}):
        solara.Button(
            f"Check against seed noise ({NOISE_SEEDS} seeds)",
            on_click=on_start,
            outlined=True,
            icon_name="mdi-dice-multiple",
        )
        Html(
            "span",
            f"Runs these settings and {compare_label} on seeds 1-{NOISE_SEEDS} in the "
            "background and tells, per KPI, whether the change is larger than seed noise.",
            "ps-note",
        )
