"""Reading and checking sweep specs: TOML file or dict in, `SweepSpec` or a one-line InputError out.

Every check names where the input came from, the key, the value and what was expected; the
checks run in a fixed order (shape, design, tables, sampling, outputs) so the first problem is
the one reported.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from abm.bounds import is_numeric
from abm.errors import InputError, did_you_mean
from abm.schema import parameter_keys
from abm.sweeps.designs import normalise
from abm.sweeps.spec import (
    COUNTERFACTUAL_KPIS,
    DESIGNS,
    MAX_RUNS,
    MAX_SPEC_BYTES,
    RANGE_KEYS,
    RESERVED_KEYS,
    SAMPLED_DESIGNS,
    SPEC_KEYS,
    Range,
    SweepSpec,
)

_HUGE_INTEGER_LINE = re.compile(r"^\s*([^=#\s]+)\s*=\s*[+-]?[0-9_]{4301,}", re.MULTILINE)
_SAMPLES_MEANING = {
    "lhs": "the number of points",
    "sobol": "the base sample N (a power of 2)",
    "morris": "the number of trajectories",
}


# ---------------------------------------------------------------------------- small checks
def _flatten_keys(table: Mapping[str, Any], where: str, prefix: str = "") -> dict[str, Any]:
    """{'queue': {'mode': x}} or {'queue.mode': x} -> {'queue.mode': x}; a {min, max} table is a leaf."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping) and not (value and set(value) <= RANGE_KEYS):
            if not value:
                raise InputError(f"{where}: {full} is an empty table; expected a parameter value")
            out.update(_flatten_keys(value, where, f"{full}."))
        else:
            out[full] = value
    return out


def _check_key(key: str, where: str) -> None:
    """A sweepable dotted key: known to the schema, and not one the sweep sets itself."""
    if key in RESERVED_KEYS:
        raise InputError(
            f"{where}: {key!r} cannot be swept; run seeds come from 'seed' and 'seeds_per_point'"
        )
    if key not in parameter_keys():
        raise InputError(f"{where}: unknown parameter {key!r}{did_you_mean(key, parameter_keys())}")


def _int_field(value: Any, key: str, where: str, low: int) -> int:
    """A whole number >= low, or an InputError naming key, value and expectation."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InputError(f"{where}: {key} = {value!r}; expected a whole number >= {low}")
    return value


def _bool_field(value: Any, key: str, where: str) -> bool:
    """true/false, or an InputError."""
    if not isinstance(value, bool):
        raise InputError(f"{where}: {key} = {value!r}; expected true or false")
    return value


def _resolve_scenario_ref(ref: Any, base_dir: Path | None, where: str) -> str:
    """A scenario name stays a name; a relative path resolves against the spec's folder."""
    if not isinstance(ref, str) or not ref:
        raise InputError(f"{where}: scenario = {ref!r}; expected a scenario name or a .toml path")
    if ref.endswith(".toml") or "/" in ref or os.sep in ref:
        path = Path(ref)
        if not path.is_absolute() and base_dir is not None and (base_dir / path).is_file():
            path = base_dir / path
        return str(path)
    return ref


# ---------------------------------------------------------------------------- steps of parse_spec
def _parse_head(data: Mapping[str, Any], where: str) -> tuple[str, str]:
    """Known keys only, a scenario, a known design and a usable name: (design, name)."""
    for key in data:
        if key not in SPEC_KEYS:
            raise InputError(
                f"{where}: unknown key {key!r}{did_you_mean(key, SPEC_KEYS)}; expected one of: {', '.join(SPEC_KEYS)}"
            )
    if "scenario" not in data:
        raise InputError(
            f"{where}: missing key 'scenario'; expected a scenario name such as \"baseline\""
        )
    design = data.get("design", "factorial")
    if design not in DESIGNS:
        raise InputError(
            f"{where}: design = {design!r}{did_you_mean(str(design), DESIGNS)}; expected one of: {', '.join(DESIGNS)}"
        )
    name = data.get("name", "sweep")
    if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
        raise InputError(f"{where}: name = {name!r}; expected a short name usable as a folder name")
    return design, name


