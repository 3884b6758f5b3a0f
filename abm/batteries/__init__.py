"""Battery physics as pure array functions: EV retirements, SoH grading, fade, O&M, fleet cohorts.

Everything here is stateless except :class:`StorageFleet`, a small container of cohort arrays.
Sources for every default are in the constant or field docstrings and in ``docs/batteries.md``;
"(verify)" marks a figure that is not in ``DOMAIN-NUMBERS.md`` or is derived/assumed.

One module per responsibility: ``products`` (names), ``retirements`` (EV packs retiring by
vintage), ``grading`` (SoH grades), ``fade`` (degradation and remaining life), ``valuation``
(O&M and willingness to pay), ``fleet`` (installed cohorts) and ``blast_lite`` (reference curves
for validation). This package imports no agent, model or service.
"""

from __future__ import annotations

from abm.batteries.blast_lite import (
    BLAST_MODEL_BY_CHEMISTRY,
    BLAST_NEW_LFP_MODEL,
    BLAST_SECOND_LIFE_MODEL,
    blast_lite_soh,
    blast_lite_soh_from,
    duty_cycle_profile,
)
from abm.batteries.chemistry import chemistry_mix, mix_weighted, mix_weighted_wtp
from abm.batteries.fade import (
    FADE_PARAMS_BY_CHEMISTRY,
    FadeParams,
    fade_params_by_chemistry,
    fade_rate_per_year,
    fade_step,
    fade_step_at_rate,
    life_years_at_fade_rate,
    remaining_life_years,
    shelf_fade_rate_per_year,
)
from abm.batteries.fleet import StorageFleet
from abm.batteries.grading import (
    GRADE_THRESHOLDS_SOH,
    RETIREMENT_SOH_MEAN,
    RETIREMENT_SOH_SD,
    grade_fractions,
    grade_mean_soh,
)
from abm.batteries.learning import (
    StorageCosts,
    cumulative_gwh,
    learned_cost_usd_per_kwh,
    storage_costs,
)
from abm.batteries.products import CHEMISTRIES, LFP, NMC, OTHER
from abm.batteries.retirements import (
    EV_PACK_LIFETIME_MEAN_YEARS,
    EV_PACK_LIFETIME_SD_YEARS,
    US_EV_CHEMISTRY_SHARE_BY_YEAR,
    US_EV_SALES_GWH_BY_YEAR,
    US_EV_SHARE_2026,
    US_EV_SHARE_GAIN_PER_YEAR,
    US_KWH_PER_EV_PROJECTED,
    US_LIGHT_VEHICLE_SALES_PER_YEAR,
    ev_pack_weibull,
    ev_retirements_gwh,
    ev_retirements_gwh_by_chemistry,
    us_retirements_by_chemistry_gwh,
    weibull_from_mean_sd,
)
from abm.batteries.valuation import (
    OM_FADE_EXPONENT,
    OM_FRACTION_OF_CAPEX_PER_YEAR,
    OM_REFERENCE_FADE_PER_YEAR,
    Duty,
    StorageDuty,
    om_cost_usd_per_kwh_year,
    quality_adjusted_wtp,
    quality_adjusted_wtp_for,
)

__all__ = [
    "BLAST_MODEL_BY_CHEMISTRY",
    "BLAST_NEW_LFP_MODEL",
    "BLAST_SECOND_LIFE_MODEL",
    "CHEMISTRIES",
    "EV_PACK_LIFETIME_MEAN_YEARS",
    "EV_PACK_LIFETIME_SD_YEARS",
    "EV_PACK_WEIBULL_SCALE_YEARS",
    "EV_PACK_WEIBULL_SHAPE",
    "FADE_PARAMS_BY_CHEMISTRY",
    "GRADE_THRESHOLDS_SOH",
    "LFP",
    "NMC",
    "OTHER",
    "OM_FADE_EXPONENT",
    "OM_FRACTION_OF_CAPEX_PER_YEAR",
    "OM_REFERENCE_FADE_PER_YEAR",
    "RETIREMENT_SOH_MEAN",
    "RETIREMENT_SOH_SD",
    "US_EV_CHEMISTRY_SHARE_BY_YEAR",
    "US_EV_SALES_GWH_BY_YEAR",
    "US_EV_SHARE_2026",
    "US_EV_SHARE_GAIN_PER_YEAR",
    "US_KWH_PER_EV_PROJECTED",
    "US_LIGHT_VEHICLE_SALES_PER_YEAR",
    "FadeParams",
    "Duty",
    "StorageDuty",
    "StorageCosts",
    "StorageFleet",
    "blast_lite_soh",
    "blast_lite_soh_from",
    "chemistry_mix",
    "mix_weighted",
    "cumulative_gwh",
    "duty_cycle_profile",
    "ev_pack_weibull",
    "ev_retirements_gwh",
    "ev_retirements_gwh_by_chemistry",
    "fade_params_by_chemistry",
    "fade_rate_per_year",
    "fade_step",
    "fade_step_at_rate",
    "grade_fractions",
    "grade_mean_soh",
    "learned_cost_usd_per_kwh",
    "life_years_at_fade_rate",
    "mix_weighted_wtp",
    "om_cost_usd_per_kwh_year",
    "quality_adjusted_wtp",
    "quality_adjusted_wtp_for",
    "remaining_life_years",
    "shelf_fade_rate_per_year",
    "storage_costs",
    "us_retirements_by_chemistry_gwh",
    "weibull_from_mean_sd",
]


def __getattr__(name: str) -> float:
    """``EV_PACK_WEIBULL_SHAPE`` / ``EV_PACK_WEIBULL_SCALE_YEARS``, solved on first read (not at import)."""
    if name in ("EV_PACK_WEIBULL_SHAPE", "EV_PACK_WEIBULL_SCALE_YEARS"):
        from abm.batteries import retirements

        return getattr(retirements, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
