"""Base-year transmission planning: line ratings that meet a reliability criterion at peak.

A planner sizes lines so that the forecast peak can be served in normal operation (NERC
TPL-001 category P0: every flow within its normal rating) and after the loss of any one line
(category P1: every flow within its emergency rating), for the dispatch patterns it plans
for. Load served radially by the lost line may be lost (TPL-001's "consequential load loss"),
so a line whose outage islands part of the grid (a bridge) is not a contingency. Post-outage
flows come from line outage distribution factors (LODFs) built from PTDF columns in blocks,
so the memory stays bounded on large grids. The ratings here are a floor: a builder keeps
any higher rating it drew.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from abm.grid.flow import DCNetwork, pro_rata_dispatch_mw
from abm.numerics import elementary
from abm.schema.grid import GridSection

#: Contingencies (outaged lines) per block of PTDF columns in the N-1 screen.
CONTINGENCY_BLOCK = 256
#: A line with 1 - PTDF(own transfer) below this islands the grid when out (a bridge).
BRIDGE_TOL = 1e-6
#: Largest all-line LODF matrix kept between N-1 screens of one network (bytes): GBnetwork
#: (2,804 lines) takes 63 MB, a 2,000-bus synthetic grid (2,439 lines) 48 MB; above it every
#: screen re-solves its blocks. Memory bound, not a model number.
LODF_CACHE_BYTES = 2**28
#: All-line LODF blocks per network, kept while the network lives: a reconductoring raises
#: ratings only, so susceptances, PTDFs and LODFs stay (abm.grid.flow.DCNetwork.raise_ratings).
_LODF_CACHE: weakref.WeakKeyDictionary[DCNetwork, list[tuple[np.ndarray, np.ndarray]]] = (
    weakref.WeakKeyDictionary()
)
#: Dispatchable thermal technologies: they can be counted on at any hour of the peak day;
#: solar and wind may be out (night, calm), hydro and storage are energy limited.
FIRM_TECHS: tuple[str, ...] = ("gas", "coal", "nuclear", "other")


def _default(name: str) -> float:
    """A planning parameter's schema default (the builder's default when no config is given)."""
    return float(GridSection.model_fields[name].default)


@dataclass(frozen=True)
class PlanningCriteria:
    """What the base-year plan must meet: emergency / normal rating ratio and the load to plan for.

    `load_scale` is the planned peak over the base-year peak ((1 + growth) ** horizon years);
    `emergency_rating_ratio` is how far above its normal rating a line may run after an outage.
    """

    emergency_rating_ratio: float = _default("emergency_rating_ratio")
    load_scale: float = elementary.power(
        1.0 + _default("load_growth_per_year"), _default("planning_horizon_years")
    )

    @classmethod
    def from_grid(cls, grid: GridSection) -> PlanningCriteria:
        """Criteria from a scenario's grid section."""
        return cls(
            emergency_rating_ratio=grid.emergency_rating_ratio,
            load_scale=elementary.power(
                1.0 + grid.load_growth_per_year, grid.planning_horizon_years
            ),
        )


def planning_cases_mw(
    load_mw: np.ndarray, gen_mw: np.ndarray, techs: tuple[str, ...], load_scale: float
) -> list[np.ndarray]:
    """Net injections (MW) of the planned peak: all generation pro rata, and firm generation only."""
    load = np.asarray(load_mw, dtype=float) * load_scale
    firm = np.array([t in FIRM_TECHS for t in techs])
    return [
        pro_rata_dispatch_mw(load, gen_mw.sum(axis=1)),
        pro_rata_dispatch_mw(load, gen_mw[:, firm].sum(axis=1)),
    ]


def n1_required_rating_mw(
    net: DCNetwork,
    injections_mw: list[np.ndarray],
    emergency_rating_ratio: float,
    contingencies: np.ndarray | None = None,
) -> np.ndarray:
    """Smallest normal rating (MW) per line meeting P0 and P1 for every injection pattern.

    P0: |flow| <= rating. P1: |flow after any one of `contingencies` (line indices, default
    all; bridges are skipped) is out| <= ratio x rating.
    """
    flows = np.column_stack([net.flows_mw(inj) for inj in injections_mw])  # (n_line, n_case)
    required = np.abs(flows).max(axis=1)
    for out, lodf in _lodf_blocks(net, contingencies):
        for case in range(flows.shape[1]):
            post = flows[:, case, None] + lodf * flows[out, case][None, :]
            required = np.maximum(required, np.abs(post).max(axis=1) / emergency_rating_ratio)
    return required


def lodf_block(net: DCNetwork, out: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(non-bridge outages, LODF (n_line, k)) of one block of outaged lines; None if all are bridges.

    Column k is the flow shift per MW that line `out[k]` carried before it was lost; the
    outaged line's own entry is zero (its P0 flow already counts).
    """
    transfer = net.transfer_ptdf(net.line_from[out], net.line_to[out])
    own = transfer[out, np.arange(out.size)]
    keep = (1.0 - own) > BRIDGE_TOL
    if not keep.any():
        return None
    out, transfer, own = out[keep], transfer[:, keep], own[keep]
    lodf = transfer / (1.0 - own)
    lodf[out, np.arange(out.size)] = 0.0
    return out, lodf


def _lodf_blocks(
    net: DCNetwork, contingencies: np.ndarray | None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """LODF blocks of `CONTINGENCY_BLOCK` outages; the all-line set is kept per network.

    The rolling assessment screens all lines of the same network every year: the blocks are
    the same solves each time, so they are solved once (when they fit `LODF_CACHE_BYTES`) and
    the screens stay byte-identical. Otherwise the blocks stream, one in memory at a time.
    """
    everything = contingencies is None
    if everything and net in _LODF_CACHE:
        return iter(_LODF_CACHE[net])
    outages = np.arange(net.n_line) if everything else np.asarray(contingencies)
    blocks = (
        lodf_block(net, outages[i : i + CONTINGENCY_BLOCK])
        for i in range(0, outages.size, CONTINGENCY_BLOCK)
    )
    kept = (block for block in blocks if block is not None)
    if not (everything and 8 * net.n_line * net.n_line <= LODF_CACHE_BYTES):
        return kept
    _LODF_CACHE[net] = list(kept)
    return iter(_LODF_CACHE[net])


def planned_unrated_mw(
    net: DCNetwork,
    unrated: np.ndarray,
    load_mw: np.ndarray,
    gen_mw: np.ndarray,
    techs: tuple[str, ...],
    criteria: PlanningCriteria,
) -> np.ndarray:
    """Ratings (MW) with the unrated branches raised to the base-year plan's N-1 rating.

    An imported case that states no limit for a branch (`unrated`, given its fallback rating
    in `net`) is planned as the synthetic grid is: P0 and P1 at the planned peak for both
    dispatch patterns, so its hosting room is the same planning rule's, not the fallback's.
    A branch with its own rating keeps it.
    """
    rating = np.asarray(net.rating_mw, dtype=float)
    if not np.any(unrated):
        return rating
    cases = planning_cases_mw(load_mw, gen_mw, techs, criteria.load_scale)
    required = n1_required_rating_mw(net, cases, criteria.emergency_rating_ratio)
    planned = np.maximum(rating, np.ceil(required * 10.0) / 10.0)
    return np.where(unrated, planned, rating)
