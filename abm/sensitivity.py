"""Sensitivity indices from a finished sweep: Sobol (Saltelli design) or Morris, per KPI.

Replicates of a design point are averaged first (the model is stochastic; SALib expects one
output per sample), then SALib's `sobol.analyze` or `morris.analyze` runs on each KPI. The
result is a tidy table (method, kpi, parameter, index, value, conf) and a bar plot.
"""

from __future__ import annotations

import itertools
import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from abm.errors import InputError
from abm.sweep import load_design, load_manifest, load_results, select_kpis

ANALYSABLE = ("sobol", "morris")
METHOD_LABELS = {"sobol": "Sobol", "morris": "Morris"}
TIDY_COLUMNS = ("method", "kpi", "parameter", "index", "value", "conf", "samples")


@dataclass
class Sensitivity:
    """Indices of one sweep: the tidy table, KPIs left out (with why), and files written."""

    method: str
    table: pd.DataFrame
    parameters: list[str]
    kpis: list[str]
    n_points: int
    skipped: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)


def point_means(out_dir: str | os.PathLike[str], kpis: Sequence[str]) -> pd.DataFrame:
    """Mean of each KPI over the successful replicates of every design point (index = point)."""
    design = load_design(out_dir)
    results = load_results(out_dir)
    ok = results.loc[results["status"] == "ok", ["run_id", *kpis]]
    merged = design[["point", "run_id"]].merge(ok, on="run_id", how="left")
    means = merged.groupby("point", sort=True)[list(kpis)].mean()
    return means.reindex(range(int(design["point"].max()) + 1))


