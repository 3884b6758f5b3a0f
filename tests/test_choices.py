"""Why did it choose that: `choices.parquet`, its plain-words story and `python -m abm why`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from abm.agents.choice_record import ChoiceLog
from abm.cli import main
from abm.errors import InputError
from abm.metrics.choice_story import explain_choice
from abm.metrics.choice_table import CHOICE_COLUMNS, choice_table, reason_of
from abm.runner import run_scenario, write_outputs

MWH = 730.0  # MWh per MW-month at a load factor of 1, for the hand-made logs


def _log(prob: list[float], pick: int, costs: list[float]) -> ChoiceLog:
    log = ChoiceLog()
    options = {"grid": costs[0], "onsite_gas": costs[1]}
    log.record(50, 7, 300.0, 0, (), options, np.array(prob), pick, ((45.0, 16.0), (9e4, 3e4)))
    return log


def _table(log: ChoiceLog) -> pd.DataFrame:
    return choice_table({3: ("ai_lab", log)}, MWH, lambda m: f"2029-{m - 47:02d}")


def test_reason_is_the_only_option_the_cheapest_or_a_draw():
    assert reason_of((5.0,), 0) == "only_option"
    assert reason_of((5.0, 7.0), 0) == "cheapest"
    assert reason_of((5.0, 7.0), 1) == "drawn"


def test_the_table_has_one_row_per_option_with_costs_per_mwh():
    frame = _table(_log([0.3, 0.7], 1, [1.2e5, 0.9e5]))
    assert list(frame.columns) == list(CHOICE_COLUMNS)
    assert frame["option"].tolist() == ["grid", "onsite_gas"]
    assert frame["chosen"].tolist() == [False, True]
    assert set(frame["chosen_path"]) == {"onsite_gas"} and set(frame["reason"]) == {"cheapest"}
    assert frame["expected_cost_usd_per_mwh"].tolist() == pytest.approx([1.2e5 / MWH, 0.9e5 / MWH])


def test_the_story_names_date_project_path_and_the_options_against():
    text = explain_choice(_table(_log([0.3, 0.7], 1, [1.2e5, 0.9e5])), 7)
    assert text.startswith(
        "In 2029-03, project 7 (300 MW, ai_lab owner 3) opened and chose on-site gas"
    )
    assert "expected 16 months and $123/MWh all-in (70% likely)" in text
    assert "against grid connection 45 months and $164/MWh (30%)" in text
    # before the wait the grid is cheaper (1.2e5 - 9e4 < 0.9e5 - 3e4): gas wins on time
    assert "It won on time" in text and "29 months more of waiting" in text


def test_a_draw_over_a_cheaper_option_says_so():
    text = explain_choice(_table(_log([0.6, 0.4], 1, [0.9e5, 1.2e5])), 7)
    assert "It was not the cheapest: grid connection was ($123/MWh)" in text
    assert "40%" in text


def test_an_unknown_project_is_an_input_error_naming_it():
    with pytest.raises(InputError, match=r"project 8: no such project in this run"):
        explain_choice(_table(_log([0.3, 0.7], 1, [1.2e5, 0.9e5])), 8)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    # with the newcomer's grid wait signal the first path choice (a re-plan) comes in month 11
    # and the first new projects open from month 21 (seed 1, measured)
    result = run_scenario("baseline", months=24, counterfactual=False)
    out = tmp_path_factory.mktemp("run")
    write_outputs(result, out)
    return out


@pytest.mark.slow
def test_a_run_writes_every_choice_and_the_chosen_path_matches_projects(run_dir):
    choices = pd.read_parquet(run_dir / "choices.parquet")
    projects = pd.read_parquet(run_dir / "projects.parquet")
    assert not choices.empty
    per_decision = choices.groupby(["project_id", "month", "decision"])
    assert np.allclose(per_decision["probability"].sum(), 1.0)
    assert (per_decision["chosen"].sum() == 1).all()
    opened = choices[(choices["decision"] == "open") & choices["chosen"]].set_index("project_id")
    assert not opened.empty
    path_chosen = projects.set_index("project_id").loc[opened.index, "path_chosen"]
    # projects.parquet names the choice (both modular options are "modular")
    assert all(o.startswith(c) for o, c in zip(opened["option"], path_chosen, strict=True))


@pytest.mark.slow
def test_why_prints_the_story_and_exits_2_on_an_unknown_project(run_dir, capsys):
    pid = int(pd.read_parquet(run_dir / "choices.parquet")["project_id"].iloc[0])
    assert main(["why", str(run_dir), str(pid)]) == 0
    assert f"project {pid} (" in capsys.readouterr().out
    assert main(["why", str(run_dir), "1"]) == 2
    assert "no such project" in capsys.readouterr().err


def test_why_on_a_folder_without_choices_exits_2(tmp_path, capsys):
    assert main(["why", str(tmp_path), "1"]) == 2
    assert "no choices.parquet" in capsys.readouterr().err
