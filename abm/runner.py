"""Run a scenario end to end and write the run contract's files atomically.

`run_scenario` is the Python API scripts use; `write_outputs` is what `powerstack run` calls.
Same scenario + seed gives byte-identical `timeseries.parquet`, `kpis.json` and
`projects.parquet`; timing lives only in `run.json`.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import platform
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from abm import atomic
from abm.counterfactual import counterfactual_co2, needs_counterfactual_run, start_counterfactual
from abm.metrics import project_arrow_table, project_table_of, timeseries_frame
from abm.metrics.choice_table import choice_arrow_table, choice_table_of
from abm.metrics.second_use_saving import consequential_saving_mt
from abm.model import PowerStackModel
from abm.scenario import config_with, load_scenario, to_toml
from abm.schema import ScenarioConfig
from abm.version import __version__

Progress = Callable[[int, int], None]


@dataclass
class RunResult:
    """What a run produced: the monthly table, the KPIs, the per-project table, the scenario and timings."""

    config: ScenarioConfig
    timeseries: pd.DataFrame
    kpis: dict[str, Any]
    projects: pd.DataFrame
    wall_time_s: float
    model: PowerStackModel | None = field(default=None, repr=False)
    choices: pd.DataFrame | None = field(default=None, repr=False)  # choices.parquet
    triggers: pd.DataFrame | None = field(default=None, repr=False)  # triggers.parquet


def _resolve(
    scenario: str | os.PathLike[str] | ScenarioConfig,
    seed: int | None,
    months: int | None,
    overrides: Mapping[str, Any] | Iterable[str] | None,
) -> ScenarioConfig:
    """Scenario name/path/config + seed + months + overrides -> one validated config."""
    cfg = scenario if isinstance(scenario, ScenarioConfig) else load_scenario(scenario, overrides)
    if isinstance(scenario, ScenarioConfig) and overrides:
        cfg = config_with(
            cfg,
            dict(overrides) if isinstance(overrides, Mapping) else _pairs(overrides),
            "overrides",
        )
    extra: dict[str, Any] = {}
    if seed is not None:
        extra["run.seed"] = int(seed)
    if months is not None:
        extra["run.months"] = int(months)
    return config_with(cfg, extra, "--seed/--months") if extra else cfg


def _pairs(items: Iterable[str]) -> dict[str, Any]:
    """['a.b=1'] -> {'a.b': 1} via the scenario module's parser."""
    from abm.scenario import parse_overrides

    return parse_overrides(list(items))


def run_model(
    model: PowerStackModel,
    on_month: Callable[[PowerStackModel], None] | None = None,
    stop: Callable[[], bool] | None = None,
    check: bool = False,
) -> bool:
    """Step `model` month by month to its end: the one run loop of the CLI, the app and benchmarks.

    Before each month `stop()` may end the loop early (the model keeps its state, so a later
    call resumes it); after each month the invariants are checked (with `check`) and
    `on_month(model)` is called. Returns whether the run reached its last month.
    """
    while model.running:
        if stop is not None and stop():
            return False
        model.step()
        if check:
            model.recorder.check_invariants()
        if on_month is not None:
            on_month(model)
    return True


def simulate(
    cfg: ScenarioConfig, progress: Progress | None = None, check: bool = False
) -> tuple[PowerStackModel, pd.DataFrame]:
    """Run one model to the end; returns the model and its monthly table."""
    model = PowerStackModel(cfg)
    total = cfg.run.months

    def report(m: PowerStackModel) -> None:
        if progress is not None:
            progress(m.month + 1, total)

    run_model(model, report if progress is not None else None, check=check)
    return model, timeseries_frame(model)


