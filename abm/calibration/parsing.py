"""Reading and checking calibration specs: TOML in, `CalibrationSpec` or a one-line InputError out.

Every message names the file, the key, the value, what was expected and, for a misspelt name,
the closest match. The checks here need no model run; `abm.calibration.checks` adds those
that do (scenario, bounds, KPI and column names) before any run starts.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from abm.bounds import field_info, is_numeric
from abm.calibration.spec import (
    MAX_POINTS_PER_WAVE,
    MAX_SEEDS_PER_POINT,
    MAX_WAVES,
    PARAMETER_KEYS,
    SPEC_KEYS,
    TARGET_KEYS,
    YEAR_STATS,
    CalibrationSpec,
    Parameter,
    Target,
)
from abm.errors import InputError, did_you_mean
from abm.schema import parameter_keys

RESERVED = ("run.seed", "run.months", "run.start")


def _unknown(key: str, known: tuple[str, ...], where: str) -> InputError:
    """'unknown key' with the closest match and the list of what is expected."""
    return InputError(
        f"{where}: unknown key {key!r}{did_you_mean(key, known)}; expected one of: {', '.join(known)}"
    )


def _whole(data: Mapping[str, Any], key: str, default: int, low: int, high: int, where: str) -> int:
    """A whole number in [low, high], or an InputError naming key, value and expectation."""
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(
            f"{where}: {key} = {value!r}; expected a whole number from {low} to {high:,}"
        )
    return value


def _number(value: Any, key: str, where: str, positive: bool = False) -> float:
    """A finite number (> 0 when `positive`), or an InputError."""
    ok = not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
    if not ok or (positive and value <= 0) or (not positive and value < 0 and key != "value"):
        kind = (
            "a number > 0" if positive else "a finite number" + (" >= 0" if key != "value" else "")
        )
        raise InputError(f"{where}: {key} = {value!r}; expected {kind}")
    return float(value)


def _text(data: Mapping[str, Any], key: str, where: str, required: bool = False) -> str:
    """A string field ('' when absent and not required)."""
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise InputError(f"{where}: {key} = {value!r}; expected a non-empty string")
    return value


def _check_key(key: str, where: str) -> None:
    """A numeric, unconfirmed schema key the calibration may sample."""
    if key in RESERVED:
        raise InputError(f"{where}: {key!r} cannot be calibrated; use seed, months or the scenario")
    if key not in parameter_keys():
        raise InputError(f"{where}: unknown parameter {key!r}{did_you_mean(key, parameter_keys())}")
    if not is_numeric(key):
        raise InputError(f"{where}: {key} is not numeric; expected a parameter that takes numbers")
    extra = field_info(key).json_schema_extra or {}
    if not extra.get("unconfirmed"):  # type: ignore[union-attr]
        raise InputError(
            f"{where}: {key} has a confirmed source ({extra.get('source')}); expected an "  # type: ignore[union-attr]
            "unconfirmed parameter (docs/parameters.md marks them)"
        )


def _parameter(key: str, value: Any, where: str) -> Parameter:
    """One [parameters] entry: { min, max, reason } for a sampled schema key."""
    _check_key(key, where)
    if not isinstance(value, Mapping):
        raise InputError(
            f'{where}: {key} = {value!r}; expected {{ min = ..., max = ..., reason = "..." }}'
        )
    for k in value:
        if k not in PARAMETER_KEYS:
            raise _unknown(str(k), PARAMETER_KEYS, f"{where} {key}")
    if "min" not in value or "max" not in value:
        raise InputError(f"{where}: {key} = {dict(value)!r}; expected both min and max")
    lo = _number(value["min"], "min", f"{where} {key}")
    hi = _number(value["max"], "max", f"{where} {key}")
    if not lo < hi:
        raise InputError(f"{where}: {key} has min = {lo!r} >= max = {hi!r}; expected min < max")
    return Parameter(key, lo, hi, _text(value, "reason", f"{where} {key}"))


def _parameters(data: Mapping[str, Any], where: str) -> tuple[Parameter, ...]:
    """The [parameters] table: at least one sampled key."""
    raw = data.get("parameters")
    if not isinstance(raw, Mapping) or not raw:
        raise InputError(
            f'{where}: [parameters] missing or empty; expected "section.key" = {{ min, max }}'
        )
    return tuple(_parameter(str(k), v, f"{where} [parameters]") for k, v in raw.items())


def _statistic(name: str, raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Which model output a target reads: a KPI, or a column (minus another) over a year."""
    has_kpi, has_column = "kpi" in raw, "column" in raw
    if has_kpi == has_column:
        raise InputError(f"{where}: target {name!r} needs exactly one of kpi or column")
    if has_kpi:
        extra = [k for k in ("subtract", "year", "stat") if k in raw]
        if extra:
            raise InputError(f"{where}: target {name!r}: {extra[0]} goes with column, not kpi")
        return {"kpi": _text(raw, "kpi", where, required=True)}
    year = raw.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
        raise InputError(
            f"{where}: target {name!r}: year = {year!r}; expected a calendar year such as 2025"
        )
    stat = raw.get("stat", "mean")
    if stat not in YEAR_STATS:
        raise InputError(
            f"{where}: target {name!r}: stat = {stat!r}{did_you_mean(str(stat), YEAR_STATS)}; expected one of: {', '.join(YEAR_STATS)}"
        )
    subtract = _text(raw, "subtract", where) or None
    return {
        "column": _text(raw, "column", where, required=True),
        "subtract": subtract,
        "year": year,
        "stat": stat,
    }


