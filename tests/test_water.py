"""Water: factors by cooling and generation technology, water-stressed buses, siting under a price, the KPIs."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from abm.grid.water_stress import stress_scores, stressed_buses
from abm.runner import simulate
from abm.scenario import config_with, load_scenario
from abm.streams import Streams
from abm.vocabulary import Path
from abm.water_factors import (
    direct_l_per_mwh,
    grid_l_per_mwh,
    indirect_l_per_mwh,
    site_weight_factor,
    water_factor,
)

BASE = load_scenario("baseline")


def test_direct_water_follows_each_paths_cooling_over_the_pue() -> None:
    """Grid DCs at the evaporative WUE, modular at liquid, the wildcard without cooling water."""
    w, pue = BASE.water, BASE.hyperscalers.pue
    assert direct_l_per_mwh(BASE, Path.GRID) == pytest.approx(
        w.wue_evaporative_l_per_kwh * 1000 / pue
    )
    assert direct_l_per_mwh(BASE, Path.MODULAR_NEW) == pytest.approx(
        w.wue_liquid_l_per_kwh * 1000 / pue
    )
    assert direct_l_per_mwh(BASE, Path.OTHER) == 0.0
    dry = config_with(BASE, {"water.cooling_conventional": "dry"})
    assert direct_l_per_mwh(dry, Path.ONSITE_GAS) < direct_l_per_mwh(BASE, Path.ONSITE_GAS)


def test_indirect_water_is_the_generation_mix_weighted() -> None:
    """A coal-only grid consumes coal's factor; wind and storage none; modular sites mix PV and gensets."""
    w = BASE.water
    techs = ("coal", "wind", "storage")
    assert grid_l_per_mwh(BASE, techs, (1.0, 0.0, 0.0)) == w.gen_coal_l_per_mwh
    assert grid_l_per_mwh(BASE, techs, (0.0, 0.5, 0.5)) == 0.0
    gas = BASE.vendors.backup_gas_energy_share
    expected = gas * w.gen_onsite_gas_l_per_mwh + (1 - gas) * w.gen_solar_l_per_mwh
    assert indirect_l_per_mwh(BASE, Path.MODULAR_SECOND_LIFE, 999.0) == pytest.approx(expected)
    assert indirect_l_per_mwh(BASE, Path.GRID, 123.0) == 123.0


def test_stressed_buses_take_the_share_and_follow_the_sun() -> None:
    """The stated share of buses is stressed; at full solar weight they are the sunniest ones."""
    cf = np.linspace(0.1, 0.3, 40)
    cfg = config_with(
        BASE, {"water.stressed_share_of_buses": 0.25, "water.stress_solar_weight": 1.0}
    )
    stressed = stressed_buses(cfg, cf, Streams(1))
    assert stressed.sum() == 10 and stressed[-10:].all()
    mixed = stress_scores(cf, 0.5, Streams(1))
    assert np.array_equal(mixed, stress_scores(cf, 0.5, Streams(1)))  # keyed, repeatable
    assert not np.array_equal(mixed, stress_scores(cf, 0.5, Streams(2)))


def test_a_water_price_weighs_stressed_sites_down_and_none_leaves_them() -> None:
    """At stressed buses the weight falls by energy / (energy + water); unpriced water changes nothing."""
    stressed, lmp = np.array([True, False]), np.array([50.0, 50.0])
    assert np.array_equal(site_weight_factor(BASE, Path.GRID, stressed, lmp), [1.0, 1.0])
    priced = config_with(BASE, {"water.price_usd_per_m3_stressed": 10.0})
    f = site_weight_factor(priced, Path.GRID, stressed, lmp)
    water_usd = 10.0 * direct_l_per_mwh(priced, Path.GRID) / 1000.0
    assert f[0] == pytest.approx(50.0 / (50.0 + water_usd)) and f[1] == 1.0
    desk = SimpleNamespace(
        config=priced,
        streams=Streams(3),
        solar_cf=np.linspace(0.1, 0.3, 20),
        prices=SimpleNamespace(lmp_by_bus=np.full(20, 40.0)),
    )
    factor = water_factor(desk, Path.GRID)
    assert (factor < 1.0).sum() == round(0.35 * 20)
    assert water_factor(SimpleNamespace(**{**vars(desk), "config": BASE}), Path.GRID) == 1.0


@pytest.fixture(scope="module")
def small_run() -> tuple[object, object]:
    """A 24-month run on 40 buses, with a water price that moves sites (and its unpriced twin)."""
    cfg = config_with(BASE, {"grid.n_buses": 40, "run.months": 24})
    return simulate(cfg), simulate(config_with(cfg, {"water.price_usd_per_m3_stressed": 50.0}))


@pytest.mark.slow
def test_water_kpis_add_up_by_kind_path_and_stress_class(small_run) -> None:
    """Direct + indirect = total = the sum over paths (fleet included) = the sum over stress classes."""
    (model, frame), _ = small_run
    k = model.recorder.kpis()["water_bn_litres"]
    assert k["direct"] > 0 and k["indirect"] > 0
    assert k["total"] == pytest.approx(k["direct"] + k["indirect"])
    assert sum(k["by_path"].values()) == pytest.approx(k["total"])
    assert sum(k["by_stress_class"].values()) == pytest.approx(k["total"])
    monthly = frame["water_direct_ml"].sum() + frame["water_indirect_ml"].sum()
    assert monthly / 1000.0 == pytest.approx(k["total"])
    assert frame[["water_ml_stressed", "water_ml_unstressed"]].sum().sum() / 1000 == pytest.approx(
        k["total"]
    )


@pytest.mark.slow
def test_a_water_price_moves_new_load_out_of_stressed_regions(small_run) -> None:
    """Paired seed: priced water leaves fewer project litres at stressed buses."""
    (base, _), (priced, _) = small_run

    def stressed_share(model) -> float:
        k = model.recorder.kpis()["water_bn_litres"]["by_stress_class"]
        return k["stressed"] / (k["stressed"] + k["unstressed"])

    assert stressed_share(priced) < stressed_share(base)
