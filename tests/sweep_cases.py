"""Shared cases of the sweep tests: the reference sweep and a timing-free view of results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SWEEPS = ROOT / "scenarios" / "sweeps"
FAST = {"grid.n_buses": 20}

# 2 modes x 2 grid sources (one file is missing, so those runs fail inside the model) x 2 demand
# levels x 2 seeds, over three months: enough for the eight finished runs to differ in every KPI
# the tests compare (checked in tests/test_sweep_run.py, so a table that mixed up runs, seeds or
# points cannot equal the reference), at about half the cost of a year
REFERENCE: dict[str, Any] = {
    "name": "reference",
    "scenario": "baseline",
    "design": "factorial",
    "seed": 11,
    "seeds_per_point": 2,
    "months": 3,
    "fixed": FAST,
    "parameters": {
        "queue.mode": ["serial", "cluster"],
        "grid.source": ["synthetic", "no_such_grid.json"],
        "demand.growth_multiplier": [0.8, 1.2],
    },
}


def stable(df: pd.DataFrame) -> pd.DataFrame:
    """A results table without timing, sorted by run id, for equality checks."""
    return (
        df.drop(columns=["wall_time_s", "cpu_time_s"]).sort_values("run_id").reset_index(drop=True)
    )