def _sample_matrix(out_dir: str | os.PathLike[str], names: Sequence[str]) -> np.ndarray:
    """The raw (unrounded) sample matrix of a SALib design, one row per design point."""
    design = load_design(out_dir)
    first = design[design["replicate"] == 0].sort_values("point")
    return first[[f"sample.{n}" for n in names]].to_numpy(dtype=float)


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
) -> Sensitivity:
    """Sobol or Morris indices per KPI of a sweep folder; writes sensitivity.csv/.parquet/.png.

    `kpis` narrows the KPIs (exact names or prefixes). A failed run or an undefined KPI leaves
    a hole in the design; the Saltelli blocks (Sobol) or trajectories (Morris) with holes are
    dropped, which keeps the estimators valid on fewer samples (`Sensitivity.notes`). KPIs
    with fewer than `min_complete_share` of their blocks complete, or constant ones, are
    skipped and listed in `Sensitivity.skipped` with the reason.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    out = Path(out_dir)
    manifest = load_manifest(out)
    method = manifest["design"]
    if method not in ANALYSABLE:
        raise InputError(
            f"{out}: analyze needs a sobol or morris sweep; this one used design {method!r}"
        )
    problem = manifest["problem"]
    spec = manifest["spec"]
    names = list(problem["names"])
    chosen = select_kpis(manifest["kpis"], kpis, f"{out} --kpis")
    means = point_means(out, chosen)
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

    rows: list[dict[str, object]] = []
    skipped: dict[str, str] = {}
    X = _sample_matrix(out, names) if method == "morris" else None
    notes: dict[str, str] = {}
    k = len(names)
    if method == "sobol":
        block, unit = (2 * k + 2 if spec["second_order"] else k + 2), "Saltelli blocks"
    else:
        block, unit = k + 1, "trajectories"
    n_blocks = int(means.index.size) // block
    for kpi in chosen:
        values = means[kpi].to_numpy(dtype=float).reshape(n_blocks, block)
        complete = np.isfinite(values).all(axis=1)
        used = int(complete.sum())
        n_bad = int((~np.isfinite(values)).sum())
        if used < max(2, math.ceil(min_complete_share * n_blocks)):
            skipped[kpi] = (
                f"only {used} of {n_blocks} {unit} complete (no value at {n_bad} of "
                f"{values.size} design points: failed runs or undefined KPI)"
            )
            continue
        if used < n_blocks:
            notes[kpi] = (
                f"{used} of {n_blocks} {unit} used; {n_blocks - used} dropped for missing "
                f"values at {n_bad} design points"
            )
        y = values[complete].ravel()
        if np.ptp(y) <= 1e-12 * max(1.0, float(np.abs(y).max())):
            skipped[kpi] = "constant across the design"
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            if method == "sobol":
                si = sobol_analyze.analyze(
                    problem,
                    y,
                    calc_second_order=spec["second_order"],
                    num_resamples=num_resamples,
                    conf_level=conf_level,
                    seed=seed,
                )
            else:
                x_used = X.reshape(n_blocks, block, k)[complete].reshape(-1, k)
                si = morris_analyze.analyze(
                    problem,
                    x_used,
                    y,
                    num_resamples=num_resamples,
                    conf_level=conf_level,
                    num_levels=spec["levels"],
                    seed=seed,
                )
        for row in _tidy(method, kpi, names, si, spec.get("second_order", False)):
            rows.append({**row, "samples": used})
    table = pd.DataFrame(rows, columns=list(TIDY_COLUMNS))
    result = Sensitivity(
        method,
        table,
        names,
        [k for k in chosen if k not in skipped],
        int(means.index.size),
        skipped,
        notes,
    )
    if write:
        result.paths["csv"] = out / "sensitivity.csv"
        table.to_csv(result.paths["csv"], index=False)
        result.paths["parquet"] = out / "sensitivity.parquet"
        table.to_parquet(result.paths["parquet"], index=False)
        if result.kpis:
            target = Path(plot_path) if plot_path is not None else out / "sensitivity.png"
            title = (
                f"{manifest['name']}: {METHOD_LABELS[method]} indices ({manifest['n_runs']} runs)"
            )
            result.paths["plot"] = plot_sensitivity(result, target, plot_kpis, title)
    return result


def _num(x: object) -> float:
    """Plain float (SALib returns numpy scalars and masked values)."""
    value = float(np.ma.filled(x, np.nan)) if np.ma.isMaskedArray(x) else float(x)  # type: ignore[arg-type]
    return value


def _tidy(
    method: str, kpi: str, names: list[str], si: dict, second_order: bool
) -> list[dict[str, object]]:
    """SALib's result dict -> tidy rows (one per parameter and index)."""
    rows: list[dict[str, object]] = []
    if method == "sobol":
        for i, name in enumerate(names):
            for index in ("S1", "ST"):
                rows.append(
                    {
                        "method": method,
                        "kpi": kpi,
                        "parameter": name,
                        "index": index,
                        "value": _num(si[index][i]),
                        "conf": _num(si[f"{index}_conf"][i]),
                    }
                )
        if second_order:
            for i, j in itertools.combinations(range(len(names)), 2):
                rows.append(
                    {
                        "method": method,
                        "kpi": kpi,
                        "parameter": f"{names[i]}:{names[j]}",
                        "index": "S2",
                        "value": _num(si["S2"][i, j]),
                        "conf": _num(si["S2_conf"][i, j]),
                    }
                )
    else:
        for i, name in enumerate(names):
            rows.append(
                {
                    "method": method,
                    "kpi": kpi,
                    "parameter": name,
                    "index": "mu_star",
                    "value": _num(si["mu_star"][i]),
                    "conf": _num(si["mu_star_conf"][i]),
                }
            )
            rows.append(
                {
                    "method": method,
                    "kpi": kpi,
                    "parameter": name,
                    "index": "sigma",
                    "value": _num(si["sigma"][i]),
                    "conf": math.nan,
                }
            )
            rows.append(
                {
                    "method": method,
                    "kpi": kpi,
                    "parameter": name,
                    "index": "mu",
                    "value": _num(si["mu"][i]),
                    "conf": math.nan,
                }
            )
    return rows


def _pivot(result: Sensitivity, index: str, kpis: Sequence[str]) -> pd.DataFrame:
    """parameter x KPI matrix of one index (NaN where missing)."""
    t = result.table[result.table["index"] == index]
    return t.pivot(index="parameter", columns="kpi", values="value").reindex(
        index=result.parameters, columns=list(kpis)
    )


