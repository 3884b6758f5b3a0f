"""`powerstack attribute` output: a table per KPI (levers, interactions, intervals) and JSON.

JSON per KPI: `{"total", "interval", "contributions", "interaction"}` as issue 20 asks, where
contributions + interaction == total; and the detail behind them: each lever's Shapley value and
effect alone with intervals, and every interaction term.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from abm.analysis.attribution import Attribution, KpiAttribution
from abm.compare import fmt_value, seeds_text
from abm.errors import InputError, did_you_mean
from abm.metrics.paired import CONFIDENCE, IDENTICAL, NO_DATA, PairedDifference


def _number(x: float) -> float | None:
    """A float for JSON: NaN and infinities as None."""
    return x if math.isfinite(x) else None


def _interval(d: PairedDifference) -> list[float | None]:
    """[low, high] of a paired statistic (None without an interval)."""
    return [_number(d.low), _number(d.high)]


def _stat(d: PairedDifference) -> dict[str, Any]:
    """A lever's or term's mean over seeds, its interval, verdict and number of seeds."""
    return {
        "mean": _number(d.difference),
        "interval": _interval(d),
        "verdict": d.verdict,
        "n": d.n,
    }


def kpi_json(a: KpiAttribution) -> dict[str, Any]:
    """One KPI: the four fields the issue names, then the split and the detail behind it."""
    return {
        "total": _number(a.total.difference),
        "interval": _interval(a.total),
        "contributions": {k: _number(v) for k, v in a.contributions.items()},
        "interaction": _number(a.interaction),
        "split": a.split,
        "verdict": a.total.verdict,
        "n": a.total.n,
        "n_missing": a.total.n_missing,
        "mean_base": _number(a.total.mean_a),
        "mean_target": _number(a.total.mean_b),
        "shapley": {k: _stat(d) for k, d in a.shapley.items()},
        "alone": {k: _stat(d) for k, d in a.alone.items()},
        "interactions": {k: _stat(d) for k, d in a.interactions.items()},
    }


def json_result(result: Attribution) -> dict[str, Any]:
    """The whole attribution as JSON-ready data."""
    return {
        "base": result.base,
        "target": result.target,
        "seeds": result.seeds,
        "months": result.months,
        "confidence": CONFIDENCE,
        "levers": [{"key": lv.key, "base": lv.base, "target": lv.target} for lv in result.levers],
        "runs": result.runs,
        "failed_runs": [
            {"subset": label, "seed": seed, "error": error}
            for label, seed, error in sorted(result.failures)
        ],
        "kpis": {key: kpi_json(a) for key, a in result.kpis.items()},
    }


def select(result: Attribution, wanted: Sequence[str] | None) -> list[str]:
    """KPI names to print: exact names or prefixes ('energized_mw'); all when none are given."""
    available = list(result.kpis)
    if not wanted:
        return available
    out: list[str] = []
    for name in wanted:
        matches = [k for k in available if k == name or k.startswith(name + ".")]
        if not matches:
            raise InputError(f"--kpis: unknown KPI {name!r}{did_you_mean(name, available)}")
        out += [m for m in matches if m not in out]
    return out


def moved(a: KpiAttribution) -> bool:
    """Whether any seed shows a difference in the total or in a lever's part (else not printed)."""
    parts = [a.total, *a.shapley.values(), *a.alone.values()]
    return any(d.verdict not in (IDENTICAL, NO_DATA) for d in parts)


def _cells(d: PairedDifference) -> tuple[str, str]:
    """Mean and interval as text."""
    interval = f"[{fmt_value(d.low, True)}, {fmt_value(d.high, True)}]" if d.n >= 2 else "-"
    return fmt_value(d.difference, True), interval


def _kpi_block(key: str, a: KpiAttribution, seeds: int) -> list[str]:
    """One KPI: its total, then a row per lever and per interaction term that moved it."""
    total, interval = _cells(a.total)
    n = f", n={a.total.n} of {seeds}" if a.total.n != seeds else ""
    rows = [("  lever", "Shapley", "95 % interval", "alone / term", "95 % interval")]
    for lever, d in a.shapley.items():
        rows.append((f"  {lever}", *_cells(d), *_cells(a.alone[lever])))
    for term, d in a.interactions.items():
        if d.verdict not in (IDENTICAL, NO_DATA):
            rows.append((f"  interaction {term}", "", "", *_cells(d)))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [f"{key}: total {total} {interval} ({a.total.verdict}{n})"]
    for r in rows:
        cells = [
            r[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)),
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def table_text(result: Attribution, wanted: Sequence[str] | None = None) -> str:
    """Per KPI that moved: total, per-lever Shapley value and effect alone, interaction terms."""
    keys = select(result, wanted)
    header = [
        f"BASE = {result.base}, TARGET = {result.target}; levers: "
        + ", ".join(f"{lv.key} {lv.base!r} -> {lv.target!r}" for lv in result.levers),
        f"{2 ** len(result.levers)} lever subsets x seeds {seeds_text(result.seeds)}, "
        f"{result.months} months; total = mean over seeds of TARGET - BASE; Shapley values add "
        "up to it, each interaction term shared equally among its levers; alone = that lever "
        "switched on BASE by itself; "
        f"{CONFIDENCE * 100:.0f} % t-intervals over seeds",
    ]
    blocks = [
        "\n".join(_kpi_block(k, result.kpis[k], len(result.seeds)))
        for k in keys
        if moved(result.kpis[k])
    ]
    quiet = len(keys) - len(blocks)
    footer = [f"{quiet} KPIs identical or undefined on every seed, not shown"] if quiet else []
    return "\n\n".join(["\n".join(header), *blocks, *footer])
