"""Adaptive policy triggers: validation like any scenario key, firing, the queue's switch, outputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from abm.cli import main
from abm.errors import InputError
from abm.grid.queue import InterconnectionQueue, QueueRules, State
from abm.policy.book import TRIGGER_COLUMNS
from abm.policy.state import STATE_VARIABLES, read_state
from abm.policy.triggers import SETTABLE, parse_condition, refusal
from abm.runner import run_scenario
from abm.scenario import load_scenario, to_toml
from abm.schema import ScenarioConfig
from abm.streams import Streams

REFORM = """
[[triggers]]
when = "{when}"
set = {{{set}}}
"""


def scenario(
    tmp_path, when="dc_queue_wait_months_median > 48", set_='"queue.mode" = "cluster"', extra=""
):
    path = tmp_path / "t.toml"
    body = REFORM.format(when=when, set=set_)
    path.write_text(f'name = "t"\nextends = "baseline.toml"\n{body}{extra}')
    return path


def test_a_condition_is_one_comparison_of_a_state_variable():
    c = parse_condition("dc_queue_wait_months_median >= 48", "w")
    assert (c.variable, c.op, c.threshold) == ("dc_queue_wait_months_median", ">=", 48.0)
    assert c.holds(48.0) and not c.holds(47.9) and not c.holds(math.nan)


@pytest.mark.parametrize(
    ("when", "set_", "fragment"),
    [
        (
            "dc_queue_wait_month_median > 48",
            '"queue.mode" = "cluster"',
            "unknown state variable 'dc_queue_wait_month_median' (did you mean \"dc_queue_wait_months_median\"?)",
        ),
        (
            "dc_queue_wait_months_median => 48",
            '"queue.mode" = "cluster"',
            "expected one comparison",
        ),
        (
            "year >= 2030",
            '"queue.mdoe" = "cluster"',
            "unknown parameter 'queue.mdoe' (did you mean \"queue.mode\"?)",
        ),
        (
            "year >= 2030",
            '"queue.mode" = "clusters"',
            "triggers[0].set: queue.mode = 'clusters'; expected one of: serial, cluster",
        ),
        (
            "year >= 2030",
            '"queue.readiness_deposit_usd_per_mw" = -1.0',
            "queue.readiness_deposit_usd_per_mw = -1.0; expected >= 0",
        ),
        (
            "year >= 2030",
            '"grid.n_buses" = 30',
            "a trigger may not set grid.n_buses: the grid is built once",
        ),
        (
            "year >= 2030",
            '"vendors.max_site_mw" = 30.0',
            "a trigger may not set vendors.max_site_mw: the model reads it once",
        ),
    ],
)
def test_a_bad_trigger_is_a_one_line_error_and_exit_2(tmp_path, capsys, when, set_, fragment):
    path = scenario(tmp_path, when, set_)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert fragment in str(err.value) and "\n" not in str(err.value)
    assert main(["validate", str(path)]) == 2
    assert fragment in capsys.readouterr().err


def test_an_unknown_trigger_field_is_an_error(tmp_path):
    with pytest.raises(InputError, match=r"triggers\.0\.after"):
        load_scenario(scenario(tmp_path, extra="after = 3\n"))


def test_every_settable_key_is_a_parameter_and_others_are_refused_with_a_reason():
    fields = {
        f"{s}.{k}"
        for s, cls in ScenarioConfig.model_fields.items()
        if hasattr(cls.annotation, "model_fields")
        for k in cls.annotation.model_fields
    }
    assert set(SETTABLE) <= fields
    assert refusal("queue.mode") is None
    assert "run itself" in refusal("run.seed")


def test_a_scenario_with_triggers_reads_back_from_its_toml(tmp_path):
    cfg = load_scenario(scenario(tmp_path))
    again = tmp_path / "again.toml"
    again.write_text(to_toml(cfg))
    assert load_scenario(again).triggers == cfg.triggers
    assert "triggers" not in to_toml(load_scenario("baseline"))  # no triggers, same file as before


def _queue(mode: str) -> InterconnectionQueue:
    rules = QueueRules.from_config(ScenarioConfig().queue.model_copy(update={"mode": mode}), 1.0)
    q = InterconnectionQueue(rules, 2, Streams(1))
    q.submit(
        0,
        kind=0,
        mw=np.full(40, 100.0),
        node=np.arange(40) % 4,
        territory=np.arange(40) % 2,
        requester=0,
        project=np.arange(40),
    )
    return q


@pytest.mark.parametrize(("old", "new"), [("serial", "cluster"), ("cluster", "serial")])
def test_the_queue_switches_study_mode_mid_run_and_keeps_every_request(old, new):
    q = _queue(old)
    hosting = np.full(4, 1e5)
    for month in range(14):
        q.step(month, hosting)
    before = q.counts_by_state().sum()
    cfg = ScenarioConfig().queue.model_copy(update={"mode": new})
    q.adopt_rules(QueueRules.from_config(cfg, 1.0))
    q.submit(
        14,
        kind=0,
        mw=np.full(10, 100.0),
        node=0,
        territory=0,
        requester=0,
        project=np.arange(40, 50),
    )
    for month in range(14, 60):
        q.step(month, hosting)
    assert q.counts_by_state().sum() == before + 10
    assert q.rules.mode == new and q.studies.rules.mode == new and q.facilities.rules.mode == new
    assert (
        q.column("state") >= State.SYSTEM_STUDY
    ).all()  # every request moved on under the new rules


@pytest.fixture(scope="module")
def fired(tmp_path_factory):
    path = tmp_path_factory.mktemp("s") / "t.toml"
    path.write_text(
        'name = "t"\nextends = "baseline.toml"\n'
        '[[triggers]]\nwhen = "year >= 2025"\nlabel = "reform"\n'
        'set = {"queue.mode" = "cluster", "queue.readiness_deposit_usd_per_mw" = 5000.0}\n'
        '[[triggers]]\nwhen = "year >= 2030"\nset = {"policy.carbon_price_usd_per_t" = 50.0}\n'
    )
    return run_scenario(path, months=4, counterfactual=False, keep_model=True, check=True)


@pytest.mark.slow
def test_a_trigger_fires_once_and_acts_from_the_next_month(fired):
    table, model = fired.triggers, fired.model
    assert list(table.columns) == list(TRIGGER_COLUMNS)
    (row,) = table.itertuples()  # the 2030 trigger never fires in four months of 2025
    assert (row.label, row.state_month, row.month, row.date, row.value) == (
        "reform",
        0,
        1,
        "2025-02",
        2025.0,
    )
    assert fired.timeseries["triggers_fired"].tolist() == [0, 1, 0, 0]
    # every reader of the config sees the new rules; the old config is gone from the model
    assert model.grid.queue.rules.mode == "cluster"
    assert model.grid.queue.deposits.rules.readiness_deposit_usd_per_mw == 5000.0
    readers = [model, model.grid, model.projects, model.packs, model.power, *model.agents]
    assert all(r in model.config_readers for r in readers)
    assert all(r.config is model.config for r in readers)
    assert model.config.queue.mode == "cluster" and fired.config.queue.mode == "serial"
    # every state variable a condition may name reads a number from a running model
    assert all(math.isfinite(read_state(model, name)) for name in STATE_VARIABLES)


@pytest.mark.slow
def test_a_trigger_on_a_grid_smaller_than_the_us_keeps_the_one_scaling_rule(tmp_path):
    """Services hold the config scaled to the grid: a firing hands them the new config scaled too."""
    path = tmp_path / "t.toml"
    path.write_text(
        'name = "t"\nextends = "baseline.toml"\n[grid]\nus_peak_mw = 1490000.0\n'
        '[[triggers]]\nwhen = "year >= 2025"\n'
        'set = {"queue.mode" = "cluster", "policy.carbon_price_usd_per_t" = 50.0}\n'
    )
    model = run_scenario(path, months=3, counterfactual=False, keep_model=True).model
    share = model.grid.us_peak_share
    assert 0.4 < share < 0.6  # the synthetic grid's peak is about the US peak: half of twice it
    national = model.config.queue.studies_per_month_us
    for reader in (model.grid, model.projects, model.packs, model.power, *model.agents):
        if hasattr(reader, "config"):
            assert reader.config.policy.carbon_price_usd_per_t == 50.0
            assert reader.config.queue.studies_per_month_us == pytest.approx(national * share)
    assert model.config.policy.carbon_price_usd_per_t == 50.0  # the scenario's own, unscaled
    assert model.grid.queue.rules.mode == "cluster"


@pytest.mark.slow
def test_the_shipped_adaptive_scenario_logs_its_firing_month():
    # its trigger (grid wait signal > 48 months) fires in month 22 (2026-11) of seed 1 since the
    # grid's rolling transmission assessment: a 26-month run shows it
    result = run_scenario("adaptive_queue_reform", months=26, counterfactual=False)
    (row,) = result.triggers.itertuples()
    assert row.value > 48 and row.month == row.state_month + 1
    ts = result.timeseries
    assert ts.loc[ts["triggers_fired"] == 1, "date"].tolist() == [row.date]
    assert isinstance(result.triggers, pd.DataFrame)


def test_the_time_charts_mark_the_month_a_trigger_fired():
    import matplotlib

    matplotlib.use("Agg")
    from types import SimpleNamespace

    import matplotlib.pyplot as plt

    from viz.charts.frame import ANALYST, finish_time_axes

    ts = pd.DataFrame({"date": ["2026-09", "2026-10", "2026-11"], "triggers_fired": [0, 1, 0]})
    record = SimpleNamespace(timeseries=ts, config=ScenarioConfig(), months_total=24)
    fig, ax = plt.subplots()
    finish_time_axes(record, ANALYST, [(ax, "year", "MW", "upper left")])
    marks = [line.get_xdata()[0] for line in ax.lines]
    assert marks == [pytest.approx(2026 + 9 / 12)]
    plt.close(fig)
