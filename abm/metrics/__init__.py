"""Everything the model reports: the monthly table and KPIs, invariant checks, and the app's series.

`recorder` builds the run contract's monthly row and KPIs; `invariants` checks them; `project_table` its per-project
table; `snapshots` computes the grid maps
and queue-wait series the app draws from plain inputs; `model_view` is the one place that
picks those inputs out of a model.
"""

from abm.metrics.invariants import InvariantError
from abm.metrics.model_view import AppSeries, month_label, timeseries_frame
from abm.metrics.project_table import (
    PROJECT_DTYPES,
    PROJECT_SCHEMA,
    PROJECT_TABLE_COLUMNS,
    project_arrow_table,
    project_table,
    project_table_of,
)
from abm.metrics.recorder import (
    PRODUCT_NAMES,
    MonthRecorder,
    make_datacollector,
    row_value,
)
from abm.metrics.snapshots import GridLayout, MapState, time_to_power_by_year

__all__ = [
    "PRODUCT_NAMES",
    "PROJECT_DTYPES",
    "PROJECT_SCHEMA",
    "PROJECT_TABLE_COLUMNS",
    "AppSeries",
    "GridLayout",
    "InvariantError",
    "MapState",
    "MonthRecorder",
    "make_datacollector",
    "month_label",
    "project_arrow_table",
    "project_table",
    "project_table_of",
    "row_value",
    "time_to_power_by_year",
    "timeseries_frame",
]
