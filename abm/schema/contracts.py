"""Contracts between a modular vendor and the hyperscaler buying a site: ownership, battery-as-a-service or a power purchase agreement.

Under ownership the hyperscaler buys the site's storage, bears its fade and pays for the
augmentation packs that restore it; under battery-as-a-service (BaaS) the vendor keeps the
storage, guarantees a usable capacity for a term against a monthly fee, and buys the packs;
under a power purchase agreement (PPA) the vendor owns the solar and storage, sells the site's
power at a fixed price per MWh for the term, keeps the guarantee and buys the backup fuel.
The hyperscaler takes the contract that costs it least, counting its own risk loading.
"""

from __future__ import annotations

from abm.schema.fields import Section, param


class ContractsSection(Section):
    """How the buyer weighs the risks it keeps, the term and guarantee, and how fade and fuel risk price the BaaS fee and the PPA price."""

    term_months: int = param(
        120,
        ge=12,
        le=360,
        source="Battery-as-a-service on 10-year contracts (DOMAIN.md, business models)",
        doc="BaaS and PPA term: the vendor recovers its plant over it and guarantees capacity during it; after it the site's owner bears fade.",
    )
    guaranteed_capacity_share: float = param(
        0.9,
        gt=0,
        le=1,
        source="PPA floors commonly 90 % of original capacity (DOMAIN-NUMBERS §6)",
        doc="BaaS and PPA performance guarantee: the vendor augments a site when its usable storage falls below this share of design.",
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
        doc="The vendor's loading per standard deviation of the augmentation (BaaS, PPA) and fuel (PPA) cost it takes on (0: it prices them at their mean).",
        unconfirmed=True,
    )
    owner_risk_per_sd: float = param(
        1.2,
        ge=0,
        le=10,
        source=(
            "Assumption: a hyperscaler holding a few sites cannot pool their fade and fuel risk as a"
            " vendor with many can, so its loading is above the vendor's (risk_premium_per_sd); no"
            " source gives a data-centre buyer's risk aversion or hurdle on storage (DOMAIN-NUMBERS"
            " names WACC and risk perception as investor traits without numbers, ASSUME #617)"
        ),
        doc=(
            "The buyer's loading per standard deviation of the fade and fuel cost it keeps (ownership: both;"
            " BaaS: fuel; PPA: none); it takes the cheapest contract, so this decides which contract a site gets."
        ),
        unconfirmed=True,
    )
    fuel_cost_cv: float = param(
        0.3,
        ge=0,
        le=5,
        source=(
            "Assumption: sd / mean of a site's backup-fuel bill over a 10-year term (gas price"
            " swings; BTM gas ~175 USD/MWh, DOMAIN-NUMBERS section 5b); no source gives it"
        ),
        doc="Coefficient of variation of a modular site's backup-fuel cost: who bears it is what a PPA moves to the vendor.",
        unconfirmed=True,
    )
