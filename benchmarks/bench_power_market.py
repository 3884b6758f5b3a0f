"""Power-market benchmark: our DC-OPF per representative hour vs pandapower and bare HiGHS.

All figures come from one run on one machine: pandapower's `rundcopp`, our `PowerMarket.clear`
cold (new market) and warm (successive representative hours), the bare HiGHS solve of the very
LP our market ended with, and `scipy.optimize.linprog` on the full B-theta LP (the reference
of issue 10). Run `python benchmarks/bench_power_market.py [--quick]`; import `run(quick)`.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from abm.markets.power import NetworkArrays, PowerMarket
from abm.markets.power_highs import silent_highs

ROOT = Path(__file__).resolve().parents[1]
FULL_CASES = [
    ("case118", None),
    ("case118", 2.0),
    ("case_illinois200", None),
    ("GBnetwork", None),
]
QUICK_CASES = [("case118", 2.0), ("case_illinois200", None)]
HOUR_LOAD_SCALE = {"peak": 1.0, "shoulder": 0.85, "off-peak": 0.65, "solar noon": 0.75}


def _test_helpers() -> ModuleType:
    """Import the pandapower-to-arrays helper from the test module (one source of truth)."""
    path = ROOT / "tests" / "test_power_market.py"
    if str(ROOT) not in sys.path:  # the test module imports its shared helpers as `tests.*`
        sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location("_power_market_cases", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _median_ms(fn: Callable[[], Any], reps: int) -> float:
    """Median wall time of `fn` in milliseconds."""
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return 1e3 * statistics.median(times)


def _co2(cost: np.ndarray) -> np.ndarray:
    """Emission factors (t/MWh) of the units: 0.5 for a priced unit, 0 for a free one.

    Not zero everywhere: the market's marginal-CO2 solve and CO2 sum cost more with real
    factors (a zero right-hand side makes the BTRAN trivial and every product zero), and the
    model always has emitting units.
    """
    return np.where(np.asarray(cost) > 0, 0.5, 0.0)


def _hours(case: Any, months: int, seed: int = 0) -> list[dict[str, np.ndarray]]:
    """Representative hours: peak, shoulder, off-peak and a solar hour per month, noisy loads.

    The solar hour gives every fifth unit zero cost and 40 % of its capacity, standing in for
    solar plants; the other hours keep the case's units.
    """
    rng = np.random.default_rng(seed)
    solar = np.zeros(len(case.gen_bus), dtype=bool)
    solar[::5] = True
    hours = []
    for _ in range(months):
        growth = rng.uniform(0.95, 1.05)
        for name, scale in HOUR_LOAD_SCALE.items():
            noise = rng.normal(1.0, 0.05, case.net.n_bus).clip(min=0.0)
            pmax, cost = case.gen_pmax_mw.copy(), case.gen_cost_usd_per_mwh.copy()
            if name == "solar noon":
                pmax[solar] *= 0.4
                cost[solar] = 0.0
            hours.append(
                {
                    "load_mw": case.load_mw * scale * growth * noise,
                    "gen_bus": case.gen_bus,
                    "gen_pmax_mw": pmax,
                    "gen_cost_usd_per_mwh": cost,
                    "gen_co2_t_per_mwh": _co2(cost),
                }
            )
    return hours


def _bare_highs_run_ms(lp: highspy.HighsLp, reps: int) -> tuple[float, float]:
    """Median time of `Highs.run()` alone on a freshly passed copy of the LP, and its objective.

    With the market's own options (`silent_highs`: serial dual simplex, Devex pricing), so
    the bare solve and ours run the same algorithm on the same LP; HiGHS's defaults
    (presolve choice, parallel choice, steepest-edge choice) would compare another solver.
    """
    times, objective = [], float("nan")
    for _ in range(reps):
        highs = silent_highs()
        highs.passModel(lp)
        started = time.perf_counter()
        highs.run()
        times.append(time.perf_counter() - started)
        objective = highs.getInfo().objective_function_value
    return 1e3 * statistics.median(times), objective


def _linprog_full_btheta_ms(net: NetworkArrays, hour: dict[str, np.ndarray], reps: int) -> float:
    """Issue 10's reference: the full B-theta LP (every monitored line) through linprog."""
    n, n_line, n_gen = net.n_bus, len(net.line_from), len(hour["gen_bus"])
    b = net.base_mva / net.x_pu
    rows = np.arange(n_line)
    incidence = sp.csr_matrix(
        (
            np.r_[np.ones(n_line), -np.ones(n_line)],
            (np.r_[rows, rows], np.r_[net.line_from, net.line_to]),
        ),
        shape=(n_line, n),
    )
    bf = sp.diags(b) @ incidence
    gens = sp.csr_matrix((np.ones(n_gen), (hour["gen_bus"], np.arange(n_gen))), shape=(n, n_gen))
    a_eq = sp.hstack([gens, sp.identity(n), -(incidence.T @ bf)], format="csr")
    mon = np.isfinite(net.rating_mw)
    limits = sp.hstack([sp.csr_matrix((mon.sum(), n_gen + n)), bf[mon]], format="csr")
    a_ub = sp.vstack([limits, -limits], format="csr")
    b_ub = np.r_[net.rating_mw[mon], net.rating_mw[mon]]
    cost = np.r_[hour["gen_cost_usd_per_mwh"], np.full(n, 10_000.0), np.zeros(n)]
    theta_bounds = [(None, None)] * n
    theta_bounds[net.slack] = (0.0, 0.0)
    bounds = (
        [(0.0, p) for p in hour["gen_pmax_mw"]] + [(0.0, d) for d in hour["load_mw"]] + theta_bounds
    )

    def solve() -> None:
        linprog(
            cost,
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq,
            b_eq=hour["load_mw"],
            bounds=bounds,
            method="highs",
        )

    return _median_ms(solve, reps)


