"""Utility decisions: builds from an (inflated) forecast, grid storage bids, the tariff."""

from __future__ import annotations

import numpy as np
import pytest

from abm.agents import planning, rates
from abm.agents.build_choice import cheapest_option
from abm.agents.utility import Utility
from abm.batteries import FADE_PARAMS_BY_CHEMISTRY, Duty, FadeParams, quality_adjusted_wtp_for
from abm.catalogue import TECHNOLOGY_CATALOGUE


def build(model, cfg, clock, grid, packs, territory: int = 0) -> Utility:
    return Utility(model, territory, config=cfg, clock=clock, grid=grid, packs=packs)


def firm_gas_mw(firm_mw: float, territory_1_firm_mw: float = 0.0) -> np.ndarray:
    """Gas nameplate worth `firm_mw` at peak on bus 0 (territory 0) and the other on bus 2 (territory 1)."""
    credit = TECHNOLOGY_CATALOGUE["gas"].capacity_credit
    return np.array([[firm_mw / credit], [0.0], [territory_1_firm_mw / credit]])


def forecast_by_hand(cfg, grid, territory: int = 0) -> float:
    """Grown base load, DC load, signed load and a share of the queue of one territory (0: buses 0-1, 1: bus 2)."""
    buses = slice(0, 2) if territory == 0 else slice(2, 3)
    years = cfg.planning.horizon_months / 12.0
    base = grid.base_load_mw[buses].sum() * (1 + cfg.grid.load_growth_per_year) ** years
    return (
        base
        + grid.dc_grid_load_mw[buses].sum()
        + grid.signed_load_mw_by_territory[territory]
        + cfg.utilities.forecast_inclusion * grid.queue_load_mw_by_territory[territory]
    )


def need_by_hand(cfg, grid, territory: int = 0) -> float:
    """The capacity a territory needs: its forecast plus the reserve margin."""
    return forecast_by_hand(cfg, grid, territory) * (1 + cfg.utilities.reserve_margin)


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


def test_a_territory_short_on_its_own_but_not_as_a_system_files_nothing(
    model, config, clock, packs, make_grid
):
    """No firm capacity at home, but the neighbour's spare capacity covers the need: it imports."""
    cfg = config()
    grid = make_grid()
    spare = need_by_hand(cfg, grid, 0) + need_by_hand(cfg, grid, 1) + 10.0
    grid.gen_cap_mw = firm_gas_mw(0.0, territory_1_firm_mw=spare)
    u = build(model, cfg, clock, grid, packs)
    u.plan_generation()
    assert grid.filings == []
    assert grid.cancelled == []


def test_a_system_shortfall_is_shared_among_the_territories_short_on_their_own(
    model, config, clock, packs, make_grid
):
    cfg = config()
    grid = make_grid(gen_cap_mw=firm_gas_mw(200.0), pending_utility_build_mw=np.array([50.0, 0.0]))
    own = [need_by_hand(cfg, grid, 0) - 250.0, need_by_hand(cfg, grid, 1)]  # both short alone
    system = sum(own)
    for territory in (0, 1):
        build(model, cfg, clock, grid, packs, territory).plan_generation()
    option = cheapest_option(cfg)
    largest_load_bus = {0: 0, 1: 2}
    assert grid.filings == [
        (largest_load_bus[t], option.kind, pytest.approx(own[t] / option.capacity_credit))
        for t in (0, 1)
    ]
    assert sum(b.firm_mw for b in grid.builds) == pytest.approx(system)


def test_a_long_territory_leaves_the_system_shortfall_to_the_short_one(
    model, config, clock, packs, make_grid
):
    """Territory 1 has 100 MW to spare: territory 0 builds its own shortfall less those imports."""
    cfg = config()
    grid = make_grid()
    grid.gen_cap_mw = firm_gas_mw(0.0, territory_1_firm_mw=need_by_hand(cfg, grid, 1) + 100.0)
    long_one = build(model, cfg, clock, grid, packs, territory=1)
    long_one.plan_generation()
    assert grid.filings == []
    build(model, cfg, clock, grid, packs, territory=0).plan_generation()
    assert sum(b.firm_mw for b in grid.builds) == pytest.approx(need_by_hand(cfg, grid) - 100.0)


