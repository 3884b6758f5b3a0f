"""Shiftable compute's cost, max delay and spatial rules as pure functions: the clock, the pairs, the sites."""

from __future__ import annotations

import numpy as np
import pytest

from abm.markets.day_shift import DayShift
from abm.scenario import config_with, load_scenario
from abm.shift_clock import hour_distance_h, piece_centres, reachable
from abm.shift_spatial import spatial_shift_mw
from abm.shiftable import (
    grid_shift_mw,
    modular_moved_share,
    reachable_dark_share,
    storage_saved_usd_per_mwh_moved,
)

BASE = load_scenario("baseline")
NAMES = ["peak", "solar_midday", "shoulder", "off_peak"]
HOURS = np.array([2.4, 6.0, 8.4, 7.2])  # the baseline's representative day


def test_the_day_on_the_clock_puts_solar_midday_at_noon_and_the_peak_in_the_evening() -> None:
    """Solar midday is centred on noon, the shoulder flanks it, the peak follows, the night wraps midnight."""
    c = piece_centres(NAMES, HOURS)
    assert c["solar_midday"] == [pytest.approx(12.0)]
    assert c["shoulder"] == [pytest.approx(6.9), pytest.approx(17.1)]
    assert c["peak"] == [pytest.approx(20.4)] and c["off_peak"] == [pytest.approx(1.2)]
    d = hour_distance_h(NAMES, HOURS)
    assert np.allclose(d, d.T) and np.all(np.diag(d) == 0) and d.max() <= 12.0
    assert d[0, 3] == pytest.approx(4.8) and d[0, 1] == pytest.approx(8.4)  # peak to night, to noon
    assert reachable(NAMES, HOURS, 12.0).all()
    assert not reachable(NAMES, HOURS, 1.0)[~np.eye(4, dtype=bool)].any()


def test_a_spread_below_the_shift_cost_moves_nothing() -> None:
    """Peak at 90 and night at 20 move at a $50 cost; the shoulder (50) to solar (30) pair does not."""
    price = np.array([[90.0], [30.0], [50.0], [20.0]])
    free = grid_shift_mw(HOURS, price, np.array([10.0]), np.array([3.0]))
    dear = grid_shift_mw(HOURS, price, np.array([10.0]), np.array([3.0]), cost_usd_per_mwh=50.0)
    assert (HOURS @ dear) == pytest.approx(np.zeros(1), abs=1e-9)
    assert dear[2, 0] == 0.0  # the shoulder's spreads (30, 20) are below 50: its work stays
    assert dear[1, 0] * HOURS[1] == pytest.approx(2.4 * 10.0 - 3.0 * 7.2)  # noon: the peak's rest
    assert dear[0, 0] < 0 and dear[3, 0] > 0  # peak -> night (70 and 60 > 50)
    assert -(HOURS * np.minimum(dear[:, 0], 0)).sum() < -(HOURS * np.minimum(free[:, 0], 0)).sum()
    assert not grid_shift_mw(HOURS, price, np.array([10.0]), np.array([3.0]), 1000.0).any()


def test_the_max_delay_only_lets_work_move_between_hours_close_enough() -> None:
    """At 6 h the peak (20:24) reaches the night (01:12, 4.8 h) but not solar midday (8.4 h)."""
    price = np.array([[90.0], [30.0], [50.0], [20.0]])
    room = np.array([3.0])
    reach = reachable(NAMES, HOURS, 6.0)
    shift = grid_shift_mw(HOURS, price, np.array([10.0]), room, 0.0, reach)
    full = grid_shift_mw(HOURS, price, np.array([10.0]), room)
    assert full[0, 0] == pytest.approx(-10.0)  # the night takes 21.6 MWh, noon the peak's rest
    assert shift[0, 0] * HOURS[0] == pytest.approx(-3.0 * 7.2)  # only what the night takes
    assert shift[1, 0] * HOURS[1] == pytest.approx(3.0 * 6.0)  # noon takes from the shoulder
    assert (HOURS @ shift) == pytest.approx(np.zeros(1), abs=1e-9)
    none = grid_shift_mw(HOURS, price, np.array([10.0]), room, 0.0, np.eye(4) > 0)
    assert not none.any()


