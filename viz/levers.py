"""The big levers of issue 7, described from the scenario schema (defaults, bounds, meaning, source).

Validation bounds come only from `abm.schema`, read through `abm.bounds`; the one extra fact
kept here is a *slider span* for levers whose schema bound is far beyond a useful workshop
range (recycler capacity may be up to 10,000 GWh/month, but a slider that wide is unusable). Spans are clipped to the schema
bounds and always widened to include the scenario's own value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from abm.bounds import bounds_of
from abm.schema import SECTIONS, ScenarioConfig, allowed_range

Kind = Literal["float", "int", "choice", "bool"]

# key, label for people, slider step, slider span (None = the schema's bounds)
_BIG_LEVERS: tuple[tuple[str, str, float, tuple[float, float] | None], ...] = (
    ("demand.growth_multiplier", "AI demand growth", 0.05, None),
    ("packs.retirement_multiplier", "EV pack retirements", 0.1, (0.0, 5.0)),
    ("packs.routing", "Pack routing policy", 0.0, None),
    ("recyclers.test_capacity_gwh_per_month", "Recycler test capacity", 0.1, (0.1, 10.0)),
    ("policy.credit_45x_usd_per_kwh", "45X credit", 1.0, (0.0, 50.0)),
    ("policy.carbon_price_usd_per_t", "Carbon price", 5.0, (0.0, 300.0)),
    ("queue.mode", "Queue mode", 0.0, None),
    ("hyperscalers.duplicate_filings", "Duplicate filings (phantom load)", 0.1, None),
    ("batteries.ai_duty_fade_multiplier", "Battery fade under AI duty", 0.1, (0.0, 5.0)),
    ("gas.turbine_backlog_mw", "Gas-turbine backlog", 1000.0, (0.0, 200_000.0)),
    ("demand.shiftable_share", "Shiftable compute (share of load)", 0.05, (0.0, 0.4)),
)

# Levers kept in workshop mode (fewer controls, the ones a room argues about).
WORKSHOP_LEVERS: tuple[str, ...] = (
    "demand.growth_multiplier",
    "packs.routing",
    "policy.carbon_price_usd_per_t",
    "queue.mode",
    "hyperscalers.duplicate_filings",
    "batteries.ai_duty_fade_multiplier",
)

_UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_usd_per_kwh", "$/kWh"),
    ("_usd_per_t", "$/t CO2"),
    ("_gwh_per_month", "GWh/month"),
    ("_months", "months"),
    ("_multiplier", "x"),
    ("_filings", "filings per project"),
    ("_gw", "GW"),
    ("_mw", "MW"),
)

CHOICE_LABELS: dict[str, str] = {
    "market": "market (price decides)",
    "second_use_first": "second use first",
    "recycle_first": "recycle first",
    "serial": "serial (first come, first served)",
    "cluster": "cluster studies (FERC Order 2023)",
}


@dataclass(frozen=True)
class Lever:
    """One control: what it sets, how it is shown, and what the schema says about it."""

    key: str
    label: str
    unit: str
    kind: Kind
    default: Any
    min: float | None
    max: float | None
    step: float
    choices: tuple[str, ...]
    description: str
    source: str
    allowed: str

    @property
    def section(self) -> str:
        """Scenario section of the key ('queue' for 'queue.mode')."""
        return self.key.split(".", 1)[0]

    @property
    def param(self) -> str:
        """Parameter name inside the section."""
        return self.key.split(".", 1)[1]

    def tooltip(self) -> str:
        """Meaning, allowed values and source, for hover text."""
        return f"{self.description} Allowed: {self.allowed}. Default {self.default}. Source: {self.source}"

    def span_for(self, value: Any) -> tuple[float, float]:
        """Slider (min, max) widened to include `value` (a scenario may sit outside the span)."""
        lo, hi = float(self.min), float(self.max)  # type: ignore[arg-type]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            lo, hi = min(lo, float(value)), max(hi, float(value))
        return lo, hi


def unit_of(param: str) -> str:
    """Unit shown next to a parameter, read from the unit suffix of its name."""
    for suffix, unit in _UNIT_SUFFIXES:
        if param.endswith(suffix):
            return unit
    return ""


def make_lever(
    key: str, label: str, step: float = 0.0, span: tuple[float, float] | None = None
) -> Lever:
    """A Lever for any schema parameter, with bounds, default, meaning and source from the schema."""
    section, _, param = key.partition(".")
    if section not in SECTIONS or param not in SECTIONS[section].model_fields:
        raise KeyError(f"{key} is not a scenario parameter")
    field = SECTIONS[section].model_fields[param]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    choices = tuple(getattr(field.annotation, "__args__", ()) or ())
    kind: Kind
    lo = hi = None
    if choices and all(isinstance(c, str) for c in choices):
        kind = "choice"
    elif field.annotation is bool:
        kind = "bool"
    else:
        kind = "int" if field.annotation is int else "float"
        bounds = bounds_of(key)
        s_lo, s_hi = bounds.lower, bounds.upper
        if s_lo is None or s_hi is None:
            raise ValueError(f"{key}: a slider needs both schema bounds")
        if bounds.lower_strict:
            s_lo = s_lo + (step or 1.0)
        lo, hi = (s_lo, s_hi) if span is None else (max(s_lo, span[0]), min(s_hi, span[1]))
    return Lever(
        key=key,
        label=label,
        unit=unit_of(param),
        kind=kind,
        default=field.default,
        min=lo,
        max=hi,
        step=step or (1.0 if kind == "int" else 0.1),
        choices=choices if kind == "choice" else (),
        description=field.description or "",
        source=str(extra.get("source", "")),
        allowed=allowed_range(section, param),
    )


BIG_LEVERS: tuple[Lever, ...] = tuple(
    make_lever(k, label, step, span) for k, label, step, span in _BIG_LEVERS
)
LEVERS_BY_KEY: dict[str, Lever] = {lever.key: lever for lever in BIG_LEVERS}


def config_value(cfg: ScenarioConfig, key: str) -> Any:
    """The value a config holds for a dotted key."""
    section, _, param = key.partition(".")
    return getattr(getattr(cfg, section), param)


def snap(lever: Lever, value: float) -> float | int:
    """A slider value rounded to the lever's step (no 1.2000000000000002 in URLs and TOML)."""
    if lever.kind == "int":
        return int(round(value))
    decimals = max(0, -int(math.floor(math.log10(lever.step)))) if lever.step < 1 else 0
    out = round(float(value), decimals + 2)
    return float(out)


def format_value(lever: Lever, value: Any) -> str:
    """Value with its unit for labels ('60 months', '1.5 x', 'cluster')."""
    if lever.kind in ("choice", "bool"):
        return str(value)
    text = f"{value:g}" if isinstance(value, (int, float)) else str(value)
    return f"{text} {lever.unit}".strip()
