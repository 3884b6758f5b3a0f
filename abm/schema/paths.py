"""Hyperscalers and the modular vendors they may order from (on-site gas and the wildcard: abm/schema/onsite.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from abm.schema.fields import Section, param
from abm.schema.firm_types import DEFAULT_TYPES, FirmType, check_types


class HyperscalerSection(Section):
    """Cloud and AI-lab agents: project sizes, path choice and phantom filings."""

    n_hyperscalers: int = param(
        6,
        ge=1,
        le=500,
        source="Big-4 plus Oracle and xAI-class entrants (DOMAIN-NUMBERS §4a)",
        doc="Hyperscaler agents sharing the AI demand, split over the types by demand share (at least one each).",
    )
    types: Annotated[tuple[FirmType, ...], Field(strict=False, min_length=1, max_length=20)] = (
        Field(
            DEFAULT_TYPES,
            validate_default=True,  # the default mix must fit n_hyperscalers too
            description=(
                "The kinds of hyperscaler ([[hyperscalers.types]] tables): share of demand, value of "
                "time, carbon price and commitment, risk appetite, campus size."
            ),
            json_schema_extra={
                "source": "Default mix: the big four by 2025 capex (DOMAIN-NUMBERS §4a) in two kinds, and AI labs (Colossus, DOMAIN.md); each type names its sources",
                "unconfirmed": True,
            },
        )
    )
    duplicate_filings: float = param(
        2.0,
        ge=1,
        le=10,
        source="Phantom share ~0.5 of DC requests (DOMAIN-NUMBERS #7): 2 filings per real project",
        doc=(
            "Most utilities a grid project files with (1 = no phantom load; a fraction gives one "
            "more to that share of projects); its owner files fewer when a twin costs more than "
            "it is worth (abm/agents/filing.py)."
        ),
        unconfirmed=True,
    )
    pue: float = param(
        1.2,
        ge=1,
        le=3,
        source="E3 new DC PUE 1.2; Google 1.10, industry 1.58 (DOMAIN-NUMBERS #12)",
        doc=(
            "Facility power / IT power of the data centres built in the run: demand above the "
            "energised fleet is their IT need (the demand path / `demand.source_pue`) x this, "
            "and every MW after that (requests, dispatch, energy, CO2) is facility power."
        ),
    )
    initial_grid_pipeline_mw: float = param(
        40_000.0,
        ge=0,
        le=1e6,
        source="Wood Mackenzie (Apr 2026): contracted US DC pipeline >40 GW; Dominion ~40 GW contracted (DOMAIN-NUMBERS §1, §4c)",
        doc="Data-centre MW already in grid queues when the run starts (filed over the previous four years).",
    )
    lookahead_months: int = param(
        24,
        ge=0,
        le=120,
        source="Assumption: hyperscalers plan capacity two years out (campus phases, DOMAIN-NUMBERS #10)",
        doc="How far ahead demand is covered by new projects.",
        unconfirmed=True,
    )
    overcommit_months: int = param(
        36,
        ge=0,
        le=240,
        source="Assumption: phased campuses commit up to ~3 years beyond the look-ahead (Stargate phases, DOMAIN-NUMBERS #10)",
        doc="Total commitments are capped at the demand this many months beyond the look-ahead.",
        unconfirmed=True,
    )
    max_projects_per_month: int = param(
        6,
        ge=1,
        le=1000,
        source="Assumption: development teams open a few campuses a month",
        doc="Most projects one hyperscaler opens in a month.",
        unconfirmed=True,
    )
    discount_rate: float = param(
        0.08,
        ge=0,
        le=0.5,
        source="Assumption: hyperscaler WACC ~8 %",
        doc="Discount rate for annualising capex.",
        unconfirmed=True,
    )
    conventional_capex_usd_per_mw: float = param(
        11_300_000.0,
        ge=0,
        le=1e9,
        source="US average $11.3 M/MW critical load (DOMAIN-NUMBERS §4b)",
        doc="Facility capex of a conventional (grid or gas) DC, excl. IT.",
    )
    planning_horizon_months: int = param(
        120,
        ge=12,
        le=360,
        source="Battery-as-a-service 10-year contracts (DOMAIN.md)",
        doc="Horizon over which paths are compared.",
    )
    choice_scale_share_of_cost: float = param(
        0.05,
        gt=0,
        le=1,
        source=(
            "Assumption: a firm knows each path's all-in cost to within ~5 %, so a path 5 % dearer "
            "than the best is picked e times less often; a path 20 % cheaper and a year faster "
            "then wins > 80 % of draws (tests/agents/test_hyperscaler.py)"
        ),
        doc="Logit scale as a share of the cheapest path's all-in cost: how sharply cost differences decide the path.",
        unconfirmed=True,
    )
    cfe_premium_usd_per_mwh: float = param(
        30.0,
        ge=0,
        le=1000,
        source=(
            "Assumption: solar+storage at $54-82/MWh (DOMAIN-NUMBERS §5a) above a ~$25-50/MWh "
            "wholesale MWh it displaces; 24/7 CFE premia (PyPSA 247-cfe, Riepin & Brown) not "
            "in DOMAIN-NUMBERS"
        ),
        doc="What a type with a carbon-free commitment pays per fossil MWh of a path to match it with carbon-free energy.",
        unconfirmed=True,
    )
    expectation_weight: float = param(
        0.2,
        gt=0,
        le=1,
        source="Assumption: adaptive expectations, ~5-month memory",
        doc="Weight of a new observation in expected waits and costs.",
        unconfirmed=True,
    )
    switch_wait_months: float = param(
        60.0,
        ge=1,
        le=240,
        source="Dominion 4-7 yr large-load waits (DOMAIN-NUMBERS #5)",
        doc="A queued grid project reconsiders its path once it has waited this long.",
    )
    flexible_share: float = param(
        0.0,
        ge=0,
        le=1,
        source="Lever; Duke 2025 headroom at 0.25-1 % curtailment",
        doc="Share of grid projects that accept a flexible (curtailable) connection.",
    )

    campus_mw_min: float = param(
        10.0,
        gt=0,
        le=5000,
        source="Assumption: the smallest campus worth a project (edge sites are below the model's scope)",
        doc="Smallest facility MW of a new project (the size draw is clipped here).",
        unconfirmed=True,
    )
    campus_mw_max: float = param(
        5000.0,
        gt=0,
        le=50_000,
        source="Largest announced campuses ~5 GW (DOMAIN-NUMBERS #10: campus requests to GW)",
        doc="Largest facility MW of a new project (the size draw is clipped here).",
        unconfirmed=True,
    )
    surplus_cancel_factor: float = param(
        1.2,
        ge=1,
        le=10,
        source="Assumption: hyperscalers tolerate 20 % over the overcommit ceiling before cancelling",
        doc="Committed MW above this multiple of the demand ceiling is cancelled (newest grid projects first).",
        unconfirmed=True,
    )
    grid_wait_prior_buffer_months: float = param(
        12.0,
        ge=0,
        le=120,
        source="Assumption: a year of delays on top of the nominal study and build months (LBNL waits ~5 yr)",
        doc="Months added to the nominal grid timeline in the hyperscalers' prior wait.",
        unconfirmed=True,
    )
    initial_expected_upgrade_share: float = param(
        0.5,
        ge=0,
        le=1,
        source="Assumption: before any agreement signs, a grid project is as likely as not to pay upgrades",
        doc="Hyperscalers' prior share of grid projects that pay network upgrades.",
        unconfirmed=True,
    )
    wait_signal_window_months: int = param(
        24,
        ge=1,
        le=240,
        source="Assumption: hyperscalers judge the grid by requests filed and projects energised in the last two years",
        doc="Grid requests filed, and grid projects energised, this recently make the grid wait signal.",
        unconfirmed=True,
    )

    @field_validator("types")
    @classmethod
    def _check_types(cls, v: tuple[FirmType, ...], info: ValidationInfo) -> tuple[FirmType, ...]:
        check_types(v, int(info.data.get("n_hyperscalers", len(v))))
        return v


class VendorSection(Section):
    """Modular off-grid data-centre vendors: factory output, site design and costs."""

    n_vendors: int = param(
        3,
        ge=1,
        le=100,
        source="Crusoe, Armada, Duos/CDM-class vendors (DOMAIN-NUMBERS §4c)",
        doc="Modular DC vendors.",
    )
    factory_mw_per_month: float = param(
        15.0,
        gt=0,
        le=10_000,
        source="Between Crusoe Spark ~8 MW/month (100 x 1 MW units/yr) and edge AI DC $15.5 bn/yr (DOMAIN.md) at $8-12 M/MW facility cost (~40 MW/month per vendor; the market figure may include GPUs) (DOMAIN-NUMBERS §2, §4b)",
        doc="Initial factory output per vendor.",
        unconfirmed=True,
    )
    augmentation_trigger: float = param(
        0.9,
        gt=0,
        le=1,
        source="PPA floors commonly 90 % of original capacity; augmentation in steps (DOMAIN-NUMBERS §6)",
        doc="A site is topped back up to design storage when its usable storage falls below this share of design.",
    )
    max_site_mw: float = param(
        50.0,
        gt=0,
        le=10_000,
        source="Sparks NV site ~20 MW; Soluna Dorothy 50 MW; prefab modules 0.2-2 MW (DOMAIN-NUMBERS §2, §4c)",
        doc="Largest modular site; bigger campuses are split into several sites.",
        unconfirmed=True,
    )
    delivery_months: float = param(
        3.0,
        ge=0,
        le=60,
        source="Crusoe Spark: ~3 months to deploy (DOMAIN.md)",
        doc="Build and delivery time of a modular unit.",
    )
    solar_permit_months: float = param(
        9.0,
        ge=0,
        le=60,
        source="Solar permitting adds 6-12 months (DOMAIN.md)",
        doc="Permitting delay for the on-site solar.",
    )
    storage_mwh_per_mw: float = param(
        5.25,
        gt=0,
        le=48,
        source="Crusoe+Redwood Nevada 12 MW / 63 MWh (DOMAIN.md)",
        doc="Usable storage designed per MW of load.",
    )
    solar_mw_per_mw: float = param(
        4.0,
        ge=0,
        le=50,
        source="Energy balance at CF ~0.25 with backup gensets (Vernon 2024; offgridai.us, DOMAIN-NUMBERS §5a)",
        doc="PV per MW of load.",
        unconfirmed=True,
    )
    backup_gas_energy_share: float = param(
        0.08,
        ge=0,
        le=1,
        source="offgridai.us: 40-90 % renewable off-grid with gas backup; Nevada >99 % solar+storage (DOMAIN-NUMBERS §5a)",
        doc="Share of a modular site's energy from backup gensets.",
        unconfirmed=True,
    )
    facility_capex_usd_per_mw: float = param(
        10_000_000.0,
        ge=0,
        le=1e9,
        source="Modular DC $8-12 M/MW (DOMAIN-NUMBERS §4b)",
        doc="Modular facility capex per MW (excl. IT, storage, solar).",
    )
    solar_capex_usd_per_mw: float = param(
        1_430_000.0,
        ge=0,
        le=1e8,
        source="LBNL Utility-Scale Solar 2024: $1.43/Wac",
        doc="PV capex.",
    )
    om_usd_per_mw_month: float = param(
        15_000.0,
        ge=0,
        le=1e7,
        source="Assumption: ~1.5 % of capex per year",
        doc="Fixed O&M of a modular site.",
        unconfirmed=True,
    )
    margin: float = param(
        0.2,
        ge=0,
        le=2,
        source="Hardware revenue $4-5 M/MW (DOMAIN.md) over cost (assumption)",
        doc="Vendor markup over cost.",
        unconfirmed=True,
    )
    order_ahead_months: float = param(
        1.0,
        ge=0,
        le=24,
        source="Assumption: storage is bought a month ahead of its lead time to cover the clearing lag",
        doc="Months added to the storage lead time when a vendor decides an order's storage is due.",
        unconfirmed=True,
    )
    second_life_wait_tolerance_months: float = param(
        0.0,
        ge=0,
        le=60,
        source="Assumption: a vendor waits for second-life packs only while they are expected no later than new storage would arrive (oems.lead_time_months); a positive value is its patience for the cheaper packs",
        doc="Months beyond new storage's lead time a vendor waits for an order's second-life packs before the unbought part gets new storage.",
        unconfirmed=True,
    )
    site_solar_weight_exponent: int = param(
        4,
        ge=0,
        le=20,
        source="Assumption: modular sites concentrate in the sunniest buses (weight solar_cf^k)",
        doc="Exponent of the solar capacity factor in the siting weight of modular sites.",
        unconfirmed=True,
    )
    late_delivery_damages_usd_per_mw_month: float = param(
        75_000.0,
        ge=0,
        le=5_000_000,
        source="Assumption: liquidated damages of ~0.1 % of contract value per day late (common EPC practice) on ~$2.5 M/MW of site power system (solar, storage, integration) = ~$75k per MW-month",
        doc="What a month of delay on a waiting order costs a vendor; it bids this (per kWh of the site's storage) above a pack's value for orders waiting for packs.",
        unconfirmed=True,
    )
    factory_lead_time_months: float = param(
        12.0,
        ge=0,
        le=120,
        source="Assumption: about a year from deciding a production line to its output; Armada plans Leviathan production at its Galleon Forge One factory from summer 2026, CDM commissions a module line in weeks (DOMAIN-NUMBERS §4c); no factory build time found",
        doc="Months from a vendor's decision to add factory lines to their first output.",
        unconfirmed=True,
    )
    factory_capex_usd_per_mw_per_month: float = param(
        24_000_000.0,
        gt=0,
        le=1e10,
        source="Crusoe Spark Factory, Brighton CO: $200 M for ~100 units of ~1 MW a year (~8.3 MW/month), 2026 (DOMAIN-NUMBERS §2; derived)",
        doc="Capex of factory lines per MW/month of output; the vendor adds only lines that pay back from booked orders.",
        unconfirmed=True,
    )
