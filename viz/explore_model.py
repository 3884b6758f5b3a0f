"""The model behind the step-by-step view, and the SolaraViz parameters that build it.

SolaraViz re-creates the model on Reset as `type(model)(**params)` and shows a traceback in
the browser when that raises. So `ExploreModel` never raises on bad input: it logs the
refused setting on the server, keeps the last valid settings (`memory`) and carries a
one-line `input_error` that the page shows. A failing month likewise ends the run with a
one-line `step_error` instead of a traceback.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from abm.errors import InputError
from abm.metrics import AppSeries
from abm.model import PowerStackModel
from abm.scenario import config_with, list_scenarios, load_scenario
from abm.schema import ScenarioConfig
from viz.components.base import pretty_name
from viz.levers import BIG_LEVERS, CHOICE_LABELS, config_value
from viz.state import ViewSettings, public_message

log = logging.getLogger(__name__)

SEED_TEXT = "seed_text"  # the key of the typed seed in the fixed `memory` parameter
LEVER_PARAM = {lever.key: lever.key.replace(".", "__") for lever in BIG_LEVERS}
CHOICE_BY_LABEL = {label: key for key, label in CHOICE_LABELS.items()}


def scenario_by_label() -> dict[str, str]:
    """Scenario names by the label the picker shows ('Queue reform' -> 'queue_reform')."""
    return {pretty_name(n): n for n, _ in list_scenarios()}


def parse_seed(seed: Any) -> int | None:
    """The seed typed in the page as a whole number >= 0 (None: keep the scenario's seed)."""
    if seed is None or str(seed).strip() == "":
        return None
    text = str(seed).strip()
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"seed = {text!r}; expected a whole number, 0 or more") from None
    if value < 0:
        raise InputError(f"seed = {value}; expected a whole number, 0 or more")
    return value


def explore_config(
    scenario_name: str,
    seed: Any,
    base_overrides: dict[str, Any] | None,
    untouched: dict[str, Any] | None,
    levers: dict[str, Any],
) -> ScenarioConfig:
    """The validated scenario the sidebar describes; raises InputError with a one-line message.

    A lever moved away from its starting value (`untouched`) overrides `base_overrides` (the
    link's settings); levers left alone keep the chosen scenario's values.
    """
    unknown = set(levers) - set(LEVER_PARAM.values())
    if unknown:
        raise InputError(f"unknown parameters {sorted(unknown)}")
    overrides = dict(base_overrides or {})
    for key, param in LEVER_PARAM.items():
        if param in levers and (untouched is None or levers[param] != untouched.get(param)):
            value = levers[param]
            overrides[key] = CHOICE_BY_LABEL.get(value, value) if isinstance(value, str) else value
    name = scenario_by_label().get(scenario_name, scenario_name)
    cfg = load_scenario(name, overrides, check_grid=True, untrusted=True)
    value = parse_seed(seed)
    return cfg if value is None else config_with(cfg, {"run.seed": value}, "seed")


def _config_or_last_good(kwargs: dict[str, Any], memory: dict[str, Any]) -> tuple[Any, str | None]:
    """(config, None) for valid settings; else (the last valid config, a one-line message)."""
    try:
        cfg = explore_config(**kwargs)
    except InputError as exc:
        message = public_message(str(exc))
        log.warning("step-by-step view refused settings: %s", message)
    except Exception:  # a bug must not put a traceback in the browser; the log has it
        log.exception("step-by-step view could not build these settings: %r", kwargs)
        message = "these settings could not be used (an internal error, logged on the server)"
    else:
        memory["last_good"] = cfg
        return cfg, None
    if memory.get("last_good") is None:
        raise InputError(message)
    return memory["last_good"], f"Not applied: {message}. Showing the last valid settings."


class ExploreModel(PowerStackModel):
    """PowerStackModel built from SolaraViz's parameters: scenario, seed and lever values."""

    def __init__(
        self,
        scenario_name: str = "baseline",
        seed: int | str | None = None,
        base_overrides: dict[str, Any] | None = None,
        untouched: dict[str, Any] | None = None,
        scenario: Any = None,
        memory: dict[str, Any] | None = None,
        **levers: Any,
    ) -> None:
        del scenario  # SolaraViz passes an empty mesa Scenario on Reset; the config is ours
        kwargs = {
            "scenario_name": scenario_name,
            "seed": seed,
            "base_overrides": base_overrides,
            "untouched": untouched,
            "levers": levers,
        }
        memory = memory if memory is not None else {}
        if SEED_TEXT in memory:  # what the page's own seed field holds (`SeedField`)
            kwargs["seed"] = memory[SEED_TEXT]
        cfg, self.input_error = _config_or_last_good(kwargs, memory)
        self.memory = memory
        self.step_error: str | None = None
        self.live_cache: tuple[Any, Any] | None = None  # (month, running) -> the charts' record
        super().__init__(cfg)
        self.app_series = AppSeries.of(self)
        self.step_lock = threading.Lock()

    def step(self) -> None:
        """One month (ignored once the run has ended), plus the app's extra series.

        A failing month ends the run with a one-line `step_error`; the traceback goes to the log.
        """
        with self.step_lock:
            if not self.running:
                return
            try:
                super().step()
                self.app_series.observe(self)
            except Exception as exc:
                log.exception("step-by-step run %s failed", self.config.name)
                first = str(exc).splitlines()[0] if str(exc) else "no message"
                self.step_error = public_message(f"{type(exc).__name__}: {first}")
                self.running = False


def _lever_param(lever: Any, value: Any) -> dict[str, Any]:
    """One lever as a SolaraViz input: labelled with its unit, choices by their names."""
    label = f"{lever.label} ({lever.unit})" if lever.unit else lever.label
    if lever.kind == "choice":
        return {
            "type": "Select",
            "value": CHOICE_LABELS.get(value, value),
            "values": [CHOICE_LABELS.get(c, c) for c in lever.choices],
            "label": label,
        }
    if lever.kind == "bool":
        return {"type": "Checkbox", "value": value, "label": label}
    lo, hi = lever.span_for(value)
    return {
        "type": "SliderFloat",
        "value": float(value),
        "min": lo,
        "max": hi,
        "step": lever.step,
        "label": label,
    }


def model_params(settings: ViewSettings, cfg: ScenarioConfig) -> dict[str, Any]:
    """SolaraViz parameters: scenario, seed and the big levers, starting at `cfg`'s values."""
    labels = list(scenario_by_label())
    start = pretty_name(settings.scenario)
    params: dict[str, Any] = {
        "scenario_name": {
            "type": "Select",
            "value": start if start in labels else labels[0],
            "values": labels,
            "label": "Scenario",
        },
    }
    untouched: dict[str, Any] = {}
    for lever in BIG_LEVERS:
        param = LEVER_PARAM[lever.key]
        params[param] = _lever_param(lever, config_value(cfg, lever.key))
        untouched[param] = params[param]["value"]
    # the seed is typed in the page's own field (viz.explore.SeedField), not in SolaraViz's
    # InputText: that one commits on Enter only, and a redraw landing while typing reset it
    params["seed"] = str(cfg.run.seed)
    params["base_overrides"] = settings.overrides_dict
    params["untouched"] = untouched
    params["memory"] = {"last_good": cfg}  # fixed params reach every Reset as this same dict
    return params
