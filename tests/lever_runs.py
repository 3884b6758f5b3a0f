"""The paired runs of the lever test: which published outputs a key's moved run changes.

What a run publishes is its monthly table (without its date column), its KPIs and its project
table. A moved run is stepped month by month beside its base run and stops at the first month
whose row surely differs: the monthly table then differs whatever the later months hold, because
a recorded row is final. That rests on two facts, checked here and in tests/test_levers.py:

- the table is the Mesa DataCollector's lists as collected (`abm.metrics.model_view.
  timeseries_frame`; the runner publishes that frame), and `PowerStackModel.step` appends one row a
  month that no later step touches; a row could still change if a reporter returned a mutable
  object (a list, an array) that the model went on to change, so every row read here must hold
  immutable scalars only (`_final_row`), else the test errors;
- KPIs and the project table are computed from the end state, so they are compared only after
  both runs reach their end: a run whose rows never differ runs to the end, and its whole
  published text is compared with the base run's.

Runs that differ only in length share their months (`lineage`): the base runs of contexts that
set only another `run.months` (36, 60, 72 or 96 months of the same settings) read their rows from
one run as long as the longest of them, and a moved run whose config is such a base run's (a value
another key's context sets) reads them too. That holds because `run.months` is read only by the
model's last step, the reliability KPIs' per-year figures and the pack retirements' table, which is
built month by month (`abm.batteries.retirements`): the first months of a longer run are those of
a shorter one (tests/test_levers.py checks it, and `exact_run` again on every run that reaches its
end). Each lineage is stepped once per process and only as far as a comparison needs; a run that
reaches its end is a run of the exact config.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from abm.metrics import project_table_of, timeseries_frame
from abm.model import PowerStackModel
from abm.scenario import config_with
from abm.schema import ScenarioConfig
from tests import lever_helpers

Row = tuple[Any, ...]
# Values that cannot change once recorded (np.generic: numpy's scalars such as float64).
FINAL_TYPES = (bool, int, float, str, type(None), np.generic)
_SHORT_RUN = dict(lever_helpers.SHORT_RUN)  # as imported: lineages do not follow a test's patch


def _jsonable(obj: Any) -> Any:
    """KPIs with NaN spelled out, so equal runs compare equal."""
    if isinstance(obj, float) and math.isnan(obj):
        return "nan"
    if isinstance(obj, Mapping):
        return {k: _jsonable(v) for k, v in obj.items()}
    return obj


def _outputs(model: PowerStackModel) -> dict[str, str]:
    """What a finished run publishes, as exact text: the monthly table (no dates), KPIs, projects."""
    return {
        "timeseries": timeseries_frame(model).drop(columns=["date"]).to_csv(index=False),
        "kpis": json.dumps(_jsonable(model.recorder.kpis()), sort_keys=True, default=str),
        "projects": project_table_of(model).to_csv(index=False),
    }


def _final_row(model: PowerStackModel, columns: list[str]) -> Row:
    """The monthly table's newest row as the DataCollector holds it (no date), immutable values only."""
    row = tuple(model.datacollector.model_vars[c][-1] for c in columns)
    mutable = [
        (c, type(v).__name__)
        for c, v in zip(columns, row, strict=True)
        if not isinstance(v, FINAL_TYPES)
    ]
    if mutable:
        raise AssertionError(
            f"monthly columns hold mutable values {mutable}: a recorded row could change after "
            "its month, so the lever test may not stop at the first differing month"
        )
    return row


class Rows:
    """One run's monthly rows, stepped only as far as a comparison asks."""

    def __init__(self, cfg: ScenarioConfig) -> None:
        self.cfg = cfg
        self.model = PowerStackModel(cfg)
        self.columns = [c for c in self.model.recorder.columns if c != "date"]
        self.rows: list[Row] = []

    def row(self, month: int) -> Row | None:
        """The row of a month (None past the run's end), stepping the run that far if needed."""
        while len(self.rows) <= month and self.model.running:
            self.model.step()
            self.rows.append(_final_row(self.model, self.columns))
        return self.rows[month] if month < len(self.rows) else None

    def finish(self) -> dict[str, str]:
        """What the run publishes (`_outputs`): it runs to its end first."""
        while self.row(len(self.rows)) is not None:
            pass
        return _outputs(self.model)


@cache
def _unsized(cfg: ScenarioConfig) -> ScenarioConfig:
    """A config with its length set aside: what the runs of one lineage have in common."""
    return config_with(cfg, {"run.months": 1}, "lever lineage")


