"""Parameter sweeps: designs, execution on a local pool or a Dask cluster, Parquet results, resume.

A sweep spec (TOML, see `docs/sweeps.md`) names a base scenario, the parameters to vary (the
same dotted keys as `powerstack run --set`), a design (factorial, list, lhs, sobol, morris) and
the seeds per point. `run_sweep` validates every design point against the schema before any
run starts, derives each run's seed from the sweep seed and the point (never from execution
order), and streams one row per run to `DIR/runs/part-*.parquet` in atomic chunks, so a killed
sweep resumes (`resume=True`) without duplicates or torn files.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import itertools
import json
import logging
import math
import multiprocessing
import os
import re
import sys
import tempfile
import time
import tomllib
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from abm.errors import InputError, did_you_mean
from abm.scenario import config_with, load_scenario
from abm.schema import SECTIONS, ScenarioConfig, parameter_keys

log = logging.getLogger(__name__)

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
    "samples",
    "second_order",
    "levels",
    "fixed",
    "parameters",
    "points",
)
RANGE_KEYS = frozenset({"min", "max"})
COUNTERFACTUAL_KPI = "co2_mt.recycle_first_counterfactual_total"
RESERVED_KEYS = ("run.seed", "name", "description")
MAX_ERROR_CHARS = 500
MAX_SPEC_BYTES = 10_000_000
MAX_RUNS = 1_000_000  # planning this many takes ~2 min and ~600 MB; split bigger studies
_HUGE_INTEGER_LINE = re.compile(r"^\s*([^=#\s]+)\s*=\s*[+-]?[0-9_]{4301,}", re.MULTILINE)


# ---------------------------------------------------------------------------- spec
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
        }


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


def parse_spec(
    data: Mapping[str, Any], where: str = "sweep spec", base_dir: Path | None = None
) -> SweepSpec:
    """Turn a spec table (parsed TOML or a dict) into a SweepSpec, checking its shape and keys."""
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

    fixed_raw = data.get("fixed", {})
    if not isinstance(fixed_raw, Mapping):
        raise InputError(f"{where}: [fixed] must be a table of parameter = value")
    fixed = _flatten_keys(fixed_raw, f"{where} [fixed]")
    for key in fixed:
        _check_key(key, f"{where} [fixed]")

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

    points_raw = data.get("points", [])
    if design == "list":
        if parameters:
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
    else:
        if points_raw:
            raise InputError(f'{where}: [[points]] only go with design = "list", not {design!r}')
        if not parameters:
            raise InputError(
                f"{where}: design {design!r} needs a [parameters] table with at least one parameter"
            )
        points = []

    samples = data.get("samples")
    if design in SAMPLED_DESIGNS:
        if samples is None:
            what = {
                "lhs": "the number of points",
                "sobol": "the base sample N (a power of 2)",
                "morris": "the number of trajectories",
            }
            raise InputError(f"{where}: design {design!r} needs 'samples' ({what[design]})")
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
    wants_cf = kpis is not None and COUNTERFACTUAL_KPI in kpis
    counterfactual = _bool_field(data.get("counterfactual", wants_cf), "counterfactual", where)
    if wants_cf and not counterfactual:
        raise InputError(
            f"{where}: kpis asks for {COUNTERFACTUAL_KPI!r} but counterfactual = false"
        )
    months = data.get("months")
    if months is not None:
        months = _int_field(months, "months", where, 1)
    description = data.get("description", "")
    if not isinstance(description, str):
        raise InputError(f"{where}: description = {description!r}; expected a string")

    return SweepSpec(
        name=name,
        scenario=_resolve_scenario_ref(data["scenario"], base_dir, where),
        design=design,
        parameters=parameters,
        points=tuple(points),
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
        samples=samples,
        second_order=_bool_field(data.get("second_order", False), "second_order", where),
        levels=levels,
        description=description,
        source=where,
    )


def _parse_levels(key: str, value: Any, design: str, where: str) -> list[Any] | Range:
    """Levels (a list) for factorial designs, a {min, max} range for sampled designs."""
    if design in SAMPLED_DESIGNS:
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
                raise InputError(
                    f"{where}: {key} = {value!r}; expected finite numbers for min and max"
                )
        if not lo < hi:
            raise InputError(f"{where}: {key} has min = {lo!r} >= max = {hi!r}; expected min < max")
        section, _, param = key.partition(".")
        annotation = SECTIONS[section].model_fields[param].annotation
        if annotation not in (int, float):
            raise InputError(
                f'{where}: {key} is not numeric; design {design!r} samples numbers, use design = "factorial" or "list" for it'
            )
        return Range(float(lo), float(hi))
    if not isinstance(value, list) or not value:
        raise InputError(
            f"{where}: {key} = {value!r}; design {design!r} needs a non-empty list of levels"
        )
    return [_normalise(key, v) for v in value]


def load_spec(spec: SweepSpec | Mapping[str, Any] | str | os.PathLike[str]) -> SweepSpec:
    """Read a sweep spec from a TOML file (or accept a dict / SweepSpec) and check its shape."""
    if isinstance(spec, SweepSpec):
        return spec
    if isinstance(spec, Mapping):
        return parse_spec(spec)
    path = Path(spec)
    if not path.is_file():
        raise InputError(f"{path}: sweep spec not found")
    if path.stat().st_size > MAX_SPEC_BYTES:
        raise InputError(f"{path}: file is over {MAX_SPEC_BYTES:,} bytes; expected a sweep spec")
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
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
    data.setdefault("name", path.stem)
    return parse_spec(data, str(path), path.parent)


# ---------------------------------------------------------------------------- design
@dataclass(frozen=True)
class Design:
    """Design points (override dicts) and, for sampled designs, the raw sample matrix."""

    names: tuple[str, ...]
    points: tuple[dict[str, Any], ...]
    samples: np.ndarray | None = None


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem dict (names and bounds) of a sampled design."""
    ranges = {k: v for k, v in spec.parameters.items() if isinstance(v, Range)}
    bounds = [[r.min, r.max] for r in ranges.values()]
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": bounds}


