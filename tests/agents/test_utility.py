"""Utility decisions: builds from an (inflated) forecast, grid storage bids, the tariff."""

from __future__ import annotations

import numpy as np
import pytest

from abm.agents.utility import Utility
from abm.batteries import Duty, FadeParams, quality_adjusted_wtp_for
from abm.catalogue import TECHNOLOGY_CATALOGUE
from abm.grid.queue import Kind


def build(model, cfg, clock, grid, packs, territory: int = 0) -> Utility:
    return Utility(model, territory, config=cfg, clock=clock, grid=grid, packs=packs)


def firm_gas_mw(firm_mw: float) -> np.ndarray:
    """Gas nameplate on bus 0 only (the one-tech fake grid) worth `firm_mw` at peak."""
    return np.array([[firm_mw / TECHNOLOGY_CATALOGUE["gas"].capacity_credit], [0.0], [0.0]])


def forecast_by_hand(cfg, grid) -> float:
    """Territory 0 (buses 0 and 1): grown base load, DC load, signed load, a share of the queue."""
    years = cfg.hyperscalers.lookahead_months / 12.0
    base = grid.base_load_mw[:2].sum() * (1 + cfg.grid.load_growth_per_year) ** years
    return (
        base
        + grid.dc_grid_load_mw[:2].sum()
        + grid.signed_load_mw_by_territory[0]
        + cfg.utilities.forecast_inclusion * grid.queue_load_mw_by_territory[0]
    )


def test_forecast_counts_signed_load_and_a_share_of_the_queue(
    model, config, clock, packs, make_grid
):
    cfg = config()
    grid = make_grid(
        dc_grid_load_mw=np.array([20.0, 0.0, 99.0]),  # bus 2 is another territory
        queue_load_mw_by_territory=np.array([400.0, 1000.0]),
        signed_load_mw_by_territory=np.array([50.0, 1000.0]),
    )
    u = build(model, cfg, clock, grid, packs)
    assert list(u.nodes) == [0, 1]
    assert u.forecast_mw() == pytest.approx(forecast_by_hand(cfg, grid))
    assert u.peak_load_mw() == pytest.approx(300.0 + 100.0 + 20.0)


def test_no_build_when_firm_capacity_is_ample(model, config, clock, packs, make_grid):
    cfg = config()
    grid = make_grid(gen_cap_mw=firm_gas_mw(10_000.0))
    u = build(model, cfg, clock, grid, packs)
    u.plan_generation()
    assert grid.filings == []
    assert u.forecast_mw_history == {0: pytest.approx(forecast_by_hand(cfg, grid))}


def test_files_gas_and_storage_for_the_shortfall(model, config, clock, packs, make_grid):
    cfg = config()
    grid = make_grid(gen_cap_mw=firm_gas_mw(200.0), pending_utility_build_mw=np.array([50.0, 0.0]))
    u = build(model, cfg, clock, grid, packs)
    u.plan_generation()
    u_cfg = cfg.utilities
    shortfall = forecast_by_hand(cfg, grid) * (1 + u_cfg.reserve_margin) - (200.0 + 50.0)
    storage = shortfall * u_cfg.storage_share_of_new_capacity
    largest_load_bus = 0
    assert grid.filings == [
        (largest_load_bus, Kind.GENERATION, pytest.approx(shortfall - storage)),
        (largest_load_bus, Kind.STORAGE, pytest.approx(storage)),
    ]


def test_queued_load_inflates_the_forecast_into_a_build(model, config, clock, packs, make_grid):
    cfg = config()
    grid = make_grid()
    reserve = 1 + cfg.utilities.reserve_margin
    firm = forecast_by_hand(cfg, grid) * reserve + 10.0  # 10 MW to spare with an empty queue
    grid.gen_cap_mw = firm_gas_mw(firm)
    u = build(model, cfg, clock, grid, packs)
    u.plan_generation()
    assert grid.filings == []
    # queued requests the utility half-believes push the forecast past its firm capacity
    grid.queue_load_mw_by_territory = np.array([100.0, 0.0])
    clock.month = 1
    u.plan_generation()
    shortfall = cfg.utilities.forecast_inclusion * 100.0 * reserve - 10.0
    assert sum(mw for _, _, mw in grid.filings) == pytest.approx(shortfall)


def test_storage_bids_only_when_storage_is_needed(model, config, clock, packs, make_grid):
    u = build(model, config(), clock, make_grid(), packs)
    assert u.storage_bids() == []
    u.storage_need_kwh = 5000.0
    assert u.storage_bids() == [
        (0, 5000.0, packs.storage_wtp_usd_per_kwh(0)),  # grade-A second life
        (3, 5000.0, packs.storage_wtp_usd_per_kwh(3)),  # new
    ]


def test_grid_storage_values_second_life_under_its_own_duty(model, config, clock, packs, make_grid):
    """A utility asks what a pack is worth cycled as grid storage, not at a modular site's duty."""
    cfg = config(utilities={"storage_c_rate": 0.5, "storage_efc_per_month": 10.0})
    u = build(model, cfg, clock, make_grid(), packs)
    u.storage_need_kwh = 5000.0
    u.storage_bids()
    duty = Duty(c_rate=0.5, efc_per_month=10.0, ai_duty_fade_multiplier=1.0)
    assert packs.wtp_duties == [(0, duty), (3, duty)]


def test_a_lighter_duty_makes_a_second_life_pack_worth_more() -> None:
    """Fewer cycles leave a grade-A pack more of new storage's life, so a grid buyer pays more for it."""
    heavy, light = Duty(0.19, 30.0), Duty(0.25, 20.0)  # modular site vs grid storage defaults
    worth = {
        d: quality_adjusted_wtp_for(150.0, 0.85, 0.5, FadeParams(), d, 0.08) for d in (heavy, light)
    }
    assert worth[light] > worth[heavy]


def test_receive_storage_installs_the_need_and_returns_the_rest(
    model, config, clock, packs, make_grid
):
    u = build(model, config(), clock, make_grid(), packs)
    u.storage_need_kwh = 5000.0
    u.receive_storage(0, 7000.0, 0.9)
    assert u.storage_need_kwh == 0.0
    assert packs.installed == [("storage", u.storage_owner, 0, 5000.0)]
    assert packs.returned == [(0, pytest.approx(2000.0), 0.9)]


def test_tariff_follows_the_lmp(model, config, clock, packs, make_grid):
    cfg = config()
    u = build(model, cfg, clock, make_grid(), packs)
    u.set_tariff(40.0)
    low = u.tariff_usd_per_mwh
    u.set_tariff(70.0)
    assert u.tariff_usd_per_mwh - low == pytest.approx(30.0)
    assert low == pytest.approx(40.0 + cfg.market.tariff_adder_usd_per_mwh)