def _target(name: str, raw: Any, where: str) -> Target:
    """One [targets.NAME] table: statistic, value, sd, discrepancy_sd and source."""
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: targets.{name} = {raw!r}; expected a table")
    here = f"{where} [targets.{name}]"
    for k in raw:
        if k not in TARGET_KEYS:
            raise _unknown(str(k), TARGET_KEYS, here)
    for k in ("value", "sd", "source"):
        if k not in raw:
            raise InputError(f"{here}: missing key {k!r}; a target states its value, sd and source")
    return Target(
        name=name,
        value=_number(raw["value"], "value", here),
        sd=_number(raw["sd"], "sd", here, positive=True),
        source=_text(raw, "source", here, required=True),
        discrepancy_sd=_number(raw.get("discrepancy_sd", 0.0), "discrepancy_sd", here),
        note=_text(raw, "note", here),
        **_statistic(name, raw, here),
    )


def _targets(data: Mapping[str, Any], where: str) -> tuple[Target, ...]:
    """The [targets] tables: at least one."""
    raw = data.get("targets")
    if not isinstance(raw, Mapping) or not raw:
        raise InputError(f"{where}: [targets] missing or empty; expected [targets.NAME] tables")
    return tuple(_target(str(k), v, where) for k, v in raw.items())


def _fixed(data: Mapping[str, Any], sampled: tuple[str, ...], where: str) -> dict[str, Any]:
    """The [fixed] table: "section.key" = value, applied to every run."""
    raw = data.get("fixed", {})
    if not isinstance(raw, Mapping):
        raise InputError(f'{where}: [fixed] = {raw!r}; expected a table of "section.key" = value')
    for key in raw:
        if key not in parameter_keys():
            raise InputError(
                f"{where} [fixed]: unknown parameter {key!r}{did_you_mean(key, parameter_keys())}"
            )
        if key in sampled:
            raise InputError(f"{where}: {key!r} is both fixed and sampled; keep it in one table")
    return dict(raw)


def parse_spec(data: Mapping[str, Any], where: str = "calibration spec") -> CalibrationSpec:
    """Turn a spec table (parsed TOML or a dict) into a CalibrationSpec, checking shape and keys."""
    for key in data:
        if key not in SPEC_KEYS:
            raise _unknown(str(key), SPEC_KEYS, where)
    scenario = _text(data, "scenario", where, required=True)
    name = data.get("name", "calibration")
    if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
        raise InputError(f"{where}: name = {name!r}; expected a short name usable as a folder name")
    parameters = _parameters(data, where)
    months = data.get("months")
    cutoff = _number(data.get("cutoff", 3.0), "cutoff", where, positive=True)
    return CalibrationSpec(
        name=name,
        scenario=scenario,
        parameters=parameters,
        targets=_targets(data, where),
        waves=_whole(data, "waves", 2, 1, MAX_WAVES, where),
        points_per_wave=_whole(data, "points_per_wave", 40, 2, MAX_POINTS_PER_WAVE, where),
        seeds_per_point=_whole(data, "seeds_per_point", 2, 2, MAX_SEEDS_PER_POINT, where),
        months=None if months is None else _whole(data, "months", 0, 1, 600, where),
        seed=_whole(data, "seed", 0, 0, 2**32 - 1, where),
        cutoff=cutoff,
        fixed=_fixed(data, tuple(p.key for p in parameters), where),
        description=_text(data, "description", where),
        source=where,
    )


def load_spec(
    path: str | os.PathLike[str], overrides: Mapping[str, int] | None = None
) -> CalibrationSpec:
    """Read a calibration spec from a TOML file, apply size overrides, and check it as a whole.

    `overrides` (the command line's --months, --seeds ...) replace the spec's keys of the same
    name before any check, and errors then name them as well as the file.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: calibration spec not found (see scenarios/calibration/)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; expected a TOML calibration spec") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    data.setdefault("name", path.stem)
    where = str(path)
    if overrides:
        data.update(overrides)
        where += f" (with {', '.join(f'{k} = {v}' for k, v in overrides.items())})"
    return parse_spec(data, where)
