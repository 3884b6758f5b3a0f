"""Sensitivity indices of one KPI: SALib's Sobol or Morris analysis on complete blocks, as tidy rows.

Replicates of a design point are averaged before this (the model is stochastic; SALib expects
one output per sample). A failed run or an undefined KPI leaves a hole. By default a KPI with a
hole is refused, with the count: dropping the Saltelli blocks (Sobol) or trajectories (Morris)
with holes keeps the estimators computable, but biased whenever the holes depend on the levers.
With `allow_incomplete` the indices are estimated on the complete blocks and flagged unreliable.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm.errors import InputError

ANALYSABLE = ("sobol", "morris")
METHOD_LABELS = {"sobol": "Sobol", "morris": "Morris"}
TIDY_COLUMNS = ("method", "kpi", "parameter", "index", "value", "conf", "samples", "complete")
# Morris: (index name, SALib key of its confidence or None)
_MORRIS_INDICES = (("mu_star", "mu_star_conf"), ("sigma", None), ("mu", None))


@dataclass
class Sensitivity:
    """Indices of one sweep: the tidy table, KPIs left out (with why), and files written.

    `incomplete` names every KPI whose design has holes, with the count: refused (in `skipped`)
    by default, or estimated on the complete blocks and unreliable with `allow_incomplete`.
    """

    method: str
    table: pd.DataFrame
    parameters: list[str]
    kpis: list[str]
    n_points: int
    skipped: dict[str, str] = field(default_factory=dict)
    incomplete: dict[str, str] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    failed_runs: int = 0


@dataclass(frozen=True)
class AnalysisSetup:
    """What every KPI's analysis shares: the SALib problem, block layout and options."""

    method: str
    problem: dict[str, Any]
    names: list[str]
    second_order: bool
    levels: int
    block: int
    unit: str
    x: np.ndarray | None  # the raw sample matrix (Morris needs it)
    salib_options: dict[str, Any]


def analysis_setup(out: Path, manifest: dict[str, Any], options: dict[str, Any]) -> AnalysisSetup:
    """The analysis set-up of a sobol or morris sweep folder (InputError for any other design)."""
    method = manifest["design"]
    if method not in ANALYSABLE:
        raise InputError(
            f"{out}: analyze needs a sobol or morris sweep; this one used design {method!r}"
        )
    problem, spec = manifest["problem"], manifest["spec"]
    names = list(problem["names"])
    k = len(names)
    if method == "sobol":
        block, unit = (2 * k + 2 if spec["second_order"] else k + 2), "Saltelli blocks"
    else:
        block, unit = k + 1, "trajectories"
    return AnalysisSetup(
        method=method,
        problem=problem,
        names=names,
        second_order=spec.get("second_order", False),
        levels=spec["levels"],
        block=block,
        unit=unit,
        x=None,
        salib_options=options,
    )


def _salib(setup: AnalysisSetup, y: np.ndarray, complete: np.ndarray, n_blocks: int) -> dict:
    """SALib's indices of one KPI on the complete blocks (warnings of degenerate cases muted)."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if setup.method == "sobol":
            return sobol_analyze.analyze(
                setup.problem, y, calc_second_order=setup.second_order, **setup.salib_options
            )
        k = len(setup.names)
        x_used = setup.x.reshape(n_blocks, setup.block, k)[complete].reshape(-1, k)
        return morris_analyze.analyze(
            setup.problem, x_used, y, num_levels=setup.levels, **setup.salib_options
        )


def _holes(setup: AnalysisSetup, values: np.ndarray, used: int) -> str:
    """'26 of 128 Saltelli blocks incomplete (no value at 32 of 1024 design points: ...)'."""
    n_blocks = values.shape[0]
    n_bad = int((~np.isfinite(values)).sum())
    return (
        f"{n_blocks - used} of {n_blocks} {setup.unit} incomplete (no value at {n_bad} of "
        f"{values.size} design points: failed runs or undefined KPI)"
    )


def analyze_kpi(
    setup: AnalysisSetup,
    kpi: str,
    values: np.ndarray,
    min_complete_share: float,
    allow_incomplete: bool = False,
) -> tuple[list[dict[str, object]], str | None, str | None]:
    """(tidy rows, reason skipped, holes) for one KPI's point means, shaped (blocks, block).

    `holes` counts the incomplete blocks (None when there are none). With holes the KPI is
    refused unless `allow_incomplete`; then it is estimated on the complete blocks (at least
    `min_complete_share` of them) and its rows say `complete = False`.
    """
    n_blocks = values.shape[0]
    complete = np.isfinite(values).all(axis=1)
    used = int(complete.sum())
    holes = _holes(setup, values, used) if used < n_blocks else None
    if holes is not None and not allow_incomplete:
        return [], f"refused: {holes}; indices on the rest would be unreliable", holes
    if used < max(2, math.ceil(min_complete_share * n_blocks)):
        return [], f"only {used} of {n_blocks} {setup.unit} complete ({holes})", holes
    y = values[complete].ravel()
    if np.ptp(y) <= 1e-12 * max(1.0, float(np.abs(y).max())):
        return [], "constant across the design", holes
    si = _salib(setup, y, complete, n_blocks)
    rows = _tidy(setup.method, kpi, setup.names, si, setup.second_order)
    return [{**row, "samples": used, "complete": holes is None} for row in rows], None, holes


def _num(x: object) -> float:
    """Plain float (SALib returns numpy scalars and masked values)."""
    value = float(np.ma.filled(x, np.nan)) if np.ma.isMaskedArray(x) else float(x)  # type: ignore[arg-type]
    return value


def _sobol_cells(names: list[str], si: dict, second_order: bool) -> Iterator[tuple[Any, ...]]:
    """(parameter, index, value, conf) of S1 and ST per parameter, then S2 per pair."""
    for i, name in enumerate(names):
        for index in ("S1", "ST"):
            yield name, index, _num(si[index][i]), _num(si[f"{index}_conf"][i])
    if second_order:
        for i, j in itertools.combinations(range(len(names)), 2):
            yield f"{names[i]}:{names[j]}", "S2", _num(si["S2"][i, j]), _num(si["S2_conf"][i, j])


def _morris_cells(names: list[str], si: dict) -> Iterator[tuple[Any, ...]]:
    """(parameter, index, value, conf) of mu*, sigma and mu per parameter (conf for mu* only)."""
    for i, name in enumerate(names):
        for index, conf_key in _MORRIS_INDICES:
            conf = _num(si[conf_key][i]) if conf_key else math.nan
            yield name, index, _num(si[index][i]), conf


def _tidy(
    method: str, kpi: str, names: list[str], si: dict, second_order: bool
) -> list[dict[str, object]]:
    """SALib's result dict -> tidy rows (one per parameter and index)."""
    cells = _sobol_cells(names, si, second_order) if method == "sobol" else _morris_cells(names, si)
    return [
        {"method": method, "kpi": kpi, "parameter": p, "index": i, "value": v, "conf": c}
        for p, i, v, c in cells
    ]
