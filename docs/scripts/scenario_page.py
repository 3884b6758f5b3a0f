"""docs/scenarios.md as text: KPI tables, lever lists and paired noise verdicts for scenario_charts.py.

Every scenario runs on the baseline's seeds; each KPI is compared seed by seed with
`abm.metrics.paired` (the statistics of `powerstack compare`). Functions of finished runs
(nothing runs the model or writes here), so short runs can check them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from abm.metrics.paired import BEYOND, IDENTICAL, PairedDifference, paired_difference
from abm.paramdoc import format_default, unit_of
from abm.report import HEADLINES, kpi_value
from abm.scenario import load_scenario
from abm.schema import SECTIONS, ScenarioConfig

COMMAND = ".venv/bin/python docs/scripts/scenario_charts.py"
BASELINE = "baseline"
EXTRA_KPIS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("energised wildcard ('other') MW", ("energized_mw", "other")),
    ("median time-to-power modular new (months)", ("time_to_power_months_median", "modular_new")),
    ("median time-to-power on-site gas (months)", ("time_to_power_months_median", "onsite_gas")),
    ("curtailed compute (MW-months)", ("curtailed_compute_mw_months",)),
    ("flexible connections curtailed (GWh)", ("flex_curtailed_gwh",)),
    ("queue backlog at end (GW)", ("queue", "backlog_gw_end")),
    ("phantom share of requested MW", ("queue", "phantom_share_of_requested_mw")),
    ("CO2 operational (Mt)", ("co2_mt", "operational")),
    ("CO2 embodied (Mt)", ("co2_mt", "embodied")),
)
EXTENSIVE_MARKERS = ("MW", "GWh", "GW)", "(Mt)")  # labels of totals that scale with system size


@dataclass
class Run:
    """What one run contributes to the page: its config, monthly table and KPIs."""

    config: ScenarioConfig
    timeseries: pd.DataFrame
    kpis: dict[str, Any]
    wall_time_s: float


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


def paired_kpis(
    runs: Sequence[Run], base: Sequence[Run], scale: float
) -> dict[str, PairedDifference]:
    """Per KPI, the scenario against the baseline on the same seeds (baseline totals scaled)."""
    seed_rows = [dict(all_kpis(r.kpis)) for r in runs]
    base_rows = [dict(all_kpis(r.kpis)) for r in base]
    out = {}
    for label, _ in all_kpis(runs[0].kpis):
        factor = scale if is_extensive(label) else 1.0
        a = [None if row.get(label) is None else row[label] * factor for row in base_rows]
        out[label] = paired_difference(a, [row.get(label) for row in seed_rows])
    return out


def fmt_interval(d: PairedDifference) -> str:
    """The 95 % interval of a paired difference as '[low, high]'; '-' without one."""
    if not (np.isfinite(d.low) and np.isfinite(d.high)):
        return "-"

    def signed(x: float) -> str:
        return ("+" if x > 0 else "") + fmt(x)

    return f"[{signed(d.low)}, {signed(d.high)}]"


def kpi_table(diffs: dict[str, PairedDifference], scale: float) -> list[str]:
    """Markdown KPI table: baseline and scenario means, paired change, 95 % interval, verdict."""
    base_label = "Baseline" if scale == 1.0 else f"Baseline ×{scale:.3g} (totals scaled)"
    lines = [
        f"| KPI (at the end of the run or over it; mean over seeds) | {base_label} | This scenario "
        "| Change (paired) | 95 % interval | Beyond seed noise? |",
        "|---|---:|---:|---:|---:|:---:|",
    ]
    for label, d in diffs.items():
        if not (np.isfinite(d.mean_a) or np.isfinite(d.mean_b)):
            continue  # undefined on every seed of both (e.g. a path nobody chose)
        verdict = d.verdict if d.n_missing == 0 or d.n == 0 else f"{d.verdict} (n={d.n})"
        lines.append(
            f"| {label} | {fmt(d.mean_a)} | {fmt(d.mean_b)} | {fmt_change(d.difference, d.mean_a)} "
            f"| {fmt_interval(d)} | {verdict} |"
        )
    return lines


OVERVIEW_KPIS = (
    "energised total MW (all paths)",
    "unserved compute (MW-months)",
    "median time-to-power grid (months)",
    "CO2 total (Mt)",
)


def summary_row(name: str, diffs: dict[str, PairedDifference]) -> str:
    """One line of the overview table: headline paired changes; ≈ marks a change within seed noise."""
    cells = []
    for label in OVERVIEW_KPIS:
        d = diffs.get(label)
        if d is None or d.n == 0:
            cells.append("-")
            continue
        mark = "" if d.verdict in (BEYOND, IDENTICAL) else " ≈"
        cells.append(fmt_change(d.difference, d.mean_a) + mark)
    return f"| [{name}](#{name}) | " + " | ".join(cells) + " |"


def scenario_section(name: str, runs: Sequence[Run] | str, base: Sequence[Run]) -> list[str]:
    """One scenario's part of the page: story, levers, chart and KPI table (or why the run failed)."""
    if isinstance(runs, str):
        story = " ".join(load_scenario(name).description.split())
        return [
            f"## {name}",
            "",
            story,
            "",
            f"**This run did not finish:** `{runs}`. No chart or table until it does.",
            "",
        ]
    run = runs[0]
    scale = demand_scale(run.timeseries, base[0].timeseries)
    out = [
        f"## {name}",
        "",
        " ".join(run.config.description.split()),
        "",
        "**Levers changed against the baseline:**",
        "",
    ]
    out += [f"- {line}" for line in lever_changes(run.config, base[0].config)]
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
    return [*out, *kpi_table(paired_kpis(runs, base, scale), scale), ""]


