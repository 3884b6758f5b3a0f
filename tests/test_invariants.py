"""Conservation invariants on every built-in scenario, and proof that the checks can fail.

Every scenario in scenarios/*.toml runs with several seeds under `check=True`, which checks the
model's invariants every month (`MonthRecorder.check_invariants`: packs conserved, no negative
stocks, capacities or prices, state of health in [0, 1], every queue request in one state,
money conserved with flat clearing accounts). On top, every power-market clearing is checked
here for energy balance at every bus, shedding and curtailment within load, generation within
capacity and flows within line ratings. The fast tier runs a year on two seeds; the slow tier
the full horizon on three seeds, both scaled by POWERSTACK_SLOW_SCALE (at 0.25: 48 months on
seed 3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from abm.ledger import LedgerError
from abm.markets.power import DispatchResult, PowerMarket
from abm.metrics import InvariantError
from abm.model import PowerStackModel
from abm.runner import run_scenario
from abm.scenario import load_scenario, scenarios_dir
from abm.vocabulary import Status
from tests.conftest import slow_sample, slow_scale

SCENARIOS = sorted(p.stem for p in scenarios_dir().glob("*.toml"))
NEEDS_GRIDS = {"real_grid"}  # pandapower networks: the [grids] extra
FAST_SCENARIOS = [s for s in SCENARIOS if s not in NEEDS_GRIDS]
FAST_SEEDS = (1, 2)
FAST_MONTHS = 12
SLOW_SEEDS = tuple(slow_sample((3, 1, 2)))  # at 0.25 the one seed the fast tier does not run
FULL_MONTHS = 192
GRID_SEEDS = (1, 2)
GRID_MONTHS = 24
BALANCE_TOL_MW = 1e-4
REL_TOL = 1e-7


def incidence(market: PowerMarket) -> sp.csr_matrix:
    """Line-by-bus incidence (+1 at the from bus, -1 at the to bus) of the market's network."""
    net = market.net
    n_line = len(net.line_from)
    rows = np.r_[np.arange(n_line), np.arange(n_line)]
    cols = np.r_[np.asarray(net.line_from, dtype=np.int64), np.asarray(net.line_to, dtype=np.int64)]
    data = np.r_[np.ones(n_line), -np.ones(n_line)]
    return sp.csr_matrix((data, (rows, cols)), shape=(n_line, net.n_bus))


def check_dispatch(
    market: PowerMarket,
    result: DispatchResult,
    load: np.ndarray,
    gen_bus: np.ndarray,
    pmax: np.ndarray,
    flex: np.ndarray,
) -> None:
    """Energy balance at every bus (or of the system on a copper plate) and every bound of one clearing."""
    assert result.status == "optimal", result.status
    scale = max(1.0, float(load.sum() + flex.sum()))
    tol = BALANCE_TOL_MW + REL_TOL * scale
    generated = np.bincount(gen_bus, weights=result.gen_mw, minlength=market.net.n_bus)
    served = load + flex - result.shed_mw - result.flex_curtailed_mw
    if market.copper_plate:
        assert abs(generated.sum() - served.sum()) <= tol
    else:
        outflow = incidence(market).T @ result.line_flow_mw
        worst = np.abs(generated - served - outflow).max(initial=0.0)
        assert worst <= tol, f"nodal balance off by {worst:.6g} MW"
        rating = np.asarray(market.net.rating_mw, dtype=float)
        limited = np.isfinite(rating)
        over = np.abs(result.line_flow_mw[limited]) - rating[limited]
        assert over.max(initial=0.0) <= tol, f"line over its rating by {over.max():.6g} MW"
    assert (result.shed_mw >= -tol).all() and (result.shed_mw <= load + tol).all()
    assert (result.flex_curtailed_mw >= -tol).all() and (
        result.flex_curtailed_mw <= flex + tol
    ).all()
    assert (result.gen_mw >= -tol).all() and (result.gen_mw <= pmax + tol).all()


