"""Dispatch economics (issue 18 items 1-2): offers, commitment, energy-limited plants, marginal CO2."""

from __future__ import annotations

import numpy as np
import pytest

from abm.grid.topology import TECHS
from abm.markets.offers import (
    block_list,
    block_offers,
    block_shares,
    committed,
    heat_rate_factors,
    solar_availability,
)
from abm.markets.power import PowerMarket
from abm.markets.storage_day import (
    ClearedHour,
    charged_share,
    energy_plan,
    refill_share,
    storage_plan,
)
from abm.schema import ScenarioConfig
from tests.grid_helpers import triangle_arrays


def _three_bus(rating_mw: float) -> PowerMarket:
    """Three buses in a triangle, line 0-1 rated `rating_mw`."""
    return PowerMarket(triangle_arrays((rating_mw, np.inf, np.inf)))


@pytest.mark.parametrize("rating_mw", [np.inf, 60.0])
def test_marginal_co2_is_the_co2_of_one_more_mwh_at_each_bus(rating_mw: float) -> None:
    """The basis-derived marginal factor matches a finite difference, congested or not."""
    market = _three_bus(rating_mw)
    load = np.array([50.0, 160.0, 80.0])
    gen = (np.array([0, 1, 2]), np.array([200.0, 100.0, 60.0]), np.array([20.0, 30.0, 50.0]))
    co2 = np.array([1.0, 0.4, 0.6])
    base = market.clear(load, *gen, co2)
    for bus in range(3):
        more = load.copy()
        more[bus] += 1.0
        delta = market.clear(more, *gen, co2).co2_t_per_h - base.co2_t_per_h
        assert base.marginal_co2_t_per_mwh[bus] == pytest.approx(delta, abs=1e-9)
        market.clear(load, *gen, co2)
    if np.isfinite(rating_mw):  # congestion: buses see different marginal units
        assert len(base.binding_lines) and np.ptp(base.marginal_co2_t_per_mwh) > 0


def test_a_carbon_price_enters_every_fossil_offer() -> None:
    """Offer = fuel + VOM + carbon price x emission factor: coal rises above gas at $100/t."""
    plants = block_list(np.array([TECHS.index("gas"), TECHS.index("coal")]), TECHS)
    free, _ = block_offers(plants, TECHS, ScenarioConfig())
    priced = ScenarioConfig.model_validate({"policy": {"carbon_price_usd_per_t": 100.0}})
    cost, co2 = block_offers(plants, TECHS, priced)
    assert np.allclose(cost - free, 100.0 * co2)
    gas_cc, coal = cost[0], cost[2]
    assert free[0] < free[2] and gas_cc < coal


def test_fossil_plants_spread_their_heat_rates_and_the_rest_do_not() -> None:
    """A fuel burner's offer and CO2 scale by 1 + spread x (2u - 1); nuclear, wind and solar stay at the technology's."""
    tech = np.array([TECHS.index(t) for t in ("gas", "coal", "other", "nuclear", "wind", "gas")])
    u = np.array([0.0, 1.0, 0.75, 0.9, 0.1, 0.5])
    factor = heat_rate_factors(tech, TECHS, 0.1, u)
    assert factor == pytest.approx([0.9, 1.1, 1.05, 1.0, 1.0, 1.0])
    assert heat_rate_factors(tech, TECHS, 0.0, u) == pytest.approx(np.ones(6))
    plants = block_list(tech, TECHS)
    cost, co2 = block_offers(plants, TECHS, ScenarioConfig())
    spread_cost, spread_co2 = block_offers(plants, TECHS, ScenarioConfig(), factor)
    assert spread_cost == pytest.approx(cost * factor[plants.plant])
    assert spread_co2 == pytest.approx(co2 * factor[plants.plant])
    gas_blocks = np.flatnonzero(plants.plant == 0)  # combined cycle and peaker, both scaled
    assert (spread_cost[gas_blocks] < cost[gas_blocks]).all()


