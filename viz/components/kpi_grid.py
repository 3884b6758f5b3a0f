"""KPI cards in a wrapping row, with deltas against the comparison run."""

from __future__ import annotations

import reacton.ipyvuetify as rv
import solara

from viz.components.base import Html
from viz.kpis import KpiCard


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
