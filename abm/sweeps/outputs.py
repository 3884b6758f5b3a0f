"""What a sweep records: the KPI columns and the Parquet schemas of its results.

The KPI names (and the time-series layout) are read from a one-month run of the base scenario,
so a spec's `kpis` can be checked, and every part of a sweep has one fixed schema (the
per-project parts have the run contract's, `abm.metrics.PROJECT_SCHEMA`, after `run_id`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from abm.bounds import value_type
from abm.errors import InputError, did_you_mean
from abm.sweeps.plan import SweepPlan
from abm.sweeps.spec import COUNTERFACTUAL_KPIS
from abm.sweeps.worker import flatten_kpis, timeseries_with_keys


def arrow_type(key: str) -> pa.DataType:
    """Parquet type of a parameter column from its schema annotation."""
    kind = value_type(key)
    if kind is bool:
        return pa.bool_()
    if kind is int:
        return pa.int64()
    if kind is float:
        return pa.float64()
    return pa.string()


def probe(plan: SweepPlan) -> tuple[list[str], pa.Schema | None]:
    """KPI names (and the time-series schema) from a one-month run of the base scenario."""
    from abm.runner import run_scenario

    result = run_scenario(plan.base, months=1, counterfactual=False)
    names = list(flatten_kpis(result.kpis))
    if plan.spec.counterfactual:
        names += [k for k in COUNTERFACTUAL_KPIS if k not in names]
    ts_schema = None
    if plan.spec.timeseries:
        ts = timeseries_with_keys(result.timeseries, "")
        inferred = pa.Schema.from_pandas(ts, preserve_index=False).remove_metadata()
        # a column that is whole in month 1 (vendor_capacity_building_mw_per_month = 0) may
        # hold fractions later: every column but `month` is stored as float64
        ts_schema = pa.schema(
            [
                pa.field(f.name, pa.float64())
                if pa.types.is_null(f.type) or (pa.types.is_integer(f.type) and f.name != "month")
                else f
                for f in inferred
            ]
        )
    return names, ts_schema


def projects_schema(plan: SweepPlan) -> pa.Schema | None:
    """Schema of the per-project parts (`run_id`, then the project table), or None when not kept."""
    if not plan.spec.projects:
        return None
    from abm.metrics import PROJECT_SCHEMA  # the model's packages load only when a sweep runs

    return pa.schema([pa.field("run_id", pa.string()), *PROJECT_SCHEMA])


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
    fields += [pa.field(c, arrow_type(c)) for c in columns]
    fields += [pa.field(k, pa.float64()) for k in kpis]
    return pa.schema(fields)