@cache
def lineage_months() -> dict[ScenarioConfig, int]:
    """Each base run's lineage (`_unsized`) and the longest base run of it a context asks for."""
    months: dict[ScenarioConfig, int] = {}
    for context in [{}, *lever_helpers.CONTEXTS.values()]:
        cfg = config_with(ScenarioConfig(), {**_SHORT_RUN, **context}, "lever base")
        months[_unsized(cfg)] = max(months.get(_unsized(cfg), 0), cfg.run.months)
    return months


@cache
def lineage(cfg: ScenarioConfig) -> ScenarioConfig:
    """The run whose rows `cfg` shares: the same config, as long as the longest base run of it."""
    months = max(lineage_months().get(_unsized(cfg), 0), cfg.run.months)
    return cfg if months == cfg.run.months else config_with(cfg, {"run.months": months})


_SHARED: dict[ScenarioConfig, Rows] = {}


def shared_rows(cfg: ScenarioConfig) -> Rows:
    """The rows of a config's lineage, one run per lineage and process."""
    key = lineage(cfg)
    if key not in _SHARED:
        _SHARED[key] = Rows(key)
    return _SHARED[key]


def surely_differs(a: Any, b: Any) -> bool:
    """Whether two recorded values are bound to print differently in the table's text.

    Values of one type that compare unequal print differently (floats print their shortest
    round-trip form); NaN against NaN, or values of two types (1 and 1.0, None and NaN), are left
    to the comparison of the finished run's text.
    """
    if type(a) is not type(b) or a == b:
        return False
    return not (isinstance(a, float) and math.isnan(a) and math.isnan(b))


def _check_lineage(run: Rows) -> None:
    """A run of the exact config must repeat its lineage's rows so far, value for value and type
    for type (the sharing's premise)."""
    shared = _SHARED.get(lineage(run.cfg))
    if shared is None:
        return
    months = min(len(run.rows), len(shared.rows))
    for month, own, common in zip(range(months), run.rows, shared.rows, strict=False):
        if repr(own) != repr(common):
            raise AssertionError(
                f"month {month} of a {run.cfg.run.months}-month run differs from the same month "
                f"of its {shared.cfg.run.months}-month lineage: run.months acts before the end, "
                "so runs of different lengths may not share their rows (tests/lever_runs.py)"
            )


@dataclass(frozen=True)
class Finished:
    """A run to its end: its rows and what it publishes."""

    rows: list[Row]
    outputs: dict[str, str]


@cache
def exact_run(cfg: ScenarioConfig) -> Finished:
    """A run of exactly `cfg` to its end (once per config and process; its model is let go)."""
    run = _SHARED.get(cfg) or Rows(cfg)  # a lineage's own config: its shared run is that run
    outputs = run.finish()
    _check_lineage(run)
    return Finished(run.rows, outputs)


def compare(base_cfg: ScenarioConfig, moved_cfg: ScenarioConfig) -> list[str]:
    """Which published outputs differ between two runs on the same seed ([] if none).

    The base run's rows are its lineage's (`shared_rows`); so are the moved run's when its lineage
    is a base run's (`lineage_months`: a moved value that another key's context sets), else it is
    a run of its own. Tables with other columns differ in their header. The first month whose row
    surely differs (`surely_differs`) answers ["timeseries"]; without one, tables of other lengths
    differ, and equal ones leave it to the finished runs' whole text (`exact_run`).
    """
    base = shared_rows(base_cfg)
    shared = _unsized(moved_cfg) in lineage_months()
    moved = shared_rows(moved_cfg) if shared else Rows(moved_cfg)
    if moved.columns != base.columns:
        return ["timeseries"]
    for month in range(min(base_cfg.run.months, moved_cfg.run.months)):
        after, before = moved.row(month), base.row(month)
        assert after is not None and before is not None, f"a run ended before month {month}"
        if any(map(surely_differs, after, before)):
            return ["timeseries"]
    if base_cfg.run.months != moved_cfg.run.months:
        return ["timeseries"]
    published = exact_run(base_cfg).outputs
    after_end = moved.finish() if moved.cfg == moved_cfg else exact_run(moved_cfg).outputs
    return [name for name in published if published[name] != after_end[name]]


def changed_outputs(key: str) -> list[str]:
    """Which outputs differ between a key's base run and its moved run ([] if none)."""
    return compare(lever_helpers.base_config(key), lever_helpers.moved_config(key)[1])
