"""Lever controls: a slider that commits on release, a drop-down, and the panel of big levers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reacton.ipyvuetify as rv
import solara

from viz.components.base import Html
from viz.levers import CHOICE_LABELS, Lever, format_value, snap


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
