"""Allowed ranges of scenario parameters, read once from the schema's field metadata.

The schema declares each numeric parameter's bounds (`ge`, `gt`, `le`, `lt`); the app's levers,
the input fuzzer, the parameter docs and sweep specs all ask this module for them, so there is
one reading of that metadata. Keys are dotted, as in TOML tables and `--set` ('queue.mode').
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic.fields import FieldInfo

from abm.schema import FirmType, ScenarioConfig
from abm.schema.firm_types import split_type_key


@dataclass(frozen=True)
class Bounds:
    """A parameter's schema range; None where the schema sets no limit."""

    lower: float | None = None
    upper: float | None = None
    lower_strict: bool = False
    upper_strict: bool = False


def field_info(key: str) -> FieldInfo:
    """The pydantic field of a dotted parameter key; KeyError if the schema has no such key.

    A hyperscaler type's key ('hyperscalers.types.ai_lab.demand_share') names its FirmType field.
    """
    type_key = split_type_key(key)
    if type_key is not None:
        if type_key[1] not in FirmType.model_fields:
            raise KeyError(f"{key} is not a scenario parameter")
        return FirmType.model_fields[type_key[1]]
    section, _, param = key.partition(".")
    top = ScenarioConfig.model_fields.get(section)
    fields = getattr(top.annotation, "model_fields", None) if top is not None else None
    if not param or fields is None or param not in fields:
        raise KeyError(f"{key} is not a scenario parameter")
    return fields[param]


def value_type(key: str) -> Any:
    """The schema annotation of a dotted key (int, float, str, bool or a Literal)."""
    return field_info(key).annotation


def is_numeric(key: str) -> bool:
    """Whether a parameter takes numbers (int or float, not bool)."""
    return value_type(key) in (int, float)


def bounds_of(key: str) -> Bounds:
    """The range a parameter's schema field allows, from its annotated_types metadata."""
    lower = upper = None
    lower_strict = upper_strict = False
    for meta in field_info(key).metadata:
        if getattr(meta, "ge", None) is not None:
            lower, lower_strict = float(meta.ge), False
        if getattr(meta, "gt", None) is not None:
            lower, lower_strict = float(meta.gt), True
        if getattr(meta, "le", None) is not None:
            upper, upper_strict = float(meta.le), False
        if getattr(meta, "lt", None) is not None:
            upper, upper_strict = float(meta.lt), True
    return Bounds(lower, upper, lower_strict, upper_strict)
