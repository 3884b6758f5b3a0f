"""Contracts between a modular vendor and the hyperscaler buying a site: ownership or battery-as-a-service.

Under ownership the hyperscaler buys the site's storage, bears its fade and pays for the
augmentation packs that restore it; under battery-as-a-service (BaaS) the vendor keeps the
storage, guarantees a usable capacity for a term against a monthly fee, and buys the packs.
"""

from __future__ import annotations

from abm.schema.fields import Section, param


class ContractsSection(Section):
    """Which contract a modular site gets, the BaaS term and guarantee, and how fade risk prices the fee."""

    baas_share: float = param(
        0.5,
        ge=0,
        le=1,
        source="Battery-as-a-service on 10-year contracts is a business model of the source article (DOMAIN.md); the share of sites signed under it is not reported",
        doc="Share of modular sites signed as battery-as-a-service (the rest are owned by the hyperscaler); assigned in booking order.",
        unconfirmed=True,
    )
    term_months: int = param(
        120,
        ge=12,
        le=360,
        source="Battery-as-a-service on 10-year contracts (DOMAIN.md, business models)",
        doc="BaaS term: the vendor recovers the storage over it and guarantees capacity during it; after it the site's owner bears fade.",
    )
    guaranteed_capacity_share: float = param(
        0.9,
        gt=0,
        le=1,
        source="PPA floors commonly 90 % of original capacity (DOMAIN-NUMBERS §6)",
        doc="BaaS performance guarantee: the vendor augments a site when its usable storage falls below this share of design.",
    )
    second_life_fade_cv: float = param(
        0.5,
        ge=0,
        le=5,
        source="Assumption: field data on second-life packs under AI duty cover less than a year (DOMAIN.md) and SoH varies up to 15 % between modules of a pack (DOMAIN-NUMBERS §2c); new LFP fade is warranted and taken as known",
        doc="Coefficient of variation of a second-life site's fade (sd / mean of the augmentation it will need); new storage's is 0.",
        unconfirmed=True,
    )
    risk_premium_per_sd: float = param(
        0.5,
        ge=0,
        le=5,
        source="Standard-deviation premium principle of insurance pricing (fee = mean + loading x sd); the loading is an assumption",
        doc="The BaaS fee's loading per standard deviation of the augmentation cost the vendor takes on (0: the vendor prices fade at its mean).",
        unconfirmed=True,
    )
