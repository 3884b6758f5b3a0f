"""Run every scenario against the baseline and write docs/scenarios.md with one chart per scenario.

One command from the project root: ``.venv/bin/python docs/scripts/scenario_charts.py``. Each
scenario and the baseline run full length with the same seed; the baseline also runs with a few
more seeds so the page can say which differences are larger than seed-to-seed noise. Writes
``docs/img/scenario_<name>.png`` (energised capacity by path against the baseline) and
``docs/scenarios.md`` (description, levers changed, chart and KPI table per scenario). Re-run it
after any calibration change; the page holds no dates or timings, so unchanged results give an
unchanged page.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from abm.paramdoc import format_default, unit_of
from abm.report import HEADLINES, kpi_value
from abm.runner import run_scenario
from abm.scenario import list_scenarios, load_scenario
from abm.schema import SECTIONS, ScenarioConfig

ROOT = Path(__file__).resolve().parents[2]
COMMAND = ".venv/bin/python docs/scripts/scenario_charts.py"
BASELINE = "baseline"
STORY_ORDER = (
    "second_life_boom",
    "recycle_first",
    "queue_reform",
    "phantom_load",
    "carbon_price",
    "degradation_stress",
    "gas_crunch",
    "flexible_compute",
    "orbital_wildcard",
    "real_grid",
)  # issue 9's order on the page; other scenario files follow alphabetically
BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
PATH_STYLE: dict[str, tuple[str, str]] = {
    "grid": ("grid connection", "#1f77b4"),
    "modular_second_life": ("modular, second-life batteries", "#2ca02c"),
    "modular_new": ("modular, new batteries", "#bcbd22"),
    "onsite_gas": ("on-site gas", "#d62728"),
    "other": ("wildcard ('other')", "#9467bd"),
}
EXTRA_KPIS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("energised wildcard ('other') MW", ("energized_mw", "other")),
    ("median time-to-power modular new (months)", ("time_to_power_months_median", "modular_new")),
    ("median time-to-power on-site gas (months)", ("time_to_power_months_median", "onsite_gas")),
    ("curtailed compute (MW-months)", ("curtailed_compute_mw_months",)),
    ("queue backlog at end (GW)", ("queue", "backlog_gw_end")),
    ("phantom share of requested MW", ("queue", "phantom_share_of_requested_mw")),
    ("CO2 operational (Mt)", ("co2_mt", "operational")),
    ("CO2 embodied (Mt)", ("co2_mt", "embodied")),
)
EXTENSIVE_MARKERS = ("MW", "GWh", "GW)", "(Mt)")  # labels of totals that scale with system size
STYLE = {
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.labelsize": 13,
    "legend.fontsize": 11,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
}


@dataclass
class Run:
    """What one run contributes to the page: its config, monthly table and KPIs."""

    config: ScenarioConfig
    timeseries: pd.DataFrame
    kpis: dict[str, Any]
    wall_time_s: float


def run_one(
    job: tuple[str, int, int | None],
) -> tuple[ScenarioConfig, pd.DataFrame, dict[str, Any], float]:
    """Run one scenario (name, seed, months) without the recycle-first counterfactual; plain picklable parts."""
    name, seed, months = job
    try:
        result = run_scenario(name, seed=seed, months=months, counterfactual=False)
    except Exception as exc:  # name the run that broke; the traceback follows as the cause
        raise RuntimeError(
            f"scenario {name} (seed {seed}) failed: {type(exc).__name__}: {exc}"
        ) from exc
    return result.config, result.timeseries, result.kpis, result.wall_time_s


# ------------------------------------------------------------------------------------ numbers
def all_kpis(kpis: dict[str, Any]) -> list[tuple[str, float | None]]:
    """The headline KPIs plus a few the workshop asks about, with total energised MW first."""
    total = sum(v for v in kpis.get("energized_mw", {}).values() if isinstance(v, (int, float)))
    rows: list[tuple[str, float | None]] = [("energised total MW (all paths)", float(total))]
    rows += [(label, kpi_value(kpis, path)) for label, path in (*HEADLINES, *EXTRA_KPIS)]
    return rows


def is_extensive(label: str) -> bool:
    """Whether a KPI is a total that scales with the size of the system (MW, GWh, Mt); shares never do."""
    return "share" not in label and any(marker in label for marker in EXTENSIVE_MARKERS)


def demand_scale(scenario: pd.DataFrame, baseline: pd.DataFrame) -> float:
    """Ratio of the scenario's AI demand to the baseline's; 1 unless the scenario is resized (real_grid)."""
    ratio = float(
        np.median(scenario["ai_demand_mw"].to_numpy() / baseline["ai_demand_mw"].to_numpy())
    )
    return 1.0 if abs(ratio - 1.0) < 0.02 else ratio


def fmt(x: float | None) -> str:
    """A KPI value with thousands separators; '-' when absent."""
    if x is None or not np.isfinite(x):
        return "-"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.2f}"
    return f"{x:.3g}"


def fmt_change(delta: float | None, base: float | None) -> str:
    """Absolute change with sign, and relative change when the base is not ~0."""
    if delta is None or base is None:
        return "-"
    text = ("+" if delta > 0 else "") + fmt(delta)
    if abs(base) > 1e-9 and abs(delta) > 1e-12:
        pct = delta / abs(base) * 100
        text += f" ({pct:+.1f} %)" if abs(pct) < 10 else f" ({pct:+.0f} %)"
    return text


def lever_changes(cfg: ScenarioConfig, base: ScenarioConfig) -> list[str]:
    """'`key`: baseline -> scenario (unit)' for every parameter the scenario changes."""
    out = []
    for section in SECTIONS:
        a, b = getattr(base, section).model_dump(), getattr(cfg, section).model_dump()
        for param, value in b.items():
            if a[param] != value:
                unit = unit_of(section, param)
                out.append(
                    f"`{section}.{param}`: {format_default(a[param], unit)} → **{format_default(value, unit)}** {unit}"
                )
    return out


def kpi_table(
    run: Run, base: Run, noise: dict[str, tuple[float, float]], scale: float
) -> list[str]:
    """Markdown KPI table: baseline, scenario, change, and whether the change exceeds seed noise."""
    base_label = "Baseline" if scale == 1.0 else f"Baseline ×{scale:.3g} (totals scaled)"
    lines = [
        f"| KPI (at the end of the run or over it) | {base_label} | This scenario | Change | Beyond seed noise? |",
        "|---|---:|---:|---:|:---:|",
    ]
    base_values = dict(all_kpis(base.kpis))
    for label, value in all_kpis(run.kpis):
        b = base_values.get(label)
        if value is None and b is None:
            continue
        factor = scale if is_extensive(label) else 1.0
        b_scaled = None if b is None else b * factor
        delta = None if value is None or b_scaled is None else value - b_scaled
        lo, hi = noise.get(label, (np.nan, np.nan))
        spread = (hi - lo) * factor
        if delta is None or not np.isfinite(spread):
            beyond = "-"
        else:
            beyond = "yes" if abs(delta) > spread else "no"
        lines.append(
            f"| {label} | {fmt(b_scaled)} | {fmt(value)} | {fmt_change(delta, b_scaled)} | {beyond} |"
        )
    return lines


def seed_noise(runs: Sequence[Run]) -> dict[str, tuple[float, float]]:
    """Min and max of each KPI over the baseline's seeds."""
    table: dict[str, list[float]] = {}
    for r in runs:
        for label, value in all_kpis(r.kpis):
            if value is not None:
                table.setdefault(label, []).append(value)
    return {k: (min(v), max(v)) for k, v in table.items() if len(v) == len(runs)}


