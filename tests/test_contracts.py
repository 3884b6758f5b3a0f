"""Contracts: what each contract costs a site's buyer, the BaaS fee and PPA price with their risk loadings, and who pays for augmentation."""

from __future__ import annotations

import numpy as np
import pytest

from abm import contracts
from abm.markets.contract_book import ContractBook, site_fade_per_year
from abm.runner import simulate
from abm.scenario import config_with
from abm.schema import ScenarioConfig
from abm.vocabulary import Path, Project, Status
from abm.world import HOURS_PER_MONTH

BASE = ScenarioConfig()
KWH_PER_MW = 4000.0


def _cfg(**over: object) -> ScenarioConfig:
    return config_with(BASE, {f"contracts.{k}": v for k, v in over.items()})


class Ledger:
    """Books: records every transfer."""

    def __init__(self) -> None:
        self.moves: list[tuple[object, object, float, str]] = []

    def transfer(self, payer: int | str, payee: int | str, usd: float, kind: str) -> None:
        self.moves.append((payer, payee, usd, kind))


def _site(pid: int, contract: str, energized: int = 0) -> Project:
    return Project(
        pid=pid,
        owner=100 + pid,
        mw=10.0,
        path=Path.MODULAR_SECOND_LIFE,
        node=0,
        month_opened=0,
        status=Status.ENERGIZED,
        month_energized=energized,
        vendor=7,
        contract=contract,
        baas_fee_usd_per_mw_month=500.0 if contract == contracts.BAAS else 0.0,
    )


def test_fade_risk_loads_the_second_life_fee_and_not_the_new_one() -> None:
    """The loading is loading x cv x expected augmentation: second life pays it, new storage (cv 0) does not."""
    args = (100.0, KWH_PER_MW, 0.03)
    flat, risky = (
        _cfg(risk_premium_per_sd=0.0),
        _cfg(risk_premium_per_sd=1.0, second_life_fade_cv=0.5),
    )
    aug = contracts.augmentation_usd_per_mw_month(*args)
    assert aug == pytest.approx(100.0 * KWH_PER_MW * 0.03 / 12)
    margin = 1 + BASE.vendors.margin
    sl_gap = contracts.baas_fee_usd_per_mw_month(
        *args, True, risky
    ) - contracts.baas_fee_usd_per_mw_month(*args, True, flat)
    assert sl_gap == pytest.approx(1.0 * 0.5 * aug * margin)
    assert contracts.baas_fee_usd_per_mw_month(*args, False, risky) == pytest.approx(
        contracts.baas_fee_usd_per_mw_month(*args, False, flat)
    )


def _power(second_life: bool = True, fuel: float = 8000.0) -> contracts.SitePower:
    return contracts.SitePower(60.0, KWH_PER_MW, 0.03, second_life, 4e6, fuel, 584.0)


def test_a_shorter_term_raises_the_fee_and_the_ppa_price() -> None:
    """Storage (and under a PPA the solar too) is recovered over the term."""
    args = (100.0, KWH_PER_MW, 0.03)
    long, short = _cfg(term_months=180), _cfg(term_months=60)
    assert contracts.baas_fee_usd_per_mw_month(
        *args, True, short
    ) > contracts.baas_fee_usd_per_mw_month(*args, True, long)
    assert contracts.ppa_price_usd_per_mwh(_power(), short) > contracts.ppa_price_usd_per_mwh(
        _power(), long
    )


def test_the_ppa_price_loads_fade_risk_on_second_life_and_fuel_risk_on_both() -> None:
    """Vendor's loading x sd: of the augmentation (second life only) and of the fuel bill, with its margin, per MWh."""
    flat, risky = _cfg(risk_premium_per_sd=0.0), _cfg(risk_premium_per_sd=1.0)
    m = 1 + BASE.vendors.margin
    aug = contracts.augmentation_usd_per_mw_month(60.0, KWH_PER_MW, 0.03)
    fade_sd, fuel_sd = BASE.contracts.second_life_fade_cv * aug, BASE.contracts.fuel_cost_cv * 8000
    for second_life, sd in ((True, fade_sd + fuel_sd), (False, fuel_sd)):
        gap = contracts.ppa_price_usd_per_mwh(
            _power(second_life), risky
        ) - contracts.ppa_price_usd_per_mwh(_power(second_life), flat)
        assert gap * 584.0 == pytest.approx(sd * m)


