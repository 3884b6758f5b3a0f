"""Validation report: the baseline over several seeds against the stylised facts of DOMAIN.md.

`powerstack validate-model` runs the baseline (with its recycle-first counterfactual) for each
seed, computes each fact's figure from the run's own outputs, and writes `docs/validation.md`
with the target, its source, the model's median and spread, and pass or miss. The report
carries a fingerprint of the baseline scenario and the model code, so a test can tell when it
is stale without re-running the model.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from abm.code_fingerprint import add_model_code
from abm.history import TABLE as HISTORY_TABLE
from abm.metrics.paired import paired_difference
from abm.runner import run_scenario
from abm.scenario import load_scenario, to_toml
from abm.validation_facts import BLAST_FACT, FACTS, Fact, _blast_lite_gap, _error
from abm.validation_targets import CALIBRATION_TARGETS

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "validation.md"
FINGERPRINT_PREFIX = "<!-- fingerprint: "
MONTHS = 120
"""Baseline months per seed (2025-2034): the shortest horizon that covers every check (the 2025
and 2028 figures, the 45X phase-out of 2030-32, queue requests resolved after the median wait)."""


def fingerprint() -> str:
    """Hash of the baseline scenario, the snapshot table and the source of every module that shapes results."""
    digest = hashlib.sha256(to_toml(load_scenario("baseline")).encode())
    digest.update(HISTORY_TABLE.read_bytes())
    return add_model_code(digest).hexdigest()[:16]


def _seed_values(
    seed: int, values: dict[str, list[float]], missing: dict[str, list[str]], months: int
) -> None:
    """Run the baseline for one seed and add each fact's figure, or why it has none."""
    try:
        result = run_scenario("baseline", seed=seed, months=months)
    except Exception as exc:  # noqa: BLE001 - a failed seed is reported on the page, not raised
        for fact in FACTS:
            missing[fact.name].append(f"seed {seed}: the run failed ({_error(exc)})")
        return
    for fact in FACTS:
        try:
            v = fact.compute(result)
        except Exception as exc:  # noqa: BLE001 - reported as this check's missing input
            missing[fact.name].append(f"seed {seed}: the figure failed ({_error(exc)})")
            continue
        if v is None or not np.isfinite(v):
            missing[fact.name].append(f"seed {seed}: no value (the run left it undefined: {v})")
        else:
            values[fact.name].append(float(v))


def _status(fact: Fact, median: float | None, missing: Sequence[str]) -> str:
    """'pass', 'miss', 'incomplete' (some inputs missing: never a pass) or 'not run' (none)."""
    if median is None:
        return "not run"
    if missing:
        return "incomplete"
    if fact.paired:
        return "reported"
    return "pass" if fact.low <= median <= fact.high else "miss"


def _row(fact: Fact, values: list[float], missing: list[str]) -> dict[str, Any]:
    """One check's row: its figures, median, what is missing and the verdict."""
    median = statistics.median(values) if values else None
    status = _status(fact, median, missing)
    return {
        "fact": fact,
        "values": values,
        "median": median,
        "missing": missing,
        "status": status,
        "pass": status == "pass",
    }


def evaluate(
    seeds: Sequence[int], progress: Callable[[str], None] | None = None, months: int = MONTHS
) -> list[dict[str, Any]]:
    """Run the baseline for each seed and compute every fact's figures.

    A seed whose run fails or leaves a figure undefined (None, NaN) is not dropped: it is
    listed in the row's `missing` with the reason, and the check is 'incomplete', not a pass.
    """
    values: dict[str, list[float]] = {f.name: [] for f in FACTS}
    missing: dict[str, list[str]] = {f.name: [] for f in FACTS}
    for seed in seeds:
        if progress:
            progress(f"baseline seed {seed}")
        _seed_values(seed, values, missing, months)
    rows = [_row(fact, values[fact.name], missing[fact.name]) for fact in FACTS]
    blast, why = _blast_lite_gap()
    rows.append(_row(BLAST_FACT, [] if blast is None else [blast], [] if why is None else [why]))
    return rows


def _fmt(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:,.3f}" if abs(x) < 10 else f"{x:,.0f}"


VERDICTS = {
    "pass": "pass",
    "miss": "**miss**",
    "incomplete": "**incomplete**",
    "not run": "**not run**",
    "reported": "reported",
}


def _paired_cell(values: list[float]) -> str:
    """Mean of the per-seed differences (twin minus run) with its paired 95 % t-interval and verdict."""
    d = paired_difference([0.0] * len(values), values)  # each value already is B - A of one seed
    if d.n < 2:
        return f"{_fmt(d.difference)} (one seed: no interval)"
    return f"mean {_fmt(d.difference)}, 95 % CI {_fmt(d.low)} to {_fmt(d.high)} ({d.verdict})"


def _interval(values: list[float]) -> str:
    """The 95 % t-interval of the mean over the seeds (common random numbers: paired draws)."""
    d = paired_difference([0.0] * len(values), values)
    if d.n < 2 or not np.isfinite(d.low):
        return ""
    return f"; 95 % CI {_fmt(d.low)} to {_fmt(d.high)}"


def _table_line(r: dict[str, Any], n_seeds: int) -> str:
    """One check's table row: role, target, median with interval and spread, verdict, source."""
    f: Fact = r["fact"]
    spread = f"{_fmt(min(r['values']))}–{_fmt(max(r['values']))}" if len(r["values"]) > 1 else ""
    detail = f"{_interval(r['values'])[2:]}; {spread}" if _interval(r["values"]) else spread
    model = f"{_fmt(r['median'])} {f.unit}" + (f" ({detail})" if detail else "")
    if f.paired and r["values"]:
        model = f"{_paired_cell(r['values'])} {f.unit}; median {model}"
    if r["missing"] and r["median"] is not None and f is not BLAST_FACT:
        model += f", {len(r['values'])} of {n_seeds} seeds"
    verdict = VERDICTS[r["status"]]
    target = (
        "reported with its paired interval"
        if f.paired
        else f"{_fmt(f.low)}–{_fmt(f.high)} {f.unit}"
    )
    return f"| {f.name} | {f.role} | {target} | {model} | {verdict} | {f.source} |"


