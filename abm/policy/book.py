"""The trigger book: checks a scenario's triggers before each month and applies those that fire.

A fired trigger makes a new validated config (`config_with`, as `--set` would) and hands it to
every object registered as reading the config (the model's `config_readers`: the model, its
services and agents); the grid desk scales it and the queue adopts the rules rebuilt from the
new `[queue]`. So a change takes effect from the month that follows the
state that fired it, through the same objects that read the key. Every firing is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from abm.policy.state import read_state
from abm.policy.triggers import Condition, parse_condition
from abm.scenario import config_with
from abm.schema import ScenarioConfig
from abm.schema.triggers import Trigger

Model = Any  # the model, typed loosely so that the book never imports abm.model

TRIGGER_COLUMNS = (
    "trigger",
    "label",
    "condition",
    "state_month",
    "state_date",
    "value",
    "month",
    "date",
    "action",
)
"""Columns of `triggers.parquet`: which trigger, the state that fired it, the month it acts from."""


@dataclass
class _Armed:
    """A trigger with its parsed condition and whether it has fired / its condition held last check."""

    index: int
    trigger: Trigger
    condition: Condition
    fired: bool = False
    held: bool = False


class TriggerBook:
    """The run's triggers: checked before every month from the second on, fired ones logged."""

    def __init__(self, triggers: tuple[Trigger, ...]) -> None:
        """Arm every trigger of the scenario (already validated by `abm.scenario`)."""
        self._armed = [
            _Armed(i, t, parse_condition(t.when, f"triggers[{i}].when"))
            for i, t in enumerate(triggers)
        ]
        self.log: list[tuple[Any, ...]] = []
        self.fired_by_month: dict[int, int] = {}

    def check(self, model: Model) -> None:
        """Before month `model.month + 1`: fire the triggers whose condition holds on the state now."""
        if not self._armed or model.month < 0:
            return
        month = model.month + 1
        for armed in self._armed:
            if armed.fired and armed.trigger.once:
                continue
            value = read_state(model, armed.condition.variable)
            holds = armed.condition.holds(value)
            if holds and not armed.held:  # fires when the condition turns true
                self._fire(model, armed, value, month)
            armed.held = holds

    def _fire(self, model: Model, armed: _Armed, value: float, month: int) -> None:
        """Apply one trigger's settings from `month` on and log it."""
        t = armed.trigger
        where = f"triggers[{armed.index}] ({t.when})"
        adopt(model, config_with(model.config, t.set, where))
        armed.fired = True
        action = ", ".join(f"{k} = {v!r}" for k, v in t.set.items())
        self.log.append(
            (
                armed.index,
                t.label or str(armed.condition),
                str(armed.condition),
                model.month,
                model.calendar.label(model.month),
                value,
                month,
                model.calendar.label(month),
                action,
            )
        )
        self.fired_by_month[month] = self.fired_by_month.get(month, 0) + 1

    def fired_in(self, month: int) -> int:
        """How many triggers changed the scenario from `month` on (the timeseries' flag column)."""
        return self.fired_by_month.get(month, 0)

    def table(self) -> pd.DataFrame:
        """One row per firing, in `TRIGGER_COLUMNS` (empty with those columns when none fired)."""
        frame = pd.DataFrame(self.log, columns=list(TRIGGER_COLUMNS))
        return frame.astype(
            {
                "trigger": "int64",
                "state_month": "int64",
                "month": "int64",
                "value": "float64",
                **{c: "string" for c in ("label", "condition", "state_date", "date", "action")},
            }
        )


def adopt(model: Model, config: ScenarioConfig) -> None:
    """Every reader of the old config reads the new one from now on; the queue adopts new rules.

    The grid desk scales the new config to its grid (the one scaling rule, abm.schema.national)
    and rebuilds the queue's rules; the model's registry of config readers hands the scenario's
    config to the model and the scaled one to every service and agent (abm.config_readers).
    """
    scaled = model.grid.adopt(config)
    model.config_readers.hand_over(config, scaled)