def _case_hour(case: Any) -> dict[str, np.ndarray]:
    """The case's own hour (its loads and units, `_co2` factors) as `PowerMarket.clear` arguments."""
    return {
        "load_mw": case.load_mw,
        "gen_bus": case.gen_bus,
        "gen_pmax_mw": case.gen_pmax_mw,
        "gen_cost_usd_per_mwh": case.gen_cost_usd_per_mwh,
        "gen_co2_t_per_mwh": _co2(case.gen_cost_usd_per_mwh),
    }


def _warm_clears_ms(
    market: PowerMarket, hours: list[dict[str, np.ndarray]]
) -> tuple[list[float], list[float]]:
    """Clear successive hours on one warm market; wall ms and HiGHS ms of each clear."""
    warm_ms, warm_solver_ms = [], []
    for hour in hours:
        started = time.perf_counter()
        out = market.clear(**hour)
        warm_ms.append(1e3 * (time.perf_counter() - started))
        warm_solver_ms.append(1e3 * out.solver_s)
        assert out.status == "optimal"
    return warm_ms, warm_solver_ms


def bench_case(
    helpers: ModuleType, name: str, loading: float | None, quick: bool
) -> dict[str, Any]:
    """Measure one network; every ratio uses times from this same call."""
    import pandapower as pp

    reps = 1 if quick else 5
    months = 1 if quick else 12
    case = helpers.pandapower_case(name, loading)
    first = _case_hour(case)
    rundcopp_ms = _median_ms(
        lambda: pp.rundcopp(case.pandapower_net), reps if name != "GBnetwork" else min(reps, 3)
    )

    def cold() -> PowerMarket:
        market = PowerMarket(case.net)
        market.clear(**first)
        return market

    cold_ms = _median_ms(cold, reps)
    market = cold()
    bare_cold_ms, bare_objective = _bare_highs_run_ms(market.current_lp(), reps)
    result = market.clear(**first)

    warm_ms, warm_solver_ms = _warm_clears_ms(market, _hours(case, months))
    linprog_ms = _linprog_full_btheta_ms(case.net, first, reps)
    warm_mean, solver_mean = float(np.mean(warm_ms)), float(np.mean(warm_solver_ms))
    label = name if loading is None else f"{name} @{loading:g}% rating"
    return {
        "case": label,
        "n_bus": case.net.n_bus,
        "n_line": len(case.net.line_from),
        "n_gen": len(case.gen_bus),
        "monitored_lines": int(np.isfinite(case.net.rating_mw).sum()),
        "line_rows_in_lp": len(result.line_rows),
        "binding_lines": len(result.binding_lines),
        "objective_rel_gap_vs_pandapower": abs(result.cost_usd_per_h - case.pandapower_cost)
        / abs(case.pandapower_cost),
        "bare_objective_rel_gap": abs(bare_objective - result.cost_usd_per_h)
        / abs(result.cost_usd_per_h),
        "rundcopp_ms": rundcopp_ms,
        "ours_cold_ms": cold_ms,
        "ours_warm_ms_per_hour": warm_mean,
        "ours_warm_max_ms": float(np.max(warm_ms)),
        "hours": len(warm_ms),
        "bare_highs_cold_ms": bare_cold_ms,
        "highs_run_in_warm_ms": solver_mean,
        "linprog_full_btheta_ms": linprog_ms,
        "speedup_vs_rundcopp_cold": rundcopp_ms / cold_ms,
        "speedup_vs_rundcopp_warm": rundcopp_ms / warm_mean,
        "cold_over_bare_cold": cold_ms / bare_cold_ms,
        "warm_over_bare_cold": warm_mean / bare_cold_ms,
        "warm_over_its_highs_run": warm_mean / solver_mean,
    }


