"""One run of a sweep, on whichever process or machine executes it.

A `RunTask` is small and picklable (the base config travels as a dict); `execute_run` turns it
into one result row. A model exception is data (a 'failed' row with a one-line error naming
where it was raised), not the end of the sweep.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm.scenario import config_with
from abm.schema import ScenarioConfig

MAX_ERROR_CHARS = 500
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run; small and picklable (the base config as a dict)."""

    run_id: str
    point: int
    replicate: int
    seed: int
    params: dict[str, Any]
    base: dict[str, Any]
    counterfactual: bool
    kpis: tuple[str, ...] | None
    timeseries: bool
    projects: bool = False


def flatten_kpis(kpis: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{'energized_mw': {'grid': 1.0}} -> {'energized_mw.grid': 1.0}."""
    out: dict[str, Any] = {}
    for key, value in kpis.items():
        if isinstance(value, Mapping):
            out.update(flatten_kpis(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _frame_label(frame: traceback.FrameSummary) -> str:
    """'abm/model.py:287 choose_site' for project code, 'file.py:12' otherwise."""
    path = Path(frame.filename)
    try:
        name = f"abm/{path.resolve().relative_to(_PACKAGE_DIR).as_posix()}"
    except (ValueError, OSError):
        name = path.name
    return f"{name}:{frame.lineno} {frame.name}"


def error_text(exc: BaseException) -> str:
    """One line: exception type, message, and where it was raised (innermost project frame too)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(_PACKAGE_DIR)]
    places = [_frame_label(f) for f in (ours[-1:] + frames[-1:])] if frames else []
    places = list(dict.fromkeys(places))
    where = f" [at {' < '.join(reversed(places))}]" if places else ""
    message = " ".join(str(exc).split()) or "(no message)"
    text = f"{type(exc).__name__}: {message}"
    if len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 3] + "..."
    return text + where


def timeseries_with_keys(ts: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """A run's monthly table with `run_id` and `month` in front (the timeseries part's layout)."""
    ts = ts.copy()
    ts.insert(0, "month", np.arange(len(ts), dtype=np.int64))
    ts.insert(0, "run_id", run_id)
    return ts


def projects_with_keys(projects: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """A run's per-project table with `run_id` in front (the projects part's layout)."""
    projects = projects.copy()
    projects.insert(0, "run_id", run_id)
    return projects


def execute_run(task: RunTask) -> dict[str, Any]:
    """Run one point and return its row; an exception in the model becomes a 'failed' row."""
    from abm.runner import run_scenario

    started = time.perf_counter()
    cpu_started = time.process_time()
    row: dict[str, Any] = {
        "run_id": task.run_id,
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
        **task.params,
    }
    try:
        cfg = config_with(
            ScenarioConfig.model_validate(task.base),
            {**task.params, "run.seed": task.seed},
            f"run {task.run_id}",
        )
        result = run_scenario(cfg, counterfactual=task.counterfactual)
    except Exception as exc:  # any failure of one run is data, not the end of the sweep
        row.update(
            status="failed",
            error=error_text(exc),
            wall_time_s=time.perf_counter() - started,
            cpu_time_s=time.process_time() - cpu_started,
        )
        return row
    flat = flatten_kpis(result.kpis)
    if task.kpis is not None:
        flat = {k: flat.get(k) for k in task.kpis}
    row.update(flat)
    row.update(
        status="ok",
        error=None,
        wall_time_s=time.perf_counter() - started,
        cpu_time_s=time.process_time() - cpu_started,
    )
    if task.timeseries:
        row["__timeseries__"] = timeseries_with_keys(result.timeseries, task.run_id)
    if task.projects:
        row["__projects__"] = projects_with_keys(result.projects, task.run_id)
    return row