def _intro(cfg: ScenarioConfig, months_note: str, seeds: str, chart_seed: int) -> list[str]:
    """What the page shows, how the runs were made, and how to regenerate it."""
    return [
        "# Scenario library",
        "",
        f"<!-- Generated by `{COMMAND}`; do not edit by hand. -->",
        "",
        "Each scenario is a TOML file in `scenarios/` that starts from the baseline "
        '(`extends = "baseline.toml"`) and changes a few levers. Run one with '
        "`powerstack run <name>`; compare with `powerstack compare baseline <name> --seeds 10`. "
        f"Below, every scenario and the baseline ran {months_note} from {cfg.run.start} on the "
        f"same seeds ({seeds}), so each seed gives one paired difference, scenario minus baseline. "
        "A table shows the means over the seeds, the change (the mean of the per-seed "
        "differences) and its 95 % t-interval over the seeds; a change is *beyond noise* when "
        "that interval excludes zero, *within noise* when it contains zero, and *identical* when "
        "the scenario equals the baseline on every seed (in the overview, ≈ marks a change within "
        "noise). The same statistics as `powerstack compare` ([cli.md](cli.md#compare)). A few "
        "seeds give wide intervals: before quoting a number, compare on more seeds.",
        "",
        f"The charts show seed {chart_seed}: new AI capacity energised since January 2025 by path "
        "(stacked), the new demand it should cover (solid black: the gap is unserved demand), "
        "and the baseline's total (dashed). The right panel shows, path by path, how much more "
        "(above zero) or less (below) each path delivers than in the baseline. Every number rests "
        "on the parameters in [parameters.md](parameters.md), many of them marked unconfirmed there.",
        "",
        f"Regenerate this page and its figures with `{COMMAND}`; it takes a while "
        "(the baseline runs in seconds, `real_grid` on its 2,224-bus network far longer).",
        "",
        "![Share of new AI demand powered by each path at the end of the run, per scenario](img/scenarios_overview.png)",
        "",
    ]


def _overview(runs: dict[str, Sequence[Run] | str], base: Sequence[Run]) -> list[str]:
    """The overview table: each scenario's headline paired changes against the baseline."""
    out = [
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
            scale = demand_scale(run[0].timeseries, base[0].timeseries)
            out.append(summary_row(name, paired_kpis(run, base, scale)))
    return out


def _baseline_section(base: Sequence[Run], seeds: str) -> list[str]:
    """The baseline's story and its KPIs: mean and range over the seeds."""
    cfg = base[0].config
    out = ["", f"## {BASELINE}", "", " ".join(cfg.description.split()), ""]
    out += [
        f"| KPI (at the end of the run or over it) | Baseline, mean over seeds {seeds} | Range over the seeds |",
        "|---|---:|---:|",
    ]
    rows = [dict(all_kpis(r.kpis)) for r in base]
    for label, _ in all_kpis(base[0].kpis):
        values = [row[label] for row in rows if row.get(label) is not None]
        if values:
            note = "" if len(values) == len(rows) else f" (n={len(values)})"
            out.append(
                f"| {label} | {fmt(float(np.mean(values)))}{note} | {fmt(min(values))} – {fmt(max(values))} |"
            )
    out.append("")
    return out


def render_page(runs: dict[str, Sequence[Run] | str], months_note: str) -> str:
    """docs/scenarios.md as text, scenarios in the order given.

    Each scenario maps to its runs on the seeds, in the same seed order as the baseline's (a
    failed scenario is a string: its error).
    """
    base = runs[BASELINE]
    if isinstance(base, str):
        raise ValueError(f"the baseline runs are needed for the page: {base}")
    seed_list = [r.config.run.seed for r in base]
    seeds = ", ".join(str(s) for s in seed_list)
    out = [
        *_intro(base[0].config, months_note, seeds, seed_list[0]),
        *_overview(runs, base),
        *_baseline_section(base, seeds),
    ]
    for name, run in runs.items():
        if name != BASELINE:
            out += scenario_section(name, run, base)
    return "\n".join(out)
