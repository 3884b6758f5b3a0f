"""The exported variables: one row per yearly variable, its unit, how months become a year, and why.

The one table the exporter, the docs page (docs/variables.md) and the tests read. Names follow the
IAMC convention (`|` builds the hierarchy, a parent is the sum of its children where both are
exported); values stay in the units of the monthly `timeseries.parquet` columns they come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Aggregation(StrEnum):
    """How a year's value is made from its months."""

    END = "end"  # a stock or level: its value in the year's last month
    SUM = "sum"  # a monthly flow: summed over the year's months
    INCREASE = (
        "increase"  # a cumulative column: its growth over the year (the monthly flows summed)
    )
    MEAN = "mean"  # a rate, price or intensity: mean of the year's months that have a value


AGGREGATION_DOC = {
    Aggregation.END: "stock: value in December (the year's last month)",
    Aggregation.SUM: "flow: monthly values summed over the year",
    Aggregation.INCREASE: "flow: growth of a cumulative column over the year (its monthly flows summed)",
    Aggregation.MEAN: "mean of the year's months (months without a value are left out)",
}


@dataclass(frozen=True)
class Variable:
    """One yearly variable: its IAMC name and unit, the monthly columns it sums, and how."""

    name: str
    unit: str
    columns: tuple[str, ...]
    aggregation: Aggregation
    doc: str


def _v(name: str, unit: str, columns: str, aggregation: Aggregation, doc: str) -> Variable:
    return Variable(name, unit, tuple(columns.split("+")), aggregation, doc)


END, SUM, INC, MEAN = Aggregation.END, Aggregation.SUM, Aggregation.INCREASE, Aggregation.MEAN
_PATHS = "energized_mw_grid+energized_mw_modular_second_life+energized_mw_modular_new+energized_mw_onsite_gas+energized_mw_other"

