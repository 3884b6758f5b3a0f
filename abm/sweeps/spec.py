"""What a sweep is: the validated spec (parameters, design, seeds, outputs) and its limits.

A sweep spec (TOML, see `docs/sweeps.md`) names a base scenario, the parameters to vary (the
same dotted keys as `powerstack run --set`), a design and the seeds per point. `SweepSpec` is
the checked form `abm.sweeps.parsing` builds; `canonical()` is what decides which runs exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DESIGNS = ("factorial", "list", "lhs", "sobol", "morris")
SAMPLED_DESIGNS = ("lhs", "sobol", "morris")
SPEC_KEYS = (
    "name",
    "description",
    "scenario",
    "design",
    "seed",
    "seeds_per_point",
    "common_random_numbers",
    "months",
    "kpis",
    "counterfactual",
    "timeseries",
    "projects",
    "samples",
    "second_order",
    "levels",
    "fixed",
    "parameters",
    "points",
)
RANGE_KEYS = frozenset({"min", "max"})
COUNTERFACTUAL_KPI = "co2_mt.recycle_first_counterfactual_total"
COUNTERFACTUAL_KPIS = (
    COUNTERFACTUAL_KPI,
    "co2_mt.recycle_first_counterfactual_embodied",
    "co2_mt.second_use_saving.consequential",
)
"""KPIs only a run with its recycle-first twin reports (asking for one switches the twin on)."""
RESERVED_KEYS = ("run.seed", "name", "description")
MAX_SPEC_BYTES = 10_000_000
MAX_RUNS = 1_000_000  # planning this many takes ~2 min and ~600 MB; split bigger studies


@dataclass(frozen=True)
class Range:
    """A continuous range [min, max] of one parameter for sampled designs."""

    min: float
    max: float


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec: what to vary, how to sample it, and what to keep."""

    name: str
    scenario: str
    design: str
    parameters: dict[str, list[Any] | Range] = field(default_factory=dict)
    points: tuple[dict[str, Any], ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    seeds_per_point: int = 1
    common_random_numbers: bool = False
    months: int | None = None
    kpis: tuple[str, ...] | None = None
    counterfactual: bool = False
    timeseries: bool = False
    projects: bool = False
    samples: int | None = None
    second_order: bool = False
    levels: int = 4
    description: str = ""
    source: str = "sweep spec"

    def canonical(self) -> dict[str, Any]:
        """Everything that decides which runs exist and what is recorded, as plain JSON data."""
        params = {
            k: ({"min": v.min, "max": v.max} if isinstance(v, Range) else list(v))
            for k, v in self.parameters.items()
        }
        return {
            "name": self.name,
            "scenario": self.scenario,
            "design": self.design,
            "parameters": params,
            "points": [dict(p) for p in self.points],
            "fixed": dict(self.fixed),
            "seed": self.seed,
            "seeds_per_point": self.seeds_per_point,
            "common_random_numbers": self.common_random_numbers,
            "months": self.months,
            "kpis": list(self.kpis) if self.kpis is not None else None,
            "counterfactual": self.counterfactual,
            "timeseries": self.timeseries,
            "samples": self.samples,
            "second_order": self.second_order,
            "levels": self.levels,
            # only when on: specs written before the key existed keep their hash (and resume)
            **({"projects": True} if self.projects else {}),
        }
