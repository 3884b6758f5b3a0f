"""Lever attribution: which of the levers that make TARGET differ from BASE moved each KPI.

TARGET differs from BASE in k levers (schema keys, `section.param`). Every subset of them is a
scenario of its own (BASE with those keys set to TARGET's values), and all 2^k run on the same
seeds 1..N, on the paired runner and process pool of `abm.compare`. Per seed, the KPI of the
subsets is split exactly into per-lever Shapley values and interaction terms (`abm.analysis.
shapley`); per lever and term, the mean over seeds comes with a paired t-interval
(`abm.metrics.paired`). A seed where any subset's run failed, or where the KPI is undefined on
any subset, is left out of that KPI (counted in `n_missing`), so its parts add up over the same
seeds as its total.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from abm.analysis.shapley import dividends, interaction_masks, mask_label, shapley_values
from abm.compare import PairedRuns, Side, run_paired
from abm.errors import InputError
from abm.metrics.paired import PairedDifference, paired_difference
from abm.scenario import build_config, config_with, load_scenario, parse_overrides
from abm.schema import SECTIONS, ScenarioConfig

#: Exact Shapley values need 2^k runs per seed; 6 levers are 64 runs per seed (640 for 10 seeds),
#: the most a workshop laptop finishes at a reduced horizon. Above it we refuse rather than sample.
MAX_LEVERS = 6
#: Keys that name or seed a run rather than change the model; never levers.
NOT_LEVERS = frozenset({"name", "description", "run.seed"})
SPLITS = ("shapley", "alone")
"""`shapley`: contributions are Shapley values (interactions shared equally; the closing term is
zero up to rounding). `alone`: contributions are each lever's effect switched alone from BASE,
and the interaction is every interaction term together."""

Runner = Callable[[Sequence[Side], Sequence[int], int | None], PairedRuns]


@dataclass(frozen=True)
class Lever:
    """One schema key in which TARGET differs from BASE, with both values."""

    key: str
    base: Any
    target: Any


@dataclass(frozen=True)
class KpiAttribution:
    """One KPI's paired total TARGET - BASE and its exact split over the levers (means over seeds).

    `shapley[key]` and `alone[key]` are per-lever paired statistics (Shapley value; effect of
    that lever switched alone); `interactions[label]` the interaction terms of two or more levers.
    `contributions` and `interaction` follow `split`, and add up to `total.difference`.
    """

    total: PairedDifference
    shapley: dict[str, PairedDifference]
    alone: dict[str, PairedDifference]
    interactions: dict[str, PairedDifference]
    split: str = "shapley"

    @property
    def contributions(self) -> dict[str, float]:
        """Per lever, the part of the total it gets under `split` (NaN without data)."""
        parts = self.shapley if self.split == "shapley" else self.alone
        return {key: d.difference for key, d in parts.items()}

    @property
    def interaction(self) -> float:
        """The rest of the total: exactly total - sum(contributions)."""
        parts = list(self.contributions.values())
        if not self.total.n:
            return math.nan
        return self.total.difference - math.fsum(parts)


@dataclass
class Attribution:
    """An attribution of TARGET against BASE: levers, seeds, the runs' failures and each KPI."""

    base: str
    target: str
    levers: list[Lever]
    seeds: list[int]
    months: int
    kpis: dict[str, KpiAttribution]
    failures: list[tuple[str, int, str]] = field(default_factory=list)
    runs: int = 0


def _flat(cfg: ScenarioConfig) -> dict[str, Any]:
    """A config as {dotted key: value}: `section.param` for sections, the field name otherwise."""
    out: dict[str, Any] = {}
    for name, value in cfg.model_dump().items():
        if name in SECTIONS and isinstance(value, Mapping):
            out.update({f"{name}.{param}": v for param, v in value.items()})
        else:
            out[name] = value
    return out


def changed_levers(base: ScenarioConfig, target: ScenarioConfig) -> list[Lever]:
    """The schema keys whose values differ between two configs, in schema order."""
    a, b = _flat(base), _flat(target)
    return [
        Lever(key, a.get(key), b.get(key))
        for key in dict.fromkeys([*a, *b])
        if key not in NOT_LEVERS and a.get(key) != b.get(key)
    ]


def subset_config(base: ScenarioConfig, levers: Sequence[Lever], mask: int) -> ScenarioConfig:
    """BASE with the levers in `mask` switched to TARGET's values, validated like any scenario."""
    data = base.model_dump()
    for i, lever in enumerate(levers):
        if mask & (1 << i):
            section, _, param = lever.key.partition(".")
            if section in SECTIONS and param:
                data[section][param] = lever.target
            else:
                data[lever.key] = lever.target
    label = mask_label(mask, [lv.key for lv in levers], " + ")
    data["name"] = f"{base.name}+{mask:0{max(len(levers), 1)}b}"
    return build_config(data, f"attribute: {base.name} with {label}")


def resolve_pair(
    base: str, target: str, overrides: Sequence[str] = (), months: int | None = None
) -> tuple[ScenarioConfig, ScenarioConfig]:
    """BASE and TARGET as validated configs, each with the shared `--set` and `--months` applied."""
    shared = parse_overrides(list(overrides))
    if "run.seed" in shared:
        raise InputError("--set run.seed: attribute runs every subset on seeds 1..N; use --seeds N")
    if months is not None:
        shared["run.months"] = months
    cfgs = [load_scenario(name, check_grid=True) for name in (base, target)]
    if shared:
        cfgs = [config_with(cfg, shared, "--set/--months") for cfg in cfgs]
    return cfgs[0], cfgs[1]


