"""The model's registry of config readers: every object holding the config is registered, so a trigger's handover reaches it."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import BaseModel

from abm.config_readers import ConfigReaders
from abm.errors import InputError
from abm.model import PowerStackModel
from abm.policy.book import adopt
from abm.scenario import config_with
from abm.schema import ScenarioConfig


def config_holders(model: PowerStackModel) -> list[object]:
    """Every object of powerstack's own classes reachable from the model that holds a ScenarioConfig."""
    seen, found, todo = set(), [], [model]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, (list, tuple, set, frozenset)):
            todo.extend(obj)
            continue
        if isinstance(obj, dict):
            todo.extend(obj.values())
            continue
        if isinstance(obj, (BaseModel, np.ndarray)) or not type(obj).__module__.startswith("abm"):
            continue  # configs themselves, arrays, and other libraries' objects hold no reader
        if isinstance(getattr(obj, "config", None), ScenarioConfig):
            found.append(obj)
        state = getattr(obj, "__dict__", {})
        slots = [getattr(obj, s) for s in getattr(type(obj), "__slots__", ()) if hasattr(obj, s)]
        todo.extend([*state.values(), *slots])
    return found


class _LateService:
    """A service some later change adds to the model without registering it."""

    def __init__(self, config: ScenarioConfig) -> None:
        self.config = config


_LateService.__module__ = "abm.late_service"  # as if it lived in the package


@pytest.fixture(scope="module")
def model():
    return PowerStackModel("baseline", rng=1, **{"grid.n_buses": 20, "run.months": 1})


def test_every_object_holding_the_config_is_a_registered_reader(model):
    holders = config_holders(model)
    assert len(holders) >= 5 + len(model.agents)  # model, four services, every agent
    missing = [type(h).__name__ for h in holders if h not in model.config_readers]
    assert not missing, f"hold a config but are not in model.config_readers: {missing}"


def test_an_unregistered_service_holding_the_config_is_caught(model):
    model.projects.late = _LateService(model.grid.config)  # reached through a service
    try:
        missing = [h for h in config_holders(model) if h not in model.config_readers]
        assert [type(h).__name__ for h in missing] == ["_LateService"]
    finally:
        del model.projects.late


def test_a_handover_reaches_every_reader_in_its_form():
    m = PowerStackModel(
        "baseline", rng=1, **{"grid.n_buses": 20, "run.months": 1, "grid.us_peak_mw": 1.49e6}
    )
    late = m.config_readers.register(_LateService(m.grid.config))
    new = config_with(m.config, {"policy.carbon_price_usd_per_t": 50.0}, "test")
    adopt(m, new)
    assert m.config is new
    share = m.grid.us_peak_share
    for reader in config_holders(m):
        if reader is m:
            continue
        assert reader.config is m.grid.config  # one scaled config, shared
    assert late.config is m.grid.config
    assert m.grid.config.policy.carbon_price_usd_per_t == 50.0
    national = new.queue.studies_per_month_us
    assert m.grid.config.queue.studies_per_month_us == pytest.approx(national * share)


def test_a_reader_registers_in_one_of_two_forms(model):
    with pytest.raises(InputError, match="form = 'scaled'"):
        ConfigReaders().register(_LateService(model.config), "scaled")  # type: ignore[arg-type]
