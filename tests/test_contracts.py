"""Contracts: which contract a modular site gets, the BaaS fee and its fade-risk loading, and who pays for augmentation."""

from __future__ import annotations

import numpy as np
import pytest

from abm import contracts
from abm.markets.contract_book import ContractBook, site_fade_per_year
from abm.runner import simulate
from abm.scenario import config_with
from abm.schema import ScenarioConfig
from abm.vocabulary import Path, Project, Status

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


@pytest.mark.parametrize(("share", "expected"), [(0.0, 0), (0.5, 5), (0.3, 3), (1.0, 10)])
def test_contracts_are_assigned_in_booking_order_at_the_share(share: float, expected: int) -> None:
    """Ten sites in a row: the BaaS count never runs ahead of the share, and ends at it."""
    baas = 0
    for sites in range(10):
        kind = contracts.assign_contract(baas, sites, share)
        baas += kind == contracts.BAAS
        assert baas <= share * (sites + 1) + 1e-9
    assert baas == expected


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


def test_a_shorter_term_raises_the_fee_and_baas_share_weights_the_expected_cost() -> None:
    """Storage is recovered over the term; the hyperscaler's expected storage cost mixes ownership and the fee."""
    args = (100.0, KWH_PER_MW, 0.03)
    long, short = _cfg(term_months=180), _cfg(term_months=60)
    assert contracts.baas_fee_usd_per_mw_month(
        *args, True, short
    ) > contracts.baas_fee_usd_per_mw_month(*args, True, long)
    annuity = 0.01
    own = contracts.ownership_storage_usd_per_mw_month(*args, annuity, BASE)
    fee = contracts.baas_fee_usd_per_mw_month(*args, True, BASE)
    for share in (0.0, 0.25, 1.0):
        cfg = _cfg(baas_share=share)
        got = contracts.expected_storage_usd_per_mw_month(*args, True, annuity, cfg)
        assert got == pytest.approx((1 - share) * own + share * fee)


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
    assert book.running_baas_sites([site], 23) == 1 and book.running_baas_sites([site], 24) == 0


def test_signing_fixes_a_fee_only_for_baas_sites() -> None:
    """The book alternates at share 0.5 and prices the BaaS site's fee from the storage cost and fade given."""
    book = ContractBook(_cfg(baas_share=0.5), Ledger())
    first, second = _site(1, ""), _site(2, "")
    book.sign(first, 60.0, 0.02)
    book.sign(second, 60.0, 0.02)
    assert (first.contract, second.contract) == (contracts.OWNERSHIP, contracts.BAAS)
    assert second.baas_fee_usd_per_mw_month > 0 and first.baas_fee_usd_per_mw_month == 0


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


def test_paired_runs_all_baas_versus_all_owned() -> None:
    """Same seed: all-BaaS sites signed BaaS and augmented by the vendor; all-owned ones by hyperscalers, with no fees."""
    baas = _run(baas_share=1.0, guaranteed_capacity_share=1.0)
    owned = config_with(
        BASE, {"run.months": 36, "contracts.baas_share": 0.0, "vendors.augmentation_trigger": 1.0}
    )
    owned_ts = simulate(owned, check=True)[1]
    last_b, last_o = baas.iloc[-1], owned_ts.iloc[-1]
    assert last_b["sites_signed_ownership"] == 0 and last_b["sites_signed_baas"] > 0
    assert (
        last_b["augmentation_mwh_cum_vendor"] > 0
        and last_b["augmentation_mwh_cum_hyperscaler"] == 0
    )
    assert last_b["baas_fees_musd_cum"] > 0
    assert last_o["sites_signed_baas"] == 0 and last_o["baas_fees_musd_cum"] == 0
    assert (
        last_o["augmentation_mwh_cum_hyperscaler"] > 0
        and last_o["augmentation_mwh_cum_vendor"] == 0
    )


def test_a_storage_cost_below_zero_gives_no_negative_fee() -> None:
    """A large 45X credit can make second life's value-equivalent cost negative; the fee stays at 0."""
    assert contracts.baas_fee_usd_per_mw_month(-50.0, KWH_PER_MW, 0.02, True, BASE) == 0.0