VARIABLES: tuple[Variable, ...] = (
    _v("Demand|Data Centre|AI", "MW", "ai_demand_mw", END, "Data-centre facility demand"),
    _v(
        "Capacity|Data Centre",
        "MW",
        f"existing_mw+{_PATHS}",
        END,
        "Data-centre load powered: existing plus energised in the run (paths enabled in the scenario)",
    ),
    _v("Capacity|Data Centre|Existing", "MW", "existing_mw", END, "Powered before the run started"),
    _v(
        "Capacity|Data Centre|Grid",
        "MW",
        "energized_mw_grid",
        END,
        "Energised during the run through a grid connection",
    ),
    _v(
        "Capacity|Data Centre|Second Life Storage",
        "MW",
        "energized_mw_modular_second_life",
        END,
        "Energised during the run as modular sites on second-life batteries and solar",
    ),
    _v(
        "Capacity|Data Centre|New Storage",
        "MW",
        "energized_mw_modular_new",
        END,
        "Energised during the run as modular sites on new batteries and solar",
    ),
    _v(
        "Capacity|Data Centre|Onsite Gas",
        "MW",
        "energized_mw_onsite_gas",
        END,
        "Energised during the run on on-site gas",
    ),
    _v(
        "Capacity|Data Centre|Other",
        "MW",
        "energized_mw_other",
        END,
        "Energised during the run on the wildcard path (only when it is enabled)",
    ),
    _v(
        "Unserved Load|Data Centre|AI",
        "MW",
        "unserved_mw",
        MEAN,
        "Demand not met by powered load, mean over the year",
    ),
    _v(
        "Bridge Power|Data Centre|Gas",
        "MW",
        "bridge_gas_mw",
        MEAN,
        "Waiting grid projects running on on-site bridge gas, mean over the year",
    ),
    _v(
        "Backup Power|Data Centre|Gas",
        "MW",
        "backup_gas_mw",
        END,
        "Bridge gas kept on site as backup after its grid connection",
    ),
    _v(
        "Emissions|CO2|Bridge Gas",
        "t CO2/yr",
        "bridge_gas_co2_t",
        SUM,
        "CO2 of bridge and backup gas (also inside the data centres' operational CO2)",
    ),
    _v(
        "Curtailed Load|Data Centre|Storage Fade",
        "MW",
        "curtailed_compute_mw",
        MEAN,
        "Compute of modular sites whose storage faded below design, mean over the year",
    ),
    _v(
        "Interconnection Queue|Backlog",
        "GW",
        "queue_backlog_gw",
        END,
        "Active interconnection requests, all kinds",
    ),
    _v(
        "Interconnection Queue|Load Backlog",
        "GW",
        "queue_load_backlog_gw",
        END,
        "Active interconnection requests of data-centre loads",
    ),
    _v(
        "Interconnection Queue|Generation and Storage",
        "GW",
        "queue_active_gw_gen_storage",
        END,
        "Active generation and storage requests (LBNL Queued Up's definition; loads excluded)",
    ),
    _v(
        "Final Energy|Data Centre|Served",
        "TWh/yr",
        "dc_electricity_twh_served",
        MEAN,
        "Data-centre electricity served (demand less unserved and fade-curtailed), annualised",
    ),
    _v(
        "Interconnection Queue|Active Requests",
        "count",
        "queue_active_requests",
        END,
        "Number of active interconnection requests",
    ),
    _v(
        "Utility Builds|Filed",
        "MW",
        "utility_builds_filed_mw_cum",
        END,
        "Utilities' own gas and storage builds filed in the queue since the start",
    ),
    _v(
        "Utility Builds|Cancelled",
        "MW",
        "utility_builds_cancelled_mw_cum",
        END,
        "Utility builds their utility cancelled before signing, since the start",
    ),
    _v(
        "Utility Builds|In Service",
        "MW",
        "utility_builds_energized_mw_cum",
        END,
        "Utility gas and storage builds in service (interconnected, lead time passed), since the start",
    ),
    _v(
        "Capacity|Electricity|Gas|Utility Built",
        "MW",
        "utility_gas_energized_mw_cum",
        END,
        "Gas plant utilities built that entered service since the start",
    ),
    _v(
        "Price|Battery Pack|Second Life|Grade A",
        "USD/kWh",
        "pack_price_usd_per_kwh_A",
        MEAN,
        "Clearing price per usable kWh, months with a trade",
    ),
    _v(
        "Price|Battery Pack|Second Life|Grade B",
        "USD/kWh",
        "pack_price_usd_per_kwh_B",
        MEAN,
        "Clearing price per usable kWh, months with a trade",
    ),
    _v(
        "Price|Battery Pack|Second Life|Grade C",
        "USD/kWh",
        "pack_price_usd_per_kwh_C",
        MEAN,
        "Clearing price per usable kWh, months with a trade",
    ),
    _v(
        "Price|Battery Pack|New",
        "USD/kWh",
        "pack_price_usd_per_kwh_new",
        MEAN,
        "Clearing price per usable kWh, months with a trade",
    ),
    _v(
        "Battery Packs|Retired",
        "GWh/yr",
        "packs_retired_gwh_cum",
        INC,
        "EV packs retired (nameplate)",
    ),
    _v(
        "Battery Packs|To Second Life",
        "GWh/yr",
        "packs_second_life_gwh_cum",
        INC,
        "Packs sent to second life (nameplate)",
    ),
    _v(
        "Battery Packs|Recycled",
        "GWh/yr",
        "packs_recycled_gwh_cum",
        INC,
        "Packs recycled (nameplate)",
    ),
    _v(
        "Battery Packs|Stock|Recycler Inventory",
        "GWh",
        "packs_inventory_gwh",
        END,
        "Graded packs held by recyclers (nameplate)",
    ),
    _v(
        "Battery Packs|Stock|Awaiting Test",
        "GWh",
        "packs_awaiting_test_gwh",
        END,
        "Packs at recyclers not yet graded (nameplate)",
    ),
    _v(
        "Battery Packs|Stock|In Second Life Service",
        "GWh",
        "packs_in_service_gwh",
        END,
        "Second-life packs installed and in service (nameplate)",
    ),
    _v(
        "Capacity|Recycling",
        "GWh/month",
        "recycler_capacity_gwh_per_month",
        END,
        "Recyclers' monthly processing capacity",
    ),
    _v(
        "Modular Vendors|Orders Waiting for Second-Life Packs",
        "count",
        "second_life_orders_waiting",
        END,
        "Vendors' due orders still short of second-life packs",
    ),
    _v(
        "Capacity|Modular Vendors",
        "MW/month",
        "vendor_capacity_mw_per_month",
        END,
        "Modular vendors' monthly build capacity",
    ),
    _v(
        "Capacity Under Construction|Modular Vendors",
        "MW/month",
        "vendor_capacity_building_mw_per_month",
        END,
        "Factory lines modular vendors are building (output per month once they produce)",
    ),
    _v(
        "Modular Vendors|Quote|Second Life",
        "months",
        "modular_second_life_quote_months",
        MEAN,
        "Best vendor quote for a second-life modular site booked that month (factory plus pack wait)",
    ),
    _v(
        "Modular Vendors|Quote|New Storage",
        "months",
        "modular_new_quote_months",
        MEAN,
        "Best vendor quote for a modular site on new storage booked that month",
    ),
    _v(
        "Price|Secondary Energy|Electricity|Wholesale",
        "USD/MWh",
        "lmp_usd_per_mwh_mean",
        MEAN,
        "Load-weighted mean locational marginal price, months averaged unweighted",
    ),
    _v(
        "Price|Secondary Energy|Electricity|Utility Tariff",
        "USD/MWh",
        "tariff_usd_per_mwh",
        MEAN,
        "Utilities' tariff (energy at the LMP + capacity + network), energy-weighted over territories",
    ),
    _v(
        "Price|Secondary Energy|Electricity|Rate Impact of Utility Builds",
        "USD/MWh",
        "rate_impact_usd_per_mwh",
        MEAN,
        "What utilities' builds since the start and their network upgrades add to every MWh",
    ),
    *(
        _v(
            f"Capacity|Electricity|Grid|{tech.title()}",
            "GW",
            f"generation_capacity_gw_{tech}",
            END,
            f"{tech.title()} nameplate on the grid after builds, merchant arrivals and retirements",
        )
        for tech in ("gas", "coal", "nuclear", "wind", "solar", "hydro", "storage", "other")
    ),
    _v(
        "Emissions Intensity|Electricity|Grid",
        "t CO2/MWh",
        "grid_co2_t_per_mwh",
        MEAN,
        "CO2 intensity of grid electricity",
    ),
    _v(
        "Emissions Intensity|Electricity|Grid Marginal",
        "t CO2/MWh",
        "grid_co2_marginal_t_per_mwh",
        MEAN,
        "CO2 of serving one more MWh of grid load (load-weighted over buses and hours)",
    ),
    *(
        _v(
            f"Share|Secondary Energy|Electricity|Grid|{tech.title()}",
            "1",
            f"generation_share_{tech}",
            MEAN,
            f"{tech.title()} share of grid generation in the power market",
        )
        for tech in ("gas", "coal", "nuclear", "wind", "solar", "hydro", "storage", "other")
    ),
    _v(
        "Load Shedding|Electricity|Grid",
        "GWh/yr",
        "shed_gwh",
        SUM,
        "Grid load shed in the power market",
    ),
    _v(
        "Loss of Load|Electricity|Grid",
        "h/yr",
        "loss_of_load_hours",
        SUM,
        "Hours with involuntary shedding in the power market (LOLE-like)",
    ),
    _v(
        "Curtailed Load|Electricity|Flexible Connections",
        "GWh/yr",
        "flex_curtailed_gwh",
        SUM,
        "Energy the power market curtailed from flexible grid connections (0 without them)",
    ),
    _v(
        "Emissions|CO2|Data Centre",
        "Mt CO2/yr",
        "co2_mt_cum",
        INC,
        "CO2 of the AI load energised in the run and of the storage it used",
    ),
    _v(
        "Emissions|CO2|Data Centre|Operational",
        "Mt CO2/yr",
        "co2_operational_mt_cum",
        INC,
        "CO2 of the energy the AI load energised in the run used",
    ),
    _v(
        "Emissions|CO2|Data Centre|Embodied",
        "Mt CO2/yr",
        "co2_embodied_mt_cum",
        INC,
        "Embodied CO2 of storage and solar bought, less recycling credits (can be negative)",
    ),
    _v(
        "Water Consumption|Data Centre|Direct",
        "ML/yr",
        "water_direct_ml",
        SUM,
        "Water data centres' cooling consumed on site (docs/water.md)",
    ),
    _v(
        "Water Consumption|Data Centre|Indirect",
        "ML/yr",
        "water_indirect_ml",
        SUM,
        "Water the generators serving data centres consumed (docs/water.md)",
    ),
    _v(
        "Stranded Capacity|Data Centre",
        "MW",
        "stranded_mw",
        MEAN,
        "Data-centre capacity powered above demand, idle (docs/slowdown-and-wildcard.md)",
    ),
    _v(
        "Load Shifted|Data Centre|Grid",
        "MWh/yr",
        "shifted_grid_mwh",
        SUM,
        "Grid data-centre load moved from dear into cheap hours of the day (docs/shiftable-compute.md)",
    ),
    _v(
        "Load Shifted|Data Centre|Modular",
        "MWh/yr",
        "shifted_modular_mwh",
        SUM,
        "Modular sites' load moved from dark into sun hours (docs/shiftable-compute.md)",
    ),
    _v(
        "Peak Hour Load Shifted|Data Centre|Grid",
        "MW",
        "shifted_peak_cut_mw",
        MEAN,
        "Grid data-centre load shifting took out of the peak hour (docs/shiftable-compute.md)",
    ),
    _v(
        "Storage Augmentation|Modular|Vendor",
        "MWh/yr",
        "augmentation_mwh_cum_vendor",
        INC,
        "Usable augmentation packs vendors paid for: sites under BaaS or a PPA (docs/contracts.md)",
    ),
    _v(
        "Storage Augmentation|Modular|Owner",
        "MWh/yr",
        "augmentation_mwh_cum_hyperscaler",
        INC,
        "Usable augmentation packs owners paid for: owned sites (docs/contracts.md)",
    ),
)

