"""Ownership, battery-as-a-service or a fixed-price power contract: what each costs a modular site's buyer, the vendor's prices, and who bears fade.

Pure rules of numbers and the scenario so a test can check each without a world. Under
ownership the hyperscaler pays the site's solar and storage up front, the expected augmentation
as it comes and the backup fuel; under BaaS it pays a monthly fee for the storage instead (the
vendor recovers it over the term, covers the expected augmentation and adds a loading per
standard deviation of the fade risk it takes on); under a power purchase agreement (PPA) it
pays a fixed USD/MWh for the term and the vendor owns the solar and storage, augments them and
buys the backup fuel, pricing fade and fuel risk in (docs/contracts.md). The buyer takes the
contract that costs it least, counting a loading of its own (`contracts.owner_risk_per_sd`) on
the risks it keeps. Second-life fade is uncertain (`contracts.second_life_fade_cv`), new
storage's is taken as known; the fuel bill's uncertainty is `contracts.fuel_cost_cv`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from abm.finance import capital_recovery_factor_per_month
from abm.world import HOURS_PER_MONTH

if TYPE_CHECKING:
    from abm.schema import ScenarioConfig

OWNERSHIP = "ownership"
BAAS = "baas"
PPA = "ppa"
CONTRACTS: tuple[str, ...] = (OWNERSHIP, BAAS, PPA)
VENDOR_BEARS_FADE: tuple[str, ...] = (BAAS, PPA)  # during the term


@dataclass(frozen=True)
class SitePower:
    """A modular site's power plant per MW of load before a contract splits it: storage, its fade, solar and backup fuel."""

    storage_usd_per_kwh: float
    kwh_per_mw: float
    fade_per_year: float
    second_life: bool
    solar_usd_per_mw: float  # PV capex net of the solar credit, at cost
    fuel_usd_per_mw_month: float  # expected backup fuel
    mwh_per_mw_month: float


def site_power(
    config: ScenarioConfig,
    storage_usd_per_kwh: float,
    kwh_per_mw: float,
    fade_per_year: float,
    second_life: bool,
) -> SitePower:
    """A site's power plant from the scenario: PV net of credit, the backup gensets' share of the load at the gas cost."""
    v = config.vendors
    mwh = HOURS_PER_MONTH * config.demand.load_factor
    return SitePower(
        storage_usd_per_kwh,
        kwh_per_mw,
        fade_per_year,
        second_life,
        v.solar_mw_per_mw * v.solar_capex_usd_per_mw * (1 - config.policy.solar_credit_share),
        mwh * v.backup_gas_energy_share * config.gas.cost_usd_per_mwh,
        mwh,
    )


def augmentation_usd_per_mw_month(
    storage_usd_per_kwh: float, kwh_per_mw: float, fade_per_year: float
) -> float:
    """Expected augmentation per MW-month: the usable kWh fade takes away each month, rebought at today's cost."""
    return storage_usd_per_kwh * kwh_per_mw * fade_per_year / 12.0


def fade_cv(second_life: bool, config: ScenarioConfig) -> float:
    """Coefficient of variation of a site's augmentation need: second life's, or 0 for new storage."""
    return config.contracts.second_life_fade_cv if second_life else 0.0


def risk_premium_usd_per_mw_month(augmentation_usd: float, cv: float, loading: float) -> float:
    """A loading for a risk: loading x its standard deviation (cv x mean)."""
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


def ppa_price_usd_per_mwh(site: SitePower, config: ScenarioConfig) -> float:
    """The fixed PPA price: solar and storage recovered over the term, expected augmentation and fuel, the vendor's loading on both risks, with its margin.

    Never below 0 (as the BaaS fee).
    """
    c = config.contracts
    crf = capital_recovery_factor_per_month(config.hyperscalers.discount_rate, c.term_months)
    aug = augmentation_usd_per_mw_month(
        site.storage_usd_per_kwh, site.kwh_per_mw, site.fade_per_year
    )
    risk = risk_premium_usd_per_mw_month(
        aug, fade_cv(site.second_life, config), c.risk_premium_per_sd
    ) + risk_premium_usd_per_mw_month(
        site.fuel_usd_per_mw_month, c.fuel_cost_cv, c.risk_premium_per_sd
    )
    plant = (site.solar_usd_per_mw + site.storage_usd_per_kwh * site.kwh_per_mw) * crf
    month = (plant + aug + site.fuel_usd_per_mw_month + risk) * (1 + config.vendors.margin)
    return max(0.0, month) / max(site.mwh_per_mw_month, 1e-9)


def contract_costs_usd_per_mw_month(
    site: SitePower, annuity: float, config: ScenarioConfig, loaded: bool = True
) -> dict[str, float]:
    """What the site's power costs its buyer per MW-month under each contract, with its own loading on the risks it keeps (`loaded`), or the expected payments alone.

    `annuity` spreads what the buyer pays up front (solar and, when it owns it, storage, both
    with the vendor's margin) over its planning horizon.
    """
    c, m = config.contracts, 1 + config.vendors.margin
    loading = c.owner_risk_per_sd if loaded else 0.0
    aug = augmentation_usd_per_mw_month(
        site.storage_usd_per_kwh, site.kwh_per_mw, site.fade_per_year
    )
    fade_risk = risk_premium_usd_per_mw_month(aug, fade_cv(site.second_life, config), loading)
    fuel = site.fuel_usd_per_mw_month
    fuel_risk = risk_premium_usd_per_mw_month(fuel, c.fuel_cost_cv, loading)
    solar = site.solar_usd_per_mw * m * annuity
    storage = site.storage_usd_per_kwh * site.kwh_per_mw * m * annuity
    fee = baas_fee_usd_per_mw_month(
        site.storage_usd_per_kwh, site.kwh_per_mw, site.fade_per_year, site.second_life, config
    )
    return {
        OWNERSHIP: solar + storage + aug + fade_risk + fuel + fuel_risk,
        BAAS: solar + fee + fuel + fuel_risk,
        PPA: ppa_price_usd_per_mwh(site, config) * site.mwh_per_mw_month,
    }


def choose_contract(costs: dict[str, float]) -> str:
    """The buyer's contract: the cheapest, a tie to the first of `CONTRACTS` (ownership before BaaS before PPA)."""
    return min(CONTRACTS, key=lambda k: (costs[k], CONTRACTS.index(k)))


def in_term(contract: str, month_energized: int | None, month: int, term_months: int) -> bool:
    """Whether a site is under a running BaaS or PPA contract this month (the term starts at energisation)."""
    if contract not in VENDOR_BEARS_FADE or month_energized is None:
        return False
    return month < month_energized + term_months


def augmentation_trigger(guaranteed: bool, config: ScenarioConfig) -> float:
    """Usable share of design below which a site is augmented: the contract's guarantee, or the owner's `vendors.augmentation_trigger`."""
    if guaranteed:
        return config.contracts.guaranteed_capacity_share
    return config.vendors.augmentation_trigger
