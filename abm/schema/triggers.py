"""Adaptive policy triggers (`[[triggers]]`): a condition on the model's state and the keys it sets.

The schema checks the shape (a condition text, a table of dotted keys and values, `once`);
`abm.policy.triggers` checks that the condition names a known state variable and that every key
may be set mid-run, and `abm.scenario` validates each value as `--set` would.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

SetValue = bool | int | float | str
"""A value a trigger sets: the scalar types scenario parameters take."""


class Trigger(BaseModel):
    """One trigger: when `when` holds on a month's state, set `set` from the next month."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    when: str = Field(
        min_length=3,
        max_length=200,
        description='Condition on last month\'s state, e.g. "dc_queue_wait_months_median > 48".',
    )
    set: Annotated[dict[str, SetValue], Field(min_length=1, max_length=20)] = Field(
        description='Dotted parameter keys and their new values, e.g. {"queue.mode" = "cluster"}.',
    )
    once: bool = Field(
        True,
        description="Fire at most once (true), or each time the condition turns true again (false).",
    )
    label: str = Field(
        "", max_length=80, description="Short name for charts and logs (the condition if empty)."
    )