_CONTRACT_QUOTES = ("baas_fee_quote_usd_per_mw_month", "ppa_price_quote_usd_per_mwh")
#: Monthly columns with no yearly variable, and why.
NOT_EXPORTED: dict[str, str] = {
    "unserved_energy_gwh": "the same number as shed_gwh (Load Shedding|Electricity|Grid)",
    "date": "the month itself: it becomes the year columns",
    "triggers_fired": "an event count, not a yearly quantity: the firings are in triggers.parquet",
    **dict.fromkeys(
        [f"{c}_{k}" for c in ("sites_signed", "mw_signed") for k in ("baas", "ownership", "ppa")]
        + ["sites_baas_running", "sites_ppa_running", "baas_fees_musd_cum", "ppa_bills_musd_cum"]
        + [f"{q}_{k}" for q in _CONTRACT_QUOTES for k in ("second_life", "new")],
        "contract counts, fees and quotes, kept in the run's own table (docs/contracts.md)",
    ),
    **{
        f"{prefix}_{part}": "a split of Water Consumption or Stranded Capacity|Data Centre by path, "
        "source or stress class, kept in the run's own table"
        for prefix in ("water_ml", "stranded_mw")
        for part in (
            "grid",
            "modular_second_life",
            "modular_new",
            "onsite_gas",
            "other",
            "existing_fleet",
            "bridge_gas",
            "stressed",
            "unstressed",
        )
    },
}


def variables_for(columns: set[str]) -> list[Variable]:
    """The variables a run's table can give: those whose every column it has (a sum: at least one)."""
    out = []
    for var in VARIABLES:
        present = [c for c in var.columns if c in columns]
        if present and (len(var.columns) > 1 or present == list(var.columns)):
            out.append(var)
    return out
