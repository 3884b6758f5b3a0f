"""Hyperscaler types (`[[hyperscalers.types]]`): what makes one buyer of AI power differ from another.

Each type has a share of the AI demand, a value of time, an internal carbon price, a clean-energy
commitment, a risk appetite for queue waits and a campus size distribution. The default mix
(`DEFAULT_TYPES`) stands on DOMAIN-NUMBERS §4a (capex shares of the big four), DOMAIN.md /
DOMAIN-NUMBERS §4 (xAI's Colossus on gas) and stated assumptions; each type says where its
numbers come from in its `source`. Keys of one type are addressed on the command line as
`hyperscalers.types.<name>.<field>` (`type_keys`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import Field

from abm.errors import did_you_mean
from abm.schema.fields import Section, param

TYPES_KEY = "hyperscalers.types"
SHARE_TOLERANCE = 1e-6  # demand shares are written with a few decimals; they must sum to 1


class FirmType(Section):
    """One kind of hyperscaler: its share of demand and what it values when it picks a path."""

    name: str = Field(
        "cloud",
        min_length=1,
        max_length=40,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="Name of the type (lower case, digits, underscores): a label in projects.parquet.",
    )
    source: str = Field(
        "",
        max_length=1000,
        description="Where this type's numbers come from (shown in docs/parameters.md).",
    )
    demand_share: float = param(
        1.0,
        gt=0,
        le=1,
        source="The types' shares sum to 1 (checked); default mix from big-4 capex 2025 (DOMAIN-NUMBERS §4a)",
        doc="Share of the AI demand this type covers, split evenly over its agents.",
    )
    value_of_time_multiplier: float = param(
        1.0,
        ge=0,
        le=20,
        source="1 = the margin lost per MW-month of delay (demand.value_of_lost_compute_usd_per_mw_month)",
        doc="Multiplier on demand.value_of_lost_compute_usd_per_mw_month: what a month of waiting costs this type.",
    )
    internal_carbon_price_usd_per_t: float = param(
        0.0,
        ge=0,
        le=1000,
        source="Assumption: no internal carbon fee unless the type states one (Microsoft's ~$15/t is not in DOMAIN-NUMBERS)",
        doc="Carbon price this type adds to policy.carbon_price_usd_per_t on each path's CO2.",
        unconfirmed=True,
    )
    carbon_free_share: float = param(
        0.0,
        ge=0,
        le=1,
        source="Assumption: annual renewable matching of grid load costs little and is left out; 24/7 carbon-free pledges set it",
        doc=(
            "Share of its load this type commits to carbon-free energy: that share of a path's "
            "fossil MWh (its CO2 over gas.co2_t_per_mwh) is bought back at hyperscalers.cfe_premium_usd_per_mwh."
        ),
        unconfirmed=True,
    )
    queue_risk_premium: float = param(
        0.0,
        ge=0,
        le=5,
        source="Assumption: a risk-neutral buyer counts a queue month as one month",
        doc=(
            "Risk appetite: each month of expected grid-queue wait (the uncertain one: Dominion "
            "3-4 years became 4-7, DOMAIN-NUMBERS #5) costs 1 + this many months of delay."
        ),
        unconfirmed=True,
    )
    campus_mw_median: float = param(
        200.0,
        gt=0,
        le=5000,
        source="Stargate Abilene phase = 200 MW; campus requests 300 MW to GW (DOMAIN-NUMBERS #10)",
        doc="Median facility MW of a new project of this type.",
    )
    campus_mw_sigma: float = param(
        0.7,
        ge=0,
        le=3,
        source="Assumption: lognormal spread spanning 60 MW to ~1 GW",
        doc="Log-sd of this type's project size.",
        unconfirmed=True,
    )


_CAPEX_2025 = (
    "big-4 capex 2025 (DOMAIN-NUMBERS §4a): Amazon ~$125 bn, Alphabet $91-93 bn, Meta $70-72 bn, "
    "Microsoft FY2025 ~$80 bn, ~$380 bn in all; the AI labs' 15 % is an assumption (Oracle, xAI, "
    "OpenAI capex not retrieved) and the big four share the other 85 % by capex"
)

DEFAULT_TYPES: tuple[FirmType, ...] = (
    FirmType(
        name="cloud",
        demand_share=0.45,
        source=(
            "Amazon and Meta: 0.85 x $196 bn / $368 bn of " + _CAPEX_2025 + "; value of time, "
            "size and risk at the schema's neutral defaults; no internal carbon fee or 24/7 "
            "pledge counted (annual renewable matching only, assumption)"
        ),
    ),
    FirmType(
        name="carbon_committed",
        demand_share=0.40,
        internal_carbon_price_usd_per_t=15.0,
        carbon_free_share=1.0,
        source=(
            "Microsoft and Alphabet: 0.85 x $172 bn / $368 bn of " + _CAPEX_2025 + "; "
            "Microsoft's internal carbon fee ~$15/t (public statements, unconfirmed); 24/7 "
            "carbon-free energy by 2030 (Google) and 100/100/0 (Microsoft) as a commitment "
            "covering all its load (public pledges, unconfirmed)"
        ),
    ),
    FirmType(
        name="ai_lab",
        demand_share=0.15,
        value_of_time_multiplier=2.8,
        queue_risk_premium=0.5,
        campus_mw_median=1000.0,
        campus_mw_sigma=0.5,
        source=(
            "xAI / OpenAI-class labs that value speed above all (Colossus ran ~422-460 MW of "
            "on-site gas turbines, DOMAIN-NUMBERS §4): share 0.15 assumed; a month of delay "
            "costs the full revenue of the capacity, $10-12 bn/yr per GW = ~$0.85 M/MW-month "
            "(SemiAnalysis, DOMAIN-NUMBERS §4b), 2.8 x the 35 % margin the others lose "
            "(assumption); queue months count 1.5 x (assumption: the 4-7 year spread of "
            "DOMAIN-NUMBERS #5); campuses ~1 GW (Colossus ~1 GW class, Stargate Abilene "
            "1.2 GW, Prometheus 1 GW, DOMAIN-NUMBERS #10), log-sd 0.5 (assumption)"
        ),
    ),
)
"""The default mix: the big four in two kinds (cloud, carbon-committed) and the AI labs."""

FIELD_NAMES: tuple[str, ...] = tuple(FirmType.model_fields)
NUMERIC_FIELDS: tuple[str, ...] = tuple(
    n for n, f in FirmType.model_fields.items() if f.annotation in (int, float)
)


def check_types(types: Sequence[FirmType], n_agents: int) -> None:
    """Raise ValueError unless names are unique, shares sum to 1 and every type gets an agent."""
    names = [t.name for t in types]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"expected each type name once; repeated: {', '.join(repeated)}")
    total = sum(t.demand_share for t in types)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        listed = ", ".join(f"{t.name} {t.demand_share:g}" for t in types)
        raise ValueError(f"expected demand shares summing to 1; they sum to {total:g} ({listed})")
    if n_agents < len(types):
        raise ValueError(
            f"expected at most hyperscalers.n_hyperscalers ({n_agents}) types: each type needs an agent"
        )


def type_problems(value: Any, where: str) -> str | None:
    """A one-line message for a `[[hyperscalers.types]]` value that is not a list of known-key tables."""
    if not isinstance(value, (list, tuple)):
        return f"{where}: {TYPES_KEY} must be an array of tables [[hyperscalers.types]], got {type(value).__name__}"
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            return (
                f"{where}: {TYPES_KEY}[{i}] must be a table of type keys, got {type(item).__name__}"
            )
        for key in item:
            if key not in FIELD_NAMES:
                label = f"{TYPES_KEY}[{i}].{key}"
                hint = did_you_mean(str(key), list(FIELD_NAMES))
                return f"{where}: unknown key {label!r}{hint}; a type has: {', '.join(FIELD_NAMES)}"
    return None


def type_keys(types: Sequence[FirmType]) -> list[str]:
    """Dotted keys of every numeric field of every type, e.g. 'hyperscalers.types.ai_lab.demand_share'."""
    return [f"{TYPES_KEY}.{t.name}.{f}" for t in types for f in NUMERIC_FIELDS]


def split_type_key(key: str) -> tuple[str, str] | None:
    """('ai_lab', 'demand_share') from 'hyperscalers.types.ai_lab.demand_share'; None for other keys."""
    if not key.startswith(TYPES_KEY + "."):
        return None
    name, _, field = key[len(TYPES_KEY) + 1 :].partition(".")
    return (name, field) if name and field else None


def set_type_field(types: Sequence[Any], key: str, value: Any) -> list[dict[str, Any]]:
    """The types (as dicts) with one `hyperscalers.types.<name>.<field>` set; ValueError if unknown."""
    name, field = split_type_key(key) or ("", "")
    rows = [dict(t.model_dump() if isinstance(t, FirmType) else t) for t in types]
    names = [str(r.get("name", "")) for r in rows]
    if name not in names:
        raise ValueError(
            f"no type named {name!r}{did_you_mean(name, names)}; types: {', '.join(names)}"
        )
    if field not in NUMERIC_FIELDS:
        raise ValueError(
            f"unknown type key {field!r}{did_you_mean(field, list(NUMERIC_FIELDS))}; numeric keys: {', '.join(NUMERIC_FIELDS)}"
        )
    rows[names.index(name)][field] = value
    return rows


MOVED_KEYS: dict[str, str] = {
    "hyperscalers.campus_mw_median": "campus_mw_median of each [[hyperscalers.types]] table",
    "hyperscalers.campus_mw_sigma": "campus_mw_sigma of each [[hyperscalers.types]] table",
    "hyperscalers.internal_carbon_price_usd_per_t": (
        "internal_carbon_price_usd_per_t of each [[hyperscalers.types]] table"
    ),
    "hyperscalers.choice_scale_usd_per_mw_month": (
        "hyperscalers.choice_scale_share_of_cost (a share of the cheapest path's cost, not USD)"
    ),
    "utilities.storage_share_of_new_capacity": (
        "the [planning] build costs (utilities now choose storage, gas, solar or wind by least cost)"
    ),
    **{
        f"recyclers.{key}": (
            "recyclers.holding_cost_usd_per_kwh_month and recyclers.stale_months (asks are now the "
            "reservation price of a recycler's stock, docs/batteries.md 'The pack market')"
        )
        for key in ("ask_markup", "ask_age_discount_per_month", "ask_discount_floor")
    },
    "utilities.storage_c_rate": (
        "utilities.storage_hours (grid storage's C-rate is 1 / its duration: one number, not two "
        "that could disagree)"
    ),
    "market.solar_peak_to_mean": (
        "market.<hour>_solar_factor (solar availability in an hour is now the bus's capacity "
        "factor times the hour's solar factor over the hours' mean one; docs/power-market.md)"
    ),
    "packs.recycling_value_usd_per_kwh": (
        "packs.recycling_value_{nmc,lfp,other}_usd_per_kwh (recycling value by chemistry, mix-weighted)"
    ),
    "packs.second_life_yield": "packs.second_life_yield_{nmc,lfp,other} (grading yield by chemistry)",
    "oems.new_storage_price_usd_per_kwh": (
        "oems.pack_price_usd_per_kwh and oems.balance_of_plant_usd_per_kwh (new storage = pack + balance of plant)"
    ),
    "oems.cumulative_growth_per_year": (
        "oems.global_demand_growth_per_year (growth of yearly global volumes, with oems.global_*_gwh_per_year)"
    ),
    "contracts.baas_share": (
        "contracts.owner_risk_per_sd and contracts.fuel_cost_cv (the hyperscaler now chooses each"
        " site's contract, ownership, BaaS or PPA, by its cost to it; docs/contracts.md)"
    ),
    "oems.learning_rate": (
        "oems.pack_learning_rate and oems.balance_of_plant_learning_rate (learning on cumulative volume)"
    ),
    "vendors.backlog_trigger_months": (
        "vendors.factory_capex_usd_per_mw_per_month (a vendor adds lines once its book pays for"
        " them, abm.agents.vendor_capacity)"
    ),
    "vendors.factory_growth_per_month": (
        "vendors.factory_capex_usd_per_mw_per_month and vendors.factory_lead_time_months"
        " (vendors size their expansion from the order book, abm.agents.vendor_capacity)"
    ),
}
"""Keys that moved (hyperscaler types, utility planning, pack asks, storage prices, factory lines):
old spelling -> where the number lives now."""


def moved_key_message(key: str, where: str) -> str | None:
    """A one-line message for a key that moved into the types table; None for other keys."""
    target = MOVED_KEYS.get(key)
    return f"{where}: key {key!r} has moved: set {target} instead" if target else None
