"""Emission factors, embodied CO2 of storage (new, repurposed, recycled) and the second-use counterfactual; pure arithmetic.

Defaults are the scenario's ``[carbon]`` section (``abm.schema.CarbonSection``, with the sources);
the model builds its factors from the config.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from abm.batteries.fade import FadeParams, fade_rate_per_year, fade_step_at_rate
from abm.errors import InputError
from abm.schema import CarbonSection

_DEFAULTS = CarbonSection()  # the schema defaults, with their sources


@dataclass(frozen=True)
class CarbonFactors:
    """Emission factors used by the carbon ledger and the recycle-first counterfactual."""

    new_storage_kg_per_kwh: float = _DEFAULTS.new_storage_kg_per_kwh
    """New storage, cradle-to-gate, kg CO2-eq per nameplate kWh."""

    repurpose_kg_per_kwh: float = _DEFAULTS.repurpose_kg_per_kwh
    """Repurposing (the second life's own processes), kg CO2-eq per usable kWh put into service (0.25 x new)."""

    recycling_credit_kg_per_kwh: float = _DEFAULTS.recycling_credit_kg_per_kwh
    """Credit for virgin material avoided by recycling, kg CO2-eq per nameplate kWh (<= 0)."""

    grid_t_per_mwh: float = _DEFAULTS.grid_t_per_mwh
    """US grid average, t CO2/MWh."""

    gas_ccgt_t_per_mwh: float = _DEFAULTS.gas_ccgt_t_per_mwh
    """Combined-cycle gas turbine, t CO2/MWh."""

    gas_ct_t_per_mwh: float = _DEFAULTS.gas_ct_t_per_mwh
    """Simple-cycle / aeroderivative gas turbine, t CO2/MWh."""

    recip_engine_t_per_mwh: float = _DEFAULTS.recip_engine_t_per_mwh
    """Gas reciprocating engine, t CO2/MWh."""

    solar_kg_per_kw: float = _DEFAULTS.solar_kg_per_kw
    """Embodied CO2-eq of utility PV, kg per kWac."""

    def __post_init__(self) -> None:
        """Reject factors with the wrong sign at construction."""
        for f in fields(self):
            value = getattr(self, f.name)
            if not np.isfinite(value):
                raise InputError(f"CarbonFactors.{f.name} must be finite, got {value}")
            if f.name == "recycling_credit_kg_per_kwh":
                if value > 0:
                    raise InputError(
                        f"CarbonFactors.{f.name} is a credit and must be <= 0, got {value}"
                    )
            elif value < 0:
                raise InputError(f"CarbonFactors.{f.name} must be >= 0, got {value}")


def embodied_storage_t(
    new_kwh: float,
    second_life_kwh: float,
    recycled_kwh: float,
    factors: CarbonFactors,
) -> dict[str, float]:
    """Embodied CO2 in tonnes of new storage, repurposed storage and the recycling credit (<= 0)."""
    for name, value in (
        ("new_kwh", new_kwh),
        ("second_life_kwh", second_life_kwh),
        ("recycled_kwh", recycled_kwh),
    ):
        if not np.isfinite(value) or value < 0:
            raise InputError(f"embodied_storage_t: {name} must be finite and >= 0, got {value}")
    new_t = new_kwh * factors.new_storage_kg_per_kwh / 1000.0
    repurpose_t = second_life_kwh * factors.repurpose_kg_per_kwh / 1000.0
    credit_t = recycled_kwh * factors.recycling_credit_kg_per_kwh / 1000.0
    return {
        "new": float(new_t),
        "repurpose": float(repurpose_t),
        "recycling_credit": float(credit_t),
        "total": float(new_t + repurpose_t + credit_t),
    }


def operational_t(energy_mwh: float | np.ndarray, t_per_mwh: float) -> np.ndarray:
    """Operational CO2 in tonnes of energy at an emission factor (vectorised)."""
    e = np.asarray(energy_mwh, dtype=float)
    if np.any(e < 0) or t_per_mwh < 0:
        raise InputError("operational_t: energy and factor must be >= 0")
    return e * t_per_mwh


# ------------------------------------------------------------------ the second-use counterfactual
MAX_SERVICE_MONTHS = 1200
"""Longest service life integrated (100 years): a pack that fades slower is cut there."""


def service_kwh_months(
    soh: np.ndarray | float,
    eol_soh: np.ndarray | float,
    efc_per_month: np.ndarray | float,
    c_rate: np.ndarray | float,
    duty_multiplier: np.ndarray | float,
    second_life: np.ndarray | bool,
    params: FadeParams,
) -> np.ndarray:
    """Usable kWh-months one nameplate kWh at ``soh`` still serves before it retires below ``eol_soh``.

    Ages in monthly steps and retires a pack the month its SoH falls below end of life, as the
    storage fleet does; vectorised over cohorts. The storage service a pack gives over its life.
    """
    s = np.array(soh, dtype=float, ndmin=1)
    shape = np.broadcast_shapes(s.shape, np.shape(eol_soh), np.shape(efc_per_month))
    s = np.broadcast_to(s, shape).copy()
    eol = np.broadcast_to(np.asarray(eol_soh, dtype=float), shape)
    total = np.zeros(shape)
    alive = s >= eol
    if not alive.any():
        return total
    # the duty is the same every month, so the fade rate is too: computed once, not per month
    rate = fade_rate_per_year(
        efc_per_month, c_rate, params.dod_ref, params, duty_multiplier, second_life
    )
    for _ in range(MAX_SERVICE_MONTHS):
        if not alive.any():
            break
        s = np.where(alive, fade_step_at_rate(s, 1.0, rate, params), s)
        alive &= s >= eol
        total += np.where(alive, s, 0.0)
    return total


def remaining_share(remaining_kwh_months: np.ndarray, life_kwh_months: np.ndarray) -> np.ndarray:
    """Share of a pack's lifetime service still ahead of it (its salvage share), in [0, 1]."""
    life = np.asarray(life_kwh_months, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(life > 0, np.asarray(remaining_kwh_months, dtype=float) / life, 0.0)
    return np.clip(share, 0.0, 1.0)


def end_of_horizon_credit_t(
    nameplate_kwh: np.ndarray,
    burden_kg_per_nameplate_kwh: np.ndarray,
    salvage_share: np.ndarray,
    factors: CarbonFactors,
) -> dict[str, float]:
    """Credit (t, <= 0) for packs still in service at the horizon: salvage plus eventual recycling.

    Salvage returns the share of each pack's embodied burden its remaining service carries (the
    burden is charged for the service used inside the horizon); every pack in service is credited
    the recycling it will eventually get, as recycle-first gets it at once.
    """
    kwh = np.asarray(nameplate_kwh, dtype=float)
    if np.any(~np.isfinite(kwh)) or np.any(kwh < 0):
        raise InputError("end_of_horizon_credit_t: nameplate kWh must be finite and >= 0")
    salvage_t = -float(np.sum(kwh * burden_kg_per_nameplate_kwh * salvage_share)) / 1000.0
    recycling_t = float(kwh.sum()) * factors.recycling_credit_kg_per_kwh / 1000.0
    return {"salvage": salvage_t, "recycling": recycling_t, "total": salvage_t + recycling_t}


def displaced_new_t(
    second_life_service_kwh_months: float,
    new_life_kwh_months_per_kwh: float,
    factors: CarbonFactors,
) -> float:
    """Tonnes of new storage (made, then recycled at its end) that the second-life service displaced.

    New storage giving the same usable kWh-months needs service / (its lifetime service per
    nameplate kWh) kWh, augmentation included; charged for that service only (the same salvage
    rule as packs in service).
    """
    if new_life_kwh_months_per_kwh <= 0 or second_life_service_kwh_months < 0:
        raise InputError("displaced_new_t: service must be >= 0 and new life > 0")
    net_kg_per_kwh = factors.new_storage_kg_per_kwh + factors.recycling_credit_kg_per_kwh
    return second_life_service_kwh_months / new_life_kwh_months_per_kwh * net_kg_per_kwh / 1000.0
