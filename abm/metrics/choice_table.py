"""The companion table of `projects.parquet`: every path choice with the options it weighed (`choices.parquet`).

One row per option per decision: the project, the month, the kind of decision (opened, switched
out of a stuck queue, re-planned after its filings withdrew), the path chosen and why (the
cheapest all-in option, or a logit draw over a cheaper one), and for each option its expected
all-in cost, expected wait, the cost of that wait and its choice probability. Columns, order
and types are fixed (`CHOICE_SCHEMA`) and rows sorted, so the same run gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from abm.world import HOURS_PER_MONTH

CHOICE_SCHEMA = pa.schema(
    [
        ("project_id", pa.int64()),
        ("month", pa.int64()),
        ("date", pa.string()),
        ("decision", pa.string()),
        ("owner", pa.int64()),
        ("owner_type", pa.string()),
        ("mw", pa.float64()),
        ("chosen_path", pa.string()),
        ("reason", pa.string()),
        ("option", pa.string()),
        ("chosen", pa.bool_()),
        ("expected_cost_usd_per_mw_month", pa.float64()),
        ("expected_cost_usd_per_mwh", pa.float64()),
        ("wait_months", pa.float64()),
        ("wait_cost_usd_per_mw_month", pa.float64()),
        ("probability", pa.float64()),
    ]
)
"""The table's columns in order with their Arrow types."""

CHOICE_COLUMNS: tuple[str, ...] = tuple(CHOICE_SCHEMA.names)

_ARROW_TO_PANDAS = {pa.int64(): "int64", pa.float64(): "float64", pa.bool_(): "bool"}
_DTYPES = {f.name: _ARROW_TO_PANDAS.get(f.type, "object") for f in CHOICE_SCHEMA}

REASONS = {
    "only_option": "the only option open to it",
    "cheapest": "the cheapest all-in option (capital, energy, carbon and the cost of waiting)",
    "drawn": "a logit draw: not the cheapest, but every option has a chance by its cost",
}
"""The `reason` codes and what they mean."""

Model = Any  # metrics never import abm.model


def reason_of(costs: tuple[float, ...], pick: int) -> str:
    """Why the picked option won: the only one, the cheapest all-in, or a logit draw over a cheaper one."""
    if len(costs) == 1:
        return "only_option"
    return "cheapest" if costs[pick] <= min(costs) else "drawn"


def _rows(log: Any, owner: int, owner_type: str, mwh: float, label: Any) -> Iterable[tuple]:
    """The rows of one hyperscaler's decisions."""
    for d in log.decisions:
        reason, chosen, date = (
            reason_of(d.cost_usd_per_mw_month, d.pick),
            d.options[d.pick],
            label(d.month),
        )
        for i, option in enumerate(d.options):
            cost = d.cost_usd_per_mw_month[i]
            yield (
                d.pid,
                d.month,
                date,
                d.kind,
                owner,
                owner_type,
                d.mw,
                str(chosen),
                reason,
                str(option),
                i == d.pick,
                cost,
                cost / mwh,
                d.wait_months[i],
                d.wait_cost_usd_per_mw_month[i],
                d.probability[i],
            )


def choice_table(
    logs: Mapping[int, tuple[str, Any]], mwh_per_mw_month: float, label: Any
) -> pd.DataFrame:
    """All decisions of `logs` (owner id -> (type name, ChoiceLog)), sorted by project, month, option order.

    `mwh_per_mw_month` turns a cost per MW-month into one per MWh of load; `label(month)` dates a month.
    """
    rows = [
        row
        for owner, (owner_type, log) in logs.items()
        for row in _rows(log, owner, owner_type, mwh_per_mw_month, label)
    ]
    frame = pd.DataFrame(rows, columns=list(CHOICE_COLUMNS))
    frame = frame.sort_values(["project_id", "month"], kind="stable").reset_index(drop=True)
    return frame.astype(_DTYPES)


def choice_table_of(model: Model) -> pd.DataFrame:
    """The model's choice table, from every hyperscaler's log."""
    logs = {h.unique_id: (h.firm_type.name, h.choice_log) for h in model.roster.hyperscalers}
    mwh = HOURS_PER_MONTH * model.config.demand.load_factor
    return choice_table(logs, mwh, model.calendar.label)


def choice_arrow_table(frame: pd.DataFrame) -> pa.Table:
    """`choice_table`'s frame as Arrow in `CHOICE_SCHEMA`, without pandas metadata (stable bytes)."""
    table = pa.Table.from_pandas(
        frame[list(CHOICE_COLUMNS)], schema=CHOICE_SCHEMA, preserve_index=False
    )
    return table.replace_schema_metadata(None)
