"""Technologies for a case's generators: from its own data, else the US mix by a seeded rule.

A pandapower case (or any imported net) says what its generators burn in `type`/`name` when
it says it at all; many cases (GBnetwork, most MATPOWER cases) do not, and a fleet that is
all "other" has no merit order. Such a fleet gets the US installed mix (EIA, the same shares
the synthetic grid is built from) by a seeded fill: the generators in a random order (one
draw from the run's `grid.fuel_types` stream) take the technologies in `TECHS` order, each
generator the technology whose share of the fleet's MW its capacity midpoint falls in. The
fleet's MW by technology then matches the mix to within one generator.
"""

from __future__ import annotations

import numpy as np

from abm.grid.topology.conventions import TECHS

#: US installed generating capacity by technology (share of MW), EIA Electric Power Annual
#: 2023 / Form EIA-860 (utility-scale, ~1.2-1.3 TW): natural gas ~43 %, coal ~15 %, nuclear
#: ~8 %, wind ~12 %, solar ~9 %, hydro ~7 %, storage (battery + pumped) ~3 %, other ~3 %.
US_CAPACITY_SHARE: dict[str, float] = {
    "gas": 0.43,
    "coal": 0.15,
    "nuclear": 0.08,
    "wind": 0.12,
    "solar": 0.09,
    "hydro": 0.07,
    "storage": 0.03,
    "other": 0.03,
}


def seeded_mix_techs(capacity_mw: np.ndarray, rng: np.random.Generator) -> list[str]:
    """A technology per generator so that the fleet's MW follows `US_CAPACITY_SHARE` (seeded order)."""
    capacity = np.maximum(np.nan_to_num(np.asarray(capacity_mw, dtype=float)), 0.0)
    total = float(capacity.sum())
    if capacity.size == 0 or total <= 0:
        return ["other"] * capacity.size
    order = rng.permutation(capacity.size)
    midpoint = (np.cumsum(capacity[order]) - capacity[order] / 2.0) / total
    bounds = np.cumsum([US_CAPACITY_SHARE[t] for t in TECHS])
    pick = np.minimum(np.searchsorted(bounds, midpoint, side="right"), len(TECHS) - 1)
    techs = [""] * capacity.size
    for gen, j in zip(order.tolist(), pick.tolist(), strict=True):
        techs[gen] = TECHS[j]
    return techs
