"""KPI cards in a wrapping row, with a plain-language caption and the change against the comparison.

While a new run is under way the cards keep the last finished numbers, dimmed, and every card
says so ("updating… month 32 of 192") instead of a change: "no change" during a run would read
as "the lever did nothing".
"""

from __future__ import annotations

import reacton.ipyvuetify as rv
import solara

from viz.components.base import Html
from viz.kpis import KpiCard


@solara.component
def KpiGrid(
    cards: list[KpiCard], compare_label: str | None, pending: bool = False, progress: str = ""
) -> None:
    """KPI cards in a wrapping row; deltas are against the comparison run.

    `pending`: the cards are of an earlier run; `progress` says why on every card (a run in
    progress, or a run that was cancelled or failed).
    """
    note = progress or "updating…"
    if compare_label:
        Html(
            "div",
            f"Changes are against: {compare_label}" + (f" ({note})" if pending else ""),
            "ps-kpi-delta ps-none ps-compare-note",
        )
    elif pending:
        Html("div", note, "ps-kpi-delta ps-none ps-kpi-note")
    with solara.Row(style={"flex-wrap": "wrap", "gap": "10px"}):
        for card in cards:
            with rv.Sheet(
                class_="ps-kpi ps-kpi-pending" if pending else "ps-kpi",
                elevation=1,
                outlined=True,
                style_="opacity: 0.55;" if pending else "",
            ):
                Html("div", card.label, "ps-kpi-label")
                with rv.Html(tag="div", class_="ps-kpi-value"):
                    rv.Html(
                        tag="span", children=[card.value], class_=f"ps-kpi-number ps-kpi-{card.key}"
                    )
                    rv.Html(tag="span", children=[card.unit], class_="ps-kpi-unit")
                if pending:
                    Html("div", note, "ps-kpi-delta ps-none ps-kpi-progress")
                elif card.delta:
                    Html("div", card.delta, f"ps-kpi-delta ps-{card.tone}")
                if card.detail:
                    Html("div", card.detail, "ps-kpi-detail")
                Html("div", card.help, "ps-kpi-caption")
