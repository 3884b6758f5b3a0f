"""The power market's array builds match the scipy calls they replace, bit for bit.

`network_matrices` replaces `(diags(b) @ A).tocsr()` and `(A.T @ bf).tocsc()` (entry order and
summation order included: the LP HiGHS sees, and so its pivots, depend on both), and the
one-pass `validated_hour` accepts and rejects what the checked path does.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from abm.errors import InputError
from abm.markets.power_hour import _checked_hour, validated_hour
from abm.markets.power_lp import network_matrices


def _scipy_build(f: np.ndarray, t: np.ndarray, b: np.ndarray, n: int) -> tuple:
    """The scipy construction `PowerMarket` used before `network_matrices`."""
    m = len(b)
    rows = np.arange(m)
    incidence = sp.csr_matrix(
        (np.r_[np.ones(m), -np.ones(m)], (np.r_[rows, rows], np.r_[f, t])), shape=(m, n)
    )
    bf = (sp.diags(b) @ incidence).tocsr()
    return bf, (incidence.T @ bf).tocsc()


def _same(a: sp.spmatrix, b: sp.spmatrix) -> bool:
    """Same shape, and the same bytes and dtypes in indptr, indices and data."""
    return a.shape == b.shape and all(
        getattr(a, k).dtype == getattr(b, k).dtype
        and getattr(a, k).tobytes() == getattr(b, k).tobytes()
        for k in ("indptr", "indices", "data")
    )


@pytest.mark.parametrize("seed", range(40))
def test_network_matrices_match_scipy(seed: int) -> None:
    """Random multigraphs: parallel lines, isolated buses, either end first, b over six decades."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 40)), int(rng.integers(1, 90))
    f = rng.integers(0, n, m)
    t = (f + rng.integers(1, n, m)) % n
    b = 100.0 / (rng.uniform(0.01, 1.0, m) * 10.0 ** rng.integers(-3, 3, m))
    bf, bbus = network_matrices(f, t, b, n)
    ref_bf, ref_bbus = _scipy_build(f, t, b, n)
    assert _same(bf, ref_bf) and _same(bbus, ref_bbus)


def test_network_matrices_match_scipy_on_case118() -> None:
    """The IEEE 118-bus case as pandapower gives it (parallel circuits, transformers)."""
    pytest.importorskip("pandapower")
    from tests.test_power_market import pandapower_case

    net = pandapower_case("case118").net
    b = net.base_mva / np.asarray(net.x_pu, dtype=float)
    f, t = np.asarray(net.line_from), np.asarray(net.line_to)
    bf, bbus = network_matrices(f, t, b, net.n_bus)
    ref_bf, ref_bbus = _scipy_build(f.astype(np.int64), t.astype(np.int64), b, net.n_bus)
    assert _same(bf, ref_bf) and _same(bbus, ref_bbus)


def _hour_args(**change: object) -> dict:
    """A valid three-bus, two-unit hour, with some arguments replaced."""
    args = {
        "n_bus": 3,
        "voll_usd_per_mwh": 1e4,
        "load_mw": np.array([0.0, 10.0, 5.0]),
        "gen_bus": np.array([0, 2]),
        "gen_pmax_mw": np.array([20.0, 5.0]),
        "gen_cost_usd_per_mwh": np.array([10.0, 30.0]),
        "gen_co2_t_per_mwh": np.array([0.9, 0.0]),
        "flex_load_mw": None,
        "flex_curtail_cost_usd_per_mwh": 1000.0,
    }
    args.update(change)
    return args


BAD = [
    {"load_mw": np.array([1.0, -1.0, 0.0])},
    {"load_mw": np.array([1.0, np.nan, 0.0])},
    {"load_mw": np.ones(4)},
    {"flex_load_mw": np.array([0.0, np.inf, 0.0])},
    {"gen_pmax_mw": np.array([1.0])},
    {"gen_bus": np.array([0, 3])},
    {"gen_bus": np.array([-1, 0])},
    {"gen_cost_usd_per_mwh": np.array([np.inf, 1.0])},
    {"gen_co2_t_per_mwh": np.array([np.nan, 1.0])},
    {"flex_curtail_cost_usd_per_mwh": 2e4},
    {"load_mw": np.ones(4), "gen_cost_usd_per_mwh": np.array([np.nan, 1.0])},
]


@pytest.mark.parametrize("change", BAD)
def test_fast_validation_raises_what_the_checked_path_raises(change: dict) -> None:
    """Each bad hour raises the checked path's message (the first problem in its order)."""
    with pytest.raises(InputError) as checked:
        _checked_hour(*_hour_args(**change).values())
    with pytest.raises(InputError) as fast:
        validated_hour(**_hour_args(**change))
    assert str(fast.value) == str(checked.value)


def test_fast_validation_accepts_overflowing_costs() -> None:
    """Finite costs whose sum overflows are valid: the checked path decides, and accepts."""
    hour = validated_hour(**_hour_args(gen_cost_usd_per_mwh=np.array([1e308, 1e308])))
    assert hour.upper.tolist() == [0.0, 10.0, 5.0, 0.0, 0.0, 0.0, 20.0, 5.0]