def _parse_fixed(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The [fixed] table: parameter = value, applied to the base scenario of every run."""
    fixed_raw = data.get("fixed", {})
    if not isinstance(fixed_raw, Mapping):
        raise InputError(f"{where}: [fixed] must be a table of parameter = value")
    fixed = _flatten_keys(fixed_raw, f"{where} [fixed]")
    for key in fixed:
        _check_key(key, f"{where} [fixed]")
    return fixed


def _parse_parameters(
    data: Mapping[str, Any], design: str, fixed: Mapping[str, Any], where: str
) -> dict[str, list[Any] | Range]:
    """The [parameters] table: levels (factorial) or {min, max} ranges (sampled designs)."""
    params_raw = data.get("parameters", {})
    if not isinstance(params_raw, Mapping):
        raise InputError(
            f"{where}: [parameters] must be a table of parameter = levels or {{min, max}}"
        )
    parameters: dict[str, list[Any] | Range] = {}
    for key, value in _flatten_keys(params_raw, f"{where} [parameters]").items():
        _check_key(key, f"{where} [parameters]")
        if key in fixed:
            raise InputError(f"{where}: {key!r} is both fixed and varied; keep it in one table")
        parameters[key] = _parse_levels(key, value, design, f"{where} [parameters]")
    return parameters


def _parse_range(key: str, value: Any, design: str, where: str) -> Range:
    """A {min, max} table of finite numbers with min < max, for a numeric parameter."""
    if not isinstance(value, Mapping) or set(value) != RANGE_KEYS:
        raise InputError(
            f"{where}: {key} = {value!r}; design {design!r} needs a range {{ min = ..., max = ... }}"
        )
    lo, hi = value["min"], value["max"]
    for bound in (lo, hi):
        if (
            isinstance(bound, bool)
            or not isinstance(bound, int | float)
            or not math.isfinite(bound)
        ):
            raise InputError(f"{where}: {key} = {value!r}; expected finite numbers for min and max")
    if not lo < hi:
        raise InputError(f"{where}: {key} has min = {lo!r} >= max = {hi!r}; expected min < max")
    if not is_numeric(key):
        raise InputError(
            f'{where}: {key} is not numeric; design {design!r} samples numbers, use design = "factorial" or "list" for it'
        )
    return Range(float(lo), float(hi))


def _parse_levels(key: str, value: Any, design: str, where: str) -> list[Any] | Range:
    """Levels (a list) for factorial designs, a {min, max} range for sampled designs."""
    if design in SAMPLED_DESIGNS:
        return _parse_range(key, value, design, where)
    if not isinstance(value, list) or not value:
        raise InputError(
            f"{where}: {key} = {value!r}; design {design!r} needs a non-empty list of levels"
        )
    return [normalise(key, v) for v in value]


def _parse_points(
    data: Mapping[str, Any], design: str, has_parameters: bool, where: str
) -> tuple[dict[str, Any], ...]:
    """[[points]] for the list design (and none for any other design)."""
    points_raw = data.get("points", [])
    if design != "list":
        if points_raw:
            raise InputError(f'{where}: [[points]] only go with design = "list", not {design!r}')
        if not has_parameters:
            raise InputError(
                f"{where}: design {design!r} needs a [parameters] table with at least one parameter"
            )
        return ()
    if has_parameters:
        raise InputError(f"{where}: design 'list' takes [[points]], not [parameters]")
    if not isinstance(points_raw, list) or not points_raw:
        raise InputError(f"{where}: design 'list' needs at least one [[points]] table")
    points: list[dict[str, Any]] = []
    for i, point in enumerate(points_raw):
        if not isinstance(point, Mapping):
            raise InputError(
                f"{where}: points[{i}] = {point!r}; expected a table of parameter = value"
            )
        flat = _flatten_keys(point, f"{where} points[{i}]")
        for key in flat:
            _check_key(key, f"{where} points[{i}]")
        points.append(flat)
    return tuple(points)


def _parse_sampling(data: Mapping[str, Any], design: str, where: str) -> tuple[int | None, int]:
    """'samples' (sampled designs only; a power of 2 for Sobol) and Morris 'levels' (even)."""
    samples = data.get("samples")
    if design in SAMPLED_DESIGNS:
        if samples is None:
            raise InputError(
                f"{where}: design {design!r} needs 'samples' ({_SAMPLES_MEANING[design]})"
            )
        samples = _int_field(samples, "samples", where, 2 if design == "morris" else 1)
        if samples > MAX_RUNS:
            raise InputError(
                f"{where}: samples = {samples}; expected a whole number up to {MAX_RUNS:,}"
            )
        if design == "sobol" and samples & (samples - 1):
            raise InputError(
                f"{where}: samples = {samples}; Sobol (Saltelli) needs a power of 2 such as {1 << samples.bit_length()}"
            )
    elif samples is not None:
        raise InputError(
            f"{where}: 'samples' only applies to designs lhs, sobol and morris, not {design!r}"
        )
    levels = _int_field(data.get("levels", 4), "levels", where, 2)
    if levels % 2:
        raise InputError(
            f"{where}: levels = {levels}; Morris needs an even number of levels (e.g. 4)"
        )
    return samples, levels


def _parse_outputs(data: Mapping[str, Any], where: str) -> tuple[tuple[str, ...] | None, bool]:
    """The KPI list (None = all) and whether runs also run the recycle-first counterfactual."""
    kpis_raw = data.get("kpis")
    kpis: tuple[str, ...] | None = None
    if kpis_raw is not None:
        if (
            not isinstance(kpis_raw, list)
            or not kpis_raw
            or not all(isinstance(k, str) and k for k in kpis_raw)
        ):
            raise InputError(
                f'{where}: kpis = {kpis_raw!r}; expected a list of KPI names such as ["energized_mw.grid"]'
            )
        kpis = tuple(dict.fromkeys(kpis_raw))
    wanted_cf = [k for k in COUNTERFACTUAL_KPIS if kpis is not None and k in kpis]
    wants_cf = bool(wanted_cf)
    counterfactual = _bool_field(data.get("counterfactual", wants_cf), "counterfactual", where)
    if wants_cf and not counterfactual:
        raise InputError(f"{where}: kpis asks for {wanted_cf[0]!r} but counterfactual = false")
    return kpis, counterfactual


def _parse_run_length(data: Mapping[str, Any], where: str) -> tuple[int | None, str]:
    """'months' (None = the scenario's own) and the free-text description."""
    months = data.get("months")
    if months is not None:
        months = _int_field(months, "months", where, 1)
    description = data.get("description", "")
    if not isinstance(description, str):
        raise InputError(f"{where}: description = {description!r}; expected a string")
    return months, description


# ---------------------------------------------------------------------------- entry points
def parse_spec(
    data: Mapping[str, Any], where: str = "sweep spec", base_dir: Path | None = None
) -> SweepSpec:
    """Turn a spec table (parsed TOML or a dict) into a SweepSpec, checking its shape and keys."""
    design, name = _parse_head(data, where)
    fixed = _parse_fixed(data, where)
    parameters = _parse_parameters(data, design, fixed, where)
    points = _parse_points(data, design, bool(parameters), where)
    samples, levels = _parse_sampling(data, design, where)
    kpis, counterfactual = _parse_outputs(data, where)
    months, description = _parse_run_length(data, where)
    return SweepSpec(
        name=name,
        scenario=_resolve_scenario_ref(data["scenario"], base_dir, where),
        design=design,
        parameters=parameters,
        points=points,
        fixed=fixed,
        seed=_int_field(data.get("seed", 0), "seed", where, 0),
        seeds_per_point=_int_field(data.get("seeds_per_point", 1), "seeds_per_point", where, 1),
        common_random_numbers=_bool_field(
            data.get("common_random_numbers", False), "common_random_numbers", where
        ),
        months=months,
        kpis=kpis,
        counterfactual=counterfactual,
        timeseries=_bool_field(data.get("timeseries", False), "timeseries", where),
        projects=_bool_field(data.get("projects", False), "projects", where),
        samples=samples,
        second_order=_bool_field(data.get("second_order", False), "second_order", where),
        levels=levels,
        description=description,
        source=where,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    """A spec file's TOML table, every failure turned into one InputError line naming the file."""
    if not path.is_file():
        raise InputError(f"{path}: sweep spec not found")
    if path.stat().st_size > MAX_SPEC_BYTES:
        raise InputError(f"{path}: file is over {MAX_SPEC_BYTES:,} bytes; expected a sweep spec")
    try:
        text = path.read_text(encoding="utf-8")
        return tomllib.loads(text)
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; expected a TOML sweep spec") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None
    except ValueError as exc:  # an integer literal beyond Python's 4,300-digit conversion limit
        if "integer string conversion" not in str(exc):
            raise InputError(f"{path}: invalid TOML: {' '.join(str(exc).split())}") from None
        match = _HUGE_INTEGER_LINE.search(text)
        key = f" {match.group(1)} =" if match else ""
        raise InputError(
            f"{path}: invalid TOML:{key} an integer of more than 4,300 digits; "
            "expected a number in the key's range"
        ) from None


def load_spec(spec: SweepSpec | Mapping[str, Any] | str | os.PathLike[str]) -> SweepSpec:
    """Read a sweep spec from a TOML file (or accept a dict / SweepSpec) and check its shape."""
    if isinstance(spec, SweepSpec):
        return spec
    if isinstance(spec, Mapping):
        return parse_spec(spec)
    path = Path(spec)
    data = _read_toml(path)
    data.setdefault("name", path.stem)
    return parse_spec(data, str(path), path.parent)
