"""The contract columns: sites signed under each contract, who bought augmentation, BaaS fees and quotes.

`augmentation_mwh_cum_vendor` is usable MWh of augmentation packs the vendor paid for (sites
under a running BaaS contract), `augmentation_mwh_cum_hyperscaler` what owners paid for (the
vendor buys the packs and bills them at cost); the quotes are the fee a site booked this month
would be signed at, per MW-month, for each storage option (docs/contracts.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from abm import contracts

Reporter = Callable[[dict[str, Any]], Any]


def contract_reporters(m: Any) -> list[tuple[str, Reporter]]:
    """(column, reader) of the contract series for model `m`."""

    def quote(second_life: bool) -> Reporter:
        return lambda _: m.packs.baas_fee_quote_usd_per_mw_month(second_life)

    def book() -> Any:
        return m.packs.contracts  # (built after the recorder)

    return [
        ("sites_signed_baas", lambda _: book().signed[contracts.BAAS]),
        ("sites_signed_ownership", lambda _: book().signed[contracts.OWNERSHIP]),
        ("sites_baas_running", lambda _: book().running_baas_sites(m.projects, m.month)),
        ("augmentation_mwh_cum_vendor", lambda _: book().augmentation_mwh_cum["vendor"]),
        ("augmentation_mwh_cum_hyperscaler", lambda _: book().augmentation_mwh_cum["hyperscaler"]),
        ("baas_fees_musd_cum", lambda _: book().fees_usd_cum / 1e6),
        ("baas_fee_quote_usd_per_mw_month_second_life", quote(True)),
        ("baas_fee_quote_usd_per_mw_month_new", quote(False)),
    ]
