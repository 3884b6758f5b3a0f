"""The large-load tariff section: minimum bills, collateral and exit fees for data-centre grid loads."""

from __future__ import annotations

from abm.schema.fields import Section, param

_AEP = (
    "AEP Ohio data-centre tariff, PUCO 24-0508-EL-ATA (order 9 Jul 2025; DOMAIN-NUMBERS #14, §3c)"
)


class TariffSection(Section):
    """A large-load tariff as AEP Ohio's (minimum bill, collateral, exit fee); off by default."""

    large_load_tariff: bool = param(
        False,
        source=f"Lever; {_AEP}; >=38 such tariffs in the US, 30 of them 2025-26 (DOMAIN-NUMBERS §3c, unconfirmed)",
        doc="Data-centre grid filings take the large-load tariff below (collateral, minimum bill, exit fee).",
    )
    minimum_bill_share: float = param(
        0.85,
        ge=0,
        le=1,
        source=f"{_AEP}: minimum bill 85 % of contracted demand",
        doc="Share of contracted demand billed whether used or not.",
    )
    minimum_bill_years: float = param(
        12.0,
        ge=0,
        le=40,
        source=f"{_AEP}: up to 12 years including a ramp of up to 4 (one summary: an 8-year term after the ramp)",
        doc="Years the minimum bill runs, ramp included.",
    )
    exit_fee_months: float = param(
        36.0,
        ge=0,
        le=240,
        source=f"{_AEP}: exit fee for a project cancelled after signing, about 36 months of minimum charges (one summary)",
        doc="Months of minimum charges a signed project pays to cancel (keeping it idle costs the minimum bill).",
        unconfirmed=True,
    )
    demand_charge_usd_per_kw_month: float = param(
        10.0,
        ge=0,
        le=1000,
        source="Assumption: delivery (T&D) demand charge of a large transmission customer, ~$10/kW-month; the AEP tariff bills delivery, not energy",
        doc="Demand charge the minimum bill is counted in.",
        unconfirmed=True,
    )
    collateral_usd_per_mw: float = param(
        400_000.0,
        ge=0,
        le=1e8,
        source=f"{_AEP}: proof of financial viability or collateral; assumption: half the minimum charges of the 8-year term (0.5 x 0.85 x $10/kW-month x 96 months = $408,000/MW)",
        doc="Collateral posted per MW with each filing, held over the minimum bill's term; returned to a filing that withdraws.",
        unconfirmed=True,
    )