def _field_type(key: str) -> Any:
    """The schema annotation of a dotted key (int, float, str, bool or a Literal)."""
    section, _, param = key.partition(".")
    return SECTIONS[section].model_fields[param].annotation


def _normalise(key: str, value: Any) -> Any:
    """Coerce a value to the schema's type so 2 and 2.0 give the same point (and run id)."""
    kind = _field_type(key)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def design_size(spec: SweepSpec) -> int:
    """Number of design points a spec asks for, computed without building them."""
    k = len(spec.parameters)
    if spec.design == "factorial":
        return math.prod(len(v) for v in spec.parameters.values())  # type: ignore[arg-type]
    if spec.design == "list":
        return len(spec.points)
    n = spec.samples or 0
    if spec.design == "sobol":
        return n * (2 * k + 2 if spec.second_order else k + 2)
    return n * (k + 1) if spec.design == "morris" else n


def build_design(spec: SweepSpec) -> Design:
    """The design points of a spec, in a fixed order that depends only on the spec."""
    names = tuple(spec.parameters)
    if spec.design == "factorial":
        levels = [spec.parameters[n] for n in names]
        points = tuple(
            {n: _normalise(n, v) for n, v in zip(names, combo, strict=True)}
            for combo in itertools.product(*levels)
        )
        return Design(names, points)
    if spec.design == "list":
        keys = tuple(dict.fromkeys(k for p in spec.points for k in p))
        return Design(keys, tuple({k: _normalise(k, v) for k, v in p.items()} for p in spec.points))
    problem = salib_problem(spec)
    if spec.design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(len(names), rng=np.random.default_rng(spec.seed)).random(
            spec.samples
        )
        lows = np.array([b[0] for b in problem["bounds"]])
        highs = np.array([b[1] for b in problem["bounds"]])
        matrix = qmc.scale(unit, lows, highs)
    elif spec.design == "sobol":
        from SALib.sample import sobol

        matrix = sobol.sample(
            problem, spec.samples, calc_second_order=spec.second_order, seed=spec.seed
        )
    else:
        from SALib.sample import morris

        matrix = morris.sample(problem, spec.samples, num_levels=spec.levels, seed=spec.seed)
    points = []
    for row in matrix:
        point = {}
        for n, x in zip(names, row, strict=True):
            point[n] = int(round(float(x))) if _field_type(n) is int else float(x)
        points.append(point)
    return Design(names, tuple(points), np.asarray(matrix, dtype=float))


# ---------------------------------------------------------------------------- plan
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
        return _digest({"spec": spec, "base": self.base_hash})[:16]


def _digest(obj: Any) -> str:
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
        key = (int(_digest(dict(point))[:16], 16), replicate)
    return int(np.random.SeedSequence(sweep_seed, spawn_key=key).generate_state(1, np.uint32)[0])


