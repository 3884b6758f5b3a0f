"""Tests of the network-constrained power market (DC-OPF with HiGHS) in abm/markets/power.py."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abm.errors import InputError
from abm.markets.power import DispatchResult, NetworkArrays, PowerMarket
from tests.grid_helpers import triangle_arrays

BALANCE_TOL_MW = 1e-6
LIMIT_TOL_MW = 1e-5


def three_bus(rating_02_mw: float = 150.0) -> NetworkArrays:
    """Triangle of equal reactances; line 2 (bus 0 to bus 2) is the one that congests."""
    return triangle_arrays((np.inf, np.inf, rating_02_mw))


def clear_three_bus(market: PowerMarket, **kwargs: Any) -> DispatchResult:
    """Cheap unit at bus 0 ($10), dear unit at bus 1 ($30), 300 MW load at bus 2."""
    args: dict[str, Any] = {
        "load_mw": np.array([0.0, 0.0, 300.0]),
        "gen_bus": np.array([0, 1]),
        "gen_pmax_mw": np.array([1000.0, 1000.0]),
        "gen_cost_usd_per_mwh": np.array([10.0, 30.0]),
        "gen_co2_t_per_mwh": np.array([0.4, 0.9]),
    }
    args.update(kwargs)
    return market.clear(**args)


def assert_physical(
    result: DispatchResult, net: NetworkArrays, load: np.ndarray, flex: np.ndarray
) -> None:
    """Balance, line limits and variable bounds of a dispatch."""
    assert result.status == "optimal"
    served = load.sum() + flex.sum() - result.shed_mw.sum() - result.flex_curtailed_mw.sum()
    assert abs(result.gen_mw.sum() - served) <= BALANCE_TOL_MW * max(1.0, served)
    assert np.all(np.abs(result.line_flow_mw) <= net.rating_mw + LIMIT_TOL_MW)
    assert np.all(result.shed_mw >= -1e-9) and np.all(result.shed_mw <= load + 1e-9)
    assert np.all(result.flex_curtailed_mw >= -1e-9)
    assert np.all(result.flex_curtailed_mw <= flex + 1e-9)


def test_three_bus_congestion_gives_hand_computed_lmps() -> None:
    """Line 0-2 at 150 MW: each unit gives 150 MW; LMPs 10, 30 and 2*30 - 10 = 50 $/MWh."""
    net = three_bus()
    result = clear_three_bus(PowerMarket(net))
    assert_physical(result, net, np.array([0.0, 0.0, 300.0]), np.zeros(3))
    np.testing.assert_allclose(result.gen_mw, [150.0, 150.0], atol=1e-6)
    np.testing.assert_allclose(result.lmp_usd_per_mwh, [10.0, 30.0, 50.0], atol=1e-6)
    np.testing.assert_allclose(result.line_flow_mw, [0.0, 150.0, 150.0], atol=1e-6)
    assert result.binding_lines.tolist() == [2]
    assert result.cost_usd_per_h == pytest.approx(150 * 10 + 150 * 30)
    assert result.co2_t_per_h == pytest.approx(150 * 0.4 + 150 * 0.9)


def test_lmp_is_marginal_cost_of_load_at_the_bus() -> None:
    """Sign convention: +1 MW at bus b raises the cost by LMP_b (checked by finite difference)."""
    market = PowerMarket(three_bus())
    base = clear_three_bus(market)
    for bus in range(3):
        load = np.array([0.0, 0.0, 300.0])
        load[bus] += 1.0
        bumped = clear_three_bus(market, load_mw=load)
        delta = bumped.cost_usd_per_h - base.cost_usd_per_h
        assert delta == pytest.approx(base.lmp_usd_per_mwh[bus], abs=1e-6)


def test_uncongested_network_has_one_price() -> None:
    """Without binding lines every bus pays the marginal unit's cost."""
    net = three_bus(rating_02_mw=1000.0)
    result = clear_three_bus(PowerMarket(net))
    assert result.binding_lines.size == 0
    np.testing.assert_allclose(result.lmp_usd_per_mwh, 10.0, atol=1e-9)
    np.testing.assert_allclose(result.line_flow_mw, [100.0, 100.0, 200.0], atol=1e-6)