def test_the_buyer_takes_the_cheapest_contract_and_a_tie_goes_to_ownership() -> None:
    """choose_contract is the arg-min over contracts, ties broken in CONTRACTS order."""
    assert contracts.choose_contract({"ownership": 3.0, "baas": 2.0, "ppa": 2.5}) == contracts.BAAS
    assert (
        contracts.choose_contract({"ownership": 2.0, "baas": 2.0, "ppa": 2.0})
        == contracts.OWNERSHIP
    )


def test_what_each_contract_costs_the_buyer() -> None:
    """Ownership: plant annuity + augmentation + fuel + its own loading on fade and fuel; BaaS keeps fuel risk; a PPA none."""
    cfg = _cfg(owner_risk_per_sd=2.0)
    site, annuity = _power(), 0.012
    costs = contracts.contract_costs_usd_per_mw_month(site, annuity, cfg)
    m = 1 + cfg.vendors.margin
    aug = contracts.augmentation_usd_per_mw_month(60.0, KWH_PER_MW, 0.03)
    fuel_risk = 2.0 * cfg.contracts.fuel_cost_cv * 8000.0
    solar = 4e6 * m * annuity
    own = solar + 60.0 * KWH_PER_MW * m * annuity + aug + 2.0 * 0.5 * aug + 8000.0 + fuel_risk
    assert costs[contracts.OWNERSHIP] == pytest.approx(own)
    fee = contracts.baas_fee_usd_per_mw_month(60.0, KWH_PER_MW, 0.03, True, cfg)
    assert costs[contracts.BAAS] == pytest.approx(solar + fee + 8000.0 + fuel_risk)
    assert costs[contracts.PPA] == pytest.approx(contracts.ppa_price_usd_per_mwh(site, cfg) * 584.0)


def test_under_baas_the_vendor_pays_for_augmentation_and_owners_pay_under_ownership() -> None:
    """Bought augmentation split by shortfall: the BaaS site's share stays with the vendor, the owned site's is billed."""
    ledger = Ledger()
    book = ContractBook(BASE, ledger)
    baas, owned = _site(1, contracts.BAAS), _site(2, contracts.OWNERSHIP)
    book.bill_augmentation(7, {baas: 300.0, owned: 100.0}, 400.0, 50.0, month=12)
    assert book.augmentation_mwh_cum == {
        "vendor": pytest.approx(0.3),
        "hyperscaler": pytest.approx(0.1),
    }
    assert ledger.moves == [
        (owned.owner, 7, pytest.approx(100.0 * 50.0), "augmentation (owned storage)")
    ]
    assert all(payer != baas.owner for payer, *_ in ledger.moves)


def test_fees_run_for_the_term_and_then_the_owner_bears_fade() -> None:
    """A BaaS site pays its fee monthly during the term, is augmented at the guarantee, and after it at the owner's trigger."""
    cfg = _cfg(term_months=24, guaranteed_capacity_share=0.95)
    ledger = Ledger()
    book = ContractBook(cfg, ledger)
    site = _site(1, contracts.BAAS, energized=0)
    book.bill_fees([site, _site(2, contracts.OWNERSHIP)], month=5)
    assert ledger.moves == [(site.owner, 7, pytest.approx(5000.0), "battery-as-a-service fee")]
    assert book.trigger(site, 23) == 0.95
    book.bill_fees([site], month=24)
    assert len(ledger.moves) == 1  # the term has ended
    assert book.trigger(site, 24) == cfg.vendors.augmentation_trigger
    assert (
        book.running_sites([site], 23, "baas") == 1 and book.running_sites([site], 24, "baas") == 0
    )


def test_signing_keeps_the_buyers_choice_and_fixes_its_fee_or_price() -> None:
    """The book signs what the buyer chose (ownership when it chose none), a fee for BaaS and a price for a PPA, and counts MW by kind."""
    book = ContractBook(BASE, Ledger())
    owned, baas, ppa, undecided = (
        _site(1, contracts.OWNERSHIP),
        _site(2, contracts.BAAS),
        _site(3, contracts.PPA),
        _site(4, ""),
    )
    for p in (owned, baas, ppa, undecided):
        p.baas_fee_usd_per_mw_month = 0.0
        book.sign(p, 60.0, 0.02)
    assert undecided.contract == contracts.OWNERSHIP
    assert book.signed == {"ownership": 2, "baas": 1, "ppa": 1}
    assert book.signed_mw == {"ownership": 20.0, "baas": 10.0, "ppa": 10.0}
    assert baas.baas_fee_usd_per_mw_month > 0 and owned.baas_fee_usd_per_mw_month == 0
    assert ppa.ppa_price_usd_per_mwh > 0 and baas.ppa_price_usd_per_mwh == 0


