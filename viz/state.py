"""What the page shows, as one immutable value that round-trips through the page URL.

A link such as `/?s=baseline&queue.mode=cluster&cmp=baseline&tab=co2` reproduces a view:
`s` scenario, `seed`, `cmp` comparison, `mode` analyst/workshop, `tab` chart, `map` map colour,
and any dotted scenario key (the same grammar as `powerstack run --set key=value`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from abm.errors import InputError, did_you_mean
from abm.scenario import config_with, load_scenario, parse_override_value, scenarios_dir
from abm.schema import ScenarioConfig, parameter_keys

MODES = ("analyst", "workshop")
TABS = ("energy", "time_to_power", "queue", "packs", "co2", "map")
TAB_LABELS = {
    "energy": "Energised MW",
    "time_to_power": "Time to power",
    "queue": "Queue",
    "packs": "Packs",
    "co2": "CO2",
    "map": "Grid map",
}
MAP_COLOURS = ("wait", "lmp")
COMPARE_NONE = "none"
COMPARE_LEVERS = "levers"  # the same scenario without this page's overrides
SAVED_PREFIX = "saved:"
RESERVED = ("s", "seed", "cmp", "mode", "tab", "map")
# Overrides of these keys also apply to the comparison run (same horizon and seed).
SHARED_KEYS = ("run.months", "run.start", "run.seed")


@dataclass(frozen=True)
class ViewSettings:
    """Scenario, overrides, seed, comparison and display choices of one page view."""

    scenario: str = "baseline"
    overrides: tuple[tuple[str, Any], ...] = ()
    seed: int | None = None
    compare: str = "baseline"
    mode: str = "analyst"
    tab: str = "energy"
    map_colour: str = "wait"

    @property
    def overrides_dict(self) -> dict[str, Any]:
        """Overrides as a {dotted key: value} dict."""
        return dict(self.overrides)

    def with_override(self, key: str, value: Any, scenario_value: Any) -> ViewSettings:
        """Set one override; a value equal to the scenario's own drops the override."""
        data = self.overrides_dict
        if _same(value, scenario_value):
            data.pop(key, None)
        else:
            data[key] = value
        return replace(self, overrides=tuple(sorted(data.items())))

    def without_override(self, key: str) -> ViewSettings:
        """Remove one override."""
        return replace(self, overrides=tuple((k, v) for k, v in self.overrides if k != key))

    def with_scenario(self, name: str) -> ViewSettings:
        """Switch scenario; lever overrides are dropped so the scenario's story shows as written."""
        return replace(self, scenario=name, overrides=())


def _same(a: Any, b: Any) -> bool:
    """Equality that treats 1 and 1.0 alike and tolerates float rounding."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def format_override_value(value: Any) -> str:
    """A value in `--set` grammar: true/false, numbers as written, bare words or quoted strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if parse_override_value(text) == text:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_query(settings: ViewSettings) -> str:
    """Query string of the settings; only what differs from the defaults is written."""
    default = ViewSettings()
    pairs: list[tuple[str, str]] = [("s", settings.scenario)]
    if settings.seed is not None:
        pairs.append(("seed", str(settings.seed)))
    if settings.compare != default.compare:
        pairs.append(("cmp", settings.compare))
    if settings.mode != default.mode:
        pairs.append(("mode", settings.mode))
    if settings.tab != default.tab:
        pairs.append(("tab", settings.tab))
    if settings.map_colour != default.map_colour:
        pairs.append(("map", settings.map_colour))
    pairs += [(k, format_override_value(v)) for k, v in settings.overrides]
    return urlencode(pairs, safe=".:/")


def from_query(search: str | None) -> tuple[ViewSettings, list[str]]:
    """Settings from a query string, plus one message per part that could not be used."""
    settings = ViewSettings()
    errors: list[str] = []
    if not search:
        return settings, errors
    keys = parameter_keys()
    overrides: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for key, text in parse_qsl(search.lstrip("?"), keep_blank_values=True):
        if key == "s":
            fields["scenario"] = text
        elif key == "seed":
            try:
                seed = int(text)
            except ValueError:
                errors.append(f"link: seed = {text!r}; expected a whole number")
                continue
            fields["seed"] = seed
        elif key == "cmp":
            fields["compare"] = text
        elif key in ("mode", "tab", "map"):
            allowed = {"mode": MODES, "tab": TABS, "map": MAP_COLOURS}[key]
            if text not in allowed:
                errors.append(f"link: {key} = {text!r}; expected one of: {', '.join(allowed)}")
                continue
            fields[{"map": "map_colour"}.get(key, key)] = text
        elif key in keys:
            overrides[key] = parse_override_value(text)
        else:
            errors.append(f"link: unknown setting {key!r}{did_you_mean(key, [*RESERVED, *keys])}")
    settings = replace(settings, overrides=tuple(sorted(overrides.items())), **fields)
    return settings, errors


def public_message(text: str) -> str:
    """An error message fit for the page: the server's scenario folder shown as `scenarios/`."""
    for root in {str(scenarios_dir()), str(scenarios_dir().resolve())}:
        text = text.replace(root.rstrip("/") + "/", "scenarios/")
    return text


def resolve_config(settings: ViewSettings) -> ScenarioConfig:
    """The validated scenario the settings describe; raises InputError with a one-line message.

    Settings come from a browser, so only built-in scenario names and grid files inside the
    scenario folder are accepted (`untrusted`), and the grid is opened now (`check_grid`) so a
    bad one shows as a message before any run.
    """
    cfg = load_scenario(settings.scenario, settings.overrides_dict, check_grid=True, untrusted=True)
    if settings.seed is not None:
        cfg = config_with(cfg, {"run.seed": settings.seed}, "seed")
    return cfg


def compare_config(
    settings: ViewSettings, saved: dict[str, ScenarioConfig] | None = None
) -> ScenarioConfig | None:
    """The comparison run's scenario (same horizon and seed as the current view), or None."""
    target = settings.compare
    if target == COMPARE_NONE:
        return None
    shared = {k: v for k, v in settings.overrides if k in SHARED_KEYS}
    if target.startswith(SAVED_PREFIX):
        label = target.removeprefix(SAVED_PREFIX)
        if not saved or label not in saved:
            raise InputError(f"comparison: no saved run named {label!r} in this session")
        return saved[label]
    name = settings.scenario if target == COMPARE_LEVERS else target
    cfg = load_scenario(name, shared, check_grid=True, untrusted=True)
    if settings.seed is not None:
        cfg = config_with(cfg, {"run.seed": settings.seed}, "seed")
    return cfg
