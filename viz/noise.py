"""The app's noise check: this run's settings against the comparison's on the same seeds.

A KPI card's delta compares one run with one other run, so it mixes the lever's effect with
the luck of one seed. The check runs both settings on seeds 1..N as background jobs of the run
engine (below every run on show, so the page stays responsive) and reads them with
`abm.metrics.paired`, the statistics of `powerstack compare`: per KPI card, the mean of the
per-seed differences (this run minus the comparison), its 95 % interval and a verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from abm.metrics.paired import BEYOND, IDENTICAL, NO_DATA, PairedDifference, paired_difference
from abm.scenario import config_with
from abm.schema import ScenarioConfig
from viz.kpis import DASH, SPECS
from viz.runs import DONE, FAILED, NOISE_CHECK, RunEngine, RunJob

NOISE_SEEDS = 5  # seeds per side: enough for a first t-interval, 2 x 5 runs in the background


@dataclass(frozen=True)
class NoiseRow:
    """One KPI card's paired result, formatted in the card's unit and precision."""

    key: str
    label: str
    unit: str
    difference: str
    interval: str
    verdict: str
    n: int


@dataclass(frozen=True)
class NoiseCheck:
    """The background jobs of one check: comparison (A) and this run (B) on the same seeds."""

    seeds: tuple[int, ...]
    a_jobs: tuple[RunJob, ...]
    b_jobs: tuple[RunJob, ...]

    @property
    def jobs(self) -> tuple[RunJob, ...]:
        """Every job of the check."""
        return (*self.a_jobs, *self.b_jobs)

    @property
    def runs_done(self) -> int:
        """Runs finished so far (done, failed or cancelled)."""
        return sum(job.done for job in self.jobs)

    @property
    def finished(self) -> bool:
        """Whether every run has ended."""
        return all(job.done for job in self.jobs)

    @property
    def failed(self) -> int:
        """Runs that failed (their seeds are missing pairs)."""
        return sum(job.status == FAILED for job in self.jobs)


def seed_configs(cfg: ScenarioConfig, seeds: Sequence[int]) -> list[ScenarioConfig]:
    """The same settings on each seed."""
    return [config_with(cfg, {"run.seed": seed}, "noise check") for seed in seeds]


def start_check(
    engine: RunEngine,
    compare: ScenarioConfig,
    shown: ScenarioConfig,
    seeds: Sequence[int] = tuple(range(1, NOISE_SEEDS + 1)),
) -> NoiseCheck:
    """Queue both settings on every seed, seed by seed, below every run on show."""
    a_jobs, b_jobs = [], []
    for a_cfg, b_cfg in zip(seed_configs(compare, seeds), seed_configs(shown, seeds), strict=True):
        a_jobs.append(engine.submit(a_cfg, NOISE_CHECK))
        b_jobs.append(engine.submit(b_cfg, NOISE_CHECK))
    return NoiseCheck(tuple(seeds), tuple(a_jobs), tuple(b_jobs))


def release_check(engine: RunEngine, check: NoiseCheck) -> None:
    """The page no longer wants the check: its unfinished runs nobody else needs stop."""
    for job in check.jobs:
        engine.release(job)


def _kpis(job: RunJob) -> dict[str, Any] | None:
    """A finished job's KPIs; None while it runs or when it failed."""
    return job.record.kpis if job.status == DONE and job.record is not None else None


def _interval(d: PairedDifference, decimals: int) -> str:
    """'[low, high]' in the card's precision; a dash without an interval."""
    if d.n < 2:
        return DASH
    return f"[{d.low:+,.{decimals}f}, {d.high:+,.{decimals}f}]"


def noise_rows(check: NoiseCheck) -> list[NoiseRow]:
    """Per KPI card, the paired difference this run minus the comparison (cards without data left out)."""
    a = [_kpis(job) for job in check.a_jobs]
    b = [_kpis(job) for job in check.b_jobs]
    rows = []
    for spec in SPECS:
        d = paired_difference(
            [None if k is None else spec.read(k) for k in a],
            [None if k is None else spec.read(k) for k in b],
        )
        if d.verdict == NO_DATA:
            continue
        difference = (
            "no change" if d.verdict == IDENTICAL else f"{d.difference:+,.{spec.decimals}f}"
        )
        verdict = d.verdict + (" (no spread)" if d.verdict == BEYOND and d.sd == 0 else "")
        rows.append(
            NoiseRow(
                spec.key,
                spec.label,
                spec.unit,
                difference,
                _interval(d, spec.decimals),
                verdict,
                d.n,
            )
        )
    return rows