@pytest.fixture
def dispatch_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Check every power-market clearing made while the test runs; yields the count of checks."""
    original: Callable[..., DispatchResult] = PowerMarket.clear
    count = {"clearings": 0}

    def checked(
        self: PowerMarket,
        load_mw: np.ndarray,
        gen_bus: np.ndarray,
        gen_pmax_mw: np.ndarray,
        *args: Any,
        **kwargs: Any,
    ) -> DispatchResult:
        result = original(self, load_mw, gen_bus, gen_pmax_mw, *args, **kwargs)
        flex = kwargs.get("flex_load_mw")
        flex = np.zeros(self.net.n_bus) if flex is None else np.asarray(flex, dtype=float)
        check_dispatch(
            self,
            result,
            np.asarray(load_mw, dtype=float),
            np.asarray(gen_bus),
            np.asarray(gen_pmax_mw, dtype=float),
            flex,
        )
        count["clearings"] += 1
        return result

    monkeypatch.setattr(PowerMarket, "clear", checked)
    yield count


def run_checked(name: str, seed: int, months: int, counts: dict[str, int]) -> None:
    """One checked run; it must cover every month and clear the market every month."""
    before = counts["clearings"]
    result = run_scenario(name, seed=seed, months=months, counterfactual=False, check=True)
    assert len(result.timeseries) == months
    assert counts["clearings"] - before >= months
    assert np.isfinite(
        result.timeseries.drop(columns=["date"]).select_dtypes("number").fillna(0.0).to_numpy()
    ).all()


@pytest.mark.parametrize("seed", FAST_SEEDS)
@pytest.mark.parametrize("name", FAST_SCENARIOS)
def test_every_scenario_keeps_its_invariants(
    name: str, seed: int, dispatch_checks: dict[str, int]
) -> None:
    run_checked(name, seed, FAST_MONTHS, dispatch_checks)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SLOW_SEEDS)
@pytest.mark.parametrize("name", FAST_SCENARIOS)
def test_every_scenario_keeps_its_invariants_full_length(
    name: str, seed: int, dispatch_checks: dict[str, int]
) -> None:
    run_checked(name, seed, max(FAST_MONTHS, round(FULL_MONTHS * slow_scale())), dispatch_checks)


@pytest.mark.slow
@pytest.mark.grids
@pytest.mark.parametrize("seed", GRID_SEEDS)
def test_real_grid_keeps_its_invariants(seed: int, dispatch_checks: dict[str, int]) -> None:
    pytest.importorskip("pandapower")
    run_checked("real_grid", seed, max(3, round(GRID_MONTHS * slow_scale())), dispatch_checks)


def test_scenario_list_is_covered() -> None:
    assert len(SCENARIOS) >= 10 and "baseline" in SCENARIOS
    for name in NEEDS_GRIDS:
        assert load_scenario(name).grid.source.startswith("pandapower:")


# ---------------------------------------------------------------------------- the checks can fail
@pytest.fixture
def model() -> PowerStackModel:
    """A small model after a few months, with packs in every stock, that passes its checks."""
    m = PowerStackModel(load_scenario("baseline", {"grid.n_buses": 20, "run.months": 12}))
    for _ in range(6):
        m.step()
    m.recorder.check_invariants()
    return m


def _add_inventory(m: PowerStackModel) -> None:
    m.roster.recyclers[0].inventory_gwh[0] += 1.0


def _negative_stock(m: PowerStackModel) -> None:
    r = m.roster.recyclers[0]
    shift = r.awaiting_test_gwh + 5.0
    r.awaiting_test_gwh -= shift
    r.inventory_gwh[0] += shift


def _negative_capacity(m: PowerStackModel) -> None:
    m.grid.gen_cap_mw[0, 0] = -1.0


def _negative_load(m: PowerStackModel) -> None:
    m.grid.dc_grid_load_mw[0] = -1.0


def _soh_above_one(m: PowerStackModel) -> None:
    m.packs.fleet.add(
        3, 0, 0.01, 0.95, m.month, 0.19, 30.0, 1.0
    )  # a lot of new storage, then corrupt it
    m.packs.fleet.soh[-1] = 1.5


def _negative_pack_price(m: PowerStackModel) -> None:
    m.packs.price_usd_per_kwh[0] = -5.0


def _negative_lmp(m: PowerStackModel) -> None:
    m.power.lmp_mean_usd_per_mwh = -10.0


def _queue_state_lost(m: PowerStackModel) -> None:
    counts = m.grid.queue.counts_by_state()
    counts[0] -= 1
    m.grid.queue.counts_by_state = lambda: counts


def _zombie_project(m: PowerStackModel) -> None:
    """A waiting grid project's filings withdraw behind its owner's back (as attrition once did)."""
    project = next(p for p in m.projects if p.status is Status.WAITING and p.path == "grid")
    m.grid.queue.withdraw(np.array(project.queue_ids), m.month)


def _ledger_scale(m: PowerStackModel) -> float:
    """Sum of absolute balances: the ledger's tolerances are relative to it."""
    return max(1.0, sum(abs(v) for v in m.ledger.balances.values()))


