"""Tests for abm.carbon: factor defaults, validation and embodied-CO2 arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from abm.carbon import CarbonFactors, embodied_storage_t, operational_t
from abm.errors import InputError


def test_defaults_follow_sources() -> None:
    f = CarbonFactors()
    assert 61 <= f.new_storage_kg_per_kwh <= 106  # IVL 2019 range
    # cut-off: repurposing carries its own processes, at most a new pack's non-cell share
    assert f.repurpose_kg_per_kwh == pytest.approx(0.25 * f.new_storage_kg_per_kwh)
    assert f.recycling_credit_kg_per_kwh < 0
    assert f.grid_t_per_mwh == 0.367  # EIA FAQ 74, 2023
    assert f.gas_ccgt_t_per_mwh < f.recip_engine_t_per_mwh < f.gas_ct_t_per_mwh


def test_embodied_arithmetic() -> None:
    f = CarbonFactors(
        new_storage_kg_per_kwh=100.0, repurpose_kg_per_kwh=70.0, recycling_credit_kg_per_kwh=-20.0
    )
    out = embodied_storage_t(1e6, 2e6, 5e5, f)
    assert out == {
        "new": 100_000.0,
        "repurpose": 140_000.0,
        "recycling_credit": -10_000.0,
        "total": 230_000.0,
    }
    zero = embodied_storage_t(0.0, 0.0, 0.0, f)
    assert zero["total"] == 0.0


def test_second_use_saves_versus_new() -> None:
    f = CarbonFactors()
    # one GWh of repurposed packs instead of one of new storage saves the new footprint less the
    # repurposing (per kWh put into service, before the service each gives)
    saved = embodied_storage_t(1e6, 0, 0, f)["total"] - embodied_storage_t(0, 1e6, 0, f)["total"]
    assert saved == pytest.approx((f.new_storage_kg_per_kwh - f.repurpose_kg_per_kwh) * 1e3)
    assert saved > 0


def test_validation_and_operational() -> None:
    with pytest.raises(InputError):
        CarbonFactors(recycling_credit_kg_per_kwh=5.0)
    with pytest.raises(InputError):
        CarbonFactors(grid_t_per_mwh=-0.1)
    with pytest.raises(InputError):
        embodied_storage_t(-1.0, 0.0, 0.0, CarbonFactors())
    assert operational_t(np.array([0.0, 1000.0]), 0.367).tolist() == [0.0, 367.0]
