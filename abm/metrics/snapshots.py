"""Grid snapshots and app series computed from plain inputs: projects, the queue, arrays.

These are the series and maps the app draws beside the run contract's table (queue waits of
data-centre requests, data-centre MW, prices and line loading per bus, time to power by year).
Every function takes the data it needs as arguments; `abm.metrics.model_view` picks those out
of a model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from abm.grid.queue import InterconnectionQueue, Kind, State
from abm.vocabulary import Project, Status

#: Columns of the app's extra monthly series (one row per month, `date` first).
QUEUE_WAIT_COLUMNS = (
    "date",
    "queue_wait_active_median_months",
    "queue_wait_energized_12m_median_months",
    "queue_load_in_construction",
)
PROJECT_COLUMNS = ("pid", "path", "mw", "node", "month_opened", "month_energized", "status")


@dataclass(frozen=True)
class GridLayout:
    """Where buses are drawn and which lines join them (fixed for a run)."""

    x: np.ndarray
    y: np.ndarray
    territory: np.ndarray
    line_from: np.ndarray
    line_to: np.ndarray

    @property
    def n_territories(self) -> int:
        """Number of utility territories."""
        return int(self.territory.max()) + 1 if self.territory.size else 0


@dataclass(frozen=True)
class MapState:
    """Grid state at the end of one month, for the network map."""

    month: int
    label: str
    dc_mw: np.ndarray  # energised data-centre MW per bus (all paths)
    wait_months: np.ndarray  # median months in queue of active load requests per bus (NaN: none)
    lmp_usd_per_mwh: np.ndarray  # per bus, month average
    line_loading: np.ndarray  # |flow| / rating at the peak hour, per line


def grid_layout(
    graph: nx.Graph, territory: np.ndarray, line_from: np.ndarray, line_to: np.ndarray
) -> GridLayout:
    """Bus coordinates (seeded spring layout when the grid has none), territories and lines."""
    nodes = sorted(graph.nodes)
    attrs = [graph.nodes[n] for n in nodes]
    if all("x" in a and "y" in a for a in attrs):
        x = np.array([float(a["x"]) for a in attrs])
        y = np.array([float(a["y"]) for a in attrs])
    else:
        pos = nx.spring_layout(graph, seed=0)
        x = np.array([pos[n][0] for n in nodes])
        y = np.array([pos[n][1] for n in nodes])
    return GridLayout(
        x,
        y,
        np.asarray(territory).copy(),
        np.asarray(line_from).copy(),
        np.asarray(line_to).copy(),
    )


def load_request_waits(
    queue: InterconnectionQueue, month: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """(bus, months waited so far) of every active data-centre request; None when there is none."""
    ids = queue.active_ids
    if not ids.size:
        return None
    load = ids[queue.column("kind", ids) == int(Kind.LOAD)]
    if not load.size:
        return None
    return queue.column("node", load), queue.months_in_queue(month)[load]


def energised_mw_by_bus(projects: Iterable[Project], n_bus: int) -> np.ndarray:
    """Energised data-centre MW per bus (all paths)."""
    dc = np.zeros(n_bus)
    for p in projects:
        if p.status is Status.ENERGIZED:
            dc[p.node] += p.mw
    return dc


def map_state(
    month: int,
    label: str,
    projects: Iterable[Project],
    queue: InterconnectionQueue,
    lmp_by_bus: np.ndarray,
    line_loading: np.ndarray,
) -> MapState:
    """The grid's state in one month: DC MW, queue waits, prices and line loading per bus/line."""
    n = len(lmp_by_bus)
    wait = np.full(n, np.nan)
    waits = load_request_waits(queue, month)
    if waits is not None:
        nodes, months = waits
        frame = pd.DataFrame({"node": nodes, "months": months}).groupby("node")["months"].median()
        wait[frame.index.to_numpy(dtype=int)] = frame.to_numpy(dtype=float)
    return MapState(
        month=month,
        label=label,
        dc_mw=energised_mw_by_bus(projects, n),
        wait_months=wait,
        lmp_usd_per_mwh=np.asarray(lmp_by_bus, dtype=float).copy(),
        line_loading=np.asarray(line_loading, dtype=float).copy(),
    )


def queue_wait_row(queue: InterconnectionQueue, month: int, label: str) -> dict[str, Any]:
    """Monthly series the contract table lacks: median queue waits of data-centre requests."""
    waits = load_request_waits(queue, month)
    ids = queue.active_ids
    in_construction = (
        int((queue.column("state", ids) == int(State.CONSTRUCTION)).sum()) if ids.size else 0
    )
    row = (
        label,
        float(np.median(waits[1])) if waits is not None else np.nan,
        queue.median_wait_months(kind=int(Kind.LOAD), month=month, window_months=12),
        in_construction,
    )
    return dict(zip(QUEUE_WAIT_COLUMNS, row, strict=True))


def projects_frame(projects: Iterable[Project]) -> pd.DataFrame:
    """One row per project: path, MW, bus, months opened and energised (-1: not yet), status."""
    rows = [
        (
            p.pid,
            p.path,
            p.mw,
            p.node,
            p.month_opened,
            p.month_energized if p.month_energized is not None else -1,
            str(p.status),
        )
        for p in projects
    ]
    return pd.DataFrame(rows, columns=list(PROJECT_COLUMNS))


def time_to_power_by_year(projects: pd.DataFrame, start: str) -> pd.DataFrame:
    """Median months from decision to power, by path and calendar year of energisation.

    `projects` is a `projects_frame`; `start` the run's first month ("YYYY-MM").
    """
    done = projects[projects["month_energized"] >= 0]
    if done.empty:
        return pd.DataFrame(columns=["path", "year", "months", "n"])
    year0, month0 = (int(p) for p in start.split("-"))
    ttp = done["month_energized"] - done["month_opened"] + 1
    year = year0 + (month0 - 1 + done["month_energized"]) // 12
    frame = pd.DataFrame({"path": done["path"], "year": year, "months": ttp})
    return (
        frame.groupby(["path", "year"])["months"]
        .agg(["median", "size"])
        .reset_index()
        .rename(columns={"median": "months", "size": "n"})
    )
