"""One project's path choices in plain words, from `choices.parquet` (and `projects.parquet` for its fate).

"In 2029-03, project 1207 (300 MW, ai_lab) opened and chose on-site gas: expected 16 months
and $95/MWh all-in ... against grid 45 months and $130/MWh ..." What `python -m abm why`
prints and the app shows when a facilitator clicks a project.
"""

from __future__ import annotations

import pandas as pd

from abm.catalogue import PATH_CATALOGUE
from abm.errors import InputError, did_you_mean

_DECISIONS = {
    "open": "opened and chose",
    "switch": "had waited in the queue past its patience and switched to",
    "replan": "lost every queue filing and re-planned onto",
}


def path_words(name: str) -> str:
    """A path or choice as words: 'On-site gas' -> 'on-site gas'; 'modular' stays 'modular'."""
    spec = PATH_CATALOGUE.get(name)
    text = spec.label if spec is not None else name.replace("_", " ")
    return text[0].lower() + text[1:]


def _share(p: float) -> str:
    """A probability as people read it: '49%', '<1%'."""
    return "<1%" if 0 < p < 0.005 else f"{p:.0%}"


def _months(x: float) -> str:
    """'1 month', '27 months'."""
    return "1 month" if round(x) == 1 else f"{x:.0f} months"


def _option(row: pd.Series) -> str:
    """'grid 45 months and $130/MWh (21 %)'."""
    return (
        f"{path_words(row['option'])} {_months(row['wait_months'])} and "
        f"${row['expected_cost_usd_per_mwh']:,.0f}/MWh ({_share(row['probability'])})"
    )


def _why(rows: pd.DataFrame) -> str:
    """The deciding reason in a sentence: what made the chosen option win, or that a draw did."""
    chosen = rows[rows["chosen"]].iloc[0]
    others = rows[~rows["chosen"]]
    if others.empty:
        return "It was the only option open to it."
    best = others.loc[others["expected_cost_usd_per_mw_month"].idxmin()]
    per_mwh = chosen["expected_cost_usd_per_mwh"] / chosen["expected_cost_usd_per_mw_month"]
    before = (
        chosen["expected_cost_usd_per_mw_month"] - chosen["wait_cost_usd_per_mw_month"]
    ) * per_mwh
    other_before = (
        best["expected_cost_usd_per_mw_month"] - best["wait_cost_usd_per_mw_month"]
    ) * per_mwh
    gap_wait = (best["wait_cost_usd_per_mw_month"] - chosen["wait_cost_usd_per_mw_month"]) * per_mwh
    if chosen["reason"] == "drawn":
        return (
            f"It was not the cheapest: {path_words(best['option'])} was "
            f"(${best['expected_cost_usd_per_mwh']:,.0f}/MWh), but the choice is a logit draw "
            f"that gives every option a chance by its cost, and this one had {_share(chosen['probability'])}."
        )
    if before > other_before and gap_wait > 0:
        return (
            f"It won on time: before waiting, {path_words(best['option'])} is cheaper "
            f"(${other_before:,.0f} against ${before:,.0f}/MWh), but its "
            f"{_months(best['wait_months'] - chosen['wait_months'])} more of waiting cost this owner "
            f"${gap_wait:,.0f}/MWh."
        )
    return (
        f"It was the cheapest option even before counting the wait "
        f"(${before:,.0f} against ${other_before:,.0f}/MWh for {path_words(best['option'])})."
    )


def _sentence(rows: pd.DataFrame) -> str:
    """One decision: date, project, what it did, the chosen option against the others, why."""
    chosen = rows[rows["chosen"]].iloc[0]
    others = rows[~rows["chosen"]]
    head = (
        f"In {chosen['date']}, project {chosen['project_id']} ({chosen['mw']:,.0f} MW, "
        f"{chosen['owner_type']} owner {chosen['owner']}) {_DECISIONS[chosen['decision']]} "
        f"{path_words(chosen['option'])}: expected {_months(chosen['wait_months'])} and "
        f"${chosen['expected_cost_usd_per_mwh']:,.0f}/MWh all-in ({_share(chosen['probability'])} likely)"
    )
    against = (
        f" against {'; '.join(_option(r) for _, r in others.iterrows())}" if len(others) else ""
    )
    return f"{head}{against}. {_why(rows)}"


def _fate(projects: pd.DataFrame, project_id: int) -> str:
    """What became of the project: energised (after how long), withdrawn, cancelled or still waiting."""
    row = projects[projects["project_id"] == project_id]
    if row.empty:
        return ""
    p = row.iloc[0]
    ttp = p["time_to_power_months"]
    if pd.notna(ttp):
        return f" It was powered by {path_words(p['path'])} after {ttp:.0f} months."
    return f" At the end of the run it was {str(p['status']).lower()} ({path_words(p['path'])})."


def explain_choice(
    choices: pd.DataFrame, project_id: int, projects: pd.DataFrame | None = None
) -> str:
    """Every path decision of `project_id` in plain words, oldest first (and its fate, with `projects`).

    Raises InputError naming the id when the run holds no decision of that project.
    """
    rows = choices[choices["project_id"] == int(project_id)]
    if rows.empty:
        in_book = projects is not None and (projects["project_id"] == int(project_id)).any()
        if in_book:
            return (
                f"Project {project_id} made no path choice in the run: it was already in a "
                f"grid queue when the run started.{_fate(projects, int(project_id))}"
            )
        ids = [str(i) for i in choices["project_id"].unique()[:2000]]
        example = f"; ids of this run look like {ids[0]}" if ids else ""
        raise InputError(
            f"project {project_id}: no such project in this run{did_you_mean(str(project_id), ids)}{example}"
        )
    groups = rows.groupby(["month", "decision"], sort=False)
    text = " ".join(_sentence(g) for _, g in groups)
    return text + (_fate(projects, int(project_id)) if projects is not None else "")