def test_blocks_split_each_plant_by_sourced_shares() -> None:
    """Gas splits into combined cycle and peakers, coal into must-run and the rest; shares add to 1."""
    tech = np.array([TECHS.index(t) for t in TECHS])
    blocks = block_list(tech, TECHS)
    share = block_shares(blocks, TECHS, ScenarioConfig())
    per_plant = np.bincount(blocks.plant, weights=share)
    assert np.allclose(per_plant, 1.0)
    coal_must = blocks.is_must_run & (blocks.tech == TECHS.index("coal"))
    assert share[coal_must] == pytest.approx([ScenarioConfig().market.coal_min_generation_share])


def test_a_plant_commits_only_when_its_day_pays() -> None:
    """A coal plant at $35 commits at LMPs around it, not at LMPs well below it."""
    weight = np.array([0.1, 0.25, 0.35, 0.3])
    high = np.array([[60.0], [36.0], [34.0], [30.0]])
    low = high - 15.0
    offer, min_share = np.array([35.0]), np.array([0.4])
    assert committed(offer, min_share, high, weight)[0]
    assert not committed(offer, min_share, low, weight)[0]


def test_solar_keeps_its_sourced_capacity_factor_over_the_day() -> None:
    """Hour-weighted solar availability equals the bus's annual capacity factor (24 %)."""
    weight = np.array([0.1, 0.25, 0.35, 0.3])
    factor = np.array([0.25, 1.0, 0.1, 0.0])
    cf = np.array([0.24])
    avail = [solar_availability(cf, f, float(weight @ factor))[0] for f in factor]
    assert float(weight @ np.array(avail)) == pytest.approx(0.24)


def test_hydro_spends_its_water_in_the_dearest_hours() -> None:
    """A day's budget of 0.36 x 24 h goes to the dearest hours first, at full output."""
    hours = np.array([2.4, 6.0, 8.4, 7.2])
    price = np.array([[60.0], [35.0], [34.0], [30.0]])
    share = energy_plan(hours, price, 0.36 * 24.0)[:, 0]
    assert float(hours @ share) == pytest.approx(0.36 * 24.0)
    assert share[0] == 1.0 and share[1] == 1.0 and share[3] == 0.0


def test_storage_refills_what_it_gives_and_respects_its_energy() -> None:
    """Discharge <= energy; charging x efficiency = discharge; it charges in the cheap hours."""
    hours = np.array([2.4, 6.0, 8.4, 7.2])
    price = np.array([[80.0, 30.0], [35.0, 30.0], [40.0, 30.0], [20.0, 30.0]])
    discharge, charge, offer = storage_plan(hours, price, 4.0, 0.85)
    given, taken = hours @ discharge, hours @ charge
    assert given[0] == pytest.approx(4.0) and taken[0] * 0.85 == pytest.approx(given[0])
    assert offer[0] == pytest.approx(20.0 / 0.85)
    assert charge[3, 0] > 0 and discharge[0, 0] == 1.0
    assert given[1] == 0.0 and taken[1] == 0.0  # no spread, no cycling


def test_a_recharge_the_network_cannot_deliver_is_cut_not_customers() -> None:
    """A store's recharge is a bid: behind a binding line it is curtailed and no customer is shed.

    Bus 1 (50 MW firm load, a store recharging 70 MW) imports over line 0-1 (60 MW, 2/3 of
    the flow from bus 0): 90 MW can reach it, so 40 MW of the recharge gets through.
    """
    market = _three_bus(60.0)
    load, charging = np.array([0.0, 50.0, 0.0]), np.array([0.0, 70.0, 0.0])
    res = market.clear(
        load, np.array([0]), np.array([500.0]), np.array([20.0]), np.array([0.4]), charging
    )
    assert res.shed_mw.sum() == pytest.approx(0.0, abs=1e-6)
    hour = ClearedHour(res, load, np.zeros(3), charging)
    assert hour.charge_cut_mw[1] == pytest.approx(30.0)
    assert refill_share([hour], np.array([1.0]), 3)[1] == pytest.approx(40.0 / 70.0)
    assert charged_share([hour], np.array([1]))[0, 0] == pytest.approx(40.0 / 70.0)