def plot_sensitivity(
    result: Sensitivity,
    path: str | os.PathLike[str],
    kpis: Sequence[str] | None = None,
    title: str | None = None,
) -> Path:
    """Bar plot per KPI: Sobol S1 and ST with confidence bars, or Morris mu* (bars) and sigma."""
    from matplotlib.figure import Figure

    shown = [k for k in (kpis or result.kpis) if k in result.kpis]
    if not shown:
        raise InputError(f"nothing to plot: none of {list(kpis or [])} has indices")
    ncols = min(3, len(shown))
    nrows = math.ceil(len(shown) / ncols)
    fig = Figure(
        figsize=(4.6 * ncols, 0.45 * len(result.parameters) * nrows + 1.4 * nrows + 0.6),
        layout="constrained",
    )
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    ypos = np.arange(len(result.parameters))
    t = result.table
    for ax, kpi in zip(axes.flat, shown, strict=False):
        sub = t[t["kpi"] == kpi].set_index(["index", "parameter"])
        if result.method == "sobol":
            for offset, index, color in ((-0.2, "S1", "#1f77b4"), (0.2, "ST", "#ff7f0e")):
                vals = [sub.loc[(index, p), "value"] for p in result.parameters]
                conf = [sub.loc[(index, p), "conf"] for p in result.parameters]
                ax.barh(
                    ypos + offset,
                    vals,
                    height=0.38,
                    xerr=conf,
                    color=color,
                    label=index,
                    capsize=2,
                    error_kw={"lw": 0.8},
                )
            ax.axvline(0, color="black", lw=0.6)
            ax.set_xlabel("Sobol index")
        else:
            vals = [sub.loc[("mu_star", p), "value"] for p in result.parameters]
            conf = [sub.loc[("mu_star", p), "conf"] for p in result.parameters]
            sig = [sub.loc[("sigma", p), "value"] for p in result.parameters]
            ax.barh(ypos, vals, height=0.5, xerr=conf, color="#1f77b4", label="mu*", capsize=2)
            ax.plot(sig, ypos, "D", color="#d62728", label="sigma")
            ax.set_xlabel("elementary effect (KPI units)")
        ax.set_title(kpi, fontsize=10)
        ax.set_yticks(ypos, result.parameters, fontsize=8)
        ax.set_ylim(
            len(result.parameters) - 0.5, -0.5
        )  # first parameter on top (idempotent with sharey)
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(shown) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=9)
    if title:
        fig.suptitle(title, fontsize=11)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=110)
    return target


def summary_table(result: Sensitivity, kpis: Sequence[str] | None = None) -> pd.DataFrame:
    """Wide table for reading: one row per parameter, one column per KPI.

    Sobol cells read "ST (S1)"; Morris cells read "mu* (sigma)". A last row gives the sum of S1
    (well below 1 means interactions or run-to-run noise carry much of the variance).
    """
    shown = [k for k in (kpis or result.kpis) if k in result.kpis]
    first, second = ("ST", "S1") if result.method == "sobol" else ("mu_star", "sigma")
    a, b = _pivot(result, first, shown), _pivot(result, second, shown)
    fmt = _fmt_index if result.method == "sobol" else _fmt_effect
    cells = pd.DataFrame(
        {k: [f"{fmt(a.at[p, k])} ({fmt(b.at[p, k])})" for p in result.parameters] for k in shown},
        index=result.parameters,
    )
    if result.method == "sobol":
        cells.loc["sum of S1"] = [fmt(b[k].sum()) for k in shown]
    cells.index.name = "parameter"
    return cells


def _fmt_index(x: float) -> str:
    """Sobol index to two decimals."""
    return "nan" if not np.isfinite(x) else f"{x:.2f}"


def _fmt_effect(x: float) -> str:
    """Morris effect with three significant figures."""
    return "nan" if not np.isfinite(x) else f"{x:.3g}"


def markdown(cells: pd.DataFrame) -> str:
    """A wide table as GitHub Markdown."""
    header = [cells.index.name or "", *cells.columns]
    lines = [
        "| " + " | ".join(f"`{h}`" if i else h for i, h in enumerate(header)) + " |",
        "|" + "---|" * len(header),
    ]
    for name, row in cells.iterrows():
        label = f"`{name}`" if "." in str(name) else str(name)
        lines.append("| " + " | ".join([label, *map(str, row)]) + " |")
    return "\n".join(lines)
