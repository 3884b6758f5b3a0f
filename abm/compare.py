"""`powerstack compare`: run scenarios on the same seeds and test each against the first.

Every side runs on seeds 1..N (paired: seed k of A against seed k of B), on the sweep
executors (in this process for one worker, else a local process pool). The statistics are
`abm.metrics.paired`: per KPI the mean of the per-seed differences B - A, its 95 % t-interval
and a verdict. A run that fails is a missing pair, counted and reported, never dropped silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from abm.errors import InputError
from abm.metrics.paired import BEYOND, CONFIDENCE, PairedDifference, paired_kpis
from abm.scenario import config_with, load_scenario, parse_overrides
from abm.schema import ScenarioConfig
from abm.sweeps.callbacks import show_progress
from abm.sweeps.executors.process_pool import default_workers, run_on_process_pool
from abm.sweeps.executors.serial import run_serial
from abm.sweeps.worker import RunTask, error_text, execute_run

_ROW_FIELDS = frozenset(  # a sweep row's own columns; every other column is a KPI
    {"run_id", "point", "replicate", "seed", "status", "error", "wall_time_s", "cpu_time_s"}
)


@dataclass(frozen=True)
class Side:
    """One scenario of a comparison: how it is named in output, and its validated config."""

    label: str
    config: ScenarioConfig


@dataclass
class PairedRuns:
    """Flat KPIs per side and seed (None where the run failed), and the failures' messages."""

    sides: list[Side]
    seeds: list[int]
    kpis: dict[str, list[dict[str, Any] | None]]
    failures: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def total_runs(self) -> int:
        """Runs made: every side on every seed."""
        return len(self.sides) * len(self.seeds)


def resolve_sides(
    scenarios: Sequence[str], overrides: Sequence[str], months: int | None
) -> list[Side]:
    """The reference A and each B; `--set` changes every B (or, with one scenario, makes B).

    `compare A B C` tests B and C against A; `compare A --set key=value` tests the lever against
    its own scenario. Bad names, keys or values raise InputError before anything runs.
    """
    parsed = parse_overrides(list(overrides))
    if "run.seed" in parsed:
        raise InputError("--set run.seed: compare runs every scenario on seeds 1..N; use --seeds N")
    if len(scenarios) == 1 and not parsed:
        raise InputError(
            "compare: give two scenarios (A B), or one with --set KEY=VALUE to compare a lever against it"
        )
    extra = {"run.months": months} if months is not None else {}
    suffix = "".join(f" --set {item}" for item in overrides)

    def side(name: str, changes: dict[str, Any], label: str) -> Side:
        cfg = load_scenario(name, changes, check_grid=True)
        return Side(label, config_with(cfg, extra, "--months") if extra else cfg)

    first = scenarios[0]
    out = [side(first, {}, first)]
    others = scenarios[1:] or [first]
    out += [side(name, parsed, name + suffix) for name in others]
    labels = [s.label for s in out]
    if len(set(labels)) < len(labels):
        raise InputError(f"compare: a scenario is named twice ({', '.join(labels)})")
    return out


def _tasks(sides: Sequence[Side], seeds: Sequence[int]) -> Iterator[RunTask]:
    """One run per side and seed, seed by seed so early results pair up."""
    bases = [side.config.model_dump() for side in sides]
    for seed in seeds:
        for i, side in enumerate(sides):
            yield RunTask(f"{side.label}-s{seed}", i, seed, seed, {}, bases[i], False, None, False)


def run_paired(
    sides: Sequence[Side],
    seeds: Sequence[int],
    workers: int | None = None,
    progress: bool | None = None,
) -> PairedRuns:
    """Run every side on every seed (one worker: in this process; more: a process pool).

    A progress bar over the runs goes to stderr on a terminal (or as `progress` says).
    """
    from tqdm import tqdm

    if not seeds:
        raise InputError("--seeds: expected at least 1")
    if workers is not None and workers < 1:
        raise InputError(f"--workers {workers}: expected a whole number >= 1")
    total = len(sides) * len(seeds)
    n_workers = min(workers or default_workers(), total)
    result = PairedRuns(list(sides), list(seeds), {s.label: [None] * len(seeds) for s in sides})
    index = {seed: k for k, seed in enumerate(seeds)}

    def on_row(row: dict[str, Any]) -> None:
        label = sides[row["point"]].label
        if row["status"] == "ok":
            kpis = {k: v for k, v in row.items() if k not in _ROW_FIELDS and not k.startswith("__")}
            result.kpis[label][index[row["seed"]]] = kpis
        else:
            result.failures.append((label, row["seed"], str(row["error"])))
        bar.update(1)

    def on_lost(task: RunTask, exc: BaseException) -> None:
        result.failures.append((sides[task.point].label, task.seed, error_text(exc)))
        bar.update(1)

    tasks = _tasks(sides, seeds)
    quiet = not show_progress(progress)
    with tqdm(total=total, desc="compare", unit="run", disable=quiet, dynamic_ncols=True) as bar:
        if n_workers == 1:
            run_serial(tasks, execute_run, on_row)
        else:
            run_on_process_pool(tasks, execute_run, on_row, on_lost, workers=n_workers)
    _count_unrun(result)
    return result


