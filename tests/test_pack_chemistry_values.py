"""Grading yield, repurposing cost and recycling value follow the chemistry mix of the month's retirements."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from abm.batteries import CHEMISTRIES, mix_weighted
from abm.errors import InputError
from abm.markets.pack_exchange import PackExchange
from abm.roster import Roster
from abm.schema import ScenarioConfig
from abm.world import Calendar


def exchange(mix: tuple[float, float, float], **packs: float) -> PackExchange:
    """A pack exchange whose retirements have the given chemistry mix (nmc, lfp, other)."""
    cfg = ScenarioConfig(packs=packs)
    roster = Roster(recyclers=[], vendors=[], utilities=[])
    recorder = SimpleNamespace(retired_gwh_cum=0.0, incentives_usd=0.0)
    ex = PackExchange(
        cfg, SimpleNamespace(month=0), Calendar.from_config(cfg), None, recorder, roster, []
    )
    ex.retirements_by_chemistry_gwh = np.array([mix], dtype=float)
    return ex


def test_mix_weighted_is_the_dot_of_shares_and_values() -> None:
    assert mix_weighted(np.array([0.5, 0.25, 0.25]), [10.0, -8.0, 4.0]) == pytest.approx(4.0)
    with pytest.raises(InputError):
        mix_weighted(np.array([1.0, 0.0, 0.0]), [1.0, 2.0])


def test_lfp_recycles_for_less_than_nmc_and_other() -> None:
    """Black-mass values (DOMAIN-NUMBERS part 2 §2a): LFP ~$5-8/kWh, NMC ~$25-32, EoL mixed ~$23-28."""
    values = {
        name: exchange(tuple(float(i == k) for i in range(3))).recycling_value_usd_per_kwh()
        for k, name in enumerate(CHEMISTRIES)
    }
    p = ScenarioConfig().packs
    assert values == {
        "nmc": pytest.approx(p.recycling_value_nmc_usd_per_kwh),
        "lfp": pytest.approx(p.recycling_value_lfp_usd_per_kwh),
        "other": pytest.approx(p.recycling_value_other_usd_per_kwh),
    }
    assert values["lfp"] < 0 < values["other"] < values["nmc"]  # LFP recycling is a net loss
    half = exchange((0.5, 0.5, 0.0)).recycling_value_usd_per_kwh()
    assert half == pytest.approx((values["nmc"] + values["lfp"]) / 2)


def test_yield_and_repurposing_cost_follow_the_mix() -> None:
    nmc = exchange((1.0, 0.0, 0.0), second_life_yield_nmc=0.95, repurpose_cost_share_nmc=0.5)
    other = exchange((0.0, 0.0, 1.0), second_life_yield_nmc=0.95, repurpose_cost_share_nmc=0.5)
    assert nmc.second_life_yield() == pytest.approx(0.95)
    assert other.second_life_yield() == pytest.approx(
        ScenarioConfig().packs.second_life_yield_other
    )
    assert nmc.repurpose_cost_usd_per_kwh() == pytest.approx(
        0.5 * other.repurpose_cost_usd_per_kwh()
    )
