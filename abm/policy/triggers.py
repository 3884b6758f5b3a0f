"""Parse and check a scenario's `[[triggers]]`: the condition's state variable and the keys set.

A condition is one comparison, `<state variable> <op> <number>` with op one of > >= < <=
(`abm.policy.state` lists the variables). A trigger may set only the keys the model re-reads
after it is built (`SETTABLE`); any other key fails with the reason. The values themselves are
validated by the caller exactly as `--set` validates them (`abm.scenario`).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from abm.errors import InputError, did_you_mean
from abm.grid.queue import QueueRules
from abm.policy.state import STATE_VARIABLES
from abm.schema.triggers import Trigger

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
_CONDITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(>=|<=|>|<)\s*([-+]?[0-9.eE+-]+)\s*$")
_PER_TERRITORY = ("studies_per_month_per_territory", "load_studies_per_month_per_territory")

QUEUE_RULE_KEYS: tuple[str, ...] = (
    *(f"queue.{f.name}" for f in fields(QueueRules) if f.name not in _PER_TERRITORY),
    "queue.studies_per_month_us",
    "queue.load_studies_per_month_us",
)
"""The queue's rules: rebuilt from the new `[queue]` and adopted by the queue (`adopt_rules`)."""

SETTABLE: dict[str, str] = {
    **dict.fromkeys(QUEUE_RULE_KEYS, "queue rules, adopted by the queue for the steps that follow"),
    "queue.flexible_connections": "read by the grid desk when a project files",
    "hyperscalers.flexible_share": "read by the grid desk when a project files",
    "policy.carbon_price_usd_per_t": "read by path costs, bridges, utility builds and offers monthly",
    "policy.solar_credit_share": "read by modular capex and the solar credit when a site energises",
}
"""Keys a trigger may set, each with who re-reads it after the model is built."""

_REFUSED_SECTIONS = {
    "run": "it fixes the run itself (seed, start, length)",
    "grid": "the grid is built once when the model starts",
}


@dataclass(frozen=True)
class Condition:
    """A parsed condition: `variable op threshold`."""

    variable: str
    op: str
    threshold: float

    def holds(self, value: float) -> bool:
        """Whether the condition holds for `value` (never for NaN: an undefined state does not fire)."""
        return value == value and OPERATORS[self.op](value, self.threshold)

    def __str__(self) -> str:
        """The condition as written, normalised: 'x > 48'."""
        return f"{self.variable} {self.op} {self.threshold:g}"


def parse_condition(text: str, where: str) -> Condition:
    """One comparison of a state variable with a number, or an InputError naming what is wrong."""
    match = _CONDITION.match(text)
    if match is None:
        raise InputError(
            f"{where} = {text!r}; expected one comparison '<state variable> <op> <number>' with op one of > >= < <=, e.g. \"dc_queue_wait_months_median > 48\""
        )
    name, op, number = match.groups()
    if name not in STATE_VARIABLES:
        raise InputError(
            f"{where} = {text!r}: unknown state variable {name!r}{did_you_mean(name, STATE_VARIABLES)}; known: {', '.join(STATE_VARIABLES)}"
        )
    try:
        threshold = float(number)
    except ValueError:
        raise InputError(f"{where} = {text!r}: {number!r} is not a number") from None
    return Condition(name, op, threshold)


def refusal(key: str) -> str | None:
    """Why a trigger may not set `key` (None when it may)."""
    if key in SETTABLE:
        return None
    section = key.partition(".")[0]
    why = _REFUSED_SECTIONS.get(
        section, "the model reads it once when it is built, so a change mid-run would not act"
    )
    others = ", ".join(k for k in SETTABLE if k not in QUEUE_RULE_KEYS)
    return f"a trigger may not set {key}: {why}; it may set the queue rules (e.g. queue.mode, queue.readiness_deposit_usd_per_mw) and {others}"


def check_triggers(
    triggers: tuple[Trigger, ...],
    where: str,
    known_key: Callable[[str], bool],
    validate_set: Callable[[Mapping[str, Any], str], None],
) -> None:
    """Every trigger's condition parses and every key it sets exists, may be set and takes its value.

    `known_key` says whether a dotted key is a scenario parameter at all (unknown keys get the
    caller's did-you-mean message through `validate_set`); `validate_set` validates the values.
    """
    for i, trigger in enumerate(triggers):
        parse_condition(trigger.when, f"{where}: triggers[{i}].when")
        label = f"{where}: triggers[{i}].set"
        for key in trigger.set:
            if known_key(key) and (why := refusal(key)):
                raise InputError(f"{label}: {why}")
        validate_set(trigger.set, label)
