"""Before/after of the two optimisations of issue 10, both measured in this run.

1. Hosting capacity (`abm.grid.flow`): the monthly all-bus call as it was (PTDF columns
   recomputed every call, all columns of a block in one SuperLU solve) against the current
   code (line-by-bus sensitivities kept between calls, SuperLU in 32-column blocks).
2. Power market (`abm.markets.power`): the model's own representative hours, recorded from
   a national-scale run, cleared again by a single warm-started HiGHS model with HiGHS's
   default pricing (as it was), by a single model with Devex pricing, and by the current
   market (one warm copy per kind of hour, Devex).
Run `python benchmarks/bench_optimisations.py [--quick]`; import `run(quick)`.
"""

from __future__ import annotations

import argparse
import json
import math
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import numpy as np

import abm.grid.flow as flow
import abm.markets.power as power
from abm.runner import run_model


@contextmanager
def _as_before_hosting() -> Iterator[None]:
    """Hosting capacity as before the cache: no kept sensitivities, one solve per block."""
    saved = flow.SENSITIVITY_CACHE_BYTES, flow.SOLVE_BLOCK_COLUMNS
    flow.SENSITIVITY_CACHE_BYTES, flow.SOLVE_BLOCK_COLUMNS = 0, 1 << 30
    try:
        yield
    finally:
        flow.SENSITIVITY_CACHE_BYTES, flow.SOLVE_BLOCK_COLUMNS = saved


#: The market's HiGHS factory as abm.markets.power calls it (imported from power_highs). The
#: market offers no pricing option: the benchmark swaps it for a replay to time the old pricing.
_HIGHS_FACTORY = "silent_highs"


@contextmanager
def _default_pricing() -> Iterator[None]:
    """New HiGHS models use HiGHS's default dual edge weights (steepest edge), as before."""
    original = getattr(power, _HIGHS_FACTORY)

    def highs_with_default_pricing() -> Any:
        highs = original()
        highs.setOptionValue("simplex_dual_edge_weight_strategy", -1)
        return highs

    with mock.patch.object(power, _HIGHS_FACTORY, highs_with_default_pricing):
        yield


def _fastest_s(fn: Callable[[], Any], reps: int) -> float:
    """Fastest wall time of `reps` calls."""
    best = math.inf
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _model(label: str, quick: bool) -> Any:
    """A national-scale model (GBnetwork or a synthetic grid) for recording inputs."""
    from abm.model import PowerStackModel

    common = {"hyperscalers.n_hyperscalers": 50, "run.months": 180}
    if label == "GBnetwork":
        return PowerStackModel("real_grid", rng=1, **common)
    return PowerStackModel("baseline", rng=1, **common, **{"grid.n_buses": 300 if quick else 2000})


def bench_hosting(model: Any, label: str, reps: int) -> dict[str, Any]:
    """One monthly all-bus hosting-capacity call on the model's network, before and after.

    The old code is timed once (a call can take seconds); the current one fastest of `reps`.
    """
    from abm.grid.flow import DCNetwork

    injection = model.power.peak_injection_mw
    with _as_before_hosting():
        before_net = DCNetwork(model.grid.graph)
        before_s = _fastest_s(lambda: before_net.hosting_capacity_mw(injection), 1)
        before = before_net.hosting_capacity_mw(injection)
        one_thread_s = math.nan  # the old code with BLAS held to one thread: the cache's own gain
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            pass
        else:
            with threadpool_limits(1):
                one_thread_s = _fastest_s(lambda: before_net.hosting_capacity_mw(injection), 1)
    after_net = DCNetwork(model.grid.graph)
    first_s = _fastest_s(lambda: after_net.hosting_capacity_mw(injection), 1)  # builds the cache
    after_s = _fastest_s(lambda: after_net.hosting_capacity_mw(injection), reps)
    after = after_net.hosting_capacity_mw(injection)
    return {
        "network": label,
        "n_bus": after_net.n_bus,
        "n_line": after_net.n_line,
        "before_ms": 1e3 * before_s,
        "before_one_blas_thread_ms": 1e3 * one_thread_s,
        "after_first_call_ms": 1e3 * first_s,
        "after_ms": 1e3 * after_s,
        "speedup": before_s / after_s,
        "max_rel_diff": _max_rel_diff(before, after),
    }