def test_queued_load_inflates_the_forecast_into_a_build(model, config, clock, packs, make_grid):
    cfg = config()
    grid = make_grid()
    # territory 0 has 10 MW to spare with an empty queue, territory 1 exactly its need
    grid.gen_cap_mw = firm_gas_mw(need_by_hand(cfg, grid) + 10.0, need_by_hand(cfg, grid, 1))
    u = build(model, cfg, clock, grid, packs)
    u.plan_generation()
    assert grid.filings == []
    # queued requests the utility half-believes push the forecast past its firm capacity
    grid.queue_load_mw_by_territory = np.array([100.0, 0.0])
    clock.month = 1
    u.plan_generation()
    reserve = 1 + cfg.utilities.reserve_margin
    shortfall = cfg.utilities.forecast_inclusion * 100.0 * reserve - 10.0
    assert sum(b.firm_mw for b in grid.builds) == pytest.approx(shortfall)


def surplus_grid(cfg, make_grid, surplus_mw: float, pending_mw=(550.0, 0.0)):
    """The system `surplus_mw` above its cancel threshold (all of it in territory 0), builds pending."""
    grid = make_grid(pending_utility_build_mw=np.array(pending_mw))
    margin = cfg.utilities.build_cancel_surplus_share
    ceiling = [need_by_hand(cfg, grid, t) * (1 + margin) for t in (0, 1)]
    firm = [ceiling[0] + surplus_mw - pending_mw[0], ceiling[1] - pending_mw[1]]
    grid.gen_cap_mw = firm_gas_mw(firm[0], territory_1_firm_mw=firm[1])
    grid.unsigned[0] = [(10, 30.0, 0), (11, 20.0, 2), (12, 500.0, 1)]  # (id, MW, month filed)
    grid.unsigned[1] = [(20, 15.0, 0), (21, 45.0, 3)]
    return grid


def test_a_surplus_beyond_the_margin_cancels_the_latest_builds_that_fit(
    model, config, clock, packs, make_grid
):
    cfg = config()
    grid = surplus_grid(cfg, make_grid, surplus_mw=60.0)
    build(model, cfg, clock, grid, packs).plan_generation()
    # latest first: 11 (20 MW) fits, 12 (500 MW) would cut below the threshold, 10 (30 MW) fits
    assert grid.cancelled == [(0, 11), (0, 10)]
    assert grid.filings == []


def test_the_surplus_is_shared_by_pending_builds(model, config, clock, packs, make_grid):
    """Pending 400 and 200 MW: territory 0 gives back 40 of a 60 MW surplus, territory 1 the other 20."""
    cfg = config()
    grid = surplus_grid(cfg, make_grid, surplus_mw=60.0, pending_mw=(400.0, 200.0))
    for territory in (0, 1):
        build(model, cfg, clock, grid, packs, territory).plan_generation()
    assert grid.cancelled == [(0, 11), (1, 20)]  # 20 + 30 > 40; 45 > 20, 15 fits


def test_a_surplus_within_the_margin_keeps_every_build(model, config, clock, packs, make_grid):
    cfg = config()
    grid = surplus_grid(cfg, make_grid, surplus_mw=-1.0)
    build(model, cfg, clock, grid, packs).plan_generation()
    assert grid.cancelled == []
    assert grid.filings == []


def test_a_wider_cancel_margin_keeps_the_builds(model, config, clock, packs, make_grid):
    """The same capacity that cancels under the default margin is kept under a wider one."""
    cfg = config()
    grid = surplus_grid(cfg, make_grid, surplus_mw=60.0)
    wider = config(utilities={"build_cancel_surplus_share": 0.3})
    build(model, wider, clock, grid, packs).plan_generation()
    assert grid.cancelled == []


def test_storage_bids_only_when_storage_is_needed(model, config, clock, packs, make_grid):
    u = build(model, config(), clock, make_grid(), packs)
    assert u.storage_bids() == []
    u.storage_need_kwh = 5000.0
    discount = u.config.utilities.second_life_bankability_discount
    assert u.storage_bids() == [
        (0, 5000.0, packs.storage_wtp_usd_per_kwh(0) * (1 - discount)),  # grade-A, bankable
        (3, 5000.0, packs.storage_wtp_usd_per_kwh(3)),  # new
    ]


