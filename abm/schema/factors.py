"""Physical factors of the battery and carbon rules: capacity fade and emission factors.

`abm.batteries.FadeParams` and `abm.carbon.CarbonFactors` take their defaults from these
sections, and the model builds them from the validated config, so sweeps and the app reach them.
"""

from __future__ import annotations

from abm.schema.fields import Section, param

_NEW_STORAGE_KG_PER_KWH = 83.5
_REPURPOSE_SHARE_OF_NEW = 0.25
"""Repurposing burden as a share of a new pack's cradle-to-gate: an upper bound on its non-cell parts."""


_FIT = "fitted to BLAST-Lite {model} (docs/scripts/fade_fit.py: 6 duties 0.5-2 EFC/d, from SoH 1.0 and 0.75, 5 years; worst gap {gap})"
_LFP_FIT = _FIT.format(model="Lfp_Gr_250AhPrismatic", gap=0.011)
_NMC_FIT = _FIT.format(model="Nmc622_Gr_DENSO50Ah_Battery", gap=0.044)
_OTHER_FIT = _FIT.format(model="Nca_Gr_Panasonic3Ah_Battery", gap=0.018)
_KNEE_DOC = "SoH below which the fade rate changes by knee_multiplier (the knee)."
_KNEE_MULT_DOC = "Fade multiplier below the knee (< 1: BLAST-Lite's decelerating, square-root-like calendar fade)."


class FadeSection(Section):
    """Capacity fade of LFP packs (new stationary storage and LFP EV packs) at 25 °C: linear rates with a knee."""

    calendar_fade_per_year: float = param(
        0.00406,
        ge=0,
        le=1,
        source=_LFP_FIT,
        doc="Calendar fade, fraction of nameplate per year at 25 °C and mid SoC.",
    )
    cycle_fade_per_efc: float = param(
        3.5e-05,
        ge=0,
        le=0.01,
        source=_LFP_FIT,
        doc="Cycle fade, fraction of nameplate per equivalent full cycle at the reference C-rate and DoD.",
    )
    c_rate_exponent: float = param(
        0.0121, ge=0, le=5, source=_LFP_FIT, doc="Elasticity of cycle fade to C-rate."
    )
    dod_exponent: float = param(
        0.139, ge=0, le=10, source=_LFP_FIT, doc="Elasticity of fade per EFC to depth of discharge."
    )
    knee_soh: float = param(0.842, ge=0, le=1, source=_LFP_FIT, doc=_KNEE_DOC)
    knee_multiplier: float = param(0.389, ge=0, le=20, source=_LFP_FIT, doc=_KNEE_MULT_DOC)
    c_rate_ref: float = param(
        0.5,
        gt=0,
        le=10,
        source="The 0.5C, 1 cycle/day LFP example in DOMAIN-NUMBERS (augmentation)",
        doc="Reference C-rate (1/h) of the cycle fade (every chemistry).",
    )
    dod_ref: float = param(
        0.8,
        gt=0,
        le=1,
        source="80 % DoD daily cycling; BLAST-Lite LFP test range",
        doc="Reference depth of discharge (fraction) of the cycle fade (every chemistry).",
    )
    second_life_multiplier: float = param(
        1.0,
        ge=0,
        le=20,
        source="Assumption: a repurposed pack follows its chemistry's BLAST-Lite cell curve (the fits use 1.0); pack-level cell spread not modelled",
        doc="Extra fade multiplier for repurposed EV packs (every chemistry).",
        unconfirmed=True,
    )


class FadeNmcSection(Section):
    """Capacity fade of NMC EV packs (first and second life) at 25 °C; references and SL multiplier in [fade]."""

    calendar_fade_per_year: float = param(
        0.0221,
        ge=0,
        le=1,
        source=_NMC_FIT,
        doc="Calendar fade, fraction of nameplate per year at 25 °C and mid SoC.",
    )
    cycle_fade_per_efc: float = param(
        0.000241,
        ge=0,
        le=0.01,
        source=_NMC_FIT,
        doc="Cycle fade, fraction of nameplate per equivalent full cycle at the reference C-rate and DoD.",
    )
    c_rate_exponent: float = param(
        0.992, ge=0, le=5, source=_NMC_FIT, doc="Elasticity of cycle fade to C-rate."
    )
    dod_exponent: float = param(
        1.62, ge=0, le=10, source=_NMC_FIT, doc="Elasticity of fade per EFC to depth of discharge."
    )
    knee_soh: float = param(0.752, ge=0, le=1, source=_NMC_FIT, doc=_KNEE_DOC)
    knee_multiplier: float = param(0.198, ge=0, le=20, source=_NMC_FIT, doc=_KNEE_MULT_DOC)


class FadeOtherSection(Section):
    """Capacity fade of other EV chemistries (NCA, LMO, older packs), fitted to NCA at 25 °C."""

    calendar_fade_per_year: float = param(
        0.0238,
        ge=0,
        le=1,
        source=_OTHER_FIT,
        doc="Calendar fade, fraction of nameplate per year at 25 °C and mid SoC.",
    )
    cycle_fade_per_efc: float = param(
        6.1e-05,
        ge=0,
        le=0.01,
        source=_OTHER_FIT,
        doc="Cycle fade, fraction of nameplate per equivalent full cycle at the reference C-rate and DoD.",
    )
    c_rate_exponent: float = param(
        0.0, ge=0, le=5, source=_OTHER_FIT, doc="Elasticity of cycle fade to C-rate."
    )
    dod_exponent: float = param(
        1.9,
        ge=0,
        le=10,
        source=_OTHER_FIT,
        doc="Elasticity of fade per EFC to depth of discharge.",
    )
    knee_soh: float = param(0.884, ge=0, le=1, source=_OTHER_FIT, doc=_KNEE_DOC)
    knee_multiplier: float = param(0.227, ge=0, le=20, source=_OTHER_FIT, doc=_KNEE_MULT_DOC)


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
        _REPURPOSE_SHARE_OF_NEW * _NEW_STORAGE_KG_PER_KWH,
        ge=0,
        le=1000,
        source=(
            "Assumption, 0.25 x new: cut-off attributional LCA gives the EV cells' manufacture to their"
            " first life, so repurposing carries its own processes (testing, reconfiguration, BMS and"
            " wiring, racking), bounded above by a new pack's non-cell share; cell production takes"
            " ~75 % of pack production energy (IVL C 444 / T&E 2019, secondary; not in DOMAIN-NUMBERS)."
            " Redwood integrates whole packs without disassembly (DOMAIN-NUMBERS §3), so the bound is"
            " conservative. DOMAIN.md's ~30 % lower is a net figure: the validation band, not this input"
        ),
        doc="Embodied CO2-eq of repurposing (the second life's own processes), kg per usable kWh put into service.",
        unconfirmed=True,
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
