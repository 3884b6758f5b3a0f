"""A finished calibration as data: the points table, posterior ranges, the chosen point, the JSON.

`result_dict` is what `calibration.json` holds (and `docs/data/calibration_baseline.json`, from
which `docs/calibration.md` is rendered without re-running anything); `points_table` is
`points.csv`, one row per point of every wave.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from abm.calibration.implausibility import max_implausibility
from abm.calibration.waves import Calibration, Wave

QUANTILES = (0.05, 0.5, 0.95)


def _finite(x: float) -> float | None:
    """A JSON-safe number: None for NaN or inf."""
    return float(x) if np.isfinite(x) else None


def points_table(cal: Calibration) -> pd.DataFrame:
    """One row per (wave, point): parameters, each target's mean, sd and I, max I, kept."""
    rows: list[dict[str, Any]] = []
    for w in cal.waves:
        worst = max_implausibility(w.table)
        for i in range(w.points.shape[0]):
            row: dict[str, Any] = {"wave": w.number, "point": i}
            row.update(dict(zip(cal.spec.keys, w.points[i].tolist(), strict=True)))
            for j, t in enumerate(cal.spec.targets):
                v = w.values[t.name][i]
                row[f"{t.name}.mean"] = float(np.mean(v))
                row[f"{t.name}.sd"] = float(np.std(v, ddof=1))
                row[f"{t.name}.I"] = float(w.table[i, j])
            row["max_I"] = float(worst[i])
            row["non_implausible"] = bool(w.kept[i])
            rows.append(row)
    return pd.DataFrame(rows)


def _posterior(cal: Calibration, last: Wave) -> dict[str, Any]:
    """Per parameter: prior range, and the range and quantiles of the last wave's kept points."""
    out: dict[str, Any] = {}
    kept = last.points[last.kept]
    for j, p in enumerate(cal.spec.parameters):
        entry: dict[str, Any] = {"prior_min": p.min, "prior_max": p.max, "reason": p.reason}
        if kept.shape[0]:
            col = kept[:, j]
            entry.update(min=float(col.min()), max=float(col.max()))
            entry.update({f"q{int(q * 100):02d}": float(np.quantile(col, q)) for q in QUANTILES})
        out[p.key] = entry
    return out


def _chosen(cal: Calibration) -> dict[str, Any]:
    """The point of least maximum implausibility over every wave, with its target values."""
    best = min(
        (
            (float(max_implausibility(w.table)[i]), w.number, i)
            for w in cal.waves
            for i in range(w.kept.size)
        ),
        key=lambda x: (x[0], x[1], x[2]),
    )
    worst, number, i = best
    w = cal.waves[number - 1]
    targets = {}
    for j, t in enumerate(cal.spec.targets):
        v = w.values[t.name][i]
        targets[t.name] = {
            "model_mean": _finite(float(np.mean(v))),
            "model_sd": _finite(float(np.std(v, ddof=1))),
            "I": _finite(float(w.table[i, j])),
        }
    params = dict(zip(cal.spec.keys, w.points[i].tolist(), strict=True))
    return {
        "wave": number,
        "point": i,
        "max_I": _finite(worst),
        "parameters": params,
        "targets": targets,
    }


def result_dict(cal: Calibration) -> dict[str, Any]:
    """Everything the report and the docs page need, as plain JSON data (no times of day)."""
    last = cal.waves[-1]
    return {
        "spec": cal.spec.canonical(),
        "runs": sum(w.runs for w in cal.waves),
        "failed_runs": sum(w.failed for w in cal.waves),
        "wall_time_s": round(cal.wall_time_s, 1),
        "executor": cal.executor,
        "stopped": cal.stopped,
        "waves": [
            {
                "wave": w.number,
                "points": int(w.kept.size),
                "runs": w.runs,
                "failed_runs": w.failed,
                "non_implausible": int(w.kept.sum()),
                "wall_time_s": round(w.wall_time_s, 1),
            }
            for w in cal.waves
        ],
        "posterior": _posterior(cal, last),
        "non_implausible_in_last_wave": int(last.kept.sum()),
        "chosen": _chosen(cal),
    }
