"""Emission factors and embodied CO2 of storage (new, repurposed, recycled); pure arithmetic.

Defaults are the scenario's ``[carbon]`` section (``abm.schema.CarbonSection``, with the sources);
the model builds its factors from the config.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from abm.errors import InputError
from abm.schema import CarbonSection

_DEFAULTS = CarbonSection()  # the schema defaults, with their sources


@dataclass(frozen=True)
class CarbonFactors:
    """Emission factors used by the carbon ledger and the recycle-first counterfactual."""

    new_storage_kg_per_kwh: float = _DEFAULTS.new_storage_kg_per_kwh
    """New storage, cradle-to-gate, kg CO2-eq per nameplate kWh."""

    repurpose_kg_per_kwh: float = _DEFAULTS.repurpose_kg_per_kwh
    """Repurposed storage, kg CO2-eq per usable kWh put into service (0.70 x new)."""

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