def _money_created(m: PowerStackModel) -> None:
    m.ledger.balances["external:treasury"] += 1e-3 * _ledger_scale(m)


def _clearing_not_flat(m: PowerStackModel) -> None:
    amount = 1e-3 * _ledger_scale(m)
    m.ledger.balances["market:packs"] += amount
    m.ledger.balances["external:fuel"] -= amount


def _undeclared_account(m: PowerStackModel) -> None:
    m.ledger.transfer("external:treasury", "somebody", 1.0, "test")


BREAKAGES: dict[str, tuple[Callable[[PowerStackModel], None], type[AssertionError], str]] = {
    "packs not conserved": (_add_inventory, InvariantError, "packs not conserved"),
    "negative pack stock": (_negative_stock, InvariantError, "negative pack stock"),
    "negative capacity": (_negative_capacity, InvariantError, "negative capacity"),
    "negative grid load": (_negative_load, InvariantError, "negative capacity or load"),
    "state of health above 1": (_soh_above_one, InvariantError, "state of health outside [0, 1]"),
    "negative pack price": (_negative_pack_price, InvariantError, "negative prices"),
    "negative mean LMP": (_negative_lmp, InvariantError, "negative prices"),
    "queue request in no state": (_queue_state_lost, InvariantError, "not in exactly one state"),
    "zombie project": (_zombie_project, InvariantError, "waiting without a live request"),
    "money created": (_money_created, LedgerError, "money not conserved"),
    "clearing account not flat": (_clearing_not_flat, LedgerError, "clearing account market:packs"),
    "undeclared account": (_undeclared_account, LedgerError, "undeclared string account"),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_invariant_checks_catch_a_broken_state(model: PowerStackModel, breakage: str) -> None:
    breaks, error, message = BREAKAGES[breakage]
    breaks(model)
    with pytest.raises(error, match=message.replace("[", r"\[").replace("]", r"\]")):
        model.recorder.check_invariants()


def test_dispatch_check_catches_an_unbalanced_bus(
    model: PowerStackModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = PowerMarket.clear
    seen: list[tuple[Any, ...]] = []

    def record(
        self: PowerMarket,
        load: np.ndarray,
        gen_bus: np.ndarray,
        pmax: np.ndarray,
        *args: Any,
        **kwargs: Any,
    ) -> DispatchResult:
        result = original(self, load, gen_bus, pmax, *args, **kwargs)
        seen.append(
            (
                self,
                result,
                np.array(load),
                np.array(gen_bus),
                np.array(pmax),
                np.array(kwargs["flex_load_mw"]),
            )
        )
        return result

    monkeypatch.setattr(PowerMarket, "clear", record)
    model.step()
    market, result, load, gen_bus, pmax, flex = seen[0]
    check_dispatch(market, result, load, gen_bus, pmax, flex)
    result.gen_mw = result.gen_mw.copy()
    result.gen_mw[np.argmax(result.gen_mw)] -= 1.0
    with pytest.raises(AssertionError, match="nodal balance off"):
        check_dispatch(market, result, load, gen_bus, pmax, flex)