# ------------------------------------------------------------------------------------ charts
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
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=100, metadata={"Software": None})


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
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=100, metadata={"Software": None})


# ------------------------------------------------------------------------------------ page
def summary_row(
    name: str, run: Run, base: Run, noise: dict[str, tuple[float, float]], scale: float
) -> str:
    """One line of the overview table: energised total, unserved compute, grid wait and CO2 against the baseline."""
    cells = []
    b, s = dict(all_kpis(base.kpis)), dict(all_kpis(run.kpis))
    for label in (
        "energised total MW (all paths)",
        "unserved compute (MW-months)",
        "median time-to-power grid (months)",
        "CO2 total (Mt)",
    ):
        factor = scale if is_extensive(label) else 1.0
        bv, sv = b.get(label), s.get(label)
        if bv is None or sv is None:
            cells.append("-")
            continue
        delta = sv - bv * factor
        lo, hi = noise.get(label, (np.nan, np.nan))
        mark = "" if not np.isfinite(hi - lo) or abs(delta) > (hi - lo) * factor else " ≈"
        cells.append(fmt_change(delta, bv * factor) + mark)
    return f"| [{name}](#{name}) | " + " | ".join(cells) + " |"


def scenario_section(
    name: str, run: Run | str, base: Run, noise: dict[str, tuple[float, float]]
) -> list[str]:
    """One scenario's part of the page: story, levers, chart and KPI table (or why the run failed)."""
    if isinstance(run, str):
        story = " ".join(load_scenario(name).description.split())
        return [
            f"## {name}",
            "",
            story,
            "",
            f"**This run did not finish:** `{run}`. No chart or table until it does.",
            "",
        ]
    scale = demand_scale(run.timeseries, base.timeseries)
    out = [
        f"## {name}",
        "",
        " ".join(run.config.description.split()),
        "",
        "**Levers changed against the baseline:**",
        "",
    ]
    out += [f"- {line}" for line in lever_changes(run.config, base.config)]
    if scale != 1.0:
        out += [
            "",
            f"This scenario is resized: its AI demand is {scale:.3g} × the baseline's, so baseline "
            f"totals (MW, GWh, Mt) are scaled by {scale:.3g} in the chart and table; times and shares are not.",
        ]
    out += [
        "",
        f"![{name}: energised capacity by path against the baseline](img/scenario_{name}.png)",
        "",
    ]
    return [*out, *kpi_table(run, base, noise, scale), ""]


