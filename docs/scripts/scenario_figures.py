"""The figures of docs/scenarios.md: one chart per scenario against the baseline, and an overview."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from figure_output import save_png
from matplotlib.figure import Figure
from scenario_page import Run

PATH_STYLE: dict[str, tuple[str, str]] = {
    "grid": ("grid connection", "#1f77b4"),
    "modular_second_life": ("modular, second-life batteries", "#2ca02c"),
    "modular_new": ("modular, new batteries", "#bcbd22"),
    "onsite_gas": ("on-site gas", "#d62728"),
    "other": ("wildcard ('other')", "#9467bd"),
}
STYLE = {
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.labelsize": 13,
    "legend.fontsize": 11,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
}


def path_columns(*frames: pd.DataFrame) -> list[str]:
    """Paths present in any of the tables, in the fixed PATH_STYLE order."""
    return [p for p in PATH_STYLE if any(f"energized_mw_{p}" in f.columns for f in frames)]


def series(df: pd.DataFrame, path: str) -> np.ndarray:
    """Energised MW of one path (zeros when the path is absent)."""
    col = f"energized_mw_{path}"
    return df[col].to_numpy(dtype=float) if col in df.columns else np.zeros(len(df))


def draw_chart(name: str, run: Run, base: Run, scale: float, out: Path) -> None:
    """Two panels: the scenario's energised GW by path (stacked) against demand and the baseline; the change by path."""
    ts, bs = run.timeseries, base.timeseries
    years = pd.PeriodIndex(ts["date"], freq="M").to_timestamp()
    paths = path_columns(ts, bs)
    new_demand = (ts["ai_demand_mw"] - ts["existing_mw"]).to_numpy(dtype=float) / 1000
    base_total = sum(series(bs, p) for p in paths) * scale / 1000
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(15, 6.2), layout="constrained")
        ax_stack, ax_delta = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        ax_stack.stackplot(
            years,
            *[series(ts, p) / 1000 for p in paths],
            labels=[PATH_STYLE[p][0] for p in paths],
            colors=[PATH_STYLE[p][1] for p in paths],
            alpha=0.85,
        )
        ax_stack.plot(
            years, new_demand, color="black", lw=2.5, label="new AI demand since Jan 2025"
        )
        base_label = "baseline: all paths" if scale == 1.0 else f"baseline ×{scale:.3g}: all paths"
        ax_stack.plot(years, base_total, color="black", lw=2, ls="--", label=base_label)
        ax_stack.set_title(f"{name}: energised AI capacity by path")
        ax_stack.set_ylabel("GW energised since Jan 2025")
        ax_stack.legend(loc="upper left", frameon=True)
        ax_stack.grid(alpha=0.3)
        ax_stack.set_ylim(bottom=0)
        for p in paths:
            delta = (series(ts, p) - series(bs, p) * scale) / 1000
            ax_delta.plot(years, delta, color=PATH_STYLE[p][1], lw=2.5, label=PATH_STYLE[p][0])
        unserved = (
            ts["unserved_mw"].to_numpy(dtype=float)
            - bs["unserved_mw"].to_numpy(dtype=float) * scale
        ) / 1000
        ax_delta.plot(years, unserved, color="black", lw=2, ls=":", label="unserved demand")
        ax_delta.axhline(0, color="grey", lw=1)
        against = "the baseline" if scale == 1.0 else f"the baseline ×{scale:.3g}"
        ax_delta.set_title(f"Change against {against} (same seed)")
        ax_delta.set_ylabel("GW, scenario minus baseline")
        ax_delta.legend(loc="best", frameon=True)
        ax_delta.grid(alpha=0.3)
        for ax in (ax_stack, ax_delta):
            locator = mdates.AutoDateLocator(maxticks=8)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        save_png(fig, out, dpi=100)


def draw_overview(runs: dict[str, Run], out: Path) -> None:
    """One bar per scenario: energised GW by path at the end of the run, as shares of new demand (comparable across sizes)."""
    names = list(runs)
    paths = path_columns(*(r.timeseries for r in runs.values()))
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(14, 6.5), layout="constrained")
        ax = fig.subplots()
        left = np.zeros(len(names))
        for p in paths:
            share = []
            for n in names:
                last = runs[n].timeseries.iloc[-1]
                need = max(float(last["ai_demand_mw"] - last["existing_mw"]), 1e-9)
                col = f"energized_mw_{p}"
                share.append(100 * float(last[col]) / need if col in last.index else 0.0)
            ax.barh(names, share, left=left, color=PATH_STYLE[p][1], label=PATH_STYLE[p][0])
            left += np.array(share)
        ax.barh(names, np.clip(100 - left, 0, None), left=left, color="#dddddd", label="unserved")
        ax.axvline(100, color="black", lw=1.5, ls="--")
        ax.invert_yaxis()
        ax.set_xlim(0, max(100.0, float(left.max()) * 1.02))
        ax.set_xlabel("energised by path, % of the new AI demand since Jan 2025 (dashed: 100 %)")
        ax.set_title("How each scenario powers the new AI demand at the end of the run")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, -0.32), ncol=3, frameon=False)
        ax.grid(axis="x", alpha=0.3)
        save_png(fig, out, dpi=100)