def _max_rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    """Largest relative difference of two hosting-capacity vectors (inf where inf/0 disagree)."""
    if not np.array_equal(np.isinf(a), np.isinf(b)) or not np.array_equal(a == 0, b == 0):
        return math.inf
    both = np.isfinite(a) & (a != 0)
    return float(np.max(np.abs(a[both] - b[both]) / np.abs(a[both]), initial=0.0))


def _record_hours(model: Any, months: int) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Step the model, recording every `power_market.clear` call's arguments (copied)."""
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    original = model.power.market.clear

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append(
            (
                tuple(np.array(a, copy=True) for a in args),
                {
                    k: np.array(v, copy=True) if isinstance(v, np.ndarray) else v
                    for k, v in kwargs.items()
                },
            )
        )
        return original(*args, **kwargs)

    model.power.market.clear = recording
    run_model(model, stop=lambda: model.month + 1 >= months)
    return calls


def _replay(net: Any, calls: list[Any], warm_models: int) -> tuple[float, float, np.ndarray]:
    """Clear the recorded hours on a new market; wall s, CPU s and the costs."""
    market = power.PowerMarket(net, warm_models=warm_models)
    costs = np.empty(len(calls))
    cpu0 = time.process_time()
    started = time.perf_counter()
    for i, (args, kwargs) in enumerate(calls):
        costs[i] = market.clear(*args, **kwargs).cost_usd_per_h
    return time.perf_counter() - started, time.process_time() - cpu0, costs


def bench_market(model: Any, label: str, calls: list[Any]) -> dict[str, Any]:
    """The recorded hours cleared as before, with Devex only, and as now (fastest of 2 each)."""
    net = model.power.market.net
    variants: dict[str, tuple[float, float, np.ndarray]] = {}
    for name, warm_models, pricing in (
        ("before", 1, _default_pricing),
        ("devex_one_model", 1, None),
        ("after", power.WARM_MODELS, None),
    ):
        runs = []
        for _ in range(2):
            if pricing is None:
                runs.append(_replay(net, calls, warm_models))
            else:
                with pricing():
                    runs.append(_replay(net, calls, warm_models))
        variants[name] = min(runs, key=lambda r: r[0])
    base_cost = variants["before"][2]
    row: dict[str, Any] = {"network": label, "n_bus": net.n_bus, "hours": len(calls)}
    for name, (wall, cpu, cost) in variants.items():
        row[f"{name}_ms_per_hour"] = 1e3 * wall / len(calls)
        row[f"{name}_cpu_ms_per_hour"] = 1e3 * cpu / len(calls)
        row[f"{name}_max_rel_cost_diff"] = float(
            np.max(np.abs(cost - base_cost) / np.maximum(np.abs(base_cost), 1e-9))
        )
    row["speedup"] = variants["before"][0] / variants["after"][0]
    row["speedup_cpu"] = variants["before"][1] / variants["after"][1]
    return row


def run(quick: bool) -> dict[str, Any]:
    """Both before/after comparisons on GBnetwork (unless quick) and a synthetic grid."""
    months = 2 if quick else 12
    labels = ["synthetic"] if quick else ["GBnetwork", "synthetic"]
    hosting, market = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for label in labels:
            model = _model(label, quick)
            calls = _record_hours(model, months)
            name = label if label == "GBnetwork" else f"synthetic {model.grid.n_bus:,} buses"
            hosting.append(bench_hosting(model, name, 1 if quick else 5))
            market.append(bench_market(model, name, calls))
    return {"benchmark": "optimisations", "quick": quick, "hosting": hosting, "market": market}


def main() -> None:
    """Command line: print the before/after figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small CI smoke run")
    print(json.dumps(run(parser.parse_args().quick), indent=1))


if __name__ == "__main__":
    main()
