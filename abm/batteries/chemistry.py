"""Chemistry mix of second-life supply and values weighted by it (pure functions).

Second-life inventories are held per grade, not per chemistry; a lot bought this month carries
the chemistry mix of this month's EV retirements (recyclers' stock turns over within months).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from abm.batteries.fade import FadeParams
from abm.batteries.products import CHEMISTRIES
from abm.batteries.valuation import StorageDuty, quality_adjusted_wtp_for
from abm.errors import InputError
from abm.numerics import exact_dot


def chemistry_mix(retirements_by_chemistry_gwh: np.ndarray, month: int) -> np.ndarray:
    """Shares of each chemistry in month ``month``'s retirements, (n_chemistries,), summing to 1.

    After the horizon, or in a month with no retirements, the nearest earlier month with some;
    equal shares when there are none at all.
    """
    table = np.asarray(retirements_by_chemistry_gwh, dtype=float)
    if table.ndim != 2 or table.shape[1] != len(CHEMISTRIES):
        raise InputError(f"retirements by chemistry must be (months, {len(CHEMISTRIES)})")
    totals = table.sum(axis=1)
    rows = np.flatnonzero(totals[: max(month, 0) + 1] > 0)
    if not rows.size:
        return np.full(len(CHEMISTRIES), 1.0 / len(CHEMISTRIES))
    row = table[rows[-1]]
    return row / row.sum()


def mix_weighted(mix: np.ndarray, by_chemistry: Sequence[float]) -> float:
    """A per-chemistry value (``CHEMISTRIES`` order) weighted by a chemistry mix (shares summing to 1)."""
    values = np.asarray(by_chemistry, dtype=float)
    if values.shape != (len(CHEMISTRIES),):
        raise InputError(f"need one value per chemistry {CHEMISTRIES}, got {values.shape}")
    return exact_dot(np.asarray(mix, dtype=float), values)


def mix_weighted_wtp(
    new_price_usd_per_kwh: float,
    soh: float,
    eol_soh: float,
    params_by_chemistry: Mapping[str, FadeParams],
    mix: np.ndarray,
    duty: StorageDuty,
    discount_rate: float,
    new_eol_soh: float,
    new_params: FadeParams,
) -> float:
    """Willingness to pay per usable kWh of a second-life lot of the given chemistry mix.

    Each chemistry's value comes from its own fade (``quality_adjusted_wtp_for``) against new LFP
    storage; the lot is worth the mix-weighted average.
    """
    return float(
        sum(
            share
            * quality_adjusted_wtp_for(
                new_price_usd_per_kwh,
                soh,
                eol_soh,
                params_by_chemistry[name],
                duty,
                discount_rate,
                new_eol_soh=new_eol_soh,
                new_params=new_params,
            )
            for name, share in zip(CHEMISTRIES, mix, strict=True)
            if share > 0
        )
    )
