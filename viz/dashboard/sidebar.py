"""The analyst sidebar: scenario, big levers, comparison, seed and other parameters, exports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import reacton.ipyvuetify as rv
import solara

from abm.scenario import parse_overrides
from abm.schema import ScenarioConfig
from viz.components import ExportPanel, Html, LeverPanel, ScenarioPicker, pretty_name
from viz.dashboard.hooks import View, try_input
from viz.levers import BIG_LEVERS, LEVERS_BY_KEY
from viz.runs import RunRecord
from viz.state import COMPARE_LEVERS, COMPARE_NONE, SAVED_PREFIX, resolve_config, to_query


@solara.component
def CompareCard(
    view: View,
    names: list[str],
    saved: dict[str, ScenarioConfig],
    on_save: Callable[[str], None],
) -> None:
    """Pick the comparison run; save this run under a name to compare with it later."""
    save_label, set_save_label = solara.use_state("")
    settings = view.settings
    with solara.Card("Compare with"):
        items = [
            {"text": "nothing", "value": COMPARE_NONE},
            {
                "text": f"{pretty_name(settings.scenario)} without this page's changes",
                "value": COMPARE_LEVERS,
            },
            *[{"text": pretty_name(n), "value": n} for n in names],
            *[{"text": f"saved: {label}", "value": f"{SAVED_PREFIX}{label}"} for label in saved],
        ]
        rv.Select(
            label="Comparison run",
            items=items,
            v_model=settings.compare,
            on_v_model=lambda value: view.set(compare=value),
            hide_details=True,
        )
        solara.InputText(
            "Name for this run", value=save_label, on_value=set_save_label, continuous_update=True
        )

        def save() -> None:
            on_save(save_label.strip() or f"run {len(saved) + 1}")
            set_save_label("")

        solara.Button(
            "Save this run for comparison",
            on_click=save,
            outlined=True,
            icon_name="mdi-content-save",
        )


@solara.component
def ParametersCard(view: View, seed: int) -> None:
    """The seed, the overrides of keys that are not big levers, and a box to set any key."""
    text, set_text = solara.use_state("")
    error, set_error = solara.use_state(None)
    settings = view.settings
    with solara.Card("Seed and other parameters"):
        solara.InputInt("Seed", value=seed, on_value=lambda s: view.set(seed=s))
        for key, value in settings.overrides:
            if key not in LEVERS_BY_KEY:
                with solara.Row(style={"align-items": "center"}):
                    Html("span", f"{key} = {value}", "ps-changed")
                    solara.Button(
                        icon_name="mdi-close",
                        on_click=lambda k=key: view.update(settings.without_override(k)),
                        icon=True,
                        text=True,
                    )

        def apply() -> None:
            parsed, message = try_input(parse_overrides, [text.strip()])
            if parsed is None:
                set_error(message)
                return
            new = settings
            for key, value in parsed.items():
                new = replace(
                    new, overrides=tuple(sorted({**new.overrides_dict, key: value}.items()))
                )
            _, message = try_input(resolve_config, new)
            if message is not None:
                set_error(message)
                return
            set_error(None)
            set_text("")
            view.update(new)

        solara.InputText(
            "Set any parameter (key=value)",
            value=text,
            on_value=set_text,
            continuous_update=True,
            error=bool(error),
            message=error or "e.g. queue.flexible_connections=true",
        )
        solara.Button("Apply", on_click=apply, outlined=True, disabled=not text.strip())


@solara.component
def AnalystSidebar(
    view: View,
    scenarios: list[tuple[str, str]],
    shown_cfg: ScenarioConfig,
    export: tuple[RunRecord | None, dict[str, Any] | None],
    levers: tuple[dict[str, Any], set[str]],
    on_lever: Callable[[str, Any], None],
    on_reset_levers: Callable[[], None],
    saved: dict[str, ScenarioConfig],
    on_save: Callable[[str], None],
) -> None:
    """The sidebar of analyst mode.

    `export`: the finished run and its KPIs (or None, None); `levers`: the lever values and
    which are overridden.
    """
    settings = view.settings
    values, overridden = levers
    link = f"/?{to_query(settings)}"
    with solara.Sidebar(), solara.Column(style={"width": "360px"}):
        with solara.Card("Scenario"):
            ScenarioPicker(
                scenarios, settings.scenario, lambda name: view.update(settings.with_scenario(name))
            )
        with solara.Card(
            "Big levers", subtitle="Start at the scenario's values; release a slider to re-run."
        ):
            LeverPanel(BIG_LEVERS, values, overridden, on_lever, on_reset_levers)
        CompareCard(view, [n for n, _ in scenarios], saved, on_save)
        ParametersCard(view, settings.seed if settings.seed is not None else shown_cfg.run.seed)
        with solara.Card("Export"):
            ExportPanel(export[0], shown_cfg, settings.overrides_dict, export[1], link)
            Html("div", f"Link to this view: {link}", "ps-kpi-delta ps-none")
