"""Sensitivity analysis of a finished sweep folder: Sobol (Saltelli design) or Morris, per KPI.

`analyze_sweep` reads the folder's manifest, design and results, averages the replicates of
each design point, asks `abm.sweeps.sensitivity_indices` for each KPI's indices, and writes
sensitivity.csv, sensitivity.parquet and a bar plot (`abm.sweeps.sensitivity_report`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm import atomic
from abm.errors import InputError
from abm.sweeps.outputs import select_kpis
from abm.sweeps.sensitivity_indices import (
    METHOD_LABELS,
    TIDY_COLUMNS,
    Sensitivity,
    analysis_setup,
    analyze_kpi,
)
from abm.sweeps.sensitivity_report import plot_sensitivity
from abm.sweeps.store import load_design, load_manifest, load_results


def point_means(
    out_dir: str | os.PathLike[str], kpis: Sequence[str], every_replicate: bool = True
) -> pd.DataFrame:
    """Mean of each KPI over the replicates of every design point (index = point).

    With `every_replicate` a point whose replicate failed or left the KPI undefined has no
    value (NaN), so the hole is counted, not hidden in a mean over fewer replicates; without
    it the mean is over the replicates that have a value.
    """
    design = load_design(out_dir)
    results = load_results(out_dir)
    ok = results.loc[results["status"] == "ok", ["run_id", *kpis]]
    merged = design[["point", "run_id"]].merge(ok, on="run_id", how="left")
    grouped = merged.groupby("point", sort=True)[list(kpis)]
    means = grouped.mean()
    if every_replicate:
        replicates = merged.groupby("point", sort=True).size()
        means = means.where(grouped.count().eq(replicates, axis=0))
    return means.reindex(range(int(design["point"].max()) + 1))


def _sample_matrix(out_dir: str | os.PathLike[str], names: Sequence[str]) -> np.ndarray:
    """The raw (unrounded) sample matrix of a SALib design, one row per design point."""
    design = load_design(out_dir)
    first = design[design["replicate"] == 0].sort_values("point")
    return first[[f"sample.{n}" for n in names]].to_numpy(dtype=float)


def _check_complete(out: Path, manifest: dict[str, Any], means: pd.DataFrame) -> None:
    """Every planned point and run is recorded (analyse only a finished sweep)."""
    if means.index.size != manifest["n_points"]:
        raise InputError(
            f"{out}: design has {means.index.size} points but the sweep planned {manifest['n_points']}"
        )
    recorded = load_results(out)
    planned = set(load_design(out)["run_id"])
    missing_runs = len(planned - set(recorded["run_id"]))
    if missing_runs:
        raise InputError(
            f"{out}: {missing_runs} of {len(planned)} runs are not recorded yet; finish the sweep with --resume first"
        )


def analyze_sweep(
    out_dir: str | os.PathLike[str],
    kpis: Sequence[str] | None = None,
    *,
    write: bool = True,
    plot_path: str | os.PathLike[str] | None = None,
    plot_kpis: Sequence[str] | None = None,
    conf_level: float = 0.95,
    num_resamples: int = 100,
    seed: int = 0,
    min_complete_share: float = 0.5,
    allow_incomplete: bool = False,
) -> Sensitivity:
    """Sobol or Morris indices per KPI of a sweep folder; writes sensitivity.csv/.parquet/.png.

    `kpis` narrows the KPIs (exact names or prefixes). A failed run or an undefined KPI leaves
    a hole in the design. A KPI with a hole is refused (in `Sensitivity.skipped`, with the
    count of incomplete blocks) unless `allow_incomplete`: then the Saltelli blocks (Sobol) or
    trajectories (Morris) with holes are dropped, the indices come from the rest (at least
    `min_complete_share` of them) and the KPI is flagged in `Sensitivity.incomplete` and by
    `complete = False` in the table. Constant KPIs are skipped with the reason.
    """
    out = Path(out_dir)
    manifest = load_manifest(out)
    options = {"num_resamples": num_resamples, "conf_level": conf_level, "seed": seed}
    setup = analysis_setup(out, manifest, options)
    chosen = select_kpis(manifest["kpis"], kpis, f"{out} --kpis")
    strict = point_means(out, chosen)
    means = point_means(out, chosen, every_replicate=False) if allow_incomplete else strict
    _check_complete(out, manifest, means)
    if setup.method == "morris":
        setup = replace(setup, x=_sample_matrix(out, setup.names))
    n_blocks = int(means.index.size) // setup.block
    rows: list[dict[str, object]] = []
    result = Sensitivity(setup.method, pd.DataFrame(), setup.names, [], int(means.index.size))
    result.failed_runs = int((load_results(out)["status"] == "failed").sum())
    for kpi in chosen:
        values = means[kpi].to_numpy(dtype=float).reshape(n_blocks, setup.block)
        kpi_rows, reason, holes = analyze_kpi(
            setup, kpi, values, min_complete_share, allow_incomplete
        )
        holes = _with_partial_points(holes, strict[kpi], means[kpi], kpi_rows)
        if holes is not None:
            result.incomplete[kpi] = holes
        if reason is not None:
            result.skipped[kpi] = reason
        rows.extend(kpi_rows)
    result.table = pd.DataFrame(rows, columns=list(TIDY_COLUMNS))
    result.kpis = [k for k in chosen if k not in result.skipped]
    if write:
        _write(result, out, manifest, plot_path, plot_kpis)
    return result


def _with_partial_points(
    holes: str | None, strict: pd.Series, means: pd.Series, rows: list[dict[str, object]]
) -> str | None:
    """Add the points averaged over fewer replicates (only with allow_incomplete) to `holes`.

    Such a point has a value but not from every replicate, so its KPI's rows are marked
    `complete = False` too.
    """
    partial = int((strict.isna() & means.notna()).sum())
    if not partial:
        return holes
    for row in rows:
        row["complete"] = False
    text = (
        f"{partial} of {means.size} design points averaged over fewer replicates "
        "(failed runs or undefined KPI)"
    )
    return text if holes is None else f"{holes}; {text}"


def _write(
    result: Sensitivity,
    out: Path,
    manifest: dict[str, Any],
    plot_path: str | os.PathLike[str] | None,
    plot_kpis: Sequence[str] | None,
) -> None:
    """sensitivity.csv, sensitivity.parquet and (when a KPI has indices) the bar plot."""
    result.paths["csv"] = out / "sensitivity.csv"
    atomic.write_atomic(result.paths["csv"], lambda p: result.table.to_csv(p, index=False))
    result.paths["parquet"] = out / "sensitivity.parquet"
    atomic.write_atomic(result.paths["parquet"], lambda p: result.table.to_parquet(p, index=False))
    if result.kpis:
        target = Path(plot_path) if plot_path is not None else out / "sensitivity.png"
        label = METHOD_LABELS[result.method]
        title = f"{manifest['name']}: {label} indices ({manifest['n_runs']} runs)"
        if any(k in result.incomplete for k in result.kpis):
            title += "; UNRELIABLE: design incomplete"
        result.paths["plot"] = plot_sensitivity(result, target, plot_kpis, title)