def test_under_a_ppa_the_vendor_pays_for_augmentation_and_bills_the_sites_mwh() -> None:
    """A PPA site: augmented at the guarantee on the vendor's account, billed price x MW x MWh per MW each month of the term."""
    cfg = _cfg(term_months=24)
    ledger = Ledger()
    book = ContractBook(cfg, ledger)
    site = _site(1, contracts.PPA)
    site.ppa_price_usd_per_mwh = 100.0
    book.bill_augmentation(7, {site: 200.0}, 200.0, 50.0, month=12)
    assert book.augmentation_mwh_cum == {"vendor": pytest.approx(0.2), "hyperscaler": 0.0}
    assert book.trigger(site, 12) == cfg.contracts.guaranteed_capacity_share
    book.bill_fees([site], month=12)
    mwh = HOURS_PER_MONTH * cfg.demand.load_factor
    assert ledger.moves == [
        (site.owner, 7, pytest.approx(100.0 * 10.0 * mwh), "power purchase agreement")
    ]
    assert book.running_sites([site], 12, contracts.PPA) == 1
    book.bill_fees([site], month=24)  # the term has ended: the owner bears fade
    assert len(ledger.moves) == 1 and book.trigger(site, 24) == cfg.vendors.augmentation_trigger


def test_site_fade_follows_the_fleet_step_and_second_life_scales_by_soh() -> None:
    """Average usable fade per year over the term: positive, and new storage ignores the mix and SoH given."""
    from abm.batteries import fade_params_by_chemistry

    params = fade_params_by_chemistry(BASE.fade, BASE.fade_nmc, BASE.fade_other)
    nmc = np.array([1.0, 0.0, 0.0])
    sl = site_fade_per_year(BASE, params, nmc, 0.8, second_life=True)
    new = site_fade_per_year(BASE, params, nmc, 0.8, second_life=False)
    assert sl > 0 and new > 0
    assert new == site_fade_per_year(
        BASE, params, np.array([0.0, 0.0, 1.0]), 0.5, second_life=False
    )


def _run(**over: object) -> object:
    cfg = config_with(BASE, {"run.months": 36, **{f"contracts.{k}": v for k, v in over.items()}})
    return simulate(cfg, check=True)[1]


def test_paired_runs_all_ppa_versus_all_owned() -> None:
    """Same seed: a fuel- and fade-averse buyer signs every site under a PPA and the vendor buys augmentation; a risk-neutral one owns and pays."""
    ppa = _run(owner_risk_per_sd=5.0, guaranteed_capacity_share=1.0)
    owned = config_with(
        BASE,
        {"run.months": 36, "contracts.owner_risk_per_sd": 0.0, "vendors.augmentation_trigger": 1.0},
    )
    owned_ts = simulate(owned, check=True)[1]
    last_p, last_o = ppa.iloc[-1], owned_ts.iloc[-1]
    assert last_p["sites_signed_ownership"] == last_p["sites_signed_baas"] == 0
    assert last_p["sites_signed_ppa"] > 0 and last_p["mw_signed_ppa"] > 0
    assert (
        last_p["augmentation_mwh_cum_vendor"] > 0
        and last_p["augmentation_mwh_cum_hyperscaler"] == 0
    )
    assert last_p["ppa_bills_musd_cum"] > 0 and last_p["baas_fees_musd_cum"] == 0
    assert last_o["sites_signed_baas"] == last_o["sites_signed_ppa"] == 0
    assert last_o["ppa_bills_musd_cum"] == last_o["baas_fees_musd_cum"] == 0
    assert (
        last_o["augmentation_mwh_cum_hyperscaler"] > 0
        and last_o["augmentation_mwh_cum_vendor"] == 0
    )


def test_a_storage_cost_below_zero_gives_no_negative_fee() -> None:
    """A large 45X credit can make second life's value-equivalent cost negative; the fee stays at 0."""
    assert contracts.baas_fee_usd_per_mw_month(-50.0, KWH_PER_MW, 0.02, True, BASE) == 0.0
