"""`run_calibration`: history matching in waves on the sweep engine.

Each wave's points run as a `list` sweep (`abm.sweeps.run_sweep`, on the process pool or Dask),
`seeds_per_point` seeds each on common random numbers, into `OUT/waves/wave-K/`; the targets'
statistics give every point's implausibility, and the next wave samples inside what stays
non-implausible. The posterior ranges are those of the last wave's non-implausible points; the
chosen parameter set is the point of least maximum implausibility over all waves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from abm.calibration.checks import as_value, check_spec, sweep_table
from abm.calibration.implausibility import implausibility_table, max_implausibility
from abm.calibration.sampling import first_wave, next_wave
from abm.calibration.spec import CalibrationSpec
from abm.calibration.statistics import by_point, run_values
from abm.errors import InputError


class IncompleteWaveError(RuntimeError):
    """A wave whose runs were not all recorded (a worker died): its points cannot be scored."""


@dataclass
class Wave:
    """One wave's points, each target's (points, seeds) values, and the implausibilities."""

    number: int
    points: np.ndarray
    values: dict[str, np.ndarray]
    table: np.ndarray
    kept: np.ndarray
    runs: int
    failed: int
    wall_time_s: float


@dataclass
class Calibration:
    """Every wave of a calibration, what stopped it early (if anything) and its cost."""

    spec: CalibrationSpec
    waves: list[Wave] = field(default_factory=list)
    stopped: str = ""
    wall_time_s: float = 0.0
    executor: str = ""


def _check_out(out: Path, resume: bool) -> None:
    """An output folder that holds an earlier calibration is reused only with `resume`."""
    if (out / "waves").is_dir() and not resume:
        raise InputError(
            f"--out {out}: already holds a calibration; pass --resume to continue it or choose another --out"
        )


def _rounded(spec: CalibrationSpec, coords: np.ndarray) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """The coordinates with integer parameters rounded, and the points as override dicts."""
    points = [{k: as_value(k, x) for k, x in zip(spec.keys, row, strict=True)} for row in coords]
    return np.array([[float(p[k]) for k in spec.keys] for p in points]), points


def _run_wave(
    spec: CalibrationSpec, number: int, coords: np.ndarray, out: Path, options: dict[str, Any]
) -> tuple[Wave, str]:
    """Run one wave's points on the sweep engine and score them."""
    from abm.sweeps import run_sweep

    started = time.perf_counter()
    coords, points = _rounded(spec, coords)
    df = run_sweep(sweep_table(spec, number, points), out / "waves" / f"wave-{number}", **options)
    summary = df.attrs.get("sweep", {})
    if summary.get("remaining"):  # scoring a partial wave would send the next one astray
        raise IncompleteWaveError(
            f"wave {number}: {summary['remaining']} of {summary['planned_runs']} runs not recorded "
            f"(lost to worker failures); continue with --resume"
        )
    values_df = run_values(out / "waves" / f"wave-{number}", spec.targets)
    n = len(points)
    values = {t.name: by_point(values_df, t.name, n, spec.seeds_per_point) for t in spec.targets}
    table = implausibility_table(
        [values[t.name] for t in spec.targets],
        [t.value for t in spec.targets],
        [t.sd for t in spec.targets],
        [t.discrepancy_sd for t in spec.targets],
    )
    kept = max_implausibility(table) < spec.cutoff
    failed = int((df["status"] != "ok").sum())
    wave = Wave(number, coords, values, table, kept, len(df), failed, time.perf_counter() - started)
    return wave, str(df.attrs.get("sweep", {}).get("executor", ""))


def _next_coords(spec: CalibrationSpec, cal: Calibration) -> np.ndarray:
    """Wave k+1's coordinates inside the non-implausible region of every point run so far."""
    run_points = np.vstack([w.points for w in cal.waves])
    kept = np.concatenate([w.kept for w in cal.waves])
    last = np.concatenate([np.full(w.kept.size, w is cal.waves[-1]) for w in cal.waves])
    return next_wave(spec, len(cal.waves) + 1, run_points, kept, last, spec.points_per_wave)


def run_calibration(
    spec: CalibrationSpec,
    out_dir: str | Path,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    dask_local: bool = False,
    resume: bool = False,
    progress: bool | None = None,
    report: Callable[[str], None] | None = None,
) -> Calibration:
    """Check the spec, then run its waves (stopping when nothing stays non-implausible)."""
    out = Path(out_dir)
    _check_out(out, resume)
    check_spec(spec)
    started = time.perf_counter()
    cal = Calibration(spec)
    options = {
        "workers": workers,
        "scheduler": scheduler,
        "dask_local": dask_local,
        "resume": resume,
        "progress": progress,
    }
    for number in range(1, spec.waves + 1):
        if number == 1:
            coords = first_wave(spec, spec.points_per_wave)
        elif not cal.waves[-1].kept.any():
            cal.stopped = f"no point of wave {number - 1} is non-implausible; waves {number}-{spec.waves} not run"
            break
        else:
            coords = _next_coords(spec, cal)
        wave, cal.executor = _run_wave(spec, number, coords, out, options)
        cal.waves.append(wave)
        if report:
            report(
                f"wave {number}: {int(wave.kept.sum())} of {wave.kept.size} points non-implausible "
                f"(I < {spec.cutoff:g}); {wave.runs} runs, {wave.failed} failed, {wave.wall_time_s:.0f} s"
            )
    cal.wall_time_s = time.perf_counter() - started
    return cal
