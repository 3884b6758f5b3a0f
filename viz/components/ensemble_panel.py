"""The ensemble line under the cards: how many seeds are in, and per KPI whether a change is noise."""

from __future__ import annotations

import reacton.ipyvuetify as rv
import solara

from viz.components.base import Html
from viz.noise import KpiList, noise_rows

VERDICT_CLASS = {"beyond noise": "ps-better", "within noise": "ps-noise", "identical": "ps-same"}


def seeds_text(seeds: tuple[int, ...]) -> str:
    """'seeds 1-5' (or 'seed 3')."""
    return f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}-{seeds[-1]}"


def _table(shown: KpiList, compare: KpiList, n: int) -> None:
    """Per KPI: change (mean over seeds), 95 % interval, verdict."""
    head = ("KPI", "Change (mean of per-seed differences)", "95 % interval", "Verdict")
    with rv.SimpleTable(dense=True, class_="ps-noise-table"):
        with rv.Html(tag="thead"), rv.Html(tag="tr"):
            for cell in head:
                Html("th", cell)
        with rv.Html(tag="tbody"):
            for row in noise_rows(shown, compare):
                with rv.Html(tag="tr"):
                    Html("td", f"{row.label} ({row.unit})")
                    Html("td", row.difference, "ps-noise-difference")
                    Html("td", row.interval)
                    verdict = row.verdict + ("" if row.n == n else f" (n={row.n})")
                    tone = VERDICT_CLASS.get(row.verdict.split(" (")[0], "ps-none")
                    Html("td", verdict, f"ps-noise-verdict ps-noise-{row.key} {tone}")


@solara.component
def EnsemblePanel(
    seeds: tuple[int, ...],
    seeds_in: int,
    compare_label: str | None,
    shown: KpiList,
    compare: KpiList,
    table: bool = True,
) -> None:
    """Seeds in so far; once all are in (in compare mode) the per-KPI table, folded."""
    n = len(seeds)
    open_, set_open = solara.use_state(False)
    what = "this run" + (f" and {compare_label}" if compare_label else "")
    if seeds_in < n:
        Html(
            "div",
            f"Ensemble: {seeds_in} of {n} seeds in ({what}, {seeds_text(seeds)}; "
            "the rest run on the other core). Until all are in, changes are of one seed, in grey.",
            "ps-status ps-ensemble-status",
        )
        solara.ProgressLinear(value=100.0 * seeds_in / n)
        return
    if compare_label is None or n < 2:
        Html(
            "div",
            f"Ensemble: {seeds_text(seeds)} in; the charts show their median and range.",
            "ps-status ps-ensemble-status",
        )
        return
    with solara.Row(style={"align-items": "center", "gap": "12px"}):
        Html(
            "span",
            f"Ensemble: {seeds_text(seeds)} in, paired with {compare_label} on the same seeds. "
            "Each card's change is the mean of the per-seed differences, with its 95 % interval.",
            "ps-status ps-ensemble-status",
        )
        if table:
            solara.Button(
                "Hide the table" if open_ else "Table by KPI",
                on_click=lambda: set_open(not open_),
                text=True,
                icon_name="mdi-table",
            )
    if table and open_:
        _table(shown, compare, n)
