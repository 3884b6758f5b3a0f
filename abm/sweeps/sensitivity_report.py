"""Sensitivity results for people: a bar plot per KPI, a wide table, and that table as Markdown."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm.errors import InputError
from abm.sweeps.sensitivity_indices import Sensitivity

SOBOL_BARS = ((-0.2, "S1", "#1f77b4"), (0.2, "ST", "#ff7f0e"))


def _pivot(result: Sensitivity, index: str, kpis: Sequence[str]) -> pd.DataFrame:
    """Parameter x KPI matrix of one index (NaN where missing)."""
    t = result.table[result.table["index"] == index]
    return t.pivot(index="parameter", columns="kpi", values="value").reindex(
        index=result.parameters, columns=list(kpis)
    )


def _sobol_axes(ax: Any, sub: pd.DataFrame, parameters: list[str], ypos: np.ndarray) -> None:
    """S1 and ST bars with confidence whiskers, one pair per parameter."""
    for offset, index, color in SOBOL_BARS:
        vals = [sub.loc[(index, p), "value"] for p in parameters]
        conf = [sub.loc[(index, p), "conf"] for p in parameters]
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


def _morris_axes(ax: Any, sub: pd.DataFrame, parameters: list[str], ypos: np.ndarray) -> None:
    """mu* bars with confidence whiskers and sigma as diamonds, in the KPI's units."""
    vals = [sub.loc[("mu_star", p), "value"] for p in parameters]
    conf = [sub.loc[("mu_star", p), "conf"] for p in parameters]
    sig = [sub.loc[("sigma", p), "value"] for p in parameters]
    ax.barh(ypos, vals, height=0.5, xerr=conf, color="#1f77b4", label="mu*", capsize=2)
    ax.plot(sig, ypos, "D", color="#d62728", label="sigma")
    ax.set_xlabel("elementary effect (KPI units)")


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
    draw = _sobol_axes if result.method == "sobol" else _morris_axes
    for ax, kpi in zip(axes.flat, shown, strict=False):
        sub = result.table[result.table["kpi"] == kpi].set_index(["index", "parameter"])
        draw(ax, sub, result.parameters, ypos)
        ax.set_title(kpi, fontsize=10)
        ax.set_yticks(ypos, result.parameters, fontsize=8)
        # first parameter on top (idempotent with sharey)
        ax.set_ylim(len(result.parameters) - 0.5, -0.5)
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
    if result.method == "sobol" and shown:
        cells.loc["sum of S1"] = [fmt(b[k].sum()) for k in shown]
    cells.index.name = "parameter"
    # a KPI estimated on an incomplete design says so in its column name
    cells.columns = [f"{k} (UNRELIABLE)" if k in result.incomplete else k for k in shown]
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
