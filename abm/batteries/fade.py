"""Capacity fade: a linear-rate model with a knee, per chemistry, and the life it leaves.

Defaults are new stationary LFP packs at 25 °C; sources are in the field docstrings and in
``docs/batteries.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from abm.errors import InputError


@dataclass(frozen=True)
class FadeParams:
    """Linear-rate capacity-fade model with a knee; defaults are new stationary LFP packs at 25 °C."""

    calendar_fade_per_year: float = 0.006
    """Calendar fade, fraction of nameplate per year at 25 °C and mid SoC. BLAST-Lite
    Lfp_Gr_250AhPrismatic at 25 °C, SoC 0.5: 2.6 % in 5 years (cell) = 0.51 %/yr, ×1.2 for
    pack vs cell (BLAST-Lite README: pack life 20-30 % shorter) ≈ 0.6 %/yr."""

    cycle_fade_per_efc: float = 3.6e-5
    """Cycle fade, fraction of nameplate per equivalent full cycle at c_rate_ref and dod_ref.
    Chosen so 1 EFC/day at the reference duty gives 0.6 + 1.3 ≈ 1.9 %/yr, the 2 %/yr LFP sizing
    convention (DOMAIN-NUMBERS §Degradation); matches ~6,000 cycles to 80 % (recall) and BLAST-Lite
    LFP cycle fade 3.1e-5/EFC (cell) over 5 years."""

    c_rate_ref: float = 0.5
    """Reference C-rate, 1/h: the 0.5C, 1 cycle/day LFP example in DOMAIN-NUMBERS (augmentation)."""

    c_rate_exponent: float = 0.3
    """Elasticity of cycle fade to C-rate. BLAST-Lite LFP cycle rate (p4 + p5·DoD + p6·C) has local
    elasticity 0.26-0.49 over 0.08-0.5C (Gasper et al., J. Energy Storage 2023, 109042)."""

    dod_ref: float = 0.8
    """Reference depth of discharge, fraction (80 % DoD daily cycling; BLAST-Lite LFP test range)."""

    dod_exponent: float = 0.15
    """Elasticity of fade per EFC to DoD. BLAST-Lite LFP: p5·DoD/(p4 + p5·DoD + p6·C) ≈ 0.14 at
    DoD 0.8, 0.2C. (NMC is far more DoD-sensitive: ≈2.5 in BLAST-Lite Nmc111_Gr_Kokam75Ah.)"""

    knee_soh: float = 0.80
    """SoH below which fade accelerates ("knee"), fraction. MKB & Co (NCM knee, DOMAIN-NUMBERS §6);
    BLAST-Lite Kokam NMC has an accelerating LAM term; 0.80 = traction end of life."""

    knee_multiplier: float = 2.0
    """Fade multiplier below the knee. Assumption (verify): post-knee fade 2-3× the linear rate
    (Attia et al., J. Electrochem. Soc. 169:060517, 2022, review). With second_life_multiplier the
    product 3.0 matches BLAST-Lite's Nissan-Leaf second-life / LFP fade ratio (3.4 over 5 years)."""

    second_life_multiplier: float = 1.5
    """Extra fade multiplier for repurposed EV packs: EV chemistries (NMC/NCA/LMO) fade ≈1.5× LFP
    (3 vs 2 %/yr conventions, DOMAIN-NUMBERS §Degradation); the knee multiplier adds the rest."""

    def __post_init__(self) -> None:
        """Reject negative or out-of-range parameters at construction, not deep inside a run."""
        for f in fields(self):
            value = getattr(self, f.name)
            if not np.isfinite(value) or value < 0:
                raise InputError(f"FadeParams.{f.name} must be finite and >= 0, got {value}")
        if self.c_rate_ref <= 0 or self.dod_ref <= 0 or not 0 <= self.knee_soh <= 1:
            raise InputError("FadeParams: c_rate_ref, dod_ref must be > 0 and knee_soh in [0, 1]")


FADE_PARAMS_BY_CHEMISTRY: dict[str, FadeParams] = {
    "lfp": FadeParams(),
    "nmc": FadeParams(
        calendar_fade_per_year=0.009,
        cycle_fade_per_efc=5.4e-5,
        dod_exponent=2.5,
    ),
    "other": FadeParams(
        calendar_fade_per_year=0.009,
        cycle_fade_per_efc=5.4e-5,
        dod_exponent=2.5,
    ),
}
"""Fade parameters per first-life chemistry. LFP = defaults. NMC: LFP rates ×1.5 for the 3 %/yr NMC
convention (DOMAIN-NUMBERS §Degradation), DoD elasticity 2.5 from BLAST-Lite Nmc111_Gr_Kokam75Ah
(q3 ∝ exp(1.04·exp(DoD²)) at DoD 0.8). "other" (NCA, LMO, older packs) = NMC (assumption, verify)."""