def run(quick: bool) -> dict[str, Any]:
    """Run the benchmark; return machine info and one row of measurements per network."""
    helpers = _test_helpers()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = [
            bench_case(helpers, name, loading, quick)
            for name, loading in (QUICK_CASES if quick else FULL_CASES)
        ]
    return {
        "benchmark": "power_market",
        "quick": quick,
        "machine": f"{platform.processor() or platform.machine()}, {platform.python_version()}, "
        f"HiGHS {highspy.Highs().version()}",
        "rows": rows,
    }


def format_table(results: dict[str, Any]) -> str:
    """Markdown table of the results (ms, and ratios measured in the same run)."""
    header = (
        "| case | buses | lines (rows in LP / binding) | rundcopp ms | ours cold ms | ours warm ms/h "
        "| bare HiGHS cold ms | HiGHS run in warm ms | linprog B-theta ms | rundcopp / ours cold "
        "| rundcopp / ours warm | ours cold / bare cold | ours warm / bare cold "
        "| ours warm / its HiGHS run |"
    )
    lines = [header, "|" + "---|" * 14]
    for r in results["rows"]:
        lines.append(
            f"| {r['case']} | {r['n_bus']} | {r['n_line']} ({r['line_rows_in_lp']} / "
            f"{r['binding_lines']}) | {r['rundcopp_ms']:.1f} | {r['ours_cold_ms']:.2f} | "
            f"{r['ours_warm_ms_per_hour']:.2f} | {r['bare_highs_cold_ms']:.2f} | "
            f"{r['highs_run_in_warm_ms']:.2f} | {r['linprog_full_btheta_ms']:.2f} | "
            f"{r['speedup_vs_rundcopp_cold']:.0f}x | {r['speedup_vs_rundcopp_warm']:.0f}x | "
            f"{r['cold_over_bare_cold']:.2f} | {r['warm_over_bare_cold']:.2f} | "
            f"{r['warm_over_its_highs_run']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Command line: print the machine and the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small CI smoke run (no GB network)")
    args = parser.parse_args()
    results = run(args.quick)
    print(results["machine"])
    print(format_table(results))


if __name__ == "__main__":
    main()