def check_levers(levers: Sequence[Lever], base: str, target: str) -> None:
    """Refuse no levers (nothing to split) and more than MAX_LEVERS (2^k runs per seed)."""
    if not levers:
        raise InputError(f"attribute: {target} and {base} differ in no lever; nothing to split")
    if len(levers) > MAX_LEVERS:
        keys = ", ".join(lv.key for lv in levers)
        raise InputError(
            f"attribute: {target} differs from {base} in {len(levers)} levers ({keys}); exact "
            f"Shapley values need 2^{len(levers)} = {2 ** len(levers)} runs per seed, at most "
            f"{MAX_LEVERS} levers ({1 << MAX_LEVERS} runs per seed) are allowed; make an "
            "intermediate scenario that groups some levers and attribute in two steps"
        )


def _matrix(runs: PairedRuns, labels: Sequence[str], key: str) -> np.ndarray:
    """One KPI as (subset, seed) values; NaN where the run failed or the value is not a number."""

    def number(run: Mapping[str, Any] | None) -> float:
        value = None if run is None else run.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            return math.nan
        return float(value) if math.isfinite(float(value)) else math.nan

    return np.array([[number(run) for run in runs.kpis[label]] for label in labels])


def split_kpi(values: np.ndarray, names: Sequence[str], split: str = "shapley") -> KpiAttribution:
    """Split one KPI's (2^k subsets x seeds) values into levers and interactions, with intervals.

    Seeds with a missing value on any subset are dropped from every statistic of this KPI.
    """
    complete = ~np.isnan(values).any(axis=0)
    n_missing = int((~complete).sum())
    v = values[:, complete]
    k = len(names)

    def stat(per_seed: np.ndarray) -> PairedDifference:
        return paired_difference([0.0] * (len(per_seed) + n_missing), _padded(per_seed, n_missing))

    total = paired_difference(_padded(v[0], n_missing), _padded(v[-1], n_missing))
    phi = shapley_values(v)
    d = dividends(v)
    return KpiAttribution(
        total=total,
        shapley={name: stat(phi[i]) for i, name in enumerate(names)},
        alone={name: stat(d[1 << i]) for i, name in enumerate(names)},
        interactions={mask_label(m, names): stat(d[m]) for m in interaction_masks(k)},
        split=split,
    )


def _padded(values: np.ndarray, n_missing: int) -> list[float]:
    """Per-seed values with the dropped seeds as NaN (so `n_missing` counts them)."""
    return [float(x) for x in values] + [math.nan] * n_missing


def attribute_levers(
    base: str,
    target: str,
    seeds: int | Sequence[int],
    *,
    months: int | None = None,
    overrides: Sequence[str] = (),
    workers: int | None = None,
    split: str = "shapley",
    runner: Runner | None = None,
) -> Attribution:
    """Run every lever subset of TARGET against BASE on the same seeds and split each KPI.

    `seeds` is N (seeds 1..N) or a list; `overrides` (`KEY=VALUE`) and `months` apply to both
    scenarios and are not levers. `runner` replaces `abm.compare.run_paired` (tests, the app).
    """
    if split not in SPLITS:
        raise InputError(f"--split {split!r}: expected one of {', '.join(SPLITS)}")
    base_cfg, target_cfg = resolve_pair(base, target, overrides, months)
    return attribute_configs(
        base_cfg,
        target_cfg,
        seeds,
        workers=workers,
        split=split,
        runner=runner,
        names=(base, target),
    )


def attribute_configs(
    base_cfg: ScenarioConfig,
    target_cfg: ScenarioConfig,
    seeds: int | Sequence[int],
    *,
    workers: int | None = None,
    split: str = "shapley",
    runner: Runner | None = None,
    names: tuple[str, str] | None = None,
) -> Attribution:
    """`attribute_levers` on two validated configs (the app's shown run and its comparison)."""
    if split not in SPLITS:
        raise InputError(f"--split {split!r}: expected one of {', '.join(SPLITS)}")
    seed_list = list(range(1, seeds + 1)) if isinstance(seeds, int) else list(seeds)
    if not seed_list:
        raise InputError("--seeds: expected a whole number >= 1")
    base, target = names or (base_cfg.name, target_cfg.name)
    levers = changed_levers(base_cfg, target_cfg)
    check_levers(levers, base, target)
    sides = [
        Side(
            mask_label(mask, [lv.key for lv in levers], " + "),
            subset_config(base_cfg, levers, mask),
        )
        for mask in range(1 << len(levers))
    ]
    runs = (runner or run_paired)(sides, seed_list, workers)
    labels = [side.label for side in sides]
    keys = list(dict.fromkeys(k for lab in labels for run in runs.kpis[lab] if run for k in run))
    lever_keys = [lv.key for lv in levers]
    return Attribution(
        base=base,
        target=target,
        levers=levers,
        seeds=seed_list,
        months=base_cfg.run.months,
        kpis={key: split_kpi(_matrix(runs, labels, key), lever_keys, split) for key in keys},
        failures=list(runs.failures),
        runs=runs.total_runs,
    )
