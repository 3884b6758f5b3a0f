"""Offer blocks of the grid's fleet: what each plant offers in each representative hour.

A plant (bus, technology) offers one or two blocks: gas a combined-cycle and a peaker block,
coal and nuclear a must-run minimum and the rest; every other technology one block. An offer
is fuel + variable O&M + carbon price x emission factor, each fossil plant's scaled by its own
heat-rate factor (`heat_rate_factors`), so the merit order slopes instead of stepping. A
must-run block is offered at the price floor while its plant is committed: a plant commits for
the month when, at the LMPs its bus saw in each representative hour last month, running its
minimum all day and the rest when in the money earns at least its offer (a self-commitment
rule). Pure functions over arrays;
the numbers are `market`, `planning`, `carbon` and `policy` keys (docs/power-market.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: Blocks per technology: (block name, role). Roles: "main" (the plant at its offer),
#: "peaker" (gas peakers), "must_run" (minimum generation at the floor), "rest" (above it).
BLOCKS: dict[str, tuple[str, ...]] = {
    "gas": ("main", "peaker"),
    "coal": ("must_run", "rest"),
    "nuclear": ("must_run", "rest"),
}


@dataclass(frozen=True)
class BlockList:
    """The blocks of an append-only plant list: each block's plant, technology and role."""

    plant: np.ndarray
    tech: np.ndarray
    role: tuple[str, ...]

    @property
    def is_must_run(self) -> np.ndarray:
        """True for the must-run (minimum generation) blocks."""
        return np.array([r == "must_run" for r in self.role], dtype=bool)


def block_list(
    plant_tech: np.ndarray, techs: tuple[str, ...], known: BlockList | None = None
) -> BlockList:
    """Blocks of the plants in order (a plant's blocks adjacent); append-only as the plants are.

    `known`: the blocks of a prefix of these plants (last month's list); only the appended
    plants' blocks are built, giving the same arrays as a build from scratch.
    """
    start = int(known.plant[-1]) + 1 if known is not None and len(known.plant) else 0
    plant, tech, role = [], [], []
    for k, t in enumerate(plant_tech[start:].tolist(), start=start):
        for r in BLOCKS.get(techs[t], ("main",)):
            plant.append(k)
            tech.append(t)
            role.append(r)
    new = BlockList(np.array(plant, dtype=np.int64), np.array(tech, dtype=np.int64), tuple(role))
    if not start or known is None:
        return new
    return BlockList(
        np.concatenate((known.plant, new.plant)),
        np.concatenate((known.tech, new.tech)),
        known.role + new.role,
    )


