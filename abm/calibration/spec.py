"""What a calibration is: the parameters sampled, the targets with their uncertainties, the waves.

A calibration spec (TOML under `scenarios/calibration/`, see `docs/calibration.md`) names a base
scenario, the unconfirmed parameters to sample within their ranges, the calibration targets
(a KPI or a time-series statistic with its observed value, its uncertainty and source), and the
size of the history matching: waves, points per wave, seeds per point, months per run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SPEC_KEYS = (
    "name",
    "description",
    "scenario",
    "seed",
    "waves",
    "points_per_wave",
    "seeds_per_point",
    "months",
    "cutoff",
    "fixed",
    "parameters",
    "targets",
)
PARAMETER_KEYS = ("min", "max", "reason")
TARGET_KEYS = (
    "kpi",
    "column",
    "subtract",
    "year",
    "stat",
    "value",
    "sd",
    "discrepancy_sd",
    "source",
    "note",
)
YEAR_STATS = ("mean", "first", "last")
DEFAULT_CUTOFF = 3.0  # Pukelsheim's three-sigma rule, the usual history-matching cut-off
MAX_POINTS_PER_WAVE = 10_000
MAX_WAVES = 20
MAX_SEEDS_PER_POINT = 100


@dataclass(frozen=True)
class Parameter:
    """One sampled parameter: a schema key, its prior range [min, max] and why it is calibrated."""

    key: str
    min: float
    max: float
    reason: str = ""


@dataclass(frozen=True)
class Target:
    """One calibration target: what the model reports, the observed value and its uncertainties.

    `kpi` names a KPI of the run (dotted, as in kpis.json); otherwise `column` (minus `subtract`)
    is a monthly time-series column reduced over calendar `year` by `stat`. `sd` is the
    observation's standard deviation, `discrepancy_sd` the model discrepancy's (same unit).
    """

    name: str
    value: float
    sd: float
    source: str
    discrepancy_sd: float = 0.0
    kpi: str | None = None
    column: str | None = None
    subtract: str | None = None
    year: int | None = None
    stat: str = "mean"
    note: str = ""

    def describe(self) -> str:
        """The statistic in words: 'KPI queue.x' or 'mean of col - col2 over 2025'."""
        if self.kpi is not None:
            return f"KPI `{self.kpi}`"
        series = f"{self.column} - {self.subtract}" if self.subtract else f"{self.column}"
        return f"{self.stat} of `{series}` over {self.year}"


@dataclass(frozen=True)
class CalibrationSpec:
    """A validated calibration spec: parameters, targets and the size of the history matching."""

    name: str
    scenario: str
    parameters: tuple[Parameter, ...]
    targets: tuple[Target, ...]
    waves: int = 2
    points_per_wave: int = 40
    seeds_per_point: int = 2
    months: int | None = None
    seed: int = 0
    cutoff: float = DEFAULT_CUTOFF
    fixed: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    source: str = "calibration spec"

    @property
    def keys(self) -> tuple[str, ...]:
        """The sampled parameters' dotted keys, in spec order."""
        return tuple(p.key for p in self.parameters)

    @property
    def needs_timeseries(self) -> bool:
        """Whether any target reads the monthly series (then the sweeps keep them)."""
        return any(t.kpi is None for t in self.targets)

    def canonical(self) -> dict[str, Any]:
        """The spec as plain JSON data (written beside the results)."""
        return {
            "name": self.name,
            "description": self.description,
            "scenario": self.scenario,
            "seed": self.seed,
            "waves": self.waves,
            "points_per_wave": self.points_per_wave,
            "seeds_per_point": self.seeds_per_point,
            "months": self.months,
            "cutoff": self.cutoff,
            "fixed": dict(self.fixed),
            "parameters": [vars(p) for p in self.parameters],
            "targets": [vars(t) for t in self.targets],
        }
