"""Conservation invariants on every built-in scenario, and proof that the checks can fail.

Every scenario in scenarios/*.toml runs with several seeds under `check=True`, which checks the
model's invariants every month (`MonthRecorder.check_invariants`: packs conserved, no negative
stocks, capacities or prices, state of health in [0, 1], every queue request in one state,
money conserved with flat clearing accounts). On top, every power-market clearing is checked
for energy balance at every bus, shedding and curtailment within load, generation within
capacity and flows within line ratings (tests/checked_runs.py, which makes each checked run once
per session: tests/test_scenarios.py reads the same one-year runs). The fast tier runs a year on
two seeds; the slow tier the full horizon on three seeds, both scaled by POWERSTACK_SLOW_SCALE
(at 0.25: 48 months on seed 3), and the pandapower grid 24 months on two seeds (at 0.25: 12).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from abm.ledger import LedgerError
from abm.markets.power import DispatchResult, PowerMarket
from abm.metrics import InvariantError
from abm.model import PowerStackModel
from abm.scenario import load_scenario, scenarios_dir
from abm.vocabulary import Status
from tests import checked_runs
from tests.checked_runs import check_dispatch, checked_run
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


def run_checked(factory: pytest.TempPathFactory, name: str, seed: int, months: int) -> None:
    """One checked run (tests/checked_runs.py: invariants and every clearing checked each month,
    shared with the other tests of the session that need it); it must cover every month, clear
    the market every month and record only finite numbers."""
    run = checked_run(factory, name, seed, months)
    assert len(run.timeseries) == months
    assert run.clearings >= months
    assert np.isfinite(
        run.timeseries.drop(columns=["date"]).select_dtypes("number").fillna(0.0).to_numpy()
    ).all()


@pytest.mark.parametrize("seed", FAST_SEEDS)
@pytest.mark.parametrize("name", FAST_SCENARIOS)
def test_every_scenario_keeps_its_invariants(
    name: str, seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run_checked(tmp_path_factory, name, seed, FAST_MONTHS)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SLOW_SEEDS)
@pytest.mark.parametrize("name", FAST_SCENARIOS)
def test_every_scenario_keeps_its_invariants_full_length(
    name: str, seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    months = max(FAST_MONTHS, round(FULL_MONTHS * slow_scale()))
    run_checked(tmp_path_factory, name, seed, months)


@pytest.mark.slow
@pytest.mark.grids
@pytest.mark.parametrize("seed", GRID_SEEDS)
def test_real_grid_keeps_its_invariants(
    seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    pytest.importorskip("pandapower")
    # at least a year (12 months at 0.25): seed 1's run is then the one the scenario library's
    # real_grid test checks (tests/test_scenarios.py), made once per session
    months = max(FAST_MONTHS, round(GRID_MONTHS * slow_scale()))
    run_checked(tmp_path_factory, "real_grid", seed, months)


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


def test_a_checked_run_fails_on_a_bad_clearing_and_is_not_shared(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shared runs check every clearing while they run, and a run that fails is not stored."""
    original = PowerMarket.clear

    def unbalanced(self: PowerMarket, *args: Any, **kwargs: Any) -> DispatchResult:
        result = original(self, *args, **kwargs)
        result.gen_mw = result.gen_mw.copy()
        result.gen_mw[np.argmax(result.gen_mw)] -= 1.0
        return result

    monkeypatch.setattr(PowerMarket, "clear", unbalanced)
    with pytest.raises(AssertionError, match="nodal balance off"):
        checked_runs.checked_run(tmp_path_factory, "baseline", 99, 1)
    assert not list(checked_runs.shared_folder(tmp_path_factory).glob("baseline-seed99-*.pickle"))
