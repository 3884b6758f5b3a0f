"""Emission factors and embodied CO2 of storage (new, repurposed, recycled); pure arithmetic.

Every default names its source; "(verify)" marks a figure not in ``DOMAIN-NUMBERS.md`` or derived.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from abm.errors import InputError

NEW_STORAGE_KG_PER_KWH = 83.5
"""Embodied CO2-eq of new Li-ion storage, cradle-to-gate, kg/kWh: midpoint of 61-106 kg/kWh,
IVL Swedish Environmental Research Institute, Emilsson & Dahllöf, "Lithium-Ion Vehicle Battery
Production", report C 444 (2019). Not in DOMAIN-NUMBERS (verify)."""

REPURPOSE_REDUCTION_FRACTION = 0.30
"""Repurposed storage has ~30 % lower manufacturing emissions than new (DOMAIN.md, article)."""


@dataclass(frozen=True)
class CarbonFactors:
    """Emission factors used by the carbon ledger and the recycle-first counterfactual."""

    new_storage_kg_per_kwh: float = NEW_STORAGE_KG_PER_KWH
    """New stationary LFP/NMC storage, cradle-to-gate, kg CO2-eq per nameplate kWh: 83.5
    (IVL 2019, 61-106; not in DOMAIN-NUMBERS, verify)."""

    repurpose_kg_per_kwh: float = (1.0 - REPURPOSE_REDUCTION_FRACTION) * NEW_STORAGE_KG_PER_KWH
    """Repurposed (second-life) storage, kg CO2-eq per usable kWh put into service: 58.5 = 70 % of
    new. Interpretation of the article's "about 30 % lower manufacturing emissions than new storage"
    (DOMAIN.md): the claim compares whole systems per kWh delivered, so the repurposed system
    (testing, reconfiguration, new power electronics, enclosure, transport, plus the attributable
    share of the cells) is charged 0.70 × the new factor. Cell manufacture is not double counted:
    the EV's first life is outside the model boundary."""

    recycling_credit_kg_per_kwh: float = -15.0
    """Credit for virgin material avoided by recycling, kg CO2-eq per nameplate kWh recycled
    (negative). Assumption ≈ 18 % of new cradle-to-gate, in the range reported for
    hydrometallurgical recycling of NMC by Argonne EverBatt (Dai et al., 2019); LFP credits are
    lower. Not in DOMAIN-NUMBERS (verify)."""

    grid_t_per_mwh: float = 0.367
    """US grid average, t CO2/MWh, 2023 (EIA FAQ 74; DOMAIN-NUMBERS #25)."""

    gas_ccgt_t_per_mwh: float = 0.35
    """Combined-cycle gas turbine, t CO2/MWh (DOMAIN-NUMBERS #25: ~0.35; 53.07 kg/MMBtu × ~6.4
    MMBtu/MWh = 0.34-0.37)."""

    gas_ct_t_per_mwh: float = 0.55
    """Simple-cycle / aeroderivative gas turbine, t CO2/MWh (DOMAIN-NUMBERS #25: ~0.55; 0.50-0.58)."""

    recip_engine_t_per_mwh: float = 0.465
    """Gas reciprocating engine, t CO2/MWh: midpoint of 0.45-0.48 (DOMAIN-NUMBERS §4, heat rate
    8.5-9 MMBtu/MWh × EPA 53.07 kg/MMBtu; derived)."""

    solar_kg_per_kw: float = 1600.0
    """Embodied CO2-eq of utility PV, kg per kWac: ≈25 g/kWh life-cycle (IEA PVPS Task 12, 2020,
    recall) × 24 % capacity factor (LBNL Utility-Scale Solar 2024, DOMAIN-NUMBERS §4) × 8,760 h ×
    30 years ≈ 1,580. Derived, not in DOMAIN-NUMBERS (verify)."""

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