def test_grid_storage_values_second_life_under_its_own_duty(model, config, clock, packs, make_grid):
    """A utility asks what a pack is worth cycled as grid storage, not at a modular site's duty."""
    cfg = config(utilities={"storage_hours": 2.0, "storage_efc_per_month": 10.0})
    u = build(model, cfg, clock, make_grid(), packs)
    u.storage_need_kwh = 5000.0
    u.storage_bids()
    duty = Duty(c_rate=0.5, efc_per_month=10.0, ai_duty_fade_multiplier=1.0)
    assert packs.wtp_duties == [(0, duty), (3, duty)]


def test_a_lighter_duty_makes_a_second_life_pack_worth_more() -> None:
    """Fewer cycles leave a grade-A pack more of new storage's life, so a grid buyer pays more for it."""
    heavy, light = Duty(0.19, 30.0), Duty(0.25, 20.0)  # modular site vs grid storage defaults
    nmc = FADE_PARAMS_BY_CHEMISTRY["nmc"]  # an EV chemistry (LFP packs outlive new storage)
    worth = {
        d: quality_adjusted_wtp_for(150.0, 0.85, 0.5, nmc, d, 0.08, new_params=FadeParams())
        for d in (heavy, light)
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


@pytest.mark.parametrize("seed", range(5))
def test_shares_of_a_system_gap_add_up_to_it_and_never_exceed_a_territory_own(seed: int) -> None:
    rng = np.random.default_rng(seed)
    need, firm = rng.uniform(0, 100, 6), rng.uniform(0, 100, 6)
    shares = np.array([planning.shortfall_share_mw(need, firm, t) for t in range(6)])
    assert shares.sum() == pytest.approx(max(0.0, need.sum() - firm.sum()))
    assert (shares <= np.maximum(need - firm, 0.0) + 1e-9).all()


def test_a_build_is_the_least_cost_option_sized_by_its_capacity_credit(
    model, config, clock, packs, make_grid
):
    """Under a high carbon price the utility files a clean option: nameplate = firm MW / credit."""
    cfg = config(policy={"carbon_price_usd_per_t": 300.0})
    grid = make_grid()
    build(model, cfg, clock, grid, packs).plan_generation()
    option = cheapest_option(cfg)
    (spec,) = grid.builds
    assert spec.option == option.name and option.co2_t_per_mwh == 0.0
    ((_, kind, nameplate),) = grid.filings
    assert kind == option.kind
    assert nameplate == pytest.approx(spec.firm_mw / option.capacity_credit)


def test_announced_retirements_make_a_long_system_short(model, config, clock, packs, make_grid):
    """Firm capacity exactly at need builds nothing until part of it is scheduled to retire."""
    cfg = config()
    grid = make_grid()
    grid.gen_cap_mw = firm_gas_mw(need_by_hand(cfg, grid), need_by_hand(cfg, grid, 1))
    build(model, cfg, clock, grid, packs).plan_generation()
    assert grid.filings == []
    grid.retire_mw_per_month = np.array([[1.0], [0.0], [0.0]])  # 1 MW a month on bus 0
    build(model, cfg, clock, grid, packs).plan_generation()
    retiring = cfg.planning.horizon_months * TECHNOLOGY_CATALOGUE["gas"].capacity_credit
    assert sum(b.firm_mw for b in grid.builds) == pytest.approx(retiring)


def test_the_tariff_recovers_builds_and_others_pay_their_energy_share(
    model, config, clock, packs, make_grid
):
    cfg = config()
    grid = make_grid(dc_grid_load_mw=np.array([100.0, 0.0, 0.0]))
    grid.in_service[0] = {"gas_ct": 500.0}
    u = build(model, cfg, clock, grid, packs)
    energy_mwh = 400_000.0
    u.set_tariff(40.0, energy_mwh)
    cost = rates.builds_usd_per_month({"gas_ct": 500.0}, cfg)
    assert u.tariff.capacity_usd_per_mwh == pytest.approx(cost / energy_mwh)
    assert u.grid_charges_usd_per_mwh == pytest.approx(
        cost / energy_mwh + cfg.market.tariff_adder_usd_per_mwh
    )
    dc_share = 100.0 * cfg.demand.load_factor * 730.0 / energy_mwh
    assert u.new_cost_paid_by_others_usd_cum == pytest.approx(cost * (1 - dc_share))
