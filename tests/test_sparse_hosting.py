"""Hosting capacity from the compressed sensitivities: bit for bit the dense reduction."""

from __future__ import annotations

import numpy as np
import pytest

from abm.grid import flow
from abm.grid.flow import DCNetwork
from abm.grid.topology import synthetic_grid


def _hosting(net: DCNetwork, rng: np.random.Generator) -> list[bytes]:
    """Hosting capacity for four base cases, some with overloaded lines (a few get 0)."""
    out = []
    for scale in (0.0, 20.0, 80.0, 300.0):
        base = rng.normal(0.0, scale, net.n_bus) + net.gen_capacity_mw * 0.1
        out.append(net.hosting_capacity_mw(base - base.mean()).tobytes())
    return out


@pytest.mark.parametrize("cutoff", [0.05, 0.1])
def test_compressed_sensitivities_give_the_dense_bytes(monkeypatch: pytest.MonkeyPatch, cutoff):
    graph = synthetic_grid(300, 4, 3000.0, np.random.default_rng(5))
    sparse, dense = DCNetwork(graph), DCNetwork(graph)
    sparse.dfax_cutoff = dense.dfax_cutoff = cutoff
    got = _hosting(sparse, np.random.default_rng(2))
    assert sparse._sensitivity_csc is not None  # the distribution-factor cutoff made it sparse
    monkeypatch.setattr(flow, "SPARSE_SENSITIVITY_SHARE", -1.0)  # never compress: dense path
    assert _hosting(dense, np.random.default_rng(2)) == got
    assert dense._sensitivity_csc is None
    overloaded = [np.frombuffer(b).tolist().count(0.0) for b in got]
    assert max(overloaded) > 0 and min(overloaded) < sparse.n_bus  # both kinds of bus met


def test_subsets_still_read_the_dense_matrix():
    net = DCNetwork(synthetic_grid(200, 4, 3000.0, np.random.default_rng(3)))
    net.dfax_cutoff = 0.05
    base = np.random.default_rng(1).normal(0.0, 30.0, net.n_bus)
    whole = net.hosting_capacity_mw(base)
    some = np.array([150, 3, 3, 77])
    np.testing.assert_array_equal(net.hosting_capacity_mw(base, some), whole[some])
