"""National quantities and the one rule that sizes them to a grid: the grid's peak over the US peak.

The scenario's defaults describe the US: data-centre electricity, the queues' volumes, factory,
recycler and engine capacities, the EV packs retiring. A run on a smaller (or larger) network
scales every one of them by the same factor, `grid peak / grid.us_peak_mw`, computed once from
the network the run builds (`abm.grid.desk.GridDesk`), so a scenario never rescales by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from abm.schema.config import ScenarioConfig

#: US-wide (or world-times-US-share) quantities that scale with the grid, as section.field.
NATIONAL_KEYS: tuple[str, ...] = (
    "demand.dc_twh_2023",  # US data-centre electricity (LBNL)
    "demand.dc_twh_2028",
    "hyperscalers.initial_grid_pipeline_mw",  # data-centre MW already in US queues
    "queue.merchant_gw_per_year",  # LBNL's US merchant requests
    "queue.studies_per_month_us",  # national study starts
    "queue.load_studies_per_month_us",
    "gas.turbine_production_mw_per_month",  # world turbines x the US share (GridDesk)
    "gas.turbine_backlog_mw",
    "gas.recip_capacity_mw_per_month",  # engines sold to US data centres
    "vendors.factory_mw_per_month",  # modular vendors' US factories
    "recyclers.test_capacity_gwh_per_month",  # US test-and-grade capacity
    "packs.retirement_multiplier",  # the US flow of retiring EV packs
    "oems.production_gwh_per_month",  # new storage supplied to this market
    "oems.stationary_line_gwh_per_month",  # OEMs' own lines for their retiring packs
    "other.capacity_cap_mw",  # the wildcard's US total
)


def scaled_to_grid(config: ScenarioConfig, share_of_us_peak: float) -> ScenarioConfig:
    """`config` with every national quantity times `share_of_us_peak` (the same object at 1.0)."""
    if share_of_us_peak == 1.0:
        return config
    sections: dict[str, dict[str, float]] = {}
    for key in NATIONAL_KEYS:
        section, field = key.split(".")
        value = getattr(getattr(config, section), field)
        sections.setdefault(section, {})[field] = value * share_of_us_peak
    return config.model_copy(
        update={
            name: getattr(config, name).model_copy(update=fields)
            for name, fields in sections.items()
        }
    )