def run_id_for(base_hash: str, params: Mapping[str, Any], seed: int, counterfactual: bool) -> str:
    """Stable id of a run: hash of the resolved scenario, the overrides and the seed."""
    return _digest({"base": base_hash, "params": dict(params), "seed": seed, "cf": counterfactual})[
        :20
    ]


def plan_sweep(spec: SweepSpec | Mapping[str, Any] | str | os.PathLike[str]) -> SweepPlan:
    """Validate a spec completely (scenario, bounds, every point) and list its runs."""
    spec = load_spec(spec)
    where = spec.source
    try:
        base = load_scenario(spec.scenario)
    except InputError as exc:
        raise InputError(f"{where}: scenario: {exc}") from None
    fixed = {**spec.fixed, **({"run.months": spec.months} if spec.months is not None else {})}
    if fixed:
        base = config_with(base, fixed, f"{where} [fixed]")
    for key, levels in spec.parameters.items():
        if isinstance(levels, Range):
            for bound in (levels.min, levels.max):
                value = int(round(bound)) if _field_type(key) is int else bound
                config_with(base, {key: value}, f"{where} [parameters] bound")
    n_runs = design_size(spec) * spec.seeds_per_point
    if n_runs > MAX_RUNS:
        raise InputError(
            f"{where}: {design_size(spec):,} design points x {spec.seeds_per_point:,} seeds = "
            f"{n_runs:,} runs; expected at most {MAX_RUNS:,} (split the study into several sweeps)"
        )
    design = build_design(spec)
    base_hash = _digest(base.model_dump())
    columns = design.names
    rows: list[PlannedRun] = []
    for i, point in enumerate(design.points):
        config_with(base, point, f"{where} design point {i}")
        full = {k: point.get(k, _lookup(base, k)) for k in columns}
        for r in range(spec.seeds_per_point):
            seed = derive_seed(spec.seed, full, r, spec.common_random_numbers)
            rows.append(
                PlannedRun(run_id_for(base_hash, full, seed, spec.counterfactual), i, r, seed, full)
            )
    return SweepPlan(spec, base, base_hash, design, tuple(rows), columns)


def _lookup(cfg: ScenarioConfig, key: str) -> Any:
    """The value of a dotted key in a config."""
    section, _, param = key.partition(".")
    return getattr(getattr(cfg, section), param)


