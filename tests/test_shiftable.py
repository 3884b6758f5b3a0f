"""Shiftable compute: the day's shift on the grid, the modular storage it saves, and paired runs that show both."""

from __future__ import annotations

import numpy as np
import pytest

from abm.runner import simulate
from abm.scenario import config_with, load_scenario
from abm.shiftable import (
    HOURS_PER_DAY,
    grid_shift_mw,
    modular_moved_share,
    modular_shifted_mwh_per_mw_day,
    modular_storage_mwh_per_mw,
    sun_hours_per_day,
)

BASE = load_scenario("baseline")
HOURS = np.array([2.4, 6.0, 8.4, 7.2])  # the baseline's representative day (peak ... off-peak)


def _at(share: float, **more: object) -> object:
    return config_with(BASE, {"demand.shiftable_share": share, **more})


def test_grid_shift_moves_energy_from_dear_into_cheap_hours_and_keeps_the_day() -> None:
    """Dear hours give at most the shiftable MW, cheap hours take at most the headroom; the day's MWh stays."""
    price = np.array([[90.0, 40.0], [30.0, 40.0], [50.0, 40.0], [20.0, 40.0]])  # bus 1: flat
    shiftable, headroom = np.array([10.0, 10.0]), np.array([3.0, 3.0])
    shift = grid_shift_mw(HOURS, price, shiftable, headroom)
    assert (HOURS @ shift) == pytest.approx(np.zeros(2), abs=1e-9)
    assert np.all(shift[:, 1] == 0.0)  # flat prices: nothing is dearer than the day
    assert shift[0, 0] < 0 and shift[2, 0] < 0  # the peak and shoulder give ...
    assert shift[3, 0] == pytest.approx(3.0) and shift[1, 0] == pytest.approx(3.0)  # ... cheap take
    assert np.all(shift >= -shiftable) and np.all(shift <= headroom)
    moved = -(HOURS * np.minimum(shift[:, 0], 0.0)).sum()
    assert moved == pytest.approx(3.0 * (6.0 + 7.2))  # the cheap hours' room binds
    assert shift[0, 0] == pytest.approx(-10.0)  # the dearest hour gives first, all it can


def test_no_shiftable_share_moves_nothing() -> None:
    """At share 0 the grid shift is zero and modular storage is the unshifted design."""
    price = np.array([[90.0], [30.0], [50.0], [20.0]])
    assert not grid_shift_mw(HOURS, price, np.zeros(1), np.ones(1)).any()
    cfg = _at(0.0)
    assert modular_storage_mwh_per_mw(cfg) == cfg.vendors.storage_mwh_per_mw
    assert modular_shifted_mwh_per_mw_day(cfg) == 0.0


def test_modular_shift_is_capped_by_the_sun_hours_headroom() -> None:
    """Storage per MW falls with the share until the headroom in the sun hours is full."""
    sun = sun_hours_per_day(BASE)
    lf = BASE.demand.load_factor
    cap = (1 - lf) * sun / (lf * (HOURS_PER_DAY - sun))
    assert 0 < cap < 1
    low, high = _at(cap / 2), _at(min(1.0, cap * 3))
    assert modular_moved_share(low) == pytest.approx(cap / 2)
    assert modular_moved_share(high) == pytest.approx(cap)
    assert modular_storage_mwh_per_mw(high) < modular_storage_mwh_per_mw(low)
    assert modular_storage_mwh_per_mw(low) < BASE.vendors.storage_mwh_per_mw
    # a site at full load (load factor 1) has no headroom: nothing moves
    assert modular_moved_share(_at(0.3, **{"demand.load_factor": 1.0})) == 0.0


@pytest.mark.parametrize("seed", [1, 2])
def test_shifting_lowers_modular_storage_per_mw_and_moves_grid_load(seed: int) -> None:
    """Paired seeds, 42 months: a share above zero builds modular sites with less storage per MW.

    Measured from the storage the vendors' energised sites were built with; the power market
    moves grid load out of its dear hours, and so out of the peak hour.
    """
    kpis = {}
    for share in (0.0, 0.3):
        cfg = _at(share, **{"run.seed": seed, "run.months": 42})  # modular sites energised by then
        model, table = simulate(cfg)
        kpis[share] = model.recorder.kpis()["shiftable_compute"]
        assert (table["shifted_grid_mwh"] > 0).any() == (share > 0)
        assert (table["shifted_peak_cut_mw"] > 0).any() == (share > 0)
    base, shifted = kpis[0.0], kpis[0.3]
    assert base["modular_storage_mwh_per_mw"] == pytest.approx(BASE.vendors.storage_mwh_per_mw)
    assert shifted["modular_storage_mwh_per_mw"] < base["modular_storage_mwh_per_mw"]
    assert shifted["modular_storage_saved_gwh"] > 0
    assert shifted["shifted_gwh"]["modular"] > 0
    assert shifted["grid_peak_cut_mw_max"] > base["grid_peak_cut_mw_max"] == 0.0


def _kpis(seed: int, months: int, **over: object) -> dict:
    model, _ = simulate(_at(0.1, **{"run.seed": seed, "run.months": months, **over}))
    return model.recorder.kpis()["shiftable_compute"]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_dear_shift_and_a_short_delay_shift_less_and_spatial_shifting_moves_mwh(
    seed: int,
) -> None:
    """Paired seeds, 42 months: a $100/MWh cost shifts less grid MWh than none, and no modular
    load (it costs more than the storage it saves); a 1-hour max
    delay shifts less than 12 hours (on the grid and at modular sites, which then keep more
    storage per MW); with the shift in time blocked, owners still move MWh between their sites."""
    free = _kpis(seed, 42, **{"demand.shift_cost_usd_per_mwh": 0.0})
    dear = _kpis(seed, 42, **{"demand.shift_cost_usd_per_mwh": 100.0})
    assert dear["shifted_gwh"]["grid"] < free["shifted_gwh"]["grid"]
    assert free["shift_cost_musd"]["grid"] == 0.0 <= dear["shift_cost_musd"]["grid"]
    # at $100 a moved MWh costs more than the storage it saves: modular sites keep their design
    assert dear["modular_storage_mwh_per_mw"] > free["modular_storage_mwh_per_mw"]
    short = _kpis(seed, 42, **{"demand.shift_max_delay_hours": 1.0})
    day = _kpis(seed, 42, **{"demand.shift_max_delay_hours": 12.0})
    assert short["shifted_gwh"]["grid"] < day["shifted_gwh"]["grid"]
    assert day["shift_cost_musd"]["grid"] > 0  # the default $8/MWh is paid on what moves
    assert short["shifted_gwh"]["modular"] < day["shifted_gwh"]["modular"]
    assert short["modular_storage_mwh_per_mw"] > day["modular_storage_mwh_per_mw"]
    assert short["spatial_shifted_gwh"] > 0 and short["spread_captured_musd"]["spatial"] > 0
