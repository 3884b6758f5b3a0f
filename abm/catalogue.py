"""Small catalogues read once: technologies, power paths and pack products as tables.

After PyPSA's `pypsa/data/components.csv`: one row per name with its label and colour (what the
app draws), the scenario keys of its numbers (`section.field`, so values stay in the schema with
their sources) and, for technologies, the capacity credit. Paths are a registry (ASSUME's
strategy registries): adding a path is one `register_path` row plus the code of its own
behaviour; every loop over paths and choices reads `paths()` / `choices()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from abm.grid.topology.conventions import TECHS
from abm.vocabulary import Choice, Path, Product


@dataclass(frozen=True)
class Technology:
    """A generation technology: label, the `market` keys of its marginal cost and emission factor.

    An empty key means zero (wind and solar have no fuel cost; only fossil plants emit).
    `capacity_credit` is the share of nameplate counted firm at peak (NERC-style capacity
    credits; assumption).
    """

    name: str
    label: str
    cost_key: str
    co2_key: str
    capacity_credit: float


# Order = the column order of every per-technology array (``gen_<tech>_mw`` in a topology).
TECHNOLOGIES: tuple[Technology, ...] = (
    Technology("gas", "Gas", "market.cost_gas_usd_per_mwh", "market.co2_gas_t_per_mwh", 1.0),
    Technology("coal", "Coal", "market.cost_coal_usd_per_mwh", "market.co2_coal_t_per_mwh", 1.0),
    Technology("nuclear", "Nuclear", "market.cost_nuclear_usd_per_mwh", "", 1.0),
    Technology("wind", "Wind", "", "", 0.15),
    Technology("solar", "Solar", "", "", 0.3),
    Technology("hydro", "Hydro", "market.cost_hydro_usd_per_mwh", "", 0.9),
    Technology("storage", "Storage", "market.cost_storage_usd_per_mwh", "", 0.9),
    Technology(
        "other", "Other", "market.cost_other_usd_per_mwh", "market.co2_other_t_per_mwh", 1.0
    ),
)
TECHNOLOGY_CATALOGUE: dict[str, Technology] = {t.name: t for t in TECHNOLOGIES}
assert tuple(TECHNOLOGY_CATALOGUE) == TECHS, "one row per topology technology, in TECHS order"


@dataclass(frozen=True)
class PathSpec:
    """A power path: label and colour, the choice it belongs to and the scenario keys of its numbers.

    `cost_key` / `co2_key`: energy cost (USD/MWh) and emission factor (t/MWh) of the energy the
    path burns; empty for the grid (priced by the LMP and the grid mix). `fuel_share_key`: share
    of the load's energy that fuel covers (empty = all of it). `lead_key`: months from order to
    power for a direct path (and every path's prior wait). `enabled_key`: a bool switch (empty =
    always on).
    """

    name: str
    label: str
    colour: str
    choice: str
    cost_key: str = ""
    co2_key: str = ""
    fuel_share_key: str = ""
    lead_key: str = ""
    enabled_key: str = ""


# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
_BACKUP_GAS = {
    "cost_key": "gas.cost_usd_per_mwh",
    "co2_key": "gas.co2_t_per_mwh",
    "fuel_share_key": "vendors.backup_gas_energy_share",
}
_BUILT_IN_PATHS: tuple[PathSpec, ...] = (
    PathSpec(Path.GRID, "Grid connection", "#0072B2", Choice.GRID),
    PathSpec(
        Path.MODULAR_SECOND_LIFE,
        "Modular, second-life packs",
        "#009E73",
        Choice.MODULAR,
        **_BACKUP_GAS,
    ),
    PathSpec(Path.MODULAR_NEW, "Modular, new batteries", "#56B4E9", Choice.MODULAR, **_BACKUP_GAS),
    PathSpec(
        Path.ONSITE_GAS,
        "On-site gas",
        "#D55E00",
        Choice.ONSITE_GAS,
        cost_key="gas.cost_usd_per_mwh",
        co2_key="gas.co2_t_per_mwh",
        lead_key="gas.recip_lead_time_months",
    ),
    PathSpec(
        Path.OTHER,
        "Wildcard (orbital, speculative)",
        "#CC79A7",
        Choice.OTHER,
        cost_key="other.cost_usd_per_mwh",
        co2_key="other.co2_t_per_mwh",
        lead_key="other.lead_time_months",
        enabled_key="other.enabled",
    ),
)
PATH_CATALOGUE: dict[str, PathSpec] = {p.name: p for p in _BUILT_IN_PATHS}


def register_path(spec: PathSpec) -> None:
    """Add a path after the built-in ones (its choice is its own name unless it shares one)."""
    if spec.name in PATH_CATALOGUE:
        raise ValueError(f"path {spec.name!r} is already registered")
    PATH_CATALOGUE[spec.name] = spec


def unregister_path(name: str) -> None:
    """Remove a registered path (built-in paths stay)."""
    if any(p.name == name for p in _BUILT_IN_PATHS):
        raise ValueError(f"path {name!r} is built in")
    del PATH_CATALOGUE[name]


def paths() -> tuple[str, ...]:
    """Every path name, in catalogue order (the order of output columns)."""
    return tuple(PATH_CATALOGUE)


def choices() -> tuple[str, ...]:
    """Every choice a hyperscaler weighs, in catalogue order (no duplicates)."""
    return tuple(dict.fromkeys(p.choice for p in PATH_CATALOGUE.values()))


def choice_of(path: str) -> str:
    """The choice a project on `path` was opened under (both modular paths are 'modular')."""
    spec = PATH_CATALOGUE.get(path)
    return spec.choice if spec is not None else path


def choice_spec(choice: str) -> PathSpec:
    """The first path row of a choice (its energy keys and lead time stand for the choice)."""
    return next(p for p in PATH_CATALOGUE.values() if p.choice == choice)


def config_value(config: Any, key: str) -> Any:
    """The scenario value at `section.field` (e.g. `gas.cost_usd_per_mwh`)."""
    section, name = key.split(".")
    return getattr(getattr(config, section), name)


def path_enabled(config: Any, spec: PathSpec) -> bool:
    """Whether a path's switch is on in this scenario."""
    return not spec.enabled_key or bool(config_value(config, spec.enabled_key))


@dataclass(frozen=True)
class ProductSpec:
    """A pack-market product: its short name (ledger kinds, column suffixes), label and colour."""

    product: Product
    name: str
    label: str
    colour: str


PRODUCT_CATALOGUE: tuple[ProductSpec, ...] = (
    ProductSpec(Product.A, "A", "second life, grade A", "#009E73"),
    ProductSpec(Product.B, "B", "second life, grade B", "#E69F00"),
    ProductSpec(Product.C, "C", "second life, grade C", "#D55E00"),
    ProductSpec(Product.NEW, "new", "new storage", "#0072B2"),
)
PRODUCTS: tuple[str, ...] = tuple(p.name for p in PRODUCT_CATALOGUE)
GRADES: tuple[str, ...] = PRODUCTS[: Product.NEW]  # second-life grades; below C -> recycle