# ---------------------------------------------------------------------------- one run (worker side)
@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run; small and picklable (the base config as a dict)."""

    run_id: str
    point: int
    replicate: int
    seed: int
    params: dict[str, Any]
    base: dict[str, Any]
    counterfactual: bool
    kpis: tuple[str, ...] | None
    timeseries: bool


def flatten_kpis(kpis: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{'energized_mw': {'grid': 1.0}} -> {'energized_mw.grid': 1.0}."""
    out: dict[str, Any] = {}
    for key, value in kpis.items():
        if isinstance(value, Mapping):
            out.update(flatten_kpis(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


_PACKAGE_DIR = Path(__file__).resolve().parent


def _frame_label(frame: traceback.FrameSummary) -> str:
    """'abm/model.py:287 choose_site' for project code, 'file.py:12' otherwise."""
    path = Path(frame.filename)
    try:
        name = f"abm/{path.resolve().relative_to(_PACKAGE_DIR).as_posix()}"
    except (ValueError, OSError):
        name = path.name
    return f"{name}:{frame.lineno} {frame.name}"


def _error_text(exc: BaseException) -> str:
    """One line: exception type, message, and where it was raised (innermost project frame too)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(_PACKAGE_DIR)]
    places = [_frame_label(f) for f in (ours[-1:] + frames[-1:])] if frames else []
    places = list(dict.fromkeys(places))
    where = f" [at {' < '.join(reversed(places))}]" if places else ""
    message = " ".join(str(exc).split()) or "(no message)"
    text = f"{type(exc).__name__}: {message}"
    if len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 3] + "..."
    return text + where


def execute_run(task: RunTask) -> dict[str, Any]:
    """Run one point and return its row; an exception in the model becomes a 'failed' row."""
    from abm.runner import run_scenario

    started = time.perf_counter()
    cpu_started = time.process_time()
    row: dict[str, Any] = {
        "run_id": task.run_id,
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
        **task.params,
    }
    try:
        cfg = config_with(
            ScenarioConfig.model_validate(task.base),
            {**task.params, "run.seed": task.seed},
            f"run {task.run_id}",
        )
        result = run_scenario(cfg, counterfactual=task.counterfactual)
    except Exception as exc:  # any failure of one run is data, not the end of the sweep
        row.update(
            status="failed",
            error=_error_text(exc),
            wall_time_s=time.perf_counter() - started,
            cpu_time_s=time.process_time() - cpu_started,
        )
        return row
    flat = flatten_kpis(result.kpis)
    if task.kpis is not None:
        flat = {k: flat.get(k) for k in task.kpis}
    row.update(flat)
    row.update(
        status="ok",
        error=None,
        wall_time_s=time.perf_counter() - started,
        cpu_time_s=time.process_time() - cpu_started,
    )
    if task.timeseries:
        ts = result.timeseries.copy()
        ts.insert(0, "month", np.arange(len(ts), dtype=np.int64))
        ts.insert(0, "run_id", task.run_id)
        row["__timeseries__"] = ts
    return row


# ---------------------------------------------------------------------------- schema and writer
def _arrow_type(key: str) -> pa.DataType:
    """Parquet type of a parameter column from its schema annotation."""
    kind = _field_type(key)
    if kind is bool:
        return pa.bool_()
    if kind is int:
        return pa.int64()
    if kind is float:
        return pa.float64()
    return pa.string()


def _probe(plan: SweepPlan) -> tuple[list[str], pa.Schema | None]:
    """KPI names (and the time-series schema) from a one-month run of the base scenario."""
    from abm.runner import run_scenario

    result = run_scenario(plan.base, months=1, counterfactual=False)
    names = list(flatten_kpis(result.kpis))
    if plan.spec.counterfactual and COUNTERFACTUAL_KPI not in names:
        names.append(COUNTERFACTUAL_KPI)
    ts_schema = None
    if plan.spec.timeseries:
        ts = result.timeseries.copy()
        ts.insert(0, "month", np.arange(len(ts), dtype=np.int64))
        ts.insert(0, "run_id", "")
        inferred = pa.Schema.from_pandas(ts, preserve_index=False).remove_metadata()
        ts_schema = pa.schema(
            [pa.field(f.name, pa.float64()) if pa.types.is_null(f.type) else f for f in inferred]
        )
    return names, ts_schema


def select_kpis(available: Sequence[str], wanted: Sequence[str] | None, where: str) -> list[str]:
    """Expand a KPI list (exact names or prefixes such as 'energized_mw') against what runs report."""
    if wanted is None:
        return list(available)
    out: list[str] = []
    for name in wanted:
        matches = [k for k in available if k == name or k.startswith(name + ".")]
        if not matches:
            raise InputError(f"{where}: unknown KPI {name!r}{did_you_mean(name, available)}")
        out.extend(m for m in matches if m not in out)
    return out


def results_schema(columns: Sequence[str], kpis: Sequence[str]) -> pa.Schema:
    """One row per run: meta columns, the varied parameters, then every KPI as float64."""
    clash = set(columns) & set(kpis)
    if clash:
        raise InputError(f"parameter column(s) {sorted(clash)} clash with KPI names")
    fields = [
        pa.field("run_id", pa.string()),
        pa.field("point", pa.int64()),
        pa.field("replicate", pa.int64()),
        pa.field("seed", pa.int64()),
        pa.field("status", pa.string()),
        pa.field("error", pa.string()),
        pa.field("wall_time_s", pa.float64()),
        pa.field("cpu_time_s", pa.float64()),
    ]
    fields += [pa.field(c, _arrow_type(c)) for c in columns]
    fields += [pa.field(k, pa.float64()) for k in kpis]
    return pa.schema(fields)


def _write_atomic(table: pa.Table, path: Path) -> None:
    """Parquet via a hidden temp file in the same folder + os.replace: never a torn file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_text_atomic(path: Path, text: str) -> None:
    """Text file via a hidden temp file + os.replace."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _to_number(value: Any) -> float | None:
    """KPI value as float (None stays None; non-numbers are a bug in the KPI dict)."""
    if value is None:
        return None
    return float(value)


class ChunkWriter:
    """Buffers result rows and writes them as numbered Parquet parts, each atomically.

    A runs part is the commit point: its time-series part (same file name) is written first,
    so a time-series part without a runs part is an orphan from a killed sweep.
    """

    def __init__(
        self,
        out_dir: Path,
        schema: pa.Schema,
        ts_schema: pa.Schema | None,
        flush_rows: int,
        flush_seconds: float,
    ) -> None:
        self.runs_dir = out_dir / "runs"
        self.ts_dir = out_dir / "timeseries"
        self.schema = schema
        self.ts_schema = ts_schema
        self.flush_rows = flush_rows
        self.flush_seconds = flush_seconds
        self.session = f"{time.time_ns():x}-{os.getpid():x}"
        self.seq = 0
        self.rows: list[dict[str, Any]] = []
        self.frames: list[pd.DataFrame] = []
        self.last_flush = time.monotonic()
        self.written = 0

    def add(self, row: dict[str, Any]) -> None:
        """Buffer one row; flush when the buffer is big or old enough."""
        ts = row.pop("__timeseries__", None)
        if ts is not None and self.ts_schema is not None:
            self.frames.append(ts)
        self.rows.append(row)
        if (
            len(self.rows) >= self.flush_rows
            or time.monotonic() - self.last_flush >= self.flush_seconds
        ):
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows (and their time series) as one part each."""
        self.last_flush = time.monotonic()
        if not self.rows:
            return
        name = f"part-{self.session}-{self.seq:06d}.parquet"
        if self.frames and self.ts_schema is not None:
            ts = pd.concat(self.frames, ignore_index=True)
            ts = ts.reindex(columns=self.ts_schema.names)
            _write_atomic(
                pa.Table.from_pandas(ts, schema=self.ts_schema, preserve_index=False),
                self.ts_dir / name,
            )
        columns: dict[str, list[Any]] = {}
        for f in self.schema:
            values = [row.get(f.name) for row in self.rows]
            columns[f.name] = (
                [_to_number(v) for v in values] if pa.types.is_floating(f.type) else values
            )
        _write_atomic(pa.table(columns, schema=self.schema), self.runs_dir / name)
        self.written += len(self.rows)
        self.seq += 1
        self.rows = []
        self.frames = []


# ---------------------------------------------------------------------------- reading results
def _parts(folder: Path) -> list[Path]:
    """Committed Parquet parts in a folder (hidden temp files are not parts), in name order."""
    return sorted(p for p in folder.glob("part-*.parquet")) if folder.is_dir() else []


def load_results(out_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """One row per recorded run of a sweep folder, sorted by run id (first record wins)."""
    out = Path(out_dir)
    parts = _parts(out / "runs")
    if not parts:
        manifest = out / "sweep.json"
        if manifest.is_file():
            schema = pa.schema(
                [
                    pa.field(n, pa.type_for_alias(t))
                    for n, t in json.loads(manifest.read_text())["schema"]
                ]
            )
            return schema.empty_table().to_pandas()
        raise InputError(f"{out}: no sweep results here (expected runs/part-*.parquet)")
    table = pa.concat_tables([pq.read_table(p) for p in parts], promote_options="permissive")
    df = table.to_pandas()
    df = df.drop_duplicates("run_id", keep="first").sort_values("run_id", kind="stable")
    return df.reset_index(drop=True)


def load_timeseries(
    out_dir: str | os.PathLike[str], run_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per-run monthly tables of a sweep (committed parts only), optionally for some runs."""
    out = Path(out_dir)
    committed = {p.name for p in _parts(out / "runs")}
    parts = [p for p in _parts(out / "timeseries") if p.name in committed]
    if not parts:
        raise InputError(f"{out}: no time series recorded (set timeseries = true in the spec)")
    filters = [("run_id", "in", list(run_ids))] if run_ids is not None else None
    df = pa.concat_tables([pq.read_table(p, filters=filters) for p in parts]).to_pandas()
    return df.drop_duplicates(["run_id", "month"], keep="first").reset_index(drop=True)


def load_design(out_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """The design table of a sweep folder: one row per (point, replicate) with its run id."""
    path = Path(out_dir) / "design.parquet"
    if not path.is_file():
        raise InputError(f"{out_dir}: no design.parquet; not a sweep folder")
    return pq.read_table(path).to_pandas()


def load_manifest(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The sweep.json of a sweep folder (spec, design kind, SALib problem, schema)."""
    path = Path(out_dir) / "sweep.json"
    if not path.is_file():
        raise InputError(
            f"{out_dir}: no sweep.json; not a sweep folder (run `powerstack sweep` first)"
        )
    return json.loads(path.read_text())


def _recorded_ids(out_dir: Path) -> set[str]:
    """Run ids already committed to the results dataset."""
    ids: set[str] = set()
    for part in _parts(out_dir / "runs"):
        ids.update(pq.read_table(part, columns=["run_id"]).column("run_id").to_pylist())
    return ids


def _clean_torn(out_dir: Path) -> int:
    """Delete temp files and orphan time-series parts left by a killed sweep; return the count."""
    removed = 0
    for folder in (out_dir / "runs", out_dir / "timeseries", out_dir):
        if folder.is_dir():
            for tmp in folder.glob(".*.tmp"):
                tmp.unlink()
                removed += 1
    committed = {p.name for p in _parts(out_dir / "runs")}
    for part in _parts(out_dir / "timeseries"):
        if part.name not in committed:
            part.unlink()
            removed += 1
    return removed


# ---------------------------------------------------------------------------- folder setup
def _design_table(plan: SweepPlan) -> pa.Table:
    """design.parquet: point, replicate, seed, run id, values, and raw samples for SALib designs."""
    fields = [
        pa.field("point", pa.int64()),
        pa.field("replicate", pa.int64()),
        pa.field("seed", pa.int64()),
        pa.field("run_id", pa.string()),
    ]
    fields += [pa.field(c, _arrow_type(c)) for c in plan.columns]
    columns: dict[str, list[Any]] = {
        "point": [r.point for r in plan.rows],
        "replicate": [r.replicate for r in plan.rows],
        "seed": [r.seed for r in plan.rows],
        "run_id": [r.run_id for r in plan.rows],
    }
    columns.update({c: [r.params[c] for r in plan.rows] for c in plan.columns})
    if plan.design.samples is not None:
        for j, name in enumerate(plan.design.names):
            fields.append(pa.field(f"sample.{name}", pa.float64()))
            columns[f"sample.{name}"] = [float(plan.design.samples[r.point, j]) for r in plan.rows]
    return pa.table(columns, schema=pa.schema(fields))


def _manifest(plan: SweepPlan, schema: pa.Schema, kpis: list[str]) -> dict[str, Any]:
    """sweep.json: enough to analyse and to refuse resuming with a different spec."""
    from abm.runner import package_version

    spec = plan.spec
    return {
        "name": spec.name,
        "description": spec.description,
        "spec_hash": plan.spec_hash,
        "spec": spec.canonical(),
        "scenario_name": plan.base.name,
        "design": spec.design,
        "problem": salib_problem(spec) if spec.design in SAMPLED_DESIGNS else None,
        "parameters": list(plan.columns),
        "kpis": kpis,
        "n_points": len(plan.design.points),
        "n_runs": len(plan.runs),
        "schema": [[f.name, str(f.type)] for f in schema],
        "package_version": package_version(),
    }


def _prepare_folder(
    out_dir: Path, plan: SweepPlan, resume: bool, schema: pa.Schema, kpis: list[str]
) -> set[str]:
    """Create or check the sweep folder; return the run ids already recorded."""
    import tomli_w

    manifest_path = out_dir / "sweep.json"
    if manifest_path.is_file():
        old = json.loads(manifest_path.read_text())
        if not resume:
            raise InputError(
                f"{out_dir}: already holds sweep {old.get('name')!r}; pass --resume to continue it or choose another --out"
            )
        if old.get("spec_hash") != plan.spec_hash:
            raise InputError(
                f"{out_dir}: holds a different sweep (spec or base scenario changed since it started); "
                "resume only with the same spec and scenario, or choose another --out"
            )
        removed = _clean_torn(out_dir)
        if removed:
            log.info("removed %d temp/orphan files left by an interrupted sweep", removed)
        return _recorded_ids(out_dir)
    if _parts(out_dir / "runs"):
        raise InputError(f"{out_dir}: holds result parts but no sweep.json; choose another --out")
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_atomic(_design_table(plan), out_dir / "design.parquet")
    spec_data = {k: v for k, v in plan.spec.canonical().items() if v not in (None, [], {})}
    _write_text_atomic(out_dir / "spec.toml", tomli_w.dumps(spec_data))
    manifest = _manifest(plan, schema, kpis)
    _write_text_atomic(manifest_path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return set()


# ---------------------------------------------------------------------------- execution
BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def single_threaded_children() -> Iterator[None]:
    """Worker processes started inside get one BLAS thread each (unless the user set one).

    One model per core: multi-threaded OpenBLAS in every worker oversubscribes the cores and
    made a baseline run 2-3x slower in CPU time (docs/sweeps.md).
    """
    saved = {var: os.environ.get(var) for var in BLAS_THREAD_VARS}
    for var in BLAS_THREAD_VARS:
        os.environ.setdefault(var, "1")
    try:
        yield
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def default_workers() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@dataclass
class _Tally:
    """Counts for the progress bar and the summary."""

    ok: int = 0
    failed: int = 0
    lost: int = 0
    lost_messages: list[str] = field(default_factory=list)
    run_wall_s: float = 0.0
    run_cpu_s: float = 0.0


def _run_serial(tasks: Iterator[RunTask], on_row: Callable[[dict[str, Any]], None]) -> None:
    """Run tasks one after another in this process (workers = 1)."""
    for task in tasks:
        on_row(execute_run(task))


def _run_executor(
    executor: cf.Executor,
    tasks: Iterator[RunTask],
    window: Callable[[], int],
    on_row: Callable[[dict[str, Any]], None],
    on_lost: Callable[[RunTask, BaseException], None],
) -> None:
    """Keep at most window() runs in flight on an executor; hand finished rows to on_row."""
    in_flight: dict[cf.Future[dict[str, Any]], RunTask] = {}

    def collect(block: bool) -> None:
        done, _ = cf.wait(
            list(in_flight), timeout=None if block else 0, return_when=cf.FIRST_COMPLETED
        )
        for fut in done:
            task = in_flight.pop(fut)
            exc = fut.exception()
            if exc is None:
                on_row(fut.result())
            else:
                on_lost(task, exc)

    for task in tasks:
        while len(in_flight) >= window():
            collect(block=True)
        try:
            in_flight[executor.submit(execute_run, task)] = task
        except cf.BrokenExecutor as exc:
            on_lost(task, exc)
            break
        collect(block=False)
    while in_flight:
        collect(block=True)


def _dask_client(scheduler: Any, dask_local: bool, workers: int) -> tuple[Any, Any, bool]:
    """(client, cluster, owned) for a scheduler address, an existing Client, or a LocalCluster."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(
            "Dask is not installed; install the cluster extra: pip install 'powerstack[cluster]'"
        ) from None
    if scheduler is not None and not isinstance(scheduler, str):
        return scheduler, None, False
    if scheduler is not None:
        try:
            return Client(scheduler, timeout="20s"), None, True
        except (OSError, TimeoutError) as exc:
            raise InputError(
                f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})"
            ) from None
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster, True


def _show_progress(progress: bool | None) -> bool:
    """Progress bar on a terminal by default; quiet in scripts, pipes and CI."""
    return sys.stderr.isatty() if progress is None else progress


def run_sweep(
    spec: SweepSpec | Mapping[str, Any] | str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | None = None,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    dask_local: bool = False,
    resume: bool = False,
    max_runs: int | None = None,
    progress: bool | None = None,
    flush_rows: int = 64,
    flush_seconds: float = 30.0,
) -> pd.DataFrame:
    """Run a sweep and return its results table (one row per run; summary in `df.attrs['sweep']`).

    Executes on a local process pool (`workers`, default all cores; 1 = in this process), or
    on Dask with `scheduler` (an address such as "tcp://host:8786", or a `distributed.Client`)
    or `dask_local=True` (a LocalCluster of `workers` processes). Results are identical whatever
    the executor. `resume` skips runs already recorded in `out_dir`; `max_runs` stops after that
    many new runs (the rest can be resumed later).
    """
    started = time.perf_counter()
    plan = plan_sweep(spec)
    if scheduler is not None and dask_local:
        raise InputError("choose either --scheduler or --dask-local, not both")
    if workers is not None and workers < 1:
        raise InputError(f"--workers {workers}: expected a whole number >= 1")
    if max_runs is not None and max_runs < 0:
        raise InputError(f"--max-runs {max_runs}: expected a whole number >= 0")
    out = Path(out_dir) if out_dir is not None else Path("runs") / "sweeps" / plan.spec.name
    available, ts_schema = _probe(plan)
    kpis = select_kpis(available, plan.spec.kpis, f"{plan.spec.source} kpis")
    schema = results_schema(plan.columns, kpis)
    done_ids = _prepare_folder(out, plan, resume, schema, kpis)

    pending = [r for r in plan.runs if r.run_id not in done_ids]
    already = len(plan.runs) - len(pending)
    if max_runs is not None:
        pending = pending[:max_runs]
    base = plan.base.model_dump()
    kpi_filter = tuple(kpis)

    def tasks() -> Iterator[RunTask]:
        for r in pending:
            yield RunTask(
                r.run_id,
                r.point,
                r.replicate,
                r.seed,
                r.params,
                base,
                plan.spec.counterfactual,
                kpi_filter,
                plan.spec.timeseries,
            )

    n_workers = workers or default_workers()
    use_dask = scheduler is not None or dask_local
    executor_name = (
        "serial" if n_workers == 1 and not use_dask else ("dask" if use_dask else "process")
    )
    writer = ChunkWriter(out, schema, ts_schema, max(1, flush_rows), flush_seconds)
    tally = _Tally()
    from tqdm import tqdm

    bar = tqdm(
        total=len(plan.runs),
        initial=already,
        desc=plan.spec.name,
        unit="run",
        disable=not _show_progress(progress),
        dynamic_ncols=True,
    )

    def on_row(row: dict[str, Any]) -> None:
        if row["status"] == "ok":
            tally.ok += 1
        else:
            tally.failed += 1
            log.info("run %s (point %d) failed: %s", row["run_id"], row["point"], row["error"])
        tally.run_wall_s += row["wall_time_s"]
        tally.run_cpu_s += row["cpu_time_s"]
        writer.add(row)
        bar.set_postfix(failed=tally.failed, refresh=False)
        bar.update(1)

    def on_lost(task: RunTask, exc: BaseException) -> None:
        tally.lost += 1
        if len(tally.lost_messages) < 5:
            tally.lost_messages.append(f"{task.run_id}: {_error_text(exc)}")
        log.error("run %s lost (%s); it stays pending for --resume", task.run_id, _error_text(exc))

    client = cluster = None
    owned = False
    try:
        if executor_name == "serial":
            _run_serial(tasks(), on_row)
        elif executor_name == "process":
            ctx = multiprocessing.get_context("spawn")
            with (
                single_threaded_children(),
                cf.ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx) as pool,
            ):
                try:
                    _run_executor(pool, tasks(), lambda: 2 * n_workers, on_row, on_lost)
                except BaseException:
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
        else:
            client, cluster, owned = _dask_client(scheduler, dask_local, n_workers)

            def window() -> int:
                return max(4, 2 * sum(client.nthreads().values()))

            _run_executor(client.get_executor(pure=False), tasks(), window, on_row, on_lost)
    finally:
        writer.flush()
        bar.close()
        if owned:
            client.close()
            if cluster is not None:
                cluster.close()
    df = load_results(out)
    wall = time.perf_counter() - started
    done_now = tally.ok + tally.failed
    df.attrs["sweep"] = {
        "name": plan.spec.name,
        "out_dir": str(out),
        "executor": executor_name,
        "workers": n_workers if executor_name != "dask" or dask_local else None,
        "planned_runs": len(plan.runs),
        "already_recorded": already,
        "ran": done_now,
        "ok": tally.ok,
        "failed": tally.failed,
        "lost": tally.lost,
        "lost_examples": tally.lost_messages,
        "remaining": len(plan.runs) - len(df),
        "wall_time_s": wall,
        "runs_per_minute": done_now / wall * 60.0 if wall > 0 else float("nan"),
        "mean_run_wall_s": tally.run_wall_s / done_now if done_now else float("nan"),
        "mean_run_cpu_s": tally.run_cpu_s / done_now if done_now else float("nan"),
    }
    return df


def summary_text(df: pd.DataFrame) -> str:
    """A few lines for the end of `powerstack sweep`: counts, throughput, where results are."""
    s = df.attrs.get("sweep", {})
    failed_total = int((df["status"] == "failed").sum()) if "status" in df else 0
    lines = [
        f"sweep {s.get('name')}: {s.get('ran', 0)} runs in {s.get('wall_time_s', 0):.1f} s "
        f"({s.get('runs_per_minute', 0):.1f} runs/min, {s.get('executor')}"
        + (f", {s['workers']} workers" if s.get("workers") else "")
        + f"); {s.get('ok', 0)} ok, {s.get('failed', 0)} failed",
        f"  recorded {len(df)} of {s.get('planned_runs', len(df))} runs ({failed_total} failed) in {s.get('out_dir')}/",
    ]
    if s.get("ran"):
        lines.append(
            f"  mean run {s['mean_run_wall_s']:.2f} s wall, {s['mean_run_cpu_s']:.2f} s CPU"
        )
    if s.get("already_recorded"):
        lines.append(f"  {s['already_recorded']} runs were already recorded and skipped")
    if s.get("lost"):
        lines.append(
            f"  {s['lost']} runs lost to worker failures (e.g. {s['lost_examples'][0]}); rerun with --resume"
        )
    if s.get("remaining"):
        lines.append(f"  {s['remaining']} runs still to do: rerun with --resume")
    return "\n".join(lines)
