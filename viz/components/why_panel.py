"""Why did it choose that? Pick a project of the run and read its path decisions in plain words.

The words come from `abm.metrics.choice_story.explain_choice` over the run's choice table
(`choices.parquet`): every option a hyperscaler weighed, with its expected cost, wait and
probability, and why the chosen one won.
"""

from __future__ import annotations

import pandas as pd
import solara

from abm.metrics.choice_story import explain_choice
from viz.components.base import Html, pretty_name
from viz.runs import RunRecord

MAX_LISTED = (
    400  # projects offered in the picker: the latest first decisions (a long list is unusable)
)


def project_options(choices: pd.DataFrame) -> dict[str, int]:
    """Picker labels -> project id: month, id, path chosen and MW of each project's first decision."""
    chosen = choices[choices["chosen"]]
    first = chosen.sort_values(["month", "project_id"]).drop_duplicates("project_id")
    return {
        f"{row.date} · project {row.project_id} · {pretty_name(row.chosen_path)} · {row.mw:,.0f} MW": int(
            row.project_id
        )
        for row in first.tail(MAX_LISTED).itertuples(index=False)
    }


@solara.component
def WhyPanel(record: RunRecord | None) -> None:
    """A project picker and the plain-words account of its path choices, once the run is complete."""
    picked, set_picked = solara.use_state("")
    choices = None if record is None else record.choice_table
    with solara.Details("Why did a project choose its path?", expand=False):
        if choices is None or choices.empty:
            Html(
                "div",
                "The reasons appear when the run has finished (and once a project has chosen).",
                "ps-kpi-delta ps-none",
            )
            return
        options = project_options(choices)
        labels = list(options)
        label = picked if picked in options else labels[-1]
        solara.Select("Project (month · id · path chosen · size)", labels, label, set_picked)
        projects = None if record is None else record.project_table
        Html("div", explain_choice(choices, options[label], projects), "ps-why")
