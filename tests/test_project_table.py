"""The per-project table (`projects.parquet`): one row per project, fixed columns, and the same story as the KPIs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from abm.catalogue import choice_of
from abm.metrics import PROJECT_SCHEMA, PROJECT_TABLE_COLUMNS, project_table, project_table_of
from abm.model import PowerStackModel
from abm.runner import RunResult, run_model, run_scenario, write_outputs
from abm.vocabulary import Path as ProjectPath
from abm.vocabulary import Project, Status, Switch

# Long enough that the start's grid pipeline hits the switch rule and every path energises
# (seed 3: with the pack market of issue 17 cheaper second-life packs keep vendors off new
# storage on seeds 1 and 2 until after month 60; once vendors add factory lines the first
# on-site gas sites energise after month 60). Seed 6 since the libm-independent draws redrew the
# grid and arrivals: seeds 3-5 then had every path but no switch in 66 months, seed 6 one. The
# plants' heat-rate spread then left seed 6 with none, so the switch is made likelier by
# mechanism: grid projects reconsider after 24 months' wait (at the default 60 the start's
# pipeline reconsiders near the end of the run, so a switch inside 66 months was luck): seeds
# 1-8 then switch 5, 0, 2, 7, 0, 0, 1, 0 projects (0-1 at 60 months' wait); seed 4 is used.
OVERRIDES = {"grid.n_buses": 40, "hyperscalers.switch_wait_months": 24.0}
MONTHS = 66


@pytest.fixture(scope="module")
def run() -> RunResult:
    return run_scenario(
        "baseline",
        seed=4,
        months=MONTHS,
        overrides=OVERRIDES,
        counterfactual=False,
        keep_model=True,
    )


def test_one_row_per_project_of_the_book_sorted_by_id(run: RunResult) -> None:
    assert run.model is not None
    table = run.projects
    ids = sorted(p.pid for p in run.model.projects)
    assert table["project_id"].tolist() == ids
    assert table["project_id"].is_unique and len(table) == len(run.model.projects) > 100


def test_columns_and_dtypes_are_fixed(run: RunResult, tmp_path: Path) -> None:
    table = run.projects
    assert tuple(table.columns) == PROJECT_TABLE_COLUMNS
    assert str(table["month_energized"].dtype) == "Int64"
    assert str(table["path"].dtype) == "string" and table["duplicate_filing"].dtype == bool
    paths = write_outputs(run, tmp_path)
    assert pq.read_schema(paths["projects.parquet"]).remove_metadata() == PROJECT_SCHEMA


def test_energised_mw_and_time_to_power_match_the_kpis(run: RunResult) -> None:
    done = run.projects[run.projects["status"] == Status.ENERGIZED]
    mw = done.groupby("path")["mw"].sum()
    median = done.groupby("path")["time_to_power_months"].median()
    for path, kpi_mw in run.kpis["energized_mw"].items():
        assert mw.get(path, 0.0) == pytest.approx(kpi_mw, abs=1e-6)
        kpi_median = run.kpis["time_to_power_months_median"][path]
        assert median.get(path) == kpi_median
    assert set(mw.index) >= {"grid", "modular_second_life", "modular_new", "onsite_gas"}


def test_time_to_power_by_owner_type_matches_the_kpi(run: RunResult) -> None:
    done = run.projects[run.projects["status"] == Status.ENERGIZED]
    median = done.groupby("owner_type")["time_to_power_months"].median()
    by_type = run.kpis["time_to_power_months_median_by_type"]
    assert set(by_type) == {"cloud", "carbon_committed", "ai_lab"}
    for name, kpi in by_type.items():
        assert median.get(name) == kpi
    assert all(v is not None for v in by_type.values())


def test_energised_mw_month_by_month_matches_the_timeseries(run: RunResult) -> None:
    done = run.projects[run.projects["status"] == Status.ENERGIZED]
    ts = run.timeseries
    for path in ("grid", "modular_second_life", "modular_new", "onsite_gas"):
        on = done[done["path"] == path]
        by_month = [on.loc[on["month_energized"] <= m, "mw"].sum() for m in range(len(ts))]
        assert by_month == pytest.approx(ts[f"energized_mw_{path}"].tolist(), abs=1e-6)


def test_rows_are_consistent_with_themselves(run: RunResult) -> None:
    t = run.projects
    energised = t["status"] == Status.ENERGIZED
    assert (t["month_energized"].notna() == energised).all()
    assert (t["time_to_power_months"].notna() == energised).all()
    ttp = (t["month_energized"] - t["month_opened"] + 1).astype("Float64")
    pd.testing.assert_series_equal(
        t.loc[energised, "time_to_power_months"], ttp[energised], check_names=False
    )
    switched = t["switches"] > 0
    assert switched.sum() > 0, "no project switched path: the run is too short to test it"
    assert (t["path_switched_to"].notna() == switched).all()
    assert (t["month_last_switch"].notna() == switched).all()
    assert (t.loc[switched, "path"].map(choice_of) == t.loc[switched, "path_switched_to"]).all()
    assert (t.loc[switched, "path_chosen"] == "grid").all()  # only stuck grid projects switch
    from_switch = t["time_to_power_from_switch_months"]
    assert (from_switch.notna() == (switched & energised)).all()
    both = switched & energised
    assert (
        from_switch[both] == t.loc[both, "month_energized"] - t.loc[both, "month_last_switch"] + 1
    ).all()
    unswitched = ~switched
    assert (t.loc[unswitched, "path"].map(choice_of) == t.loc[unswitched, "path_chosen"]).all()
    assert (t["duplicate_filing"] == (t["queue_requests"] > 1)).all()
    assert (t.loc[t["path_chosen"] != "grid", "queue_requests"] == 0).all()
    assert t["duplicate_filing"].any() and (t["month_opened"] < 0).any()
    assert (t["month_withdrawn"].notna() == (t["status"] == Status.CANCELLED)).all()


def test_a_cancelled_project_shows_the_month_it_was_withdrawn() -> None:
    model = PowerStackModel("baseline", rng=4, **{"run.months": 6, **OVERRIDES})
    run_model(model, stop=lambda: model.month >= 2)
    project = next(p for p in model.projects if p.path == ProjectPath.GRID)
    model.projects.cancel_project(project)
    run_model(model)
    row = project_table_of(model).set_index("project_id").loc[project.pid]
    assert row["status"] == "cancelled" and row["month_withdrawn"] == 2
    assert pd.isna(row["month_energized"]) and pd.isna(row["time_to_power_months"])


def test_no_duplicate_filings_when_each_project_files_once() -> None:
    result = run_scenario(
        "baseline",
        seed=1,
        months=6,
        overrides={**OVERRIDES, "hyperscalers.duplicate_filings": 1.0},
        counterfactual=False,
    )
    t = result.projects
    assert not t["duplicate_filing"].any()
    assert t.loc[t["path_chosen"] == "grid", "queue_requests"].eq(1).all()


def test_table_from_plain_projects() -> None:
    grid = Project(7, 3, 250.0, "grid", 4, -5, Status.ENERGIZED, month_energized=20, dup_group=7)
    moved = Project(2, 3, 50.0, "modular_new", 1, -10, switches=1)
    moved.switch_log.append(Switch(14, "grid", "modular"))
    moved.status, moved.month_energized = Status.ENERGIZED, 30
    gas = Project(5, 4, 120.0, "onsite_gas", 0, 3, Status.CANCELLED, month_withdrawn=6)
    table = project_table([grid, moved, gas], {7: 3, 2: 1})
    assert table["project_id"].tolist() == [2, 5, 7]
    rows = table.set_index("project_id")
    assert rows.loc[7, "time_to_power_months"] == 26.0 and rows.loc[7, "queue_requests"] == 3
    assert bool(rows.loc[7, "duplicate_filing"]) and pd.isna(rows.loc[7, "path_switched_to"])
    assert rows.loc[2, "path_chosen"] == "grid" and rows.loc[2, "path"] == "modular_new"
    assert rows.loc[2, "path_switched_to"] == "modular" and rows.loc[2, "month_last_switch"] == 14
    assert rows.loc[2, "time_to_power_months"] == 41.0
    assert rows.loc[2, "time_to_power_from_switch_months"] == 17.0
    assert rows.loc[5, "status"] == "cancelled" and rows.loc[5, "month_withdrawn"] == 6
    assert rows.loc[5, "queue_requests"] == 0
    empty = project_table([], {})
    assert tuple(empty.columns) == PROJECT_TABLE_COLUMNS and empty.dtypes.equals(table.dtypes)
