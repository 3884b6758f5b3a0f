"""The pack exchange's book of modular-site contracts: signing, augmentation triggers, fees, PPA bills and who pays for fade.

The vendor operates every site and buys its augmentation packs in the pack market; under
ownership it bills the site's owner for them at cost, under a running BaaS or PPA contract it
keeps the cost and bills the monthly fee, or the site's MWh at the fixed PPA price, instead
(rules in `abm.contracts`, docs/contracts.md). The buyer chose the contract at booking.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from abm import contracts
from abm.batteries import CHEMISTRIES, fade_step
from abm.numerics.identity_memo import IdentityMemo
from abm.shiftable import modular_storage_mwh_per_mw
from abm.vocabulary import Path, Project, Status
from abm.world import HOURS_PER_MONTH

if TYPE_CHECKING:
    from abm.batteries import FadeParams
    from abm.ports import Books
    from abm.schema import ScenarioConfig


#: Site fade figures remembered per (config, fade parameters) pair: a run uses one or two.
_FADE_MEMO_SIZE = 256
_fade_memo: IdentityMemo[float] = IdentityMemo(_FADE_MEMO_SIZE)


def site_fade_per_year(
    config: ScenarioConfig,
    params_by_chemistry: Mapping[str, FadeParams],
    mix: np.ndarray,
    soh: float,
    second_life: bool,
) -> float:
    """Usable kWh a modular site's storage loses per usable kWh-year, averaged over the BaaS term.

    The fleet's own fade step (`fade_step`, knee included) under the site duty: new storage is
    LFP from SoH 1, second life this month's chemistry mix from `soh` with the second-life
    multiplier. Remembered per input (the config and parameters are frozen; holding them keeps
    their ids from being reused): quotes and contracts ask several times a month for the same.
    """
    rest = (
        bool(second_life),
        float(soh) if second_life else 1.0,
        np.asarray(mix, dtype=float).tobytes() if second_life else b"",
    )
    return _fade_memo.get(
        (config, params_by_chemistry),
        rest,
        lambda: _site_fade_per_year(config, params_by_chemistry, mix, soh, second_life),
    )


def _site_fade_per_year(
    config: ScenarioConfig,
    params_by_chemistry: Mapping[str, FadeParams],
    mix: np.ndarray,
    soh: float,
    second_life: bool,
) -> float:
    """`site_fade_per_year` computed: the fade step of each chemistry over the BaaS term."""
    b = config.batteries
    months = float(config.contracts.term_months)
    start = soh if second_life else 1.0
    shares = mix if second_life else np.array([float(n == "lfp") for n in CHEMISTRIES])
    lost = 0.0
    for name, share in zip(CHEMISTRIES, shares, strict=True):
        if share <= 0:
            continue
        p = params_by_chemistry[name]
        end = fade_step(
            np.array([start]),
            months,
            b.efc_per_month,
            b.c_rate,
            p.dod_ref,
            p,
            b.ai_duty_fade_multiplier,
            second_life,
        )
        lost += float(share) * (start - float(end[0]))
    return lost / max(start, 1e-9) / (months / 12.0)


class ContractBook:
    """Contracts signed (sites, MW), augmentation by payer (usable MWh), BaaS fees and PPA bills, over the run."""

    def __init__(self, config: ScenarioConfig, ledger: Books) -> None:
        """An empty book."""
        self.config, self.ledger = config, ledger
        self.signed = dict.fromkeys(contracts.CONTRACTS, 0)
        self.signed_mw = dict.fromkeys(contracts.CONTRACTS, 0.0)
        self.augmentation_mwh_cum = {"vendor": 0.0, "hyperscaler": 0.0}
        self.fees_usd_cum = 0.0
        self.ppa_usd_cum = 0.0

    def sign(self, project: Project, storage_usd_per_kwh: float, fade_per_year: float) -> None:
        """Sign a booked site under the contract its buyer chose (ownership if none) and fix its BaaS fee or PPA price."""
        kind = project.contract if project.contract in contracts.CONTRACTS else contracts.OWNERSHIP
        self.signed[kind] += 1
        self.signed_mw[kind] += project.mw
        project.contract = kind
        second_life = project.path == Path.MODULAR_SECOND_LIFE
        if kind == contracts.BAAS:
            project.baas_fee_usd_per_mw_month = self.fee_usd_per_mw_month(
                storage_usd_per_kwh, fade_per_year, second_life
            )
        elif kind == contracts.PPA:
            project.ppa_price_usd_per_mwh = self.ppa_price_usd_per_mwh(
                storage_usd_per_kwh, fade_per_year, second_life
            )

    def _kwh_per_mw(self) -> float:
        """The run's design storage per MW of a modular site (kWh)."""
        return modular_storage_mwh_per_mw(self.config) * 1000.0

    def fee_usd_per_mw_month(
        self, storage_usd_per_kwh: float, fade_per_year: float, second_life: bool
    ) -> float:
        """The BaaS fee of a site of this run's design storage per MW (abm.contracts)."""
        return contracts.baas_fee_usd_per_mw_month(
            storage_usd_per_kwh, self._kwh_per_mw(), fade_per_year, second_life, self.config
        )

    def ppa_price_usd_per_mwh(
        self, storage_usd_per_kwh: float, fade_per_year: float, second_life: bool
    ) -> float:
        """The PPA price of a site of this run's design, solar and backup fuel (abm.contracts)."""
        site = contracts.site_power(
            self.config, storage_usd_per_kwh, self._kwh_per_mw(), fade_per_year, second_life
        )
        return contracts.ppa_price_usd_per_mwh(site, self.config)

    def guaranteed(self, project: Project, month: int) -> bool:
        """Whether the site is under a running BaaS or PPA contract this month (the vendor bears its fade)."""
        term = self.config.contracts.term_months
        return contracts.in_term(project.contract, project.month_energized, month, term)

    def running(self, project: Project, month: int, kind: str) -> bool:
        """Whether the site is under a running contract of `kind` this month."""
        return project.contract == kind and self.guaranteed(project, month)

    def trigger(self, project: Project, month: int) -> float:
        """The usable share of design below which this site is augmented this month."""
        return contracts.augmentation_trigger(self.guaranteed(project, month), self.config)

    def bill_augmentation(
        self,
        vendor: int,
        shortfalls: Mapping[Project, float],
        usable_kwh: float,
        usd_per_kwh: float,
        month: int,
    ) -> None:
        """Split bought augmentation over sites by shortfall: owners of sites not under a running BaaS or PPA pay the vendor at cost."""
        total = sum(shortfalls.values())
        if total <= 0 or usable_kwh <= 0:
            return
        for project, short in shortfalls.items():
            kwh = usable_kwh * short / total
            if self.guaranteed(project, month):
                self.augmentation_mwh_cum["vendor"] += kwh / 1000.0
                continue
            self.augmentation_mwh_cum["hyperscaler"] += kwh / 1000.0
            usd = kwh * max(0.0, usd_per_kwh)
            self.ledger.transfer(project.owner, vendor, usd, "augmentation (owned storage)")

    def bill_fees(self, projects: Iterable[Project], month: int) -> None:
        """Each energised site under a running contract pays its vendor: the BaaS fee x MW, or its MWh at the PPA price."""
        mwh_per_mw = HOURS_PER_MONTH * self.config.demand.load_factor
        for p in projects:
            if p.vendor is None or p.status is not Status.ENERGIZED:
                continue  # (only modular sites have a vendor)
            if self.running(p, month, contracts.BAAS):
                usd = p.baas_fee_usd_per_mw_month * p.mw
                self.ledger.transfer(p.owner, p.vendor, usd, "battery-as-a-service fee")
                self.fees_usd_cum += usd
            elif self.running(p, month, contracts.PPA):
                usd = p.ppa_price_usd_per_mwh * p.mw * mwh_per_mw
                self.ledger.transfer(p.owner, p.vendor, usd, "power purchase agreement")
                self.ppa_usd_cum += usd

    def running_sites(self, projects: Iterable[Project], month: int, kind: str) -> int:
        """Energised sites under a running contract of `kind`."""
        return sum(
            1 for p in projects if p.status is Status.ENERGIZED and self.running(p, month, kind)
        )

    def kpis(self) -> dict[str, object]:
        """The run's contract totals: sites and MW signed by kind, augmentation by payer (GWh), fees and PPA bills (M USD)."""
        return {
            "sites_signed": dict(self.signed),
            "mw_signed": {k: round(v, 6) for k, v in self.signed_mw.items()},
            "augmentation_gwh": {
                k: round(v / 1000.0, 6) for k, v in self.augmentation_mwh_cum.items()
            },
            "baas_fees_musd": round(self.fees_usd_cum / 1e6, 6),
            "ppa_bills_musd": round(self.ppa_usd_cum / 1e6, 6),
        }
