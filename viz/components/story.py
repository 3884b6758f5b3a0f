"""The scenario picker and the scenario's story (with what this page changed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reacton.ipyvuetify as rv
import solara

from abm.schema import ScenarioConfig
from viz.components.base import Html, pretty_name
from viz.levers import CHOICE_LABELS, LEVERS_BY_KEY, format_value, unit_of


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


def shown_value(key: str, value: Any) -> str:
    """A changed setting as people read it: choices by name, numbers with their unit ('140 $/t CO2')."""
    if str(value) in CHOICE_LABELS:
        return CHOICE_LABELS[str(value)]
    lever = LEVERS_BY_KEY.get(key)
    if lever is not None:
        return format_value(lever, value)
    unit = unit_of(key)
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text} {unit}".strip()


@solara.component
def Story(
    cfg: ScenarioConfig, overrides: dict[str, Any], labels: dict[str, str], folded: bool = False
) -> None:
    """The scenario's name and narrative, then what this page changed from it.

    `folded` (workshop mode): the narrative shows as one line with a "more" button, so the
    cards and the chart stay on a projector's first screen.
    """
    expanded, set_expanded = solara.use_state(False)
    text = cfg.description or "(This scenario has no description.)"
    Html("div", pretty_name(cfg.name), "ps-title")
    if folded:
        with solara.Row(style={"align-items": "baseline", "gap": "8px", "flex-wrap": "nowrap"}):
            Html("p", text, "ps-story" if expanded else "ps-story ps-story-folded")
            solara.Button(
                "less" if expanded else "more",
                on_click=lambda: set_expanded(not expanded),
                text=True,
                classes=["ps-story-more"],
            )
    else:
        Html("p", text, "ps-story")
    if overrides:
        changed = "; ".join(
            f"{labels.get(k, k)} = {shown_value(k, val)}" for k, val in sorted(overrides.items())
        )
        Html("p", f"Changed on this page: {changed}", "ps-changed")
