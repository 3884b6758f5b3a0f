"""Physical factors of the battery and carbon rules: capacity fade and emission factors.

`abm.batteries.FadeParams` and `abm.carbon.CarbonFactors` take their defaults from these
sections, and the model builds them from the validated config, so sweeps and the app reach them.
"""

from __future__ import annotations

from abm.schema.fields import Section, param

_NEW_STORAGE_KG_PER_KWH = 83.5
_REPURPOSE_REDUCTION_FRACTION = 0.30


class FadeSection(Section):
    """Capacity fade of new stationary LFP packs at 25 °C: a linear-rate model with a knee."""

    calendar_fade_per_year: float = param(
        0.006,
        ge=0,
        le=1,
        source="BLAST-Lite Lfp_Gr_250AhPrismatic at 25 °C, SoC 0.5: 0.51 %/yr (cell) x1.2 for pack vs cell",
        doc="Calendar fade, fraction of nameplate per year at 25 °C and mid SoC.",
    )
    cycle_fade_per_efc: float = param(
        3.6e-5,
        ge=0,
        le=0.01,
        source="1 EFC/day at the reference duty gives ~1.9 %/yr, the 2 %/yr LFP convention (DOMAIN-NUMBERS §Degradation); BLAST-Lite LFP 3.1e-5/EFC (cell)",
        doc="Cycle fade, fraction of nameplate per equivalent full cycle at the reference C-rate and DoD.",
    )
    c_rate_ref: float = param(
        0.5,
        gt=0,
        le=10,
        source="The 0.5C, 1 cycle/day LFP example in DOMAIN-NUMBERS (augmentation)",
        doc="Reference C-rate (1/h) of the cycle fade.",
    )
    c_rate_exponent: float = param(
        0.3,
        ge=0,
        le=5,
        source="BLAST-Lite LFP cycle rate: local elasticity 0.26-0.49 over 0.08-0.5C (Gasper et al., J. Energy Storage 2023, 109042)",
        doc="Elasticity of cycle fade to C-rate.",
    )
    dod_ref: float = param(
        0.8,
        gt=0,
        le=1,
        source="80 % DoD daily cycling; BLAST-Lite LFP test range",
        doc="Reference depth of discharge (fraction) of the cycle fade.",
    )
    dod_exponent: float = param(
        0.15,
        ge=0,
        le=10,
        source="BLAST-Lite LFP: p5·DoD/(p4 + p5·DoD + p6·C) ≈ 0.14 at DoD 0.8, 0.2C",
        doc="Elasticity of fade per EFC to depth of discharge.",
    )
    knee_soh: float = param(
        0.80,
        ge=0,
        le=1,
        source="MKB & Co NCM knee (DOMAIN-NUMBERS §6); 0.80 = traction end of life",
        doc="State of health below which fade accelerates (the knee).",
    )
    knee_multiplier: float = param(
        2.0,
        ge=0,
        le=20,
        source="Post-knee fade 2-3x the linear rate (Attia et al., J. Electrochem. Soc. 169:060517, 2022)",
        doc="Fade multiplier below the knee.",
        unconfirmed=True,
    )
    second_life_multiplier: float = param(
        1.5,
        ge=0,
        le=20,
        source="EV chemistries fade ≈1.5x LFP (3 vs 2 %/yr conventions, DOMAIN-NUMBERS §Degradation)",
        doc="Extra fade multiplier for repurposed EV packs.",
    )


class CarbonSection(Section):
    """Emission factors of the carbon ledger and the recycle-first counterfactual."""

    new_storage_kg_per_kwh: float = param(
        _NEW_STORAGE_KG_PER_KWH,
        ge=0,
        le=1000,
        source="IVL report C 444 (Emilsson & Dahllöf 2019): 61-106 kg/kWh cradle-to-gate, midpoint; not in DOMAIN-NUMBERS",
        doc="Embodied CO2-eq of new storage, kg per nameplate kWh.",
        unconfirmed=True,
    )
    repurpose_kg_per_kwh: float = param(
        (1.0 - _REPURPOSE_REDUCTION_FRACTION) * _NEW_STORAGE_KG_PER_KWH,
        ge=0,
        le=1000,
        source="DOMAIN.md: repurposed storage ~30 % lower manufacturing emissions than new (0.70 x new)",
        doc="Embodied CO2-eq of repurposed storage, kg per usable kWh put into service.",
    )
    recycling_credit_kg_per_kwh: float = param(
        -15.0,
        ge=-1000,
        le=0,
        source="Assumption ≈ 18 % of new cradle-to-gate, in the Argonne EverBatt range (Dai et al. 2019); not in DOMAIN-NUMBERS",
        doc="Credit for virgin material avoided by recycling, kg CO2-eq per nameplate kWh (<= 0).",
        unconfirmed=True,
    )
    grid_t_per_mwh: float = param(
        0.367,
        ge=0,
        le=2,
        source="US grid average 2023 (EIA FAQ 74; DOMAIN-NUMBERS #25)",
        doc="US grid average emission factor, t CO2/MWh.",
    )
    gas_ccgt_t_per_mwh: float = param(
        0.35,
        ge=0,
        le=2,
        source="DOMAIN-NUMBERS #25: ~0.35 (53.07 kg/MMBtu x ~6.4 MMBtu/MWh)",
        doc="Combined-cycle gas turbine, t CO2/MWh.",
    )
    gas_ct_t_per_mwh: float = param(
        0.55,
        ge=0,
        le=2,
        source="DOMAIN-NUMBERS #25: ~0.55 (0.50-0.58)",
        doc="Simple-cycle / aeroderivative gas turbine, t CO2/MWh.",
    )
    recip_engine_t_per_mwh: float = param(
        0.465,
        ge=0,
        le=2,
        source="Midpoint of 0.45-0.48: heat rate 8.5-9 MMBtu/MWh x EPA 53.07 kg/MMBtu (DOMAIN-NUMBERS §4; derived)",
        doc="Gas reciprocating engine, t CO2/MWh.",
    )
    solar_kg_per_kw: float = param(
        1600.0,
        ge=0,
        le=10_000,
        source="≈25 g/kWh life-cycle (IEA PVPS Task 12, 2020) x 24 % CF (LBNL 2024) x 8,760 h x 30 yr ≈ 1,580; derived",
        doc="Embodied CO2-eq of utility PV, kg per kWac.",
        unconfirmed=True,
    )
