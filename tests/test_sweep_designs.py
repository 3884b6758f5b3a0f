"""Sweep designs and plans: factorial, list, LHS, Sobol and Morris points; seeds; Mesa batch runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from abm.sweeps import derive_seed, plan_sweep
from tests.sweep_cases import FAST, REFERENCE, SWEEPS


def test_factorial_design_is_the_full_product_in_spec_order() -> None:
    plan = plan_sweep(
        {
            **REFERENCE,
            "parameters": {
                "queue.mode": ["serial", "cluster"],
                "demand.growth_multiplier": [0.5, 1, 1.5],
            },
        }
    )
    points = [r.params for r in plan.rows if r.replicate == 0]
    assert points == [
        {"queue.mode": m, "demand.growth_multiplier": g}
        for m in ("serial", "cluster")
        for g in (0.5, 1.0, 1.5)
    ]
    assert all(
        isinstance(p["demand.growth_multiplier"], float) for p in points
    )  # 1 and 1.0 are one point
    assert len(plan.rows) == 12 and len(plan.runs) == 12
    assert [(r.point, r.replicate) for r in plan.rows][:3] == [(0, 0), (0, 1), (1, 0)]


def test_sobol_design_is_salib_saltelli_with_integers_rounded() -> None:
    from SALib.sample import sobol

    params = {
        "demand.growth_multiplier": {"min": 0.5, "max": 2.0},
        "hyperscalers.n_hyperscalers": {"min": 3, "max": 10},  # an agent for each of the 3 types
        "policy.carbon_price_usd_per_t": {"min": 0, "max": 200},
    }
    spec = {
        "scenario": "baseline",
        "design": "sobol",
        "samples": 8,
        "seed": 5,
        "fixed": FAST,
        "parameters": params,
    }
    plan = plan_sweep(spec)
    problem = {
        "num_vars": 3,
        "names": list(params),
        "bounds": [[0.5, 2.0], [3.0, 10.0], [0.0, 200.0]],
    }
    expected = sobol.sample(problem, 8, calc_second_order=False, seed=5)
    assert len(plan.design.points) == 8 * (3 + 2)
    np.testing.assert_array_equal(plan.design.samples, expected)
    ints = [p["hyperscalers.n_hyperscalers"] for p in plan.design.points]
    assert all(isinstance(v, int) for v in ints)
    assert ints == [round(x) for x in expected[:, 1]]
    second = plan_sweep({**spec, "second_order": True})
    assert len(second.design.points) == 8 * (2 * 3 + 2)


def test_lhs_and_morris_designs() -> None:
    params = {
        "demand.growth_multiplier": {"min": 0.0, "max": 2.0},
        "packs.retirement_multiplier": {"min": 1.0, "max": 3.0},
    }
    lhs = plan_sweep(
        {
            "scenario": "baseline",
            "design": "lhs",
            "samples": 10,
            "seed": 1,
            "fixed": FAST,
            "parameters": params,
        }
    )
    x = np.array([p["demand.growth_multiplier"] for p in lhs.design.points])
    assert sorted(np.floor(x / 0.2).astype(int)) == list(range(10))  # one point per stratum
    morris = plan_sweep(
        {
            "scenario": "baseline",
            "design": "morris",
            "samples": 5,
            "levels": 4,
            "seed": 1,
            "fixed": FAST,
            "parameters": params,
        }
    )
    assert len(morris.design.points) == 5 * (2 + 1)
    assert set(np.round(morris.design.samples[:, 0], 6)) <= {0.0, 0.666667, 1.333333, 2.0}


def test_list_design_fills_unset_parameters_from_the_base() -> None:
    plan = plan_sweep(
        {
            "scenario": "baseline",
            "design": "list",
            "fixed": FAST,
            "points": [{"queue.mode": "cluster"}, {"demand": {"growth_multiplier": 2}}],
        }
    )
    assert [r.params for r in plan.rows] == [
        {"queue.mode": "cluster", "demand.growth_multiplier": 1.0},
        {"queue.mode": "serial", "demand.growth_multiplier": 2.0},
    ]


def test_seeds_depend_on_point_and_replicate_not_on_order() -> None:
    a = plan_sweep(REFERENCE)
    reordered = {
        **REFERENCE,
        "parameters": {k: list(reversed(v)) for k, v in REFERENCE["parameters"].items()},
    }
    b = plan_sweep(reordered)
    assert {r.run_id: r.seed for r in a.runs} == {r.run_id: r.seed for r in b.runs}
    crn = plan_sweep({**REFERENCE, "common_random_numbers": True})
    assert {r.seed for r in crn.rows if r.replicate == 0} == {crn.rows[0].seed}
    assert len({r.seed for r in a.rows}) == len(a.rows)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), x=st.floats(0, 5, allow_nan=False), rep=st.integers(0, 1000))
def test_derived_seed_is_a_valid_run_seed(seed: int, x: float, rep: int) -> None:
    s = derive_seed(seed, {"demand.growth_multiplier": x}, rep)
    assert 0 <= s < 2**32
    assert s == derive_seed(seed, {"demand.growth_multiplier": x}, rep)


def test_example_specs_are_valid() -> None:
    specs = sorted(SWEEPS.glob("*.toml"))
    assert {p.stem for p in specs} >= {
        "factorial_queue",
        "lhs_demand",
        "morris_screening",
        "sobol_baseline",
    }
    for path in specs:
        plan = plan_sweep(path)
        assert plan.runs, path
    sobol = plan_sweep(SWEEPS / "sobol_baseline.toml")
    assert sobol.spec.design == "sobol" and len(sobol.design.names) >= 5
    assert 900 <= len(sobol.runs) <= 1200


def test_mesa_batch_run_still_works() -> None:
    import mesa

    from abm.model import PowerStackModel
    from abm.runner import run_scenario

    rows = mesa.batch_run(
        PowerStackModel,
        {"queue.mode": ["serial", "cluster"], "run.months": 12, "grid.n_buses": 20},
        rng=[1, 2],
        max_steps=12,
        number_processes=1,
        display_progress=False,
    )
    df = pd.DataFrame(rows)
    assert len(df) == 4 and set(zip(df["queue.mode"], df["rng"], strict=True)) == {
        (m, s) for m in ("serial", "cluster") for s in (1, 2)
    }
    assert (df["Step"] == 12).all()
    direct = run_scenario(
        "baseline",
        seed=2,
        months=12,
        overrides={**FAST, "queue.mode": "cluster"},
        counterfactual=False,
    )
    row = df[(df["queue.mode"] == "cluster") & (df["rng"] == 2)].iloc[0]
    assert row["energized_mw_onsite_gas"] == direct.timeseries["energized_mw_onsite_gas"].iloc[-1]