def test_shedding_only_when_capacity_is_short_and_priced_at_voll() -> None:
    """Enough capacity: nothing shed; 50 MW short: 50 MW shed and the price is VOLL."""
    net = three_bus(rating_02_mw=1000.0)
    market = PowerMarket(net, voll_usd_per_mwh=9_000.0)
    ample = clear_three_bus(market)
    assert ample.shed_mw.sum() == pytest.approx(0.0, abs=1e-9)
    short = clear_three_bus(market, gen_pmax_mw=np.array([150.0, 100.0]))
    assert_physical(short, net, np.array([0.0, 0.0, 300.0]), np.zeros(3))
    np.testing.assert_allclose(short.shed_mw, [0.0, 0.0, 50.0], atol=1e-6)
    np.testing.assert_allclose(short.lmp_usd_per_mwh, 9_000.0, atol=1e-6)
    assert short.cost_usd_per_h == pytest.approx(150 * 10 + 100 * 30 + 50 * 9_000)


def test_flexible_load_is_curtailed_before_firm_load_is_shed() -> None:
    """Short by 50 MW with 80 MW of flexible load: curtail 50 MW, shed none, price = curtail cost."""
    net = three_bus(rating_02_mw=1000.0)
    flex = np.array([0.0, 80.0, 0.0])
    result = clear_three_bus(
        PowerMarket(net),
        gen_pmax_mw=np.array([200.0, 130.0]),
        flex_load_mw=flex,
        flex_curtail_cost_usd_per_mwh=700.0,
    )
    assert_physical(result, net, np.array([0.0, 0.0, 300.0]), flex)
    assert result.shed_mw.sum() == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(result.flex_curtailed_mw, [0.0, 50.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(result.lmp_usd_per_mwh, 700.0, atol=1e-6)


def test_flexible_load_served_when_supply_is_ample() -> None:
    """Flexible load is extra demand: served in full when generation is cheaper than curtailing."""
    flex = np.array([0.0, 0.0, 40.0])
    result = clear_three_bus(PowerMarket(three_bus(1000.0)), flex_load_mw=flex)
    assert result.flex_curtailed_mw.sum() == pytest.approx(0.0, abs=1e-9)
    assert result.gen_mw.sum() == pytest.approx(340.0)


def test_copper_plate_ignores_lines_and_prices_uniformly() -> None:
    """Copper plate: merit order only, one price, implied flows reported, no binding lines."""
    result = clear_three_bus(PowerMarket(three_bus(), copper_plate=True))
    np.testing.assert_allclose(result.gen_mw, [300.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(result.lmp_usd_per_mwh, 10.0, atol=1e-9)
    np.testing.assert_allclose(result.line_flow_mw, [100.0, 100.0, 200.0], atol=1e-6)
    assert result.binding_lines.size == 0


def test_islands_balance_and_price_separately() -> None:
    """Two islands, each with its own unit: separate balances and prices."""
    net = NetworkArrays(
        n_bus=4,
        slack=0,
        base_mva=100.0,
        line_from=np.array([0, 2]),
        line_to=np.array([1, 3]),
        x_pu=np.array([0.1, 0.2]),
        rating_mw=np.array([100.0, 100.0]),
    )
    load = np.array([0.0, 80.0, 0.0, 60.0])
    result = PowerMarket(net).clear(
        load, np.array([0, 2]), np.array([500.0, 500.0]), np.array([12.0, 25.0]), np.zeros(2)
    )
    assert_physical(result, net, load, np.zeros(4))
    np.testing.assert_allclose(result.gen_mw, [80.0, 60.0], atol=1e-6)
    np.testing.assert_allclose(result.lmp_usd_per_mwh, [12.0, 12.0, 25.0, 25.0], atol=1e-6)


def test_generator_set_changes_between_calls() -> None:
    """New plants appended, then plants removed: each answer equals a fresh market's."""
    net = three_bus()
    load = np.array([0.0, 0.0, 300.0])
    market = PowerMarket(net)
    clear_three_bus(market)
    grown = {
        "gen_bus": np.array([0, 1, 2]),
        "gen_pmax_mw": np.array([1000.0, 1000.0, 120.0]),
        "gen_cost_usd_per_mwh": np.array([10.0, 30.0, 5.0]),
        "gen_co2_t_per_mwh": np.array([0.4, 0.9, 0.0]),
    }
    shrunk = {key: value[[1, 2]] for key, value in grown.items()}
    for gens in (grown, shrunk, grown):
        warm = clear_three_bus(market, **gens)
        fresh = clear_three_bus(PowerMarket(net), **gens)
        assert_physical(warm, net, load, np.zeros(3))
        assert warm.cost_usd_per_h == pytest.approx(fresh.cost_usd_per_h, rel=1e-9)
        np.testing.assert_allclose(warm.lmp_usd_per_mwh, fresh.lmp_usd_per_mwh, atol=1e-6)
    assert warm.gen_mw[2] == pytest.approx(120.0)


def test_no_generators_sheds_everything() -> None:
    """An empty generator set is valid: all load is shed at VOLL."""
    load = np.array([10.0, 0.0, 5.0])
    empty = np.zeros(0)
    result = PowerMarket(three_bus()).clear(load, empty.astype(int), empty, empty, empty)
    np.testing.assert_allclose(result.shed_mw, load, atol=1e-9)
    assert result.cost_usd_per_h == pytest.approx(15 * 10_000.0)


def test_bad_input_is_rejected() -> None:
    """Wrong shapes, negative load and a curtailment cost above VOLL raise InputError."""
    market = PowerMarket(three_bus())
    with pytest.raises(InputError):
        clear_three_bus(market, load_mw=np.array([0.0, -1.0, 300.0]))
    with pytest.raises(InputError):
        clear_three_bus(market, gen_bus=np.array([0, 5]))
    with pytest.raises(InputError):
        clear_three_bus(market, flex_curtail_cost_usd_per_mwh=20_000.0)
    with pytest.raises(InputError):
        NetworkArrays(2, 0, 100.0, np.array([0]), np.array([1]), np.array([0.0]), np.array([1.0]))


def meshed_case(n_bus: int = 40, seed: int = 7) -> tuple[NetworkArrays, dict[str, np.ndarray]]:
    """A connected random mesh with tight ratings, and a base hour of loads and units."""
    rng = np.random.default_rng(seed)
    line_from = list(range(1, n_bus)) + list(rng.integers(0, n_bus, n_bus // 2))
    line_to = [int(rng.integers(0, k)) for k in range(1, n_bus)]
    line_to += [(int(a) + int(rng.integers(1, n_bus))) % n_bus for a in line_from[n_bus - 1 :]]
    net = NetworkArrays(
        n_bus=n_bus,
        slack=0,
        base_mva=100.0,
        line_from=np.array(line_from),
        line_to=np.array(line_to),
        x_pu=rng.uniform(0.02, 0.2, len(line_from)),
        rating_mw=rng.uniform(30.0, 90.0, len(line_from)),
    )
    n_gen = n_bus // 2
    base = {
        "load_mw": rng.uniform(0.0, 40.0, n_bus),
        "gen_bus": rng.integers(0, n_bus, n_gen),
        "gen_pmax_mw": rng.uniform(20.0, 200.0, n_gen),
        "gen_cost_usd_per_mwh": rng.choice([0.0, 20.0, 40.0, 60.0], n_gen),
        "gen_co2_t_per_mwh": rng.uniform(0.0, 1.0, n_gen),
        "flex_load_mw": rng.uniform(0.0, 10.0, n_bus) * (rng.random(n_bus) < 0.3),
    }
    return net, base


def representative_hours(base: dict[str, np.ndarray], months: int) -> list[dict[str, np.ndarray]]:
    """Four kinds of hour per month (load levels, a solar hour), drifting slowly month to month."""
    solar = np.arange(len(base["gen_bus"])) % 3 == 0
    hours = []
    for month in range(months):
        growth = 1.0 + 0.01 * month
        for load_factor, solar_factor in ((1.0, 0.2), (0.85, 1.0), (0.75, 0.1), (0.6, 0.0)):
            pmax = base["gen_pmax_mw"].copy()
            pmax[solar] *= solar_factor
            hours.append(
                {**base, "load_mw": base["load_mw"] * load_factor * growth, "gen_pmax_mw": pmax}
            )
    return hours


def test_each_kind_of_hour_keeps_its_own_warm_copy() -> None:
    """Four kinds of hour get four copies of the LP; answers match one copy and a cold solve."""
    net, base = meshed_case()
    hours = representative_hours(base, months=5)
    pooled, single = PowerMarket(net), PowerMarket(net, warm_models=1)
    for hour in hours:
        a, b = pooled.clear(**hour), single.clear(**hour)
        cold = PowerMarket(net).clear(**hour)
        assert_physical(a, net, hour["load_mw"], hour["flex_load_mw"])
        for result in (a, b):
            assert result.cost_usd_per_h == pytest.approx(cold.cost_usd_per_h, rel=1e-9)
    assert len(pooled._copies) == 4 and len(single._copies) == 1
    assert len(a.line_rows) > 0  # the lazy rows found by any copy are in all of them
    shapes = {(c.highs.getNumRow(), c.highs.getNumCol()) for c in pooled._copies}
    assert shapes == {(pooled.current_lp().num_row_, pooled.current_lp().num_col_)}


def test_new_plants_and_line_rows_reach_every_copy() -> None:
    """Plants appended mid-run become columns of every copy; results equal a fresh market's."""
    net, base = meshed_case(seed=11)
    market = PowerMarket(net)
    extra = {
        "gen_bus": np.array([3, 17]),
        "gen_pmax_mw": np.array([80.0, 60.0]),
        "gen_cost_usd_per_mwh": np.array([5.0, 15.0]),
        "gen_co2_t_per_mwh": np.array([0.0, 0.2]),
    }
    for i, hour in enumerate(representative_hours(base, months=4)):
        if i >= 6:  # two plants connect in the second month
            hour = {**hour, **{k: np.r_[hour[k], v] for k, v in extra.items()}}
        result = market.clear(**hour)
        fresh = PowerMarket(net).clear(**hour)
        assert result.cost_usd_per_h == pytest.approx(fresh.cost_usd_per_h, rel=1e-9)
        assert_physical(result, net, hour["load_mw"], hour["flex_load_mw"])
    n_cols = {c.highs.getNumCol() for c in market._copies}
    assert n_cols == {3 * net.n_bus + len(base["gen_bus"]) + 2}
    with pytest.raises(InputError, match="warm_models"):
        PowerMarket(net, warm_models=0)


# ---- property test on random small networks -------------------------------------------------


@st.composite
def random_case(draw: st.DrawFn) -> tuple[NetworkArrays, list[dict[str, np.ndarray]]]:
    """A random connected network with random units and a few hours of random loads."""
    n_bus = draw(st.integers(2, 8))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    parents = [int(rng.integers(0, k)) for k in range(1, n_bus)]
    line_from = list(range(1, n_bus))
    line_to = parents
    for _ in range(draw(st.integers(0, n_bus))):
        a, b = rng.choice(n_bus, size=2, replace=False)
        line_from.append(int(a))
        line_to.append(int(b))
    n_line = len(line_from)
    rating = rng.uniform(5.0, 80.0, n_line)
    rating[rng.random(n_line) < 0.2] = np.inf
    net = NetworkArrays(
        n_bus=n_bus,
        slack=int(rng.integers(0, n_bus)),
        base_mva=100.0,
        line_from=np.array(line_from),
        line_to=np.array(line_to),
        x_pu=rng.uniform(0.01, 0.3, n_line),
        rating_mw=rating,
    )
    n_gen = int(rng.integers(1, 6))
    gen_bus = rng.integers(0, n_bus, n_gen)
    hours = []
    for _ in range(3):
        hours.append(
            {
                "load_mw": rng.uniform(0.0, 60.0, n_bus) * (rng.random(n_bus) < 0.7),
                "gen_bus": gen_bus,
                "gen_pmax_mw": rng.uniform(0.0, 120.0, n_gen),
                "gen_cost_usd_per_mwh": rng.uniform(-5.0, 200.0, n_gen),
                "gen_co2_t_per_mwh": rng.uniform(0.0, 1.0, n_gen),
                "flex_load_mw": rng.uniform(0.0, 20.0, n_bus) * (rng.random(n_bus) < 0.3),
            }
        )
    return net, hours


@settings(max_examples=60, deadline=None)
@given(random_case(), st.booleans())
def test_random_networks_balance_and_respect_limits(
    case: tuple[NetworkArrays, list[dict[str, np.ndarray]]], copper_plate: bool
) -> None:
    """Any network, any loads: optimal, balanced, within limits, same answer warm or cold."""
    net, hours = case
    market = PowerMarket(net, copper_plate=copper_plate)
    for hour in hours:
        result = market.clear(**hour)
        if copper_plate:
            unlimited = NetworkArrays(
                net.n_bus,
                net.slack,
                net.base_mva,
                net.line_from,
                net.line_to,
                net.x_pu,
                np.full(len(net.rating_mw), np.inf),
            )
            assert_physical(result, unlimited, hour["load_mw"], hour["flex_load_mw"])
        else:
            assert_physical(result, net, hour["load_mw"], hour["flex_load_mw"])
        fresh = PowerMarket(net, copper_plate=copper_plate).clear(**hour)
        assert result.cost_usd_per_h == pytest.approx(fresh.cost_usd_per_h, rel=1e-7, abs=1e-6)


# ---- agreement with pandapower's DC OPF -----------------------------------------------------


@dataclass
class PandapowerCase:
    """A pandapower case as market inputs, plus pandapower's own DC-OPF answer on it."""

    net: NetworkArrays
    load_mw: np.ndarray
    gen_bus: np.ndarray
    gen_pmax_mw: np.ndarray
    gen_cost_usd_per_mwh: np.ndarray
    pandapower_cost: float
    pandapower_binding: np.ndarray
    pandapower_net: Any


def _solved_linear_copy(name: str, max_loading_percent: float | None) -> Any:
    """A copy of pandapower case `name` made linear as `pandapower_case` says, after `rundcopp`."""
    import pandapower as pp
    import pandapower.networks as pn

    pp_net = copy.deepcopy(getattr(pn, name)())
    cost_columns = [
        "cp0_eur",
        "cp2_eur_per_mw2",
        "cq0_eur",
        "cq1_eur_per_mvar",
        "cq2_eur_per_mvar2",
    ]
    for column in cost_columns:
        pp_net.poly_cost[column] = 0.0
    for table in ("gen", "ext_grid", "sgen"):
        if len(pp_net[table]) and "min_p_mw" in pp_net[table]:
            pp_net[table]["min_p_mw"] = 0.0
    pp_net.trafo["shift_degree"] = 0.0
    if max_loading_percent is not None:
        pp_net.line["max_loading_percent"] = max_loading_percent
        pp_net.trafo["max_loading_percent"] = max_loading_percent
    pp.rundcopp(pp_net)
    return pp_net


def pandapower_case(name: str, max_loading_percent: float | None = None) -> PandapowerCase:
    """Load a pandapower case with linear costs and run its `rundcopp` for reference.

    On a copy: quadratic and constant cost terms are zeroed (costs made linear), minimum
    outputs set to 0 (our units have [0, pmax]), phase-shift angles set to 0 (our DC model
    has none; the shipped cases have none), and optionally a uniform `max_loading_percent`.
    Branch data are read from pandapower's internal MATPOWER-style case so that transformers
    (x times tap ratio), parallel circuits (merged by pandapower) and ratings (RATE_A,
    0 meaning unlimited) match its DC model exactly. Non-controllable static generators,
    which pandapower nets off the load, become zero-cost units of their output.
    """
    pp_net = _solved_linear_copy(name, max_loading_percent)
    ppc = pp_net._ppc
    bus, branch, gen, gencost = (ppc[key].real for key in ("bus", "branch", "gen", "gencost"))
    assert np.array_equal(bus[:, 0], np.arange(len(bus))), "expected consecutive ppc bus numbers"
    assert np.all(branch[:, 10] == 1) and np.all(gen[:, 7] == 1), "expected in-service elements"
    assert np.all(gencost[:, 0] == 2), "expected polynomial costs"
    tap = np.where(branch[:, 8] == 0, 1.0, branch[:, 8])
    rate_a = branch[:, 5]
    net = NetworkArrays(
        n_bus=len(bus),
        slack=int(np.flatnonzero(bus[:, 1] == 3)[0]),
        base_mva=float(ppc["baseMVA"]),
        line_from=branch[:, 0].astype(int),
        line_to=branch[:, 1].astype(int),
        x_pu=branch[:, 3] * tap,
        rating_mw=np.where(rate_a > 0, rate_a, np.inf),
    )
    n_cost = gencost[:, 3].astype(int)
    linear = gencost[np.arange(len(gencost)), 4 + n_cost - 2]
    demand = bus[:, 2]
    fixed_injection = np.flatnonzero(demand < 0)
    binding = np.flatnonzero((rate_a > 0) & (branch[:, 17] + branch[:, 18] > 1e-6))
    return PandapowerCase(
        net=net,
        load_mw=demand.clip(min=0.0),
        gen_bus=np.r_[gen[:, 0].astype(int), fixed_injection],
        gen_pmax_mw=np.r_[gen[:, 8], -demand[fixed_injection]],
        gen_cost_usd_per_mwh=np.r_[linear, np.zeros(len(fixed_injection))],
        pandapower_cost=float(pp_net.res_cost),
        pandapower_binding=binding,
        pandapower_net=pp_net,
    )


@pytest.mark.grids
@pytest.mark.parametrize(
    ("name", "max_loading_percent"),
    [("case118", None), ("case118", 2.0), ("case_illinois200", None)],
    ids=["case118", "case118-198MW-ratings", "case_illinois200"],
)
def test_agrees_with_pandapower_rundcopp(name: str, max_loading_percent: float | None) -> None:
    """Same objective within 1e-4 relative and the same binding lines as pandapower's DC OPF.

    case118 ships with 9,900 MW ratings (never binding); the 2 % variant (198 MW on every
    branch) makes five branches bind, so the binding-line comparison has teeth.
    """
    pytest.importorskip("pandapower")
    case = pandapower_case(name, max_loading_percent)
    result = PowerMarket(case.net).clear(
        case.load_mw,
        case.gen_bus,
        case.gen_pmax_mw,
        case.gen_cost_usd_per_mwh,
        np.zeros(len(case.gen_bus)),
    )
    assert_physical(result, case.net, case.load_mw, np.zeros(case.net.n_bus))
    assert result.shed_mw.sum() == pytest.approx(0.0, abs=1e-6)
    assert result.cost_usd_per_h == pytest.approx(case.pandapower_cost, rel=1e-4)
    assert result.binding_lines.tolist() == case.pandapower_binding.tolist()
    if max_loading_percent is not None:
        assert len(case.pandapower_binding) > 0


@pytest.mark.parametrize("copper_plate", [False, True])
def test_balance_block_arrays_match_scipy_hstack(copper_plate: bool) -> None:
    """The array-built balance block is `sp.hstack([I, I, -Bbus, G])` bit for bit (same LP)."""
    import scipy.sparse as sp

    from abm.markets.power_lp import balance_csc

    pytest.importorskip("pandapower")
    net = pandapower_case("case118").net
    market = PowerMarket(net, copper_plate=copper_plate)
    gen_bus = np.array([5, 0, 5, 117, 40], dtype=np.int64)
    start, index, value = balance_csc(market._bbus, gen_bus, copper_plate)
    n, k = net.n_bus, len(gen_bus)
    if copper_plate:
        ref = sp.csc_matrix(np.ones((1, 2 * n + k)))
    else:
        eye = sp.identity(n, format="csc")
        gens = sp.csc_matrix((np.ones(k), (gen_bus, np.arange(k))), shape=(n, k))
        ref = sp.hstack([eye, eye, -market._bbus, gens], format="csc")
    assert start.tolist() == ref.indptr.tolist() and index.tolist() == ref.indices.tolist()
    assert value.tobytes() == ref.data.tobytes()
