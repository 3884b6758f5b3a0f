"""The pack exchange's book of modular-site contracts: signing, augmentation triggers, fees and who pays for fade.

The vendor operates every site and buys its augmentation packs in the pack market; under
ownership it bills the site's owner for them at cost, under a running BaaS contract it keeps
the cost and bills the monthly fee instead (rules in `abm.contracts`, docs/contracts.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from abm import contracts
from abm.batteries import CHEMISTRIES, fade_step
from abm.shiftable import modular_storage_mwh_per_mw
from abm.vocabulary import Path, Project, Status

if TYPE_CHECKING:
    from abm.batteries import FadeParams
    from abm.ports import Books
    from abm.schema import ScenarioConfig


#: Site fade figures remembered per (config, fade parameters) pair: a run uses one or two.
_FADE_MEMO_SIZE = 256
_fade_memo: dict[tuple[int, int, bool, float, bytes], tuple[object, object, float]] = {}


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
    key = (
        id(config),
        id(params_by_chemistry),
        bool(second_life),
        float(soh) if second_life else 1.0,
        np.asarray(mix, dtype=float).tobytes() if second_life else b"",
    )
    hit = _fade_memo.get(key)
    if hit is not None and hit[0] is config and hit[1] is params_by_chemistry:
        return hit[2]
    if len(_fade_memo) >= _FADE_MEMO_SIZE:
        _fade_memo.clear()
    value = _site_fade_per_year(config, params_by_chemistry, mix, soh, second_life)
    _fade_memo[key] = (config, params_by_chemistry, value)
    return value


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
    """Contracts signed, augmentation by payer (usable MWh) and BaaS fees billed, over the run."""

    def __init__(self, config: ScenarioConfig, ledger: Books) -> None:
        """An empty book."""
        self.config, self.ledger = config, ledger
        self.signed = dict.fromkeys(contracts.CONTRACTS, 0)
        self.augmentation_mwh_cum = {"vendor": 0.0, "hyperscaler": 0.0}
        self.fees_usd_cum = 0.0

    def sign(self, project: Project, storage_usd_per_kwh: float, fade_per_year: float) -> None:
        """Give a booked site its contract (in booking order, `contracts.baas_share`) and fix a BaaS fee."""
        sites = sum(self.signed.values())
        kind = contracts.assign_contract(
            self.signed[contracts.BAAS], sites, self.config.contracts.baas_share
        )
        self.signed[kind] += 1
        project.contract = kind
        if kind == contracts.BAAS:
            project.baas_fee_usd_per_mw_month = self.fee_usd_per_mw_month(
                storage_usd_per_kwh, fade_per_year, project.path == Path.MODULAR_SECOND_LIFE
            )

    def fee_usd_per_mw_month(
        self, storage_usd_per_kwh: float, fade_per_year: float, second_life: bool
    ) -> float:
        """The BaaS fee of a site of this run's design storage per MW (abm.contracts)."""
        return contracts.baas_fee_usd_per_mw_month(
            storage_usd_per_kwh,
            modular_storage_mwh_per_mw(self.config) * 1000.0,
            fade_per_year,
            second_life,
            self.config,
        )

    def baas_running(self, project: Project, month: int) -> bool:
        """Whether the site is under a running BaaS contract this month."""
        term = self.config.contracts.term_months
        return contracts.in_term(project.contract, project.month_energized, month, term)

    def trigger(self, project: Project, month: int) -> float:
        """The usable share of design below which this site is augmented this month."""
        return contracts.augmentation_trigger(self.baas_running(project, month), self.config)

    def bill_augmentation(
        self,
        vendor: int,
        shortfalls: Mapping[Project, float],
        usable_kwh: float,
        usd_per_kwh: float,
        month: int,
    ) -> None:
        """Split bought augmentation over sites by shortfall: owners of sites not under BaaS pay the vendor at cost."""
        total = sum(shortfalls.values())
        if total <= 0 or usable_kwh <= 0:
            return
        for project, short in shortfalls.items():
            kwh = usable_kwh * short / total
            if self.baas_running(project, month):
                self.augmentation_mwh_cum["vendor"] += kwh / 1000.0
                continue
            self.augmentation_mwh_cum["hyperscaler"] += kwh / 1000.0
            usd = kwh * max(0.0, usd_per_kwh)
            self.ledger.transfer(project.owner, vendor, usd, "augmentation (owned storage)")

    def bill_fees(self, projects: Iterable[Project], month: int) -> None:
        """Each energised site under a running BaaS contract pays its vendor this month's fee."""
        for p in projects:
            if p.vendor is None or p.status is not Status.ENERGIZED:
                continue  # (only modular sites have a vendor)
            if self.baas_running(p, month):
                usd = p.baas_fee_usd_per_mw_month * p.mw
                self.ledger.transfer(p.owner, p.vendor, usd, "battery-as-a-service fee")
                self.fees_usd_cum += usd

    def running_baas_sites(self, projects: Iterable[Project], month: int) -> int:
        """Energised sites under a running BaaS contract."""
        return sum(
            1 for p in projects if p.status is Status.ENERGIZED and self.baas_running(p, month)
        )
