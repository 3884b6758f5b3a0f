"""The plan of a sweep: every run (point, replicate, seed, id), validated before anything runs.

A run's seed comes from the sweep seed, the point's values and the replicate, never from
execution order; its id is a hash of the resolved base scenario, the point and the seed, so a
resumed sweep recognises the runs it already has.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from abm.errors import InputError
from abm.scenario import config_with, load_scenario
from abm.schema import ScenarioConfig
from abm.sweeps.designs import Design, build_design, design_size, sampled_value
from abm.sweeps.parsing import load_spec
from abm.sweeps.spec import MAX_RUNS, Range, SweepSpec


@dataclass(frozen=True)
class PlannedRun:
    """One run of the sweep: a design point, a replicate, its derived seed and its id."""

    run_id: str
    point: int
    replicate: int
    seed: int
    params: dict[str, Any]


@dataclass(frozen=True)
class SweepPlan:
    """A validated sweep: base config, design and every run, built before anything runs."""

    spec: SweepSpec
    base: ScenarioConfig
    base_hash: str
    design: Design
    rows: tuple[PlannedRun, ...]
    columns: tuple[str, ...]

    @cached_property
    def runs(self) -> tuple[PlannedRun, ...]:
        """Distinct runs in design order (identical points with identical seeds run once)."""
        seen: set[str] = set()
        out = []
        for r in self.rows:
            if r.run_id not in seen:
                seen.add(r.run_id)
                out.append(r)
        return tuple(out)

    @property
    def spec_hash(self) -> str:
        """Identity of a sweep's results: design, seeds, outputs and the base scenario's content."""
        # by content: the spelling of the scenario path or the spec's name do not matter
        spec = {k: v for k, v in self.spec.canonical().items() if k not in ("name", "scenario")}
        return digest({"spec": spec, "base": self.base_hash})[:16]


def digest(obj: Any) -> str:
    """sha256 of canonical JSON (sorted keys, exact float repr)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def derive_seed(
    sweep_seed: int, point: Mapping[str, Any], replicate: int, common: bool = False
) -> int:
    """Run seed from the sweep seed, the point's values and the replicate (never execution order).

    With `common`, every point shares the seeds of replicate r (common random numbers).
    """
    key: tuple[int, ...] = (replicate,)
    if not common:
        key = (int(digest(dict(point))[:16], 16), replicate)
    return int(np.random.SeedSequence(sweep_seed, spawn_key=key).generate_state(1, np.uint32)[0])


def run_id_for(base_hash: str, params: Mapping[str, Any], seed: int, counterfactual: bool) -> str:
    """Stable id of a run: hash of the resolved scenario, the overrides and the seed."""
    return digest({"base": base_hash, "params": dict(params), "seed": seed, "cf": counterfactual})[
        :20
    ]


def _lookup(cfg: ScenarioConfig, key: str) -> Any:
    """The value of a dotted key in a config."""
    section, _, param = key.partition(".")
    return getattr(getattr(cfg, section), param)


def _base_config(spec: SweepSpec) -> ScenarioConfig:
    """The spec's scenario with its [fixed] values and months applied."""
    try:
        base = load_scenario(spec.scenario)
    except InputError as exc:
        raise InputError(f"{spec.source}: scenario: {exc}") from None
    fixed = {**spec.fixed, **({"run.months": spec.months} if spec.months is not None else {})}
    if fixed:
        base = config_with(base, fixed, f"{spec.source} [fixed]")
    return base


def _check_ranges(spec: SweepSpec, base: ScenarioConfig) -> None:
    """Both ends of every sampled range are values the schema accepts."""
    for key, levels in spec.parameters.items():
        if isinstance(levels, Range):
            for bound in (levels.min, levels.max):
                value = sampled_value(key, bound)
                config_with(base, {key: value}, f"{spec.source} [parameters] bound")


def _check_size(spec: SweepSpec) -> None:
    """No more than MAX_RUNS runs (counted before any point is built)."""
    n_runs = design_size(spec) * spec.seeds_per_point
    if n_runs > MAX_RUNS:
        raise InputError(
            f"{spec.source}: {design_size(spec):,} design points x {spec.seeds_per_point:,} seeds = "
            f"{n_runs:,} runs; expected at most {MAX_RUNS:,} (split the study into several sweeps)"
        )


def _planned_rows(
    spec: SweepSpec, base: ScenarioConfig, base_hash: str, design: Design
) -> tuple[PlannedRun, ...]:
    """Every (point, replicate) with its full parameter values, seed and id; each point validated."""
    rows: list[PlannedRun] = []
    for i, point in enumerate(design.points):
        config_with(base, point, f"{spec.source} design point {i}")
        full = {k: point.get(k, _lookup(base, k)) for k in design.names}
        for r in range(spec.seeds_per_point):
            seed = derive_seed(spec.seed, full, r, spec.common_random_numbers)
            rows.append(
                PlannedRun(run_id_for(base_hash, full, seed, spec.counterfactual), i, r, seed, full)
            )
    return tuple(rows)


def plan_sweep(spec: SweepSpec | Mapping[str, Any] | str | os.PathLike[str]) -> SweepPlan:
    """Validate a spec completely (scenario, bounds, every point) and list its runs."""
    spec = load_spec(spec)
    base = _base_config(spec)
    _check_ranges(spec, base)
    _check_size(spec)
    design = build_design(spec)
    base_hash = digest(base.model_dump())
    rows = _planned_rows(spec, base, base_hash, design)
    return SweepPlan(spec, base, base_hash, design, rows, design.names)