def run_scenario(
    scenario: str | os.PathLike[str] | ScenarioConfig = "baseline",
    seed: int | None = None,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    months: int | None = None,
    counterfactual: bool = True,
    check: bool = False,
    progress: Progress | None = None,
    keep_model: bool = False,
    concurrent_counterfactual: bool = False,
    started_counterfactual: concurrent.futures.Future[dict[str, Any]] | None = None,
) -> RunResult:
    """Run a scenario and return its time series and KPIs.

    With `counterfactual`, the same scenario and seed is also run with `packs.routing =
    "recycle_first"` to report `co2_mt.recycle_first_counterfactual_total` and
    `co2_mt.second_use_saving.consequential` (abm.metrics.second_use_saving). With
    `concurrent_counterfactual` that run goes to another core while this one runs
    (`start_counterfactual`; what `powerstack run` does); the KPIs are the same bytes.
    `started_counterfactual` is that run already started on `cfg`'s resolved config (the command
    line starts it before importing the model, so the two processes import at once).
    """
    cfg = _resolve(scenario, seed, months, overrides)
    started = time.perf_counter()
    pending = started_counterfactual if counterfactual else None
    if pending is None and counterfactual and concurrent_counterfactual:
        pending = start_counterfactual(cfg) if needs_counterfactual_run(cfg) else None
    try:
        model, ts = simulate(cfg, progress, check)
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise
    kpis = model.recorder.kpis()
    if counterfactual:
        if not needs_counterfactual_run(cfg):
            cf_co2 = kpis["co2_mt"]
        elif pending is not None:
            cf_co2 = pending.result()
        else:
            cf_co2 = counterfactual_co2(cfg)
        kpis["co2_mt"]["recycle_first_counterfactual_total"] = cf_co2["total"]
        kpis["co2_mt"]["recycle_first_counterfactual_embodied"] = cf_co2["embodied"]
        kpis["co2_mt"]["recycle_first_counterfactual_end_of_horizon_credit"] = cf_co2[
            "end_of_horizon_credit"
        ]
        kpis["co2_mt"]["second_use_saving"]["consequential"] = consequential_saving_mt(
            kpis["co2_mt"], cf_co2
        )
    projects = project_table_of(model)
    wall_time_s = time.perf_counter() - started
    result = RunResult(cfg, ts, kpis, projects, wall_time_s, model if keep_model else None)
    result.choices, result.triggers = choice_table_of(model), model.triggers.table()
    return result


# ---------------------------------------------------------------------- files
def _parquet_writer(df: pd.DataFrame) -> Callable[[Path], None]:
    """A writer of deterministic Parquet: no pandas metadata or timestamps, so equal tables give equal bytes."""
    table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    return lambda p: pq.write_table(table, p, compression="zstd", write_statistics=False)


def write_parquet_deterministic(df: pd.DataFrame, path: Path) -> None:
    """Parquet with no pandas metadata or timestamps, so equal tables give equal bytes."""
    atomic.write_atomic(path, _parquet_writer(df))


def _json_text(obj: Any) -> str:
    """Stable JSON (sorted keys, fixed float repr)."""
    return json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + "\n"


def package_version() -> str:
    """Version of the powerstack code that runs (`abm.version`, which pyproject.toml reads)."""
    return __version__


def projects_parquet_writer(projects: pd.DataFrame) -> Callable[[Path], None]:
    """A writer of the per-project table as deterministic Parquet in its fixed schema."""
    table = project_arrow_table(projects)
    return lambda p: pq.write_table(table, p, compression="zstd", write_statistics=False)


def write_projects_parquet(projects: pd.DataFrame, path: Path) -> None:
    """The per-project table as deterministic Parquet, written atomically (what `run` writes)."""
    atomic.write_atomic(path, projects_parquet_writer(projects))


def write_outputs(result: RunResult, out_dir: Path) -> dict[str, Path]:
    """Write the run contract's files into out_dir, all or nothing (with `policy_writers`' two).

    timeseries.parquet, kpis.json, projects.parquet, scenario.toml, run.json, choices.parquet and
    triggers.parquet go through
    `abm.atomic.write_all`: every file is first written to a hidden temporary name and
    only when all are complete are they renamed into place. On any failure (a full disk, an
    interrupt) the temporary files and any folder this call created are removed, and files of an
    earlier run stay as they were.
    """
    out_dir = Path(out_dir)
    run_info = {
        "package_version": package_version(),
        "scenario": result.config.name,
        "seed": result.config.run.seed,
        "months": result.config.run.months,
        "wall_time_s": round(result.wall_time_s, 3),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    writers: dict[str, Callable[[Path], None]] = {
        "timeseries.parquet": _parquet_writer(result.timeseries),
        "kpis.json": lambda p: p.write_text(_json_text(result.kpis)),
        "projects.parquet": projects_parquet_writer(result.projects),
        "scenario.toml": lambda p: p.write_text(to_toml(result.config)),
        "run.json": lambda p: p.write_text(_json_text(run_info)),
    }
    writers.update(policy_writers(result))
    return atomic.write_all(out_dir, writers)


def policy_writers(result: RunResult) -> dict[str, Callable[[Path], None]]:
    """Writers of `choices.parquet` (every path choice) and `triggers.parquet` (triggers fired), when the run has them."""
    out: dict[str, Callable[[Path], None]] = {}
    if result.choices is not None:
        table = choice_arrow_table(result.choices)
        out["choices.parquet"] = lambda p: pq.write_table(
            table, p, compression="zstd", write_statistics=False
        )
    if result.triggers is not None:
        out["triggers.parquet"] = _parquet_writer(result.triggers)
    return out