def render_page(runs: dict[str, Run | str], noise_runs: Sequence[Run], months_note: str) -> str:
    """docs/scenarios.md as text, scenarios in the order given (a failed run is a string: its error)."""
    base = runs[BASELINE]
    if not isinstance(base, Run):
        raise ValueError(f"the baseline run is needed for the page: {base}")
    noise = seed_noise(noise_runs)
    seeds = ", ".join(str(s) for s in sorted({r.config.run.seed for r in noise_runs}))
    cfg = base.config
    out = [
        "# Scenario library",
        "",
        f"<!-- Generated by `{COMMAND}`; do not edit by hand. -->",
        "",
        "Each scenario is a TOML file in `scenarios/` that starts from the baseline "
        '(`extends = "baseline.toml"`) and changes a few levers. Run one with '
        "`powerstack run <name>`; compare with `powerstack compare baseline <name>`. Below, "
        f"every scenario and the baseline ran {months_note} from {cfg.run.start} with the same "
        f"seed ({cfg.run.seed}), so the differences come from the levers, not from luck of the draw. "
        f"To show how large luck can be, the baseline also ran with seeds {seeds}: "
        "a change is marked *beyond seed noise* only when it is larger than the spread of the "
        "baseline over those seeds (in the overview, ≈ marks changes within that spread). "
        "One seed per scenario is a first look, not a result: before quoting a number, run the "
        "scenario over several seeds (`powerstack sweep`).",
        "",
        "The charts show new AI capacity energised since January 2025 by path (stacked), the new "
        "demand it should cover (solid black: the gap is unserved demand), and the baseline's total "
        "(dashed). The right panel shows, path by path, how much more (above zero) or less (below) "
        "each path delivers than in the baseline. Every number rests on the parameters in "
        "[parameters.md](parameters.md), many of them marked unconfirmed there.",
        "",
        f"Regenerate this page and its figures with `{COMMAND}`; it takes a while "
        "(the baseline runs in seconds, `real_grid` on its 2,224-bus network far longer).",
        "",
        "![Share of new AI demand powered by each path at the end of the run, per scenario](img/scenarios_overview.png)",
        "",
        "## Overview: change against the baseline",
        "",
        "| Scenario | Energised total MW | Unserved compute (MW-months) | Grid time-to-power (months) | CO2 total (Mt) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, run in runs.items():
        if name == BASELINE:
            continue
        if isinstance(run, str):
            out.append(f"| [{name}](#{name}) | run failed | - | - | - |")
        else:
            out.append(
                summary_row(name, run, base, noise, demand_scale(run.timeseries, base.timeseries))
            )
    out += ["", f"## {BASELINE}", "", " ".join(cfg.description.split()), ""]
    out += [
        f"| KPI (at the end of the run or over it) | Baseline, seed {cfg.run.seed} | Range over seeds {seeds} |",
        "|---|---:|---:|",
    ]
    for label, value in all_kpis(base.kpis):
        if value is not None:
            lo, hi = noise.get(label, (np.nan, np.nan))
            out.append(f"| {label} | {fmt(value)} | {fmt(lo)} – {fmt(hi)} |")
    out.append("")
    for name, run in runs.items():
        if name != BASELINE:
            out += scenario_section(name, run, base, noise)
    return "\n".join(out)


def run_all(jobs: Sequence[tuple[str, int, int | None]], n_jobs: int) -> dict[int, Run | str]:
    """Run every job, longest (pandapower) first; a failed run gives its error message instead of a Run."""
    order = sorted(
        range(len(jobs)),
        key=lambda i: -load_scenario(jobs[i][0]).grid.source.startswith("pandapower:"),
    )
    results: dict[int, Run | str] = {}
    if n_jobs <= 1:
        for i in order:
            try:
                results[i] = Run(*run_one(jobs[i]))
            except RuntimeError as exc:
                results[i] = str(exc)
        return results
    for var in BLAS_THREAD_VARS:  # one BLAS thread per run, or side-by-side runs fight for cores
        os.environ.setdefault(var, "1")
    spawn = multiprocessing.get_context("spawn")  # fresh workers read the variables above
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=spawn) as pool:
        futures = {i: pool.submit(run_one, jobs[i]) for i in order}
        for i, future in futures.items():
            try:
                results[i] = Run(*future.result())
            except RuntimeError as exc:
                results[i] = str(exc)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Run the library, draw the figures and write the page; prints timings and headline numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--months",
        type=int,
        default=None,
        help="run length (default: each scenario's own, full length)",
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="seed for every run (default: the baseline's)"
    )
    parser.add_argument(
        "--noise-seeds",
        type=int,
        default=2,
        help="extra baseline seeds for the noise band (default 2)",
    )
    parser.add_argument(
        "--only", nargs="*", default=None, help="scenario names to run (default: all in scenarios/)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="parallel processes (default: up to 2)",
    )
    parser.add_argument(
        "--docs-dir", type=Path, default=ROOT / "docs", help="where scenarios.md and img/ go"
    )
    args = parser.parse_args(argv)

    files = [n for n, _ in list_scenarios() if n != BASELINE]
    names = [n for n in STORY_ORDER if n in files] + [n for n in files if n not in STORY_ORDER]
    if args.only is not None:
        unknown = sorted(set(args.only) - set(names) - {BASELINE})
        if unknown:
            parser.error(f"unknown scenarios: {', '.join(unknown)}")
        names = [n for n in names if n in args.only]
    seed = args.seed if args.seed is not None else load_scenario(BASELINE).run.seed
    jobs = [(BASELINE, seed, args.months), *[(n, seed, args.months) for n in names]]
    jobs += [(BASELINE, seed + k, args.months) for k in range(1, args.noise_seeds + 1)]
    started = time.perf_counter()
    results = run_all(jobs, args.jobs)
    if not isinstance(results[0], Run):
        print(f"error: {results[0]}", file=sys.stderr)
        return 1
    by_name = {jobs[i][0]: results[i] for i in range(1 + len(names))}  # baseline first, story order
    runs = {name: run for name, run in by_name.items() if isinstance(run, Run)}
    failed = {name: run for name, run in by_name.items() if isinstance(run, str)}
    noise_runs = [r for i, r in results.items() if jobs[i][0] == BASELINE and isinstance(r, Run)]

    img = args.docs_dir / "img"
    base = runs[BASELINE]
    for name, run in runs.items():
        if name != BASELINE:
            draw_chart(
                name,
                run,
                base,
                demand_scale(run.timeseries, base.timeseries),
                img / f"scenario_{name}.png",
            )
    draw_overview(runs, img / "scenarios_overview.png")
    months_note = "full length" if args.months is None else f"{args.months} months"
    page = args.docs_dir / "scenarios.md"
    page.write_text(render_page(by_name, noise_runs, months_note), encoding="utf-8")

    for name, run in runs.items():
        e = run.kpis["energized_mw"]
        print(
            f"{name:20s} {run.wall_time_s:6.1f} s  energised MW: "
            + ", ".join(f"{p} {v:,.0f}" for p, v in e.items())
        )
    print(f"wrote {page} and {len(runs)} figures in {time.perf_counter() - started:.0f} s")
    for message in failed.values():
        print(f"error: {message} (the page says so; fix the model and re-run)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
