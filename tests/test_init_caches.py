"""What a model's construction remembers per process, and that sharing it changes no result.

Three pure parts of building a model are computed once per process (abm/grid/topology/build.py,
abm/batteries/retirements.py, abm/grid/queue/rules.py): a generated grid, the share of each EV
vintage retiring per month, and the queue rules of a `[queue]` section. Each test checks the
remembered value equals a fresh computation and that callers cannot change what the next gets.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from abm.batteries import retirements
from abm.grid.queue.rules import QueueRules
from abm.grid.topology import build_grid, shared_grid
from abm.scenario import load_scenario

SIZE = {"n_buses": 30, "n_territories": 3, "peak_load_mw": 3_000.0}


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_a_shared_grid_is_a_private_copy_of_the_same_build() -> None:
    fresh = build_grid("synthetic", rng=_rng(7), **SIZE)
    first = shared_grid("synthetic", rng=_rng(7), **SIZE)
    assert nx.utils.graphs_equal(first, fresh)
    node = next(iter(first.nodes))
    first.nodes[node]["load_mw"] = -1.0  # a caller that edits its grid
    first.remove_edge(*next(iter(first.edges)))
    again = shared_grid("synthetic", rng=_rng(7), **SIZE)
    assert again is not first
    assert nx.utils.graphs_equal(again, fresh)


def test_another_generator_state_builds_another_grid() -> None:
    a = shared_grid("synthetic", rng=_rng(7), **SIZE)
    b = shared_grid("synthetic", rng=_rng(8), **SIZE)
    loads = [[g.nodes[n]["load_mw"] for n in sorted(g.nodes)] for g in (a, b)]
    assert loads[0] != loads[1]


def test_retiring_shares_are_read_only_and_match_a_fresh_sum() -> None:
    sales = {2015: 10.0, 2020: 30.0}
    got = retirements.ev_retirements_gwh(sales, 2025, 1, 24, 2.5, 12.0)
    shares = retirements._retiring_shares((2015, 2020), 2025, 1, 24, 2.5, 12.0)  # noqa: SLF001
    with pytest.raises(ValueError, match="read-only"):
        shares[0, 0] = 1.0
    doubled = retirements.ev_retirements_gwh(
        {y: 2 * g for y, g in sales.items()}, 2025, 1, 24, 2.5, 12.0
    )
    np.testing.assert_array_equal(doubled, 2 * got)
    assert got.sum() > 0


def test_queue_rules_are_built_once_per_section_and_scale() -> None:
    queue = load_scenario("baseline").queue
    assert QueueRules.from_config(queue, 1.0) is QueueRules.from_config(queue, 1.0)
    assert QueueRules.from_config(queue, 1.0) == QueueRules.build(queue, 1.0)
    half = QueueRules.from_config(queue, 0.5)
    assert half.studies_per_month_per_territory == pytest.approx(
        0.5 * QueueRules.from_config(queue, 1.0).studies_per_month_per_territory
    )