def _missing_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The 'Missing results' section: every seed or reference without a figure, and why."""
    gaps = [r for r in rows if r["missing"]]
    if not gaps:
        return []
    lines = ["## Missing results", ""]
    lines += [
        "A check with a missing input is **incomplete** (or **not run** when nothing is left) and",
        "never counts as a pass; what is missing and why:",
        "",
    ]
    for r in gaps:
        lines += [f"- **{r['fact'].name}**: {'; '.join(r['missing'])}."]
    return [*lines, ""]


def _headline(rows: list[dict[str, Any]]) -> str:
    """'**k of n held-out checks pass; ...**': only checks that can fail and were not fitted count."""
    counted = [r for r in rows if r["fact"].role == "held out"]
    passed = sum(r["pass"] for r in counted)
    counts = {s: sum(r["status"] == s for r in counted) for s in ("incomplete", "not run")}
    tail = "".join(f"; {n} {s}" for s, n in counts.items() if n)
    others = {
        role: sum(r["fact"].role == role for r in rows)
        for role in ("calibration target", "input check", "reported")
    }
    shown = ", ".join(f"{n} {role}{'s' if n > 1 else ''}" for role, n in others.items() if n)
    return f"**{passed} of {len(counted)} held-out checks pass{tail}.** Also shown, not counted: {shown}."


def _closing(rows: list[dict[str, Any]]) -> list[str]:
    """Pass or miss per check by role, and the calibration targets."""
    lines = ["## Closing note", ""]
    for role in ("held out", "calibration target", "input check", "reported"):
        chosen = [r for r in rows if r["fact"].role == role]
        if chosen:
            verdicts = "; ".join(f"{r['fact'].name}: {r['status']}" for r in chosen)
            lines.append(f"- **{role}** ({len(chosen)}): {verdicts}.")
    targets = ", ".join(f"`{k}`" for k in sorted(CALIBRATION_TARGETS))
    lines += [
        f"- Calibration targets (`abm/validation_targets.py`, shared with `powerstack calibrate`): {targets}.",
        "",
    ]
    return lines


def render(
    rows: list[dict[str, Any]], seeds: Sequence[int], months: int = MONTHS, hindcast: str = ""
) -> str:
    """The Markdown report (the hindcast section, when given, at its end)."""
    lines = [
        "# Validation: the baseline against the facts",
        "",
        f"{FINGERPRINT_PREFIX}{fingerprint()} -->",
        "",
        f"Generated by `powerstack validate-model` from the baseline scenario over {months} months with seeds {', '.join(map(str, seeds))}",
        "(each with its recycle-first counterfactual). Every figure is computed from the runs' own",
        "outputs: the median over seeds, the 95 % t-interval of the mean over the seeds (common random",
        "numbers) and the range. **Pass** means the median lies in the target band. A **held-out** check",
        "can fail against an outside source and was not used to set any parameter; a **calibration",
        "target** was fitted (shown, not counted); an **input check** holds by construction (it",
        "re-measures an input; shown so a broken input shows, not counted). Misses are reported as",
        "they are, with what would fix them.",
        "",
        _headline(rows),
        "",
        "| fact | role | target | model median (95 % CI; min–max over seeds) | result | source |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_table_line(r, len(seeds)) for r in rows]
    lines += ["", *_missing_lines(rows), "## Notes on each check", ""]
    for r in rows:
        f = r["fact"]
        text = "; ".join(t for t in (f.note, f"band: {f.band_why}" if f.band_why else "") if t)
        if not r["pass"] and f.fix:
            text = f"{text}; to fix: {f.fix}" if text else f"to fix: {f.fix}"
        if text:
            lines.append(f"- **{f.name}**: {text}.")
    lines += ["", *_closing(rows)]
    if hindcast:
        lines += [hindcast]
    return "\n".join(lines)


def write_report(
    seeds: Sequence[int],
    path: Path = REPORT,
    progress: Callable[[str], None] | None = None,
    months: int = MONTHS,
) -> Path:
    """Evaluate the baseline and the hindcast and write the report atomically."""
    from abm.atomic import write_atomic
    from abm.hindcast import evaluate as hindcast_values
    from abm.hindcast import render as hindcast_section

    rows = evaluate(seeds, progress, months)
    hindcast = hindcast_section(hindcast_values(seeds, progress), seeds)
    text = render(rows, seeds, months, hindcast)
    write_atomic(path, lambda p: p.write_text(text))
    return path


def write_page(
    seeds: Sequence[int],
    out: str | None,
    progress: Callable[[str], None] | None,
    months: int = MONTHS,
    hindcast_only: bool = False,
) -> Path:
    """`powerstack validate-model`: the whole report, or with `hindcast_only` its hindcast section."""
    from abm.hindcast import write_section

    path = Path(out) if out else REPORT
    if hindcast_only:
        return write_section(seeds, path, progress)
    return write_report(seeds, path, progress, months)


def report_fingerprint(path: Path = REPORT) -> str | None:
    """The fingerprint stored in an existing report, if any."""
    if not path.is_file():
        return None
    for line in path.read_text().splitlines():
        if line.startswith(FINGERPRINT_PREFIX):
            return line.removeprefix(FINGERPRINT_PREFIX).removesuffix(" -->").strip()
    return None