def nonnegative(name: str, value: Any) -> np.ndarray:
    """Float array of ``value``, raising InputError on negative or non-finite entries.

    The one input check of the fade and O&M models (duty, rates), so both reject the same things.
    """
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise InputError(f"{name} must be finite and >= 0")
    return arr


def fade_rate_per_year(
    efc_per_month: np.ndarray | float,
    c_rate: np.ndarray | float,
    dod: np.ndarray | float,
    params: FadeParams,
    duty_multiplier: np.ndarray | float = 1.0,
    second_life: np.ndarray | bool = False,
    below_knee: np.ndarray | bool = False,
) -> np.ndarray:
    """Instantaneous fade, fraction of nameplate per year, for the given duty (vectorised).

    rate = duty × [sl] × [knee] × (cal + cyc × 12·EFC/month × (C/C_ref)^a × (DoD/DoD_ref)^b)
    """
    efc = nonnegative("efc_per_month", efc_per_month)
    c = nonnegative("c_rate", c_rate)
    d = nonnegative("dod", dod)
    duty = nonnegative("duty_multiplier", duty_multiplier)
    cycle = (
        params.cycle_fade_per_efc
        * 12.0
        * efc
        * (c / params.c_rate_ref) ** params.c_rate_exponent
        * (d / params.dod_ref) ** params.dod_exponent
    )
    rate = duty * (params.calendar_fade_per_year + cycle)
    rate = rate * np.where(np.asarray(second_life, dtype=bool), params.second_life_multiplier, 1.0)
    return rate * np.where(np.asarray(below_knee, dtype=bool), params.knee_multiplier, 1.0)


def fade_step(
    soh: np.ndarray,
    months: float,
    efc_per_month: np.ndarray | float,
    c_rate: np.ndarray | float,
    dod: np.ndarray | float,
    params: FadeParams,
    duty_multiplier: np.ndarray | float = 1.0,
    second_life: np.ndarray | bool = False,
) -> np.ndarray:
    """New SoH after ``months`` of the given duty, vectorised over cohorts.

    Fade is linear in time at ``fade_rate_per_year`` above the knee and ``knee_multiplier`` times
    faster below it; a step that crosses the knee is split exactly at the crossing, so two steps of
    3 months equal one of 6. The result is clipped to [0, 1].
    """
    soh_arr = np.asarray(soh, dtype=float)
    if months < 0:
        raise InputError(f"months must be >= 0, got {months}")
    years = months / 12.0
    rate = fade_rate_per_year(
        efc_per_month, c_rate, dod, params, duty_multiplier, second_life, below_knee=False
    )
    rate = np.broadcast_to(rate, np.broadcast_shapes(rate.shape, soh_arr.shape))
    rate_knee = rate * params.knee_multiplier
    above = soh_arr > params.knee_soh
    with np.errstate(divide="ignore", invalid="ignore"):
        years_to_knee = np.where(
            above, np.where(rate > 0, (soh_arr - params.knee_soh) / rate, np.inf), 0.0
        )
    before = np.minimum(years, years_to_knee)
    after = years - before
    new_soh = soh_arr - rate * before
    new_soh = np.where(after > 0, np.minimum(new_soh, params.knee_soh) - rate_knee * after, new_soh)
    return np.clip(new_soh, 0.0, 1.0)


def remaining_life_years(
    soh: np.ndarray | float,
    eol_soh: float,
    efc_per_month: np.ndarray | float,
    c_rate: np.ndarray | float,
    dod: np.ndarray | float,
    params: FadeParams,
    duty_multiplier: np.ndarray | float = 1.0,
    second_life: np.ndarray | bool = False,
) -> np.ndarray:
    """Years until SoH falls to ``eol_soh`` under a constant duty (exact for the piecewise model)."""
    rate = fade_rate_per_year(efc_per_month, c_rate, dod, params, duty_multiplier, second_life)
    return life_years_at_fade_rate(soh, eol_soh, rate, params)


def life_years_at_fade_rate(
    soh: np.ndarray | float, eol_soh: float, rate: np.ndarray, params: FadeParams
) -> np.ndarray:
    """Years from ``soh`` to ``eol_soh`` at ``rate`` (fraction/yr) above the knee, ×knee_multiplier below.

    The exact life of the piecewise-linear model; ``remaining_life_years`` computes the rate first.
    """
    s = np.asarray(soh, dtype=float)
    rate_knee = rate * params.knee_multiplier
    knee = max(params.knee_soh, eol_soh)
    with np.errstate(divide="ignore", invalid="ignore"):
        upper = np.where(s > knee, (s - knee) / rate, 0.0)
        lower = (np.minimum(s, knee) - eol_soh) / np.where(
            eol_soh < params.knee_soh, rate_knee, rate
        )
    out = np.where(s <= eol_soh, 0.0, upper + lower)
    return np.where(np.isnan(out), np.inf, out)
