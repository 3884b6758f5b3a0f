"""The targets' statistics of every run of a wave, read from its sweep folder.

A KPI target reads its column of the sweep's results; a time-series target reduces a monthly
column (minus another) over the months of one calendar year by its `stat` (mean, first, last).
A failed run or an undefined value gives NaN, which the implausibility turns into inf.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from abm.calibration.spec import Target
from abm.sweeps import load_design, load_results, load_timeseries


def _series_stat(ts: pd.DataFrame, target: Target) -> pd.Series:
    """Per run: the target's reduction of its column over its year (NaN when the year is absent)."""
    rows = ts[ts["date"].astype(str).str.startswith(str(target.year))]
    values = rows[target.column].astype(float)
    if target.subtract:
        values = values - rows[target.subtract].astype(float)
    frame = pd.DataFrame({"run_id": rows["run_id"], "month": rows["month"], "v": values})
    frame = frame.sort_values(["run_id", "month"])
    grouped = frame.groupby("run_id")["v"]
    reduce = {"mean": grouped.mean, "first": grouped.first, "last": grouped.last}[target.stat]
    return reduce()


def run_values(out_dir: str | os.PathLike[str], targets: tuple[Target, ...]) -> pd.DataFrame:
    """One row per run (point, replicate) and one column per target; NaN for failed runs."""
    design = load_design(out_dir)[["point", "replicate", "run_id"]]
    results = load_results(out_dir)
    ok = results.loc[results["status"] == "ok"].set_index("run_id")
    table = design.set_index("run_id")
    ts = None
    for t in targets:
        if t.kpi is not None:
            table[t.name] = ok[t.kpi].reindex(table.index).astype(float)
            continue
        if ts is None:
            ts = load_timeseries(out_dir, list(ok.index))
        table[t.name] = _series_stat(ts, t).reindex(table.index).astype(float)
    return table.reset_index()


def by_point(values: pd.DataFrame, target: str, n_points: int, n_seeds: int) -> np.ndarray:
    """(points, seeds) array of one target; NaN where a run is missing."""
    out = np.full((n_points, n_seeds), np.nan)
    pts = values["point"].to_numpy(int)
    reps = values["replicate"].to_numpy(int)
    out[pts, reps] = values[target].to_numpy(float)
    return out
