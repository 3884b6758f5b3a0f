"""The per-project table of the run contract (`projects.parquet`): one row per data-centre project.

Every project the book holds at the end of the run (the grid pipeline that was in queues at
the start and every project opened during the run) with its owner, size, site, the path chosen
and the path that powers it, its months and its switches. Columns, order and types are fixed
(`PROJECT_SCHEMA`) and rows are sorted by project id, so the same run gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from abm.catalogue import choice_of
from abm.grid.queue import Kind
from abm.vocabulary import Project

PROJECT_SCHEMA = pa.schema(
    [
        ("project_id", pa.int64()),
        ("owner", pa.int64()),
        ("mw", pa.float64()),
        ("node", pa.int64()),
        ("path_chosen", pa.string()),
        ("path", pa.string()),
        ("status", pa.string()),
        ("month_opened", pa.int64()),
        ("month_energized", pa.int64()),
        ("month_withdrawn", pa.int64()),
        ("switches", pa.int64()),
        ("path_switched_to", pa.string()),
        ("month_last_switch", pa.int64()),
        ("time_to_power_months", pa.float64()),
        ("time_to_power_from_switch_months", pa.float64()),
        ("duplicate_filing", pa.bool_()),
        ("queue_requests", pa.int64()),
        ("bridge_mw", pa.float64()),
        ("month_bridge_online", pa.int64()),
        ("second_life_storage_share", pa.float64()),
        ("owner_type", pa.string()),
        ("contract", pa.string()),
        ("baas_fee_usd_per_mw_month", pa.float64()),
        ("ppa_price_usd_per_mwh", pa.float64()),
    ]
)
"""The table's columns in order with their Arrow types (int64 columns other than ids may be null)."""

PROJECT_TABLE_COLUMNS: tuple[str, ...] = tuple(PROJECT_SCHEMA.names)

PROJECT_DTYPES: dict[str, str] = {
    "project_id": "int64",
    "owner": "int64",
    "mw": "float64",
    "node": "int64",
    "path_chosen": "string",
    "path": "string",
    "status": "string",
    "month_opened": "int64",
    "month_energized": "Int64",
    "month_withdrawn": "Int64",
    "switches": "int64",
    "path_switched_to": "string",
    "month_last_switch": "Int64",
    "time_to_power_months": "Float64",
    "time_to_power_from_switch_months": "Float64",
    "duplicate_filing": "bool",
    "queue_requests": "int64",
    "bridge_mw": "float64",
    "month_bridge_online": "Int64",
    "second_life_storage_share": "Float64",
    "owner_type": "string",
    "contract": "string",
    "baas_fee_usd_per_mw_month": "Float64",
    "ppa_price_usd_per_mwh": "Float64",
}
"""The pandas dtypes of `project_table`'s frame (nullable types where a value may be missing)."""


def _row(
    project: Project, requests: Mapping[int, int], owner_types: Mapping[int, str]
) -> tuple[Any, ...]:
    """One project's values in `PROJECT_TABLE_COLUMNS` order."""
    log = project.switch_log
    last = log[-1] if log else None
    first_path = log[0].from_path if log else project.path
    ttp = project.time_to_power_months()
    since_switch = (
        float(project.month_energized - last.month + 1)
        if last is not None and project.month_energized is not None
        else None
    )
    return (
        project.pid,
        project.owner,
        project.mw,
        project.node,
        str(choice_of(first_path)),
        str(project.path),
        str(project.status),
        project.month_opened,
        project.month_energized,
        project.month_withdrawn,
        project.switches,
        str(choice_of(last.to_path)) if last is not None else None,
        last.month if last is not None else None,
        ttp,
        since_switch,
        project.dup_group != -1,
        requests.get(project.pid, 0),
        project.bridge_mw,
        _bridge_online_month(project),
        project.second_life_storage_share,
        owner_types.get(project.owner),
        project.contract or None,
        project.baas_fee_usd_per_mw_month if project.contract == "baas" else None,
        project.ppa_price_usd_per_mwh if project.contract == "ppa" else None,
    )


def _bridge_online_month(project: Project) -> int | None:
    """Month a project's bridge gas came online (None: no bridge, or its order ended before delivery)."""
    ready, end = project.bridge_ready_month, project.bridge_end_month
    if project.bridge_mw <= 0 or ready is None or (end is not None and end < ready):
        return None
    return int(np.ceil(ready))


def project_table(
    projects: Iterable[Project],
    requests: Mapping[int, int],
    owner_types: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """One row per project, sorted by id, in `PROJECT_TABLE_COLUMNS` order and `PROJECT_DTYPES`.

    `requests` maps a project id to the number of load requests it filed in the queue (its own
    and its duplicate filings, also those withdrawn when it switched path); `owner_types` maps
    an owner's agent id to its hyperscaler type name (null where absent).
    """
    types = owner_types or {}
    rows = sorted((_row(p, requests, types) for p in projects), key=lambda r: r[0])
    frame = pd.DataFrame(rows, columns=list(PROJECT_TABLE_COLUMNS))
    return frame.astype(PROJECT_DTYPES)


def load_requests_by_project(kind: np.ndarray, project: np.ndarray) -> dict[int, int]:
    """Number of load requests per project id, from the queue's `kind` and `project` columns."""
    ids, counts = np.unique(project[(kind == Kind.LOAD) & (project >= 0)], return_counts=True)
    return {int(i): int(n) for i, n in zip(ids, counts, strict=True)}


def project_table_of(model: Any) -> pd.DataFrame:
    """The model's per-project table (its project book and the queue's load requests)."""
    queue = model.grid.queue
    requests = load_requests_by_project(queue.column("kind"), queue.column("project"))
    owner_types = {h.unique_id: h.firm_type.name for h in model.roster.hyperscalers}
    return project_table(model.projects, requests, owner_types)


def project_arrow_table(frame: pd.DataFrame) -> pa.Table:
    """`project_table`'s frame as Arrow in `PROJECT_SCHEMA`, without pandas metadata (stable bytes)."""
    table = pa.Table.from_pandas(
        frame[list(PROJECT_TABLE_COLUMNS)], schema=PROJECT_SCHEMA, preserve_index=False
    )
    return table.replace_schema_metadata(None)
