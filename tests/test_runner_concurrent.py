"""The counterfactual run on another core gives the CO2 KPIs the run in this process gives, byte for byte.

`powerstack run` starts the recycle-first counterfactual in a spawned worker while the scenario
runs (`abm.counterfactual.start_counterfactual`, re-exported by `abm.runner`); the worker must compute the same floats.
"""

from __future__ import annotations

import json

import pytest

from abm.runner import counterfactual_co2, start_counterfactual
from abm.scenario import config_with, load_scenario


@pytest.mark.slow  # a spawned interpreter imports the model (a few seconds)
def test_the_counterfactual_on_another_core_is_the_same_bytes() -> None:
    cfg = config_with(load_scenario("baseline"), {"run.months": 3, "run.seed": 3}, "test")
    pending = start_counterfactual(cfg)
    if pending is None:
        pytest.skip("one core: the counterfactual runs in this process")
    here = counterfactual_co2(cfg)
    assert json.dumps(pending.result(timeout=300), sort_keys=True) == json.dumps(
        here, sort_keys=True
    )
