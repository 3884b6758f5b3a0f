"""The only place the metrics read a model for the app: one small adapter per result.

Each adapter picks the inputs out of a running `PowerStackModel` (its `grid`, `power` and
`projects` services) (typed `Any`: the metrics
never import the model) and hands them to a plain function of `abm.metrics.snapshots`. The app
and the CLI read results through these, never the model's queue, projects or network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from abm.metrics.snapshots import (
    GridLayout,
    MapState,
    grid_layout,
    map_state,
    projects_frame,
    queue_wait_row,
)


def timeseries_frame(model: Any) -> pd.DataFrame:
    """The DataCollector's table as the contract's `timeseries` (one row per month, `date` first)."""
    columns = model.recorder.columns
    if model.month < 0:
        return pd.DataFrame(columns=columns)
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    return df[columns]


def month_label(model: Any) -> str:
    """The calendar label ("YYYY-MM") of the model's current month."""
    return model.calendar.label(model.month)


def grid_layout_of(model: Any) -> GridLayout:
    """The model's bus coordinates, territories and lines."""
    grid = model.grid
    return grid_layout(grid.graph, grid.bus_territory, grid.network.line_from, grid.network.line_to)


def map_state_of(model: Any) -> MapState:
    """The model's grid state this month."""
    return map_state(
        model.month,
        month_label(model),
        model.projects,
        model.grid.queue,
        model.power.lmp_by_bus,
        model.power.line_loading,
    )


def queue_wait_row_of(model: Any) -> dict[str, Any]:
    """The model's queue waits this month (one row of `AppSeries.queue_waits`)."""
    return queue_wait_row(model.grid.queue, model.month, month_label(model))


def projects_frame_of(model: Any) -> pd.DataFrame:
    """The model's projects, one row each."""
    return projects_frame(model.projects)


def is_map_month(model: Any) -> bool:
    """Whether this month gets a map snapshot: every December and the run's last month."""
    return model.calendar.year_month(model.month)[1] == 12 or not model.running


@dataclass
class AppSeries:
    """The app's series of one run, grown month by month: queue waits and yearly map snapshots."""

    grid: GridLayout
    queue_waits: list[dict[str, Any]] = field(default_factory=list)
    maps: list[MapState] = field(default_factory=list)

    @classmethod
    def of(cls, model: Any) -> AppSeries:
        """An empty log for a freshly built model."""
        return cls(grid_layout_of(model))

    def observe(self, model: Any) -> None:
        """Record the month the model has just stepped."""
        self.queue_waits.append(queue_wait_row_of(model))
        if is_map_month(model):
            self.maps.append(map_state_of(model))

    def snapshot(self, model: Any) -> dict[str, Any]:
        """Everything drawn so far, as `RunRecord` fields (the current month's map included)."""
        maps = list(self.maps)
        if model.month >= 0 and (not maps or maps[-1].month != model.month):
            maps.append(map_state_of(model))
        return {
            "timeseries": timeseries_frame(model),
            "derived": pd.DataFrame(self.queue_waits),
            "projects": projects_frame_of(model),
            "grid": self.grid,
            "maps": tuple(maps),
            "months_done": max(model.month + 1, 0),
        }
