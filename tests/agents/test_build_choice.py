"""Utilities' build choice and tariff: least cost per firm kW-year with carbon, cost recovery, retirements."""

from __future__ import annotations

import numpy as np
import pytest

from abm.agents import rates
from abm.agents.build_choice import (
    build_options,
    capital_recovery_factor,
    cheapest_option,
    fixed_cost_usd_per_kw_year,
    net_cost_usd_per_firm_kw_year,
    option_named,
)
from abm.grid import retirement_schedule
from abm.schema import ScenarioConfig


def cfg(**sections) -> ScenarioConfig:
    return ScenarioConfig.model_validate(sections)


def test_the_annuity_pays_back_the_capex_at_the_discount_rate() -> None:
    crf = capital_recovery_factor(0.07, 30)
    present_value = sum(crf / 1.07**year for year in range(1, 31))
    assert present_value == pytest.approx(1.0)
    assert capital_recovery_factor(0.0, 20) == pytest.approx(1 / 20)


def test_the_cheapest_option_has_the_least_net_cost_per_firm_kw() -> None:
    for price in (0.0, 30.0, 100.0, 300.0):
        c = cfg(policy={"carbon_price_usd_per_t": price})
        costs = {o.name: net_cost_usd_per_firm_kw_year(o, c) for o in build_options(c)}
        assert costs[cheapest_option(c).name] == min(costs.values())


def test_a_carbon_price_moves_the_choice_from_gas_to_a_clean_option() -> None:
    """At no carbon price a gas plant is cheapest per firm kW; at $300/t one that burns nothing is."""
    assert cheapest_option(cfg()).tech == "gas"
    clean = cheapest_option(cfg(policy={"carbon_price_usd_per_t": 300.0}))
    assert clean.co2_t_per_mwh == 0.0


def test_carbon_raises_a_dirty_option_against_a_clean_one() -> None:
    """Each $/t of carbon adds (its CO2 - displaced gas CO2) x MWh per kW-year to an option's cost."""
    low, high = cfg(), cfg(policy={"carbon_price_usd_per_t": 100.0})
    for name in ("gas_ct", "solar"):
        o = option_named(low, name)
        rise = net_cost_usd_per_firm_kw_year(o, high) - net_cost_usd_per_firm_kw_year(o, low)
        mwh_per_kw = o.capacity_factor * 8.76
        expected = 100.0 * mwh_per_kw * (o.co2_t_per_mwh - low.market.co2_gas_t_per_mwh)
        assert rise == pytest.approx(expected / o.capacity_credit)


def test_a_cheaper_technology_wins() -> None:
    """Solar panels at a tenth of their cost are the cheapest firm capacity even at their low credit."""
    c = cfg(planning={"solar_capex_usd_per_kw": 143.0})
    assert cheapest_option(c).name == "solar"


def test_the_tariff_recovers_builds_in_service_per_mwh() -> None:
    c = cfg()
    ct = option_named(c, "gas_ct")
    builds = rates.builds_usd_per_month({"gas_ct": 1000.0}, c)
    assert builds == pytest.approx(1000.0 * 1000.0 * fixed_cost_usd_per_kw_year(ct, c) / 12.0)
    upgrades = rates.upgrades_usd_per_month(1e8, c)
    t = rates.tariff(50.0, 1e6, builds, upgrades, c)
    assert t.capacity_usd_per_mwh == pytest.approx(builds / 1e6)
    assert t.network_usd_per_mwh == pytest.approx(
        c.market.tariff_adder_usd_per_mwh + upgrades / 1e6
    )
    assert t.rate_impact_usd_per_mwh == pytest.approx((builds + upgrades) / 1e6)
    assert t.total_usd_per_mwh == pytest.approx(50.0 + t.charges_usd_per_mwh)


def test_no_builds_no_rate_impact() -> None:
    t = rates.tariff(50.0, 1e6, 0.0, 0.0, cfg())
    assert t.rate_impact_usd_per_mwh == 0.0
    assert t.charges_usd_per_mwh == cfg().market.tariff_adder_usd_per_mwh


def test_the_schedule_retires_the_2025_fleet_linearly_and_never_more() -> None:
    c = cfg()
    techs = ("gas", "coal", "solar")
    share = retirement_schedule.share_per_month(c, techs)
    assert share[2] == 0.0
    assert share[1] == pytest.approx(c.planning.retire_coal_share_per_year / 12.0)
    cap = np.array([[1000.0, 500.0, 300.0]])
    retired = np.zeros_like(cap)
    year = retirement_schedule.scheduled_mw(cap, retired, share, 12.0)
    assert year[0, 1] == pytest.approx(500.0 * c.planning.retire_coal_share_per_year)
    almost_gone = np.array([[0.0, 490.0, 0.0]])
    assert retirement_schedule.scheduled_mw(cap, almost_gone, share, 120.0)[0, 1] == 10.0
