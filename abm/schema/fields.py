"""Field helpers of the scenario schema: `param` (a sourced parameter), the `Section` base, months."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def param(
    default: Any,
    *,
    source: str,
    doc: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    unconfirmed: bool = False,
) -> Any:
    """A parameter with its range, one-line meaning and source (shown in docs/parameters.md)."""
    return Field(
        default,
        ge=ge,
        le=le,
        gt=gt,
        description=doc,
        json_schema_extra={"source": source, "unconfirmed": unconfirmed},
    )


class Section(BaseModel):
    """Base for scenario sections: unknown keys, NaN/inf and type coercion are all errors."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


def parse_month(value: str) -> tuple[int, int]:
    """'2025-01' -> (2025, 1); raises ValueError for anything else."""
    m = _MONTH_RE.match(value)
    if not m or not 1 <= int(m.group(2)) <= 12 or not 1990 <= int(m.group(1)) <= 2100:
        raise ValueError(f"expected a month as YYYY-MM between 1990-01 and 2100-12, got {value!r}")
    return int(m.group(1)), int(m.group(2))


def _check_month(value: str) -> str:
    """Validate a YYYY-MM month string and keep it as given."""
    parse_month(value)
    return value


Month = Annotated[str, AfterValidator(_check_month)]
"""A calendar month as 'YYYY-MM' (1990-01 to 2100-12), checked once for every schema field."""


def is_month_field(metadata: list[Any]) -> bool:
    """True when a field's pydantic metadata carries the :data:`Month` check."""
    return any(getattr(m, "func", None) is _check_month for m in metadata)
