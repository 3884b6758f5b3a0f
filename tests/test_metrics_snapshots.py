"""The app's series in abm.metrics, from plain inputs, and the one run loop (stop and resume)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.metrics import AppSeries, timeseries_frame
from abm.metrics.snapshots import (
    PROJECT_COLUMNS,
    QUEUE_WAIT_COLUMNS,
    energised_mw_by_bus,
    projects_frame,
    time_to_power_by_year,
)
from abm.model import PowerStackModel
from abm.runner import run_model
from abm.vocabulary import Project, Status

SMALL = {"run.months": 14, "grid.n_buses": 40}


def _project(pid: int, path: str, node: int, opened: int, energised: int | None) -> Project:
    status = Status.ENERGIZED if energised is not None else Status.WAITING
    return Project(pid, 0, 100.0, path, node, opened, status=status, month_energized=energised)


def test_projects_and_time_to_power_from_plain_projects() -> None:
    projects = [
        _project(1, "grid", 0, 0, 11),  # energised in 2025-12: 12 months
        _project(2, "grid", 1, 2, 15),  # 2026-04: 14 months
        _project(3, "onsite_gas", 1, 1, 6),
        _project(4, "grid", 2, 3, None),
    ]
    frame = projects_frame(projects)
    assert list(frame.columns) == list(PROJECT_COLUMNS)
    assert frame["month_energized"].tolist() == [11, 15, 6, -1]
    ttp = time_to_power_by_year(frame, "2025-01")
    grid = ttp[ttp["path"] == "grid"].set_index("year")["months"].to_dict()
    assert grid == {2025: 12, 2026: 14}
    assert energised_mw_by_bus(projects, 3).tolist() == [100.0, 200.0, 0.0]
    assert time_to_power_by_year(projects_frame([]), "2025-01").empty


def test_run_model_stops_and_resumes_to_the_same_table() -> None:
    whole = PowerStackModel("baseline", rng=3, **SMALL)
    assert run_model(whole)
    parts = PowerStackModel("baseline", rng=3, **SMALL)
    series = AppSeries.of(parts)
    assert not run_model(parts, series.observe, stop=lambda: parts.month >= 4)
    assert parts.month == 4
    assert run_model(parts, series.observe)
    pd.testing.assert_frame_equal(timeseries_frame(whole), timeseries_frame(parts))
    snap = series.snapshot(parts)
    assert snap["months_done"] == SMALL["run.months"]
    assert list(snap["derived"].columns) == list(QUEUE_WAIT_COLUMNS)
    # one map each December and one at the end (2025-12, 2026-02)
    assert [m.label for m in snap["maps"]] == ["2025-12", "2026-02"]
    assert snap["maps"][-1].dc_mw.shape == (parts.grid.n_bus,)
    assert np.isfinite(snap["maps"][-1].lmp_usd_per_mwh).all()


def test_a_fresh_model_has_an_empty_snapshot() -> None:
    model = PowerStackModel("baseline", rng=1, **SMALL)
    snap = AppSeries.of(model).snapshot(model)
    assert snap["months_done"] == 0 and snap["maps"] == () and snap["timeseries"].empty
