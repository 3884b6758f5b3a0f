"""Checked scenario runs shared by the tests of one session: each (scenario, seed, months) runs once.

A checked run is `run_scenario(..., counterfactual=False, check=True)` (the recorder's invariants
every month) with every power-market clearing checked as well (`check_dispatch`: energy balance at
every bus, shedding, curtailment, generation and flows within their bounds). The invariant test
(tests/test_invariants.py) and the scenario library's one-year runs (tests/test_scenarios.py)
assert on the same 12-month runs, so each is made once per session: under pytest-xdist the first
worker that needs a run makes it and the others read it from a folder every worker of the session
shares (the xdist recipe: the parent of `tmp_path_factory`'s base, one file lock per run). A run
whose checks fail raises in the test that made it and is not stored, so every test that needs it
makes it again and fails too. Nothing outlives the session, so no stale run is ever read.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from filelock import FileLock

from abm.markets.power import DispatchResult, PowerMarket
from abm.runner import run_scenario

BALANCE_TOL_MW = 1e-4
REL_TOL = 1e-7


@dataclass(frozen=True)
class CheckedRun:
    """What the tests read of a checked run: its monthly table, KPIs and clearings checked."""

    timeseries: pd.DataFrame
    kpis: dict[str, Any]
    clearings: int


def net_outflow(market: PowerMarket, line_flow_mw: np.ndarray) -> np.ndarray:
    """Net flow out of each bus (MW): a line's flow leaves its from bus and enters its to bus.

    The line-by-bus incidence's transpose times the flows, summed with `np.bincount` instead of
    building the sparse incidence at every clearing (a dozen clearings a month in every checked run).
    """
    net = market.net
    flow = np.asarray(line_flow_mw, dtype=float)
    out = np.bincount(np.asarray(net.line_from, dtype=np.int64), weights=flow, minlength=net.n_bus)
    into = np.bincount(np.asarray(net.line_to, dtype=np.int64), weights=flow, minlength=net.n_bus)
    return out - into


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
        outflow = net_outflow(market, result.line_flow_mw)
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


def checking_clear(count: dict[str, int]) -> Callable[..., DispatchResult]:
    """`PowerMarket.clear` that checks each clearing (`check_dispatch`) and counts it."""
    original: Callable[..., DispatchResult] = PowerMarket.clear

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
        load, bus = np.asarray(load_mw, dtype=float), np.asarray(gen_bus)
        check_dispatch(self, result, load, bus, np.asarray(gen_pmax_mw, dtype=float), flex)
        count["clearings"] += 1
        return result

    return checked


def _make(name: str, seed: int, months: int) -> CheckedRun:
    """One checked run, every clearing checked while it runs."""
    count = {"clearings": 0}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(PowerMarket, "clear", checking_clear(count))
        result = run_scenario(name, seed=seed, months=months, counterfactual=False, check=True)
    return CheckedRun(result.timeseries, result.kpis, count["clearings"])


def shared_folder(factory: pytest.TempPathFactory) -> Path:
    """The session's folder for checked runs: shared by all xdist workers, else this process's."""
    base = factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "checked-runs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


_MEMO: dict[tuple[str, int, int], CheckedRun] = {}


def checked_run(factory: pytest.TempPathFactory, name: str, seed: int, months: int) -> CheckedRun:
    """The checked run of a scenario, seed and length: made once per session, then read."""
    key = (name, seed, months)
    if key in _MEMO:
        return _MEMO[key]
    path = shared_folder(factory) / f"{name}-seed{seed}-{months}m.pickle"
    with FileLock(f"{path}.lock"):
        if path.exists():
            run = pickle.loads(path.read_bytes())
        else:
            run = _make(name, seed, months)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(run))
            tmp.replace(path)
    _MEMO[key] = run
    return run
