"""The checks a calibration spec passes before any run: scenario, ranges, outputs, years.

`check_spec` loads the base scenario with the spec's [fixed] values and months, checks that both
ends of every range are values the schema accepts, and runs the scenario for one month to check
that every target's KPI or columns exist (with the closest name when not) and that every
target's year lies inside the run. Nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from abm.bounds import value_type
from abm.calibration.spec import CalibrationSpec, Target
from abm.errors import InputError, did_you_mean
from abm.scenario import config_with, load_scenario
from abm.schema import ScenarioConfig
from abm.sweeps.worker import flatten_kpis


def base_config(spec: CalibrationSpec) -> ScenarioConfig:
    """The spec's scenario with its [fixed] values and months applied."""
    try:
        base = load_scenario(spec.scenario)
    except InputError as exc:
        raise InputError(f"{spec.source}: scenario: {exc}") from None
    fixed = {**spec.fixed, **({"run.months": spec.months} if spec.months is not None else {})}
    return config_with(base, fixed, f"{spec.source} [fixed]") if fixed else base


def as_value(key: str, x: float) -> int | float:
    """A sampled coordinate as the parameter's value: rounded for integer parameters."""
    return int(round(float(x))) if value_type(key) is int else float(x)


def _check_ranges(spec: CalibrationSpec, base: ScenarioConfig) -> None:
    """Both ends of every range are values the schema accepts."""
    for p in spec.parameters:
        for bound in (p.min, p.max):
            config_with(
                base, {p.key: as_value(p.key, bound)}, f"{spec.source} [parameters] {p.key}"
            )


def _check_name(name: str, known: Sequence[str], what: str, target: Target, where: str) -> None:
    """A KPI or column a run reports, or an InputError with the closest match."""
    if name not in known:
        raise InputError(
            f"{where} [targets.{target.name}]: unknown {what} {name!r}{did_you_mean(name, known)}"
        )


def _check_year(target: Target, base: ScenarioConfig, where: str) -> None:
    """The target's year lies inside the run (start month to start + months)."""
    start_year, start_month = (int(x) for x in str(base.run.start).split("-"))
    last = start_year + (start_month - 1 + base.run.months - 1) // 12
    if target.year is not None and not start_year <= target.year <= last:
        raise InputError(
            f"{where} [targets.{target.name}]: year = {target.year}; expected a year the run covers ({start_year}-{last}, set months)"
        )


def check_spec(spec: CalibrationSpec) -> ScenarioConfig:
    """Every check that needs the scenario or a one-month probe run; returns the base config."""
    from abm.runner import run_scenario

    base = base_config(spec)
    _check_ranges(spec, base)
    probe = run_scenario(base, months=1, counterfactual=False)
    kpis = list(flatten_kpis(probe.kpis))
    columns = list(probe.timeseries.columns)
    for t in spec.targets:
        if t.kpi is not None:
            _check_name(t.kpi, kpis, "KPI", t, spec.source)
            continue
        for col in (t.column, t.subtract):
            if col:
                _check_name(col, columns, "time-series column", t, spec.source)
        _check_year(t, base, spec.source)
    return base


def sweep_table(
    spec: CalibrationSpec, wave: int, points: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """The sweep spec (a `list` design) that runs one wave's points on the sweep engine."""
    kpis = sorted({t.kpi for t in spec.targets if t.kpi is not None}) or None
    table: dict[str, Any] = {
        "name": f"{spec.name}-wave{wave}",
        "scenario": spec.scenario,
        "design": "list",
        "seed": spec.seed,
        "seeds_per_point": spec.seeds_per_point,
        "common_random_numbers": True,
        "timeseries": spec.needs_timeseries,
        "points": [dict(p) for p in points],
    }
    if kpis:
        table["kpis"] = kpis
    if spec.fixed:
        table["fixed"] = dict(spec.fixed)
    if spec.months is not None:
        table["months"] = spec.months
    return table
