"""docs/scenarios.md as text: KPI tables, lever lists and noise marks for scenario_charts.py.

Functions of finished runs (nothing runs the model or writes here), so short runs can check them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

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


def _intro(cfg: ScenarioConfig, months_note: str, seeds: str) -> list[str]:
    """What the page shows, how the runs were made, and how to regenerate it."""
    return [
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
    ]


def _overview(
    runs: dict[str, Run | str], base: Run, noise: dict[str, tuple[float, float]]
) -> list[str]:
    """The overview table: each scenario's headline changes against the baseline."""
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
            out.append(
                summary_row(name, run, base, noise, demand_scale(run.timeseries, base.timeseries))
            )
    return out


def _baseline_section(base: Run, noise: dict[str, tuple[float, float]], seeds: str) -> list[str]:
    """The baseline's story and its KPIs with their range over the noise seeds."""
    cfg = base.config
    out = ["", f"## {BASELINE}", "", " ".join(cfg.description.split()), ""]
    out += [
        f"| KPI (at the end of the run or over it) | Baseline, seed {cfg.run.seed} | Range over seeds {seeds} |",
        "|---|---:|---:|",
    ]
    for label, value in all_kpis(base.kpis):
        if value is not None:
            lo, hi = noise.get(label, (np.nan, np.nan))
            out.append(f"| {label} | {fmt(value)} | {fmt(lo)} – {fmt(hi)} |")
    out.append("")
    return out


def render_page(runs: dict[str, Run | str], noise_runs: Sequence[Run], months_note: str) -> str:
    """docs/scenarios.md as text, scenarios in the order given (a failed run is a string: its error)."""
    base = runs[BASELINE]
    if not isinstance(base, Run):
        raise ValueError(f"the baseline run is needed for the page: {base}")
    noise = seed_noise(noise_runs)
    seeds = ", ".join(str(s) for s in sorted({r.config.run.seed for r in noise_runs}))
    out = [
        *_intro(base.config, months_note, seeds),
        *_overview(runs, base, noise),
        *_baseline_section(base, noise, seeds),
    ]
    for name, run in runs.items():
        if name != BASELINE:
            out += scenario_section(name, run, base, noise)
    return "\n".join(out)
