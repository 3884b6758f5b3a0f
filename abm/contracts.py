"""Ownership or battery-as-a-service: which contract a modular site gets, the BaaS fee, and what fade costs each side.

Pure rules of numbers and the scenario so a test can check each without a world. Under
ownership the hyperscaler pays the storage up front and the expected augmentation as it comes;
under BaaS it pays a monthly fee that recovers the storage over the term, covers the expected
augmentation and adds a loading per standard deviation of the fade risk the vendor takes on
(docs/contracts.md). Second-life fade is uncertain (`contracts.second_life_fade_cv`), new
storage's is taken as known, so the loading is what fade risk adds to second-life storage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from abm.finance import capital_recovery_factor_per_month

if TYPE_CHECKING:
    from abm.schema import ScenarioConfig

OWNERSHIP = "ownership"
BAAS = "baas"
CONTRACTS: tuple[str, ...] = (OWNERSHIP, BAAS)


def assign_contract(baas_sites: int, sites: int, baas_share: float) -> str:
    """The next site's contract: BaaS while BaaS sites stay at or below the share of all sites, counting this one."""
    return BAAS if baas_sites + 1 <= baas_share * (sites + 1) + 1e-9 else OWNERSHIP


def augmentation_usd_per_mw_month(
    storage_usd_per_kwh: float, kwh_per_mw: float, fade_per_year: float
) -> float:
    """Expected augmentation per MW-month: the usable kWh fade takes away each month, rebought at today's cost."""
    return storage_usd_per_kwh * kwh_per_mw * fade_per_year / 12.0


def fade_cv(second_life: bool, config: ScenarioConfig) -> float:
    """Coefficient of variation of a site's augmentation need: second life's, or 0 for new storage."""
    return config.contracts.second_life_fade_cv if second_life else 0.0


def risk_premium_usd_per_mw_month(augmentation_usd: float, cv: float, loading: float) -> float:
    """The fee's loading for fade risk: loading x the standard deviation (cv x mean) of the augmentation cost."""
    return loading * cv * augmentation_usd


def baas_fee_usd_per_mw_month(
    storage_usd_per_kwh: float,
    kwh_per_mw: float,
    fade_per_year: float,
    second_life: bool,
    config: ScenarioConfig,
) -> float:
    """The monthly BaaS fee per MW: storage recovered over the term, expected augmentation and its risk loading, with the vendor's margin.

    Never below 0: a storage cost the 45X credit has pushed below 0 is not paid out as a fee.
    """
    c = config.contracts
    crf = capital_recovery_factor_per_month(config.hyperscalers.discount_rate, c.term_months)
    augmentation = augmentation_usd_per_mw_month(storage_usd_per_kwh, kwh_per_mw, fade_per_year)
    premium = risk_premium_usd_per_mw_month(
        augmentation, fade_cv(second_life, config), c.risk_premium_per_sd
    )
    storage = storage_usd_per_kwh * kwh_per_mw * crf
    return max(0.0, (storage + augmentation + premium) * (1 + config.vendors.margin))


def ownership_storage_usd_per_mw_month(
    storage_usd_per_kwh: float,
    kwh_per_mw: float,
    fade_per_year: float,
    annuity: float,
    config: ScenarioConfig,
) -> float:
    """Storage per MW-month to an owner: the packs in the site's capex annuity (with the vendor's margin) plus the expected augmentation at cost."""
    capex = storage_usd_per_kwh * kwh_per_mw * (1 + config.vendors.margin) * annuity
    return capex + augmentation_usd_per_mw_month(storage_usd_per_kwh, kwh_per_mw, fade_per_year)


def expected_storage_usd_per_mw_month(
    storage_usd_per_kwh: float,
    kwh_per_mw: float,
    fade_per_year: float,
    second_life: bool,
    annuity: float,
    config: ScenarioConfig,
) -> float:
    """What a modular option's storage costs a hyperscaler per MW-month, weighted by the chance of each contract."""
    share = config.contracts.baas_share
    own = ownership_storage_usd_per_mw_month(
        storage_usd_per_kwh, kwh_per_mw, fade_per_year, annuity, config
    )
    fee = baas_fee_usd_per_mw_month(
        storage_usd_per_kwh, kwh_per_mw, fade_per_year, second_life, config
    )
    return (1 - share) * own + share * fee


def in_term(contract: str, month_energized: int | None, month: int, term_months: int) -> bool:
    """Whether a site is under a running BaaS contract this month (the term starts at energisation)."""
    if contract != BAAS or month_energized is None:
        return False
    return month < month_energized + term_months


def augmentation_trigger(baas_running: bool, config: ScenarioConfig) -> float:
    """Usable share of design below which a site is augmented: the BaaS guarantee, or the owner's `vendors.augmentation_trigger`."""
    if baas_running:
        return config.contracts.guaranteed_capacity_share
    return config.vendors.augmentation_trigger
