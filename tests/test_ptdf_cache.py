"""The kept all-bus PTDF behind the hosting-capacity sensitivities: bit for bit a fresh solve."""

from __future__ import annotations

import numpy as np
import pytest

from abm.grid import flow
from abm.grid.flow import DCNetwork
from abm.grid.topology import synthetic_grid


def _hosting_runs(net: DCNetwork, rng: np.random.Generator) -> list[bytes]:
    """Hosting capacity for three supply patterns (each rebuilds the sensitivities)."""
    out = []
    for _ in range(3):
        net.gen_capacity_mw = rng.uniform(0.0, 500.0, net.n_bus)
        base = rng.normal(0.0, 20.0, net.n_bus)
        out.append(net.hosting_capacity_mw(base).tobytes())
    return out


def test_kept_ptdf_gives_the_hosting_capacity_of_fresh_solves(monkeypatch: pytest.MonkeyPatch):
    graph = synthetic_grid(300, 4, 3000.0, np.random.default_rng(5))
    kept = DCNetwork(graph)
    got = _hosting_runs(kept, np.random.default_rng(1))
    assert kept._ptdf_cache is not None
    assert kept._ptdf_cache.tobytes() == kept.ptdf_columns(np.arange(kept.n_bus)).tobytes()
    monkeypatch.setattr(flow, "PTDF_CACHE_BYTES", 0)  # the path before the PTDF was kept
    fresh = DCNetwork(graph)
    assert _hosting_runs(fresh, np.random.default_rng(1)) == got
    assert fresh._ptdf_cache is None


def test_block_sized_below_the_bus_count_still_matches(monkeypatch: pytest.MonkeyPatch):
    """Several column blocks (the national grids' case): each kept slice is its fresh block."""
    graph = synthetic_grid(200, 4, 3000.0, np.random.default_rng(3))
    net = DCNetwork(graph)
    monkeypatch.setattr(flow, "BLOCK_ELEMENTS", 7 * net.n_line)  # blocks of 7 buses
    got = _hosting_runs(net, np.random.default_rng(4))
    monkeypatch.setattr(flow, "PTDF_CACHE_BYTES", 0)
    assert _hosting_runs(DCNetwork(graph), np.random.default_rng(4)) == got
