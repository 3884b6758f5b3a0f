"""The one scaling rule: national quantities follow the grid's share of the US peak."""

from __future__ import annotations

import pytest

from abm.model import PowerStackModel
from abm.scenario import load_scenario
from abm.schema.national import NATIONAL_KEYS, scaled_to_grid


def _value(cfg, key: str) -> float:
    section, field = key.split(".")
    return getattr(getattr(cfg, section), field)


def test_scaling_by_one_is_the_same_config():
    cfg = load_scenario("baseline")
    assert scaled_to_grid(cfg, 1.0) is cfg


def test_a_grid_a_tenth_of_the_us_scales_every_national_quantity_by_a_tenth():
    """A synthetic grid of 74.5 GW (a tenth of the US peak): every national key x 0.1, nothing else moves."""
    model = PowerStackModel(
        "baseline", grid__peak_load_mw=74_500.0, grid__n_buses=40, run__months=1
    )
    given, scaled = model.config, model.grid.config
    assert model.grid.us_peak_share == pytest.approx(0.1)
    for key in NATIONAL_KEYS:
        assert _value(scaled, key) == pytest.approx(0.1 * _value(given, key)), key
    assert scaled.queue.mode == given.queue.mode
    assert scaled.demand.load_factor == given.demand.load_factor
    assert model.projects.config is scaled  # services and agents read the scaled config
    assert all(v.capacity_mw_per_month == pytest.approx(0.1 * 15.0) for v in model.roster.vendors)
