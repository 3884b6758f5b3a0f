"""The N-1 screen's kept LODF blocks: bit for bit the screen that re-solves every block."""

from __future__ import annotations

import numpy as np

from abm.grid.flow import DCNetwork
from abm.grid.topology import planning, synthetic_grid
from abm.grid.topology.planning import BRIDGE_TOL, CONTINGENCY_BLOCK, n1_required_rating_mw


def _n1_resolved(net: DCNetwork, injections, ratio: float, contingencies=None) -> np.ndarray:
    """The screen as it was before the blocks were kept: every block solved afresh."""
    flows = np.column_stack([net.flows_mw(inj) for inj in injections])
    required = np.abs(flows).max(axis=1)
    outages = np.arange(net.n_line) if contingencies is None else np.asarray(contingencies)
    for start in range(0, outages.size, CONTINGENCY_BLOCK):
        out = outages[start : start + CONTINGENCY_BLOCK]
        transfer = net.transfer_ptdf(net.line_from[out], net.line_to[out])
        own = transfer[out, np.arange(out.size)]
        keep = (1.0 - own) > BRIDGE_TOL
        if not keep.any():
            continue
        out, transfer, own = out[keep], transfer[:, keep], own[keep]
        lodf = transfer / (1.0 - own)
        lodf[out, np.arange(out.size)] = 0.0
        for case in range(flows.shape[1]):
            post = flows[:, case, None] + lodf * flows[out, case][None, :]
            required = np.maximum(required, np.abs(post).max(axis=1) / ratio)
    return required


def test_kept_blocks_give_the_resolved_screen_bit_for_bit_call_after_call():
    net = DCNetwork(synthetic_grid(300, 4, 3000.0, np.random.default_rng(5)))
    assert net.n_line > CONTINGENCY_BLOCK  # more than one block
    rng = np.random.default_rng(11)
    for _ in range(3):  # the first call fills the cache, the others read it
        cases = [rng.normal(0.0, 50.0, net.n_bus) for _ in range(3)]
        got = n1_required_rating_mw(net, cases, 1.25)
        assert got.tobytes() == _n1_resolved(net, cases, 1.25).tobytes()
    assert net in planning._LODF_CACHE
    net.raise_ratings(np.arange(5), np.full(5, 1e5))  # ratings move, LODFs do not
    cases = [rng.normal(0.0, 50.0, net.n_bus)]
    assert (
        n1_required_rating_mw(net, cases, 1.1).tobytes() == _n1_resolved(net, cases, 1.1).tobytes()
    )


def test_a_contingency_subset_streams_and_matches():
    net = DCNetwork(synthetic_grid(200, 4, 3000.0, np.random.default_rng(3)))
    subset = np.arange(0, net.n_line, 3)
    cases = [np.random.default_rng(2).normal(0.0, 30.0, net.n_bus)]
    got = n1_required_rating_mw(net, cases, 1.2, subset)
    assert got.tobytes() == _n1_resolved(net, cases, 1.2, subset).tobytes()
    assert net not in planning._LODF_CACHE  # only the all-line screen is kept
