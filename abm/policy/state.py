"""The state variables a trigger's condition may read, each one reading the model as it stands.

A trigger is checked before a month starts, so every reader sees the state at the end of the
month before: the recorder's last row and the services' live views. The model is typed as Any
so that this module never imports `abm.model`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Model = Any


@dataclass(frozen=True)
class StateVariable:
    """A named number of the model's state: its unit and meaning, and how it is read."""

    unit: str
    doc: str
    read: Callable[[Model], float]


def _row(column: str) -> Callable[[Model], float]:
    """A reader of one column of the recorder's last monthly row (NaN before the first month)."""

    def read(model: Model) -> float:
        value = model.recorder.row.get(column)
        return float("nan") if value is None else float(value)

    return read


def _grid_wait_months(model: Model) -> float:
    """The whole load queue's median age plus remaining study (not the newcomer's signal)."""
    wait = model.grid.queue_wait_months(model.projects)
    return float("nan") if wait is None else float(wait)


def _unserved_share(model: Model) -> float:
    """Unserved AI demand as a share of the demand last month."""
    row = model.recorder.row
    demand = row.get("ai_demand_mw")
    return float(row["unserved_mw"]) / demand if demand else float("nan")


def _year(model: Model) -> float:
    """The calendar year of last month."""
    return float(model.calendar.label(model.month)[:4])


STATE_VARIABLES: dict[str, StateVariable] = {
    "dc_queue_wait_months_median": StateVariable(
        "months",
        "grid path wait signal: median age plus remaining study time of active data-centre requests",
        _grid_wait_months,
    ),
    "dc_connect_months_median": StateVariable(
        "months",
        "median months from request to energisation of data-centre loads connected so far",
        lambda m: float(m.grid.queue.median_wait_months(kind=0, month=m.month)),
    ),
    "queue_backlog_gw": StateVariable("GW", "MW in the queue, all kinds", _row("queue_backlog_gw")),
    "queue_load_backlog_gw": StateVariable(
        "GW", "data-centre load MW in the queue", _row("queue_load_backlog_gw")
    ),
    "unserved_mw": StateVariable("MW", "AI demand not powered", _row("unserved_mw")),
    "unserved_share": StateVariable("share", "AI demand not powered / demand", _unserved_share),
    "lmp_usd_per_mwh_mean": StateVariable(
        "USD/MWh", "mean locational price", _row("lmp_usd_per_mwh_mean")
    ),
    "grid_co2_t_per_mwh": StateVariable(
        "t/MWh", "grid average emission factor", _row("grid_co2_t_per_mwh")
    ),
    "co2_mt_cum": StateVariable("Mt", "CO2 of the AI load since the start", _row("co2_mt_cum")),
    "shed_gwh": StateVariable("GWh", "load shed by the power market", _row("shed_gwh")),
    "year": StateVariable("year", "calendar year", _year),
}
"""Every name a condition may use, in the order docs/triggers.md lists them."""


def read_state(model: Model, name: str) -> float:
    """The value of state variable `name` now (NaN when it is not defined yet)."""
    value = STATE_VARIABLES[name].read(model)
    return value if math.isfinite(value) else float("nan")
