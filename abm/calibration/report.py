"""The calibration's files: calibration.json, points.csv and report.md, written all or none.

`markdown` renders the result dict (the JSON), so the report in the output folder and
`docs/calibration.md` (docs/scripts/calibration_page.py, from the committed JSON) come from the
same code and never need a re-run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from abm.atomic import write_all
from abm.calibration.results import points_table, result_dict
from abm.calibration.waves import Calibration


def _fmt(x: float | None) -> str:
    """A number for a table: 3 significant decimals below 10, thousands separators above."""
    if x is None:
        return "—"
    return f"{x:,.3g}" if abs(x) < 10 else f"{x:,.0f}"


def _posterior_lines(result: dict[str, Any]) -> list[str]:
    """The table of prior and posterior ranges, with the chosen value."""
    chosen = result["chosen"]["parameters"]
    lines = [
        "| parameter | prior range | non-implausible range (last wave) | 5-50-95 % | chosen | why calibrated |",
        "|---|---|---|---|---|---|",
    ]
    for entry in result["spec"]["parameters"]:  # spec order, whatever the JSON's key order
        key = entry["key"]
        p = result["posterior"][key]
        post = f"{_fmt(p['min'])}–{_fmt(p['max'])}" if "min" in p else "none left"
        q = f"{_fmt(p['q05'])} / {_fmt(p['q50'])} / {_fmt(p['q95'])}" if "q50" in p else "—"
        prior = f"{_fmt(p['prior_min'])}–{_fmt(p['prior_max'])}"
        lines.append(f"| `{key}` | {prior} | {post} | {q} | {_fmt(chosen[key])} | {p['reason']} |")
    return lines


def _target_lines(result: dict[str, Any]) -> list[str]:
    """The targets: observed value, uncertainties, the chosen point's figure and I, source."""
    chosen = result["chosen"]["targets"]
    lines = [
        "| target | model output | observed | sd obs | sd discrepancy | chosen point (mean ± sd) | I | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in result["spec"]["targets"]:
        what = f"KPI `{t['kpi']}`" if t["kpi"] else _series(t)
        c = chosen[t["name"]]
        model = f"{_fmt(c['model_mean'])} ± {_fmt(c['model_sd'])}"
        lines.append(
            f"| {t['name']} | {what} | {_fmt(t['value'])} | {_fmt(t['sd'])} | {_fmt(t['discrepancy_sd'])} "
            f"| {model} | {_fmt(c['I'])} | {t['source']} |"
        )
    return lines


def _series(t: dict[str, Any]) -> str:
    """A time-series target's statistic in words."""
    col = f"{t['column']} - {t['subtract']}" if t["subtract"] else t["column"]
    return f"{t['stat']} of `{col}` in {t['year']}"


def summary_line(result: dict[str, Any]) -> str:
    """One line: runs, waves, what stays non-implausible."""
    spec = result["spec"]
    waves = ", ".join(
        f"wave {w['wave']}: {w['non_implausible']} of {w['points']}" for w in result["waves"]
    )
    n_waves = len(result["waves"])
    return (
        f"{result['runs']} runs ({n_waves} wave{'s' if n_waves != 1 else ''} x {spec['points_per_wave']} points x "
        f"{spec['seeds_per_point']} seeds x {spec['months']} months, {result['failed_runs']} failed; "
        f"{result['wall_time_s'] / 60:.0f} min in the session that finished it); "
        f"non-implausible (I < {spec['cutoff']:g}): {waves}"
    )


def _box_note(result: dict[str, Any]) -> list[str]:
    """Why the last wave's ranges are bounded by the kept points of the wave before it."""
    waves = result["waves"]
    if len(waves) < 2:
        return []
    before = waves[-2]
    return [
        f"Wave {waves[-1]['wave']} samples inside the box of wave {before['wave']}'s "
        f"{before['non_implausible']} non-implausible points, so the ranges below cannot be wider "
        "than that box: with few kept points they understate the region (more points per wave widen it).",
        "",
    ]


def markdown(result: dict[str, Any], title: str | None = None) -> str:
    """The report: what was run, posterior ranges, the chosen point, the targets and their fit."""
    spec = result["spec"]
    chosen = result["chosen"]
    lines = [
        title or f"# Calibration `{spec['name']}` of scenario `{spec['scenario']}`",
        "",
        spec["description"],
        "",
        f"**{summary_line(result)}.**"
        + (f" Stopped early: {result['stopped']}." if result["stopped"] else ""),
        "",
        *_box_note(result),
        "## Posterior ranges",
        "",
        *_posterior_lines(result),
        "",
        f"Chosen: the point of least maximum implausibility (wave {chosen['wave']}, point {chosen['point']}, "
        f"max I = {_fmt(chosen['max_I'])}).",
        "",
        "## Targets",
        "",
        *_target_lines(result),
        "",
    ]
    return "\n".join(lines)


def write_outputs(cal: Calibration, out: Path) -> dict[str, Path]:
    """calibration.json, points.csv and report.md in `out`, all or none."""
    result = result_dict(cal)
    table = points_table(cal)
    text = json.dumps(result, indent=2) + "\n"
    return write_all(
        out,
        {
            "calibration.json": lambda p: p.write_text(text, encoding="utf-8"),
            "points.csv": lambda p: table.to_csv(p, index=False),
            "report.md": lambda p: p.write_text(markdown(result), encoding="utf-8"),
        },
    )