def tech_offers(config: Any, techs: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """(offer USD/MWh, t CO2/MWh) of each technology's main block, and of gas peakers, carbon included."""
    mk, carbon = config.market, config.policy.carbon_price_usd_per_t
    base = {
        "gas": (mk.cost_gas_usd_per_mwh, mk.co2_gas_t_per_mwh),
        "peaker": (config.planning.gas_ct_cost_usd_per_mwh, config.carbon.gas_ct_t_per_mwh),
        "coal": (mk.cost_coal_usd_per_mwh, mk.co2_coal_t_per_mwh),
        "nuclear": (mk.cost_nuclear_usd_per_mwh, 0.0),
        "hydro": (mk.cost_hydro_usd_per_mwh, 0.0),
        "wind": (0.0, 0.0),
        "solar": (0.0, 0.0),
        "storage": (mk.cost_storage_usd_per_mwh, 0.0),
        "other": (mk.cost_other_usd_per_mwh, mk.co2_other_t_per_mwh),
    }
    assert set(techs) | {"peaker"} == set(base), "one offer row per technology"
    return {k: (cost + carbon * co2, co2) for k, (cost, co2) in base.items()}


def block_shares(blocks: BlockList, techs: tuple[str, ...], config: Any) -> np.ndarray:
    """Share of its plant's (available) capacity each block offers."""
    mk = config.market
    min_share = {"coal": mk.coal_min_generation_share, "nuclear": mk.nuclear_min_generation_share}
    share = np.ones(len(blocks.plant))
    for b, (t, r) in enumerate(zip(blocks.tech.tolist(), blocks.role, strict=True)):
        tech = techs[t]
        if r == "main" and tech == "gas":
            share[b] = 1.0 - mk.gas_peaker_capacity_share
        elif r == "peaker":
            share[b] = mk.gas_peaker_capacity_share
        elif r == "must_run":
            share[b] = min_share[tech]
        elif r == "rest":
            share[b] = 1.0 - min_share[tech]
    return share


#: Technologies that burn fuel: their plants' heat rates spread around the technology's.
FUEL_TECHS: tuple[str, ...] = ("gas", "coal", "other")


def heat_rate_factors(
    plant_tech: np.ndarray, techs: tuple[str, ...], spread: float, u: np.ndarray
) -> np.ndarray:
    """Each plant's heat rate over its technology's: 1 + spread x (2u - 1) for fuel burners, else 1.

    `u` is one uniform in (0, 1) per plant, drawn keyed by its bus and technology, so a plant
    keeps its factor in every scenario of a seed.
    """
    fuel = np.isin(plant_tech, [techs.index(t) for t in FUEL_TECHS if t in techs])
    return np.where(fuel, 1.0 + spread * (2.0 * u - 1.0), 1.0)


def block_offers(
    blocks: BlockList,
    techs: tuple[str, ...],
    config: Any,
    plant_factor: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(offer USD/MWh, t CO2/MWh) of each block at its plant's own cost (commitment not applied).

    `plant_factor`: each plant's heat-rate factor (`heat_rate_factors`), scaling its blocks'
    offer and emissions; without it every plant burns at its technology's rate.
    """
    offers = tech_offers(config, techs)
    pairs = zip(blocks.tech.tolist(), blocks.role, strict=True)
    keys = ["peaker" if r == "peaker" else techs[t] for t, r in pairs]
    cost = np.array([offers[k][0] for k in keys], dtype=float)
    co2 = np.array([offers[k][1] for k in keys], dtype=float)
    if plant_factor is None:
        return cost, co2
    factor = plant_factor[blocks.plant]
    return cost * factor, co2 * factor


def committed(
    offer_usd_per_mwh: np.ndarray,
    min_share: np.ndarray,
    lmp_by_hour_usd_per_mwh: np.ndarray,
    hour_weight: np.ndarray,
) -> np.ndarray:
    """Whether each must-run plant commits: its expected margin over the representative day >= 0.

    `lmp_by_hour_usd_per_mwh` is (n_hour, n_plant), the LMPs at each plant's bus last month;
    the plant runs `min_share` of its capacity every hour and the rest where the LMP exceeds
    its offer, so the margin per MW of capacity is sum_h w_h [m (p_h - c) + (1 - m) max(p_h - c, 0)].
    """
    gain = lmp_by_hour_usd_per_mwh - offer_usd_per_mwh[None, :]
    per_hour = min_share * gain + (1.0 - min_share) * np.maximum(gain, 0.0)
    # an elementwise sum, not a BLAS product: the same bytes on every machine
    margin = (hour_weight[:, None] * per_hour).sum(axis=0)
    return margin >= 0.0


def solar_availability(
    solar_cf: np.ndarray, solar_factor: float, mean_solar_factor: float
) -> np.ndarray:
    """Solar output per MW in an hour: the bus's annual capacity factor shaped by the hour's factor.

    Dividing by the hours' weighted mean factor keeps the month's solar energy at the sourced
    capacity factor (capped at 1 in an hour).
    """
    if mean_solar_factor <= 0:
        return np.zeros_like(solar_cf)
    return np.clip(solar_cf * solar_factor / mean_solar_factor, 0.0, 1.0)
