"""The contract columns: sites and MW signed under each contract, who bought augmentation, BaaS fees, PPA bills and quotes.

`augmentation_mwh_cum_vendor` is usable MWh of augmentation packs the vendor paid for (sites
under a running BaaS or PPA contract), `augmentation_mwh_cum_hyperscaler` what owners paid for
(the vendor buys the packs and bills them at cost); the quotes are the fee (per MW-month) and
PPA price (per MWh) a site booked this month would be signed at, for each storage option
(docs/contracts.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from abm import contracts

Reporter = Callable[[dict[str, Any]], Any]


def contract_reporters(m: Any) -> list[tuple[str, Reporter]]:
    """(column, reader) of the contract series for model `m`."""

    def fee(second_life: bool) -> Reporter:
        return lambda _: m.packs.baas_fee_quote_usd_per_mw_month(second_life)

    def price(second_life: bool) -> Reporter:
        return lambda _: m.packs.ppa_price_quote_usd_per_mwh(second_life)

    def book() -> Any:
        return m.packs.contracts  # (built after the recorder)

    def signed(kind: str) -> list[tuple[str, Reporter]]:
        return [
            (f"sites_signed_{kind}", lambda _: book().signed[kind]),
            (f"mw_signed_{kind}", lambda _: book().signed_mw[kind]),
        ]

    def running(kind: str) -> Reporter:
        return lambda _: book().running_sites(m.projects, m.month, kind)

    return [
        *(
            col
            for kind in (contracts.BAAS, contracts.OWNERSHIP, contracts.PPA)
            for col in signed(kind)
        ),
        ("sites_baas_running", running(contracts.BAAS)),
        ("sites_ppa_running", running(contracts.PPA)),
        ("augmentation_mwh_cum_vendor", lambda _: book().augmentation_mwh_cum["vendor"]),
        ("augmentation_mwh_cum_hyperscaler", lambda _: book().augmentation_mwh_cum["hyperscaler"]),
        ("baas_fees_musd_cum", lambda _: book().fees_usd_cum / 1e6),
        ("ppa_bills_musd_cum", lambda _: book().ppa_usd_cum / 1e6),
        ("baas_fee_quote_usd_per_mw_month_second_life", fee(True)),
        ("baas_fee_quote_usd_per_mw_month_new", fee(False)),
        ("ppa_price_quote_usd_per_mwh_second_life", price(True)),
        ("ppa_price_quote_usd_per_mwh_new", price(False)),
    ]