def test_modular_sites_move_only_dark_hours_within_the_max_delay_of_the_sun() -> None:
    """12 h reaches every dark hour; 6 h only the shoulder's (5.1 h from noon); 1 h none."""

    def at(h: float) -> object:
        return config_with(BASE, {"demand.shift_max_delay_hours": h})

    assert reachable_dark_share(at(12.0)) == 1.0
    assert reachable_dark_share(at(6.0)) == pytest.approx(8.4 * 0.9 / (24 - 7.44))
    assert reachable_dark_share(at(1.0)) == 0.0 == modular_moved_share(at(1.0))
    assert 0 < modular_moved_share(at(6.0)) < modular_moved_share(at(12.0))


def test_an_owner_moves_work_from_its_dearest_site_to_its_cheapest_within_its_room() -> None:
    """Owner 0 has sites at buses 0 and 2, owner 1 only at bus 1: only owner 0 moves, within bus 2's room."""
    price = np.array([[80.0, 90.0, 30.0], [40.0, 40.0, 40.0]])  # hour 1: one price everywhere
    shiftable = np.array([[10.0, 0.0, 2.0], [0.0, 10.0, 0.0]])
    headroom = np.array([[5.0, 0.0, 4.0], [0.0, 5.0, 0.0]])
    ones = np.ones((2, 3))
    out = spatial_shift_mw(price, shiftable, headroom, 8.0, ones, ones)
    assert out[0] == pytest.approx([-4.0, 0.0, 4.0]) and not out[1].any()
    half = spatial_shift_mw(price, shiftable, headroom, 8.0, ones, ones * 0.5)
    assert half[0] == pytest.approx([-2.0, 0.0, 2.0])  # the shift in time filled half the room
    assert not spatial_shift_mw(price, shiftable, headroom, 60.0, ones, ones).any()  # gap 50


def test_day_shift_totals_book_mwh_spread_and_cost() -> None:
    """MWh moved out of an hour, the spread it captured at the unshifted prices, cost x MWh."""
    price = np.array([[90.0, 90.0], [20.0, 30.0]])
    temporal = np.array([[-1.0, 0.0], [1.0, 0.0]])
    spatial = np.array([[0.0, 0.0], [2.0, -2.0]])
    tot = DayShift(temporal, spatial, price, 5.0).totals(np.array([10.0, 10.0]), peak_hour=0)
    assert tot["shifted_mwh"] == 10.0 and tot["spatial_shifted_mwh"] == 20.0
    assert tot["shifted_saving_usd"] == pytest.approx(700.0)
    assert tot["spatial_shifted_saving_usd"] == pytest.approx(200.0)
    assert tot["shift_cost_usd"] == pytest.approx(150.0) and tot["shifted_peak_cut_mw"] == 1.0


def test_a_modular_site_shifts_only_while_the_storage_saved_is_worth_the_shift_cost() -> None:
    """The storage a moved MWh saves (~$16/MWh in the baseline) against the cost: above it, nothing moves."""
    saved = storage_saved_usd_per_mwh_moved(BASE)
    assert 10.0 < saved < 25.0
    below = config_with(BASE, {"demand.shift_cost_usd_per_mwh": saved * 0.9})
    above = config_with(BASE, {"demand.shift_cost_usd_per_mwh": saved * 1.1})
    assert modular_moved_share(below) == modular_moved_share(BASE) > 0
    assert modular_moved_share(above) == 0.0
    dearer = config_with(BASE, {"oems.pack_price_usd_per_kwh": 700.0})  # dearer storage: worth more
    assert storage_saved_usd_per_mwh_moved(dearer) > saved