def _count_unrun(runs: PairedRuns) -> None:
    """Runs never made (a broken pool stops submitting) are failures too, not silent gaps."""
    failed = {(label, seed) for label, seed, _ in runs.failures}
    for side in runs.sides:
        for seed, kpis in zip(runs.seeds, runs.kpis[side.label], strict=True):
            if kpis is None and (side.label, seed) not in failed:
                runs.failures.append((side.label, seed, "not run: the process pool broke"))


def failure_line(runs: PairedRuns) -> str:
    """The one `error:` line for failed runs: how many of how many, and what that means."""
    return (
        f"error: compare: {len(runs.failures)} of {runs.total_runs} runs failed; "
        "their seeds are missing pairs (see n in the table)"
    )


def comparisons(runs: PairedRuns) -> list[tuple[Side, Side, dict[str, PairedDifference]]]:
    """(A, B, paired difference per KPI) for each B against the reference A."""
    a = runs.sides[0]
    keys = list(
        dict.fromkeys(k for side in runs.sides for run in runs.kpis[side.label] if run for k in run)
    )
    return [
        (a, b, paired_kpis(runs.kpis[a.label], runs.kpis[b.label], keys)) for b in runs.sides[1:]
    ]


def fmt_value(x: float, signed: bool = False) -> str:
    """A KPI value in a few significant digits with thousands separators; '-' for NaN."""
    if not math.isfinite(x):
        return "-"
    if x == 0:
        return "0"
    sign = "+" if signed else ""
    if abs(x) >= 100:
        return f"{x:{sign},.0f}"
    if abs(x) >= 1:
        return f"{x:{sign},.2f}"
    return f"{x:{sign}.3g}"


def _verdict_cell(d: PairedDifference, seeds: int) -> str:
    """The verdict, with the number of pairs when some seeds had no value, and 'no spread'."""
    text = d.verdict
    if d.verdict == BEYOND and d.sd == 0:
        text += " (no spread)"
    if d.n not in (0, seeds):
        text += f" (n={d.n} of {seeds})"
    return text


def seeds_text(seeds: Sequence[int]) -> str:
    """'1-10' for a run of consecutive seeds, else the list."""
    s = list(seeds)
    if len(s) >= 2 and s == list(range(s[0], s[-1] + 1)):
        return f"{s[0]}-{s[-1]}"
    return ", ".join(str(x) for x in s)


def _row(key: str, d: PairedDifference, seeds: int) -> tuple[str, ...]:
    """One KPI's cells: name, A mean, B mean, difference, spread, interval, verdict."""
    interval = f"[{fmt_value(d.low, True)}, {fmt_value(d.high, True)}]" if d.n >= 2 else "-"
    return (
        key,
        fmt_value(d.mean_a),
        fmt_value(d.mean_b),
        fmt_value(d.difference, True),
        fmt_value(d.sd),
        interval,
        _verdict_cell(d, seeds),
    )


HEADER = ("KPI", "A mean", "B mean", "difference", "sd", "95 % interval", "verdict")


def _block(a: Side, b: Side, diffs: dict[str, PairedDifference], seeds: Sequence[int]) -> str:
    """One comparison as a fixed-width table under a header naming A, B, seeds and months."""
    months = sorted({a.config.run.months, b.config.run.months})
    rows = [HEADER, *(_row(key, d, len(seeds)) for key, d in diffs.items())]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = [
        f"A = {a.label}, B = {b.label}",
        f"paired on seeds {seeds_text(seeds)}, {'/'.join(map(str, months))} months; "
        f"difference = mean over seeds of B - A, sd = its spread over the seeds, "
        f"{CONFIDENCE * 100:.0f} % t-interval of the mean",
    ]
    for row in rows:
        numbers = "  ".join(cell.rjust(w) for cell, w in zip(row[1:5], widths[1:5], strict=True))
        line = f"{row[0].ljust(widths[0])}  {numbers}  {row[5].ljust(widths[5])}  {row[6]}"
        lines.append(line.rstrip())
    return "\n".join(lines)


def table_text(runs: PairedRuns) -> str:
    """One table per B: KPI, A mean, B mean, paired difference, its sd, 95 % interval, verdict."""
    return "\n\n".join(_block(a, b, diffs, runs.seeds) for a, b, diffs in comparisons(runs))


def json_result(runs: PairedRuns) -> dict[str, Any]:
    """The comparison as JSON-ready data: seeds, sides, failures and per-KPI statistics."""
    return {
        "seeds": runs.seeds,
        "confidence": CONFIDENCE,
        "reference": runs.sides[0].label,
        "sides": [
            {"label": s.label, "scenario": s.config.name, "months": s.config.run.months}
            for s in runs.sides
        ],
        "comparisons": [
            {"a": a.label, "b": b.label, "kpis": {k: d.as_dict() for k, d in diffs.items()}}
            for a, b, diffs in comparisons(runs)
        ],
        "runs": runs.total_runs,
        "failed_runs": [
            {"label": label, "seed": seed, "error": error}
            for label, seed, error in sorted(runs.failures)
        ],
    }
