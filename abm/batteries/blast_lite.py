"""BLAST-Lite reference curves (validation only; needs the optional ``validation`` extra)."""

from __future__ import annotations

import numpy as np

from abm.errors import InputError

BLAST_SECOND_LIFE_MODEL = "Lmo_Gr_NissanLeaf66Ah_2ndLife_Battery"
BLAST_NEW_LFP_MODEL = "Lfp_Gr_250AhPrismatic"
BLAST_MODEL_BY_CHEMISTRY = {
    "nmc": "Nmc622_Gr_DENSO50Ah_Battery",
    "lfp": BLAST_NEW_LFP_MODEL,
    "other": "Nca_Gr_Panasonic3Ah_Battery",
}
"""The BLAST-Lite cell model each chemistry's fade is fitted to and validated against: NMC622 (the
largest NMC share of US EV packs, Busch et al. 2025), LFP, and NCA (the bulk of "other"; the
Nissan Leaf LMO model fits only Leaf cohorts, a few per cent of US EV kWh before 2018)."""


_MAX_FIRST_LIFE_YEARS = 80.0
"""Longest first life searched for the cell to reach the second-life start SoH, years."""


def duty_cycle_profile(
    efc_per_day: float,
    c_rate: float,
    dod: float,
    temperature_c: float = 25.0,
    soc_mean: float = 0.5,
    dt_s: float = 60.0,
) -> dict[str, np.ndarray]:
    """One repeating cycle for BLAST-Lite: charge at c_rate, rest at top, discharge, rest at bottom.

    The cycle lasts 24·dod/efc_per_day hours so the repeated profile gives ``efc_per_day``.
    """
    if efc_per_day <= 0 or c_rate <= 0 or not 0 < dod <= 1:
        raise InputError("duty_cycle_profile: efc_per_day, c_rate > 0 and dod in (0, 1] required")
    lo, hi = soc_mean - dod / 2, soc_mean + dod / 2
    if lo < 0 or hi > 1:
        raise InputError(f"duty_cycle_profile: soc_mean {soc_mean} ± dod/2 leaves [0, 1]")
    period_h = 24.0 * dod / efc_per_day
    ramp_h = dod / c_rate
    rest_h = (period_h - 2 * ramp_h) / 2
    if rest_h < 0:
        raise InputError(f"duty_cycle_profile: {efc_per_day} EFC/day is impossible at {c_rate}C")
    t_s = np.arange(0.0, period_h * 3600 + dt_s / 2, dt_s)
    h = t_s / 3600.0
    soc = np.select(
        [h < ramp_h, h < ramp_h + rest_h, h < 2 * ramp_h + rest_h],
        [lo + c_rate * h, np.full_like(h, hi), hi - c_rate * (h - ramp_h - rest_h)],
        default=lo,
    )
    return {
        "Time_s": t_s,
        "SOC": np.clip(soc, lo, hi),
        "Temperature_C": np.full_like(t_s, float(temperature_c)),
    }


def _run_blast(
    cell: object,
    profile: dict[str, np.ndarray],
    threshold_time: float,
    threshold_capacity: float | None = None,
) -> None:
    """One BLAST-Lite ``simulate_battery_life`` call (constant input, fixed DoD).

    ``np.trapz`` is aliased to ``np.trapezoid`` for the call (BLAST-Lite 1.1.0 needs it).
    """
    missing = object()
    saved = np.__dict__.get("trapz", missing)
    np.trapz = np.trapezoid  # type: ignore[attr-defined]
    try:
        cell.simulate_battery_life(  # type: ignore[attr-defined]
            profile,
            threshold_time=threshold_time,
            threshold_capacity=threshold_capacity,
            is_constant_input=True,
            is_conserve_energy_throughput=False,
        )
    finally:
        if saved is missing:
            del np.trapz
        else:
            np.trapz = saved  # type: ignore[attr-defined]


def _soh_path(cell: object) -> tuple[np.ndarray, np.ndarray]:
    """(t_years, SoH relative to new) of a simulated cell (``qNew`` for the second-life Nissan)."""
    t_years = np.asarray(cell.stressors["t_days"], dtype=float) / 365.0  # type: ignore[attr-defined]
    outputs = cell.outputs  # type: ignore[attr-defined]
    key = "qNew" if "qNew" in outputs else "q"
    return t_years, np.clip(np.asarray(outputs[key], dtype=float), 0.0, 1.0)


def blast_lite_soh(
    model_name: str,
    years: float,
    efc_per_day: float,
    c_rate: float,
    dod: float,
    temperature_c: float = 25.0,
) -> tuple[np.ndarray, np.ndarray]:
    """(t_years, SoH relative to new) from a BLAST-Lite cell model under a repeating duty cycle.

    Runs with ``is_constant_input=True`` and ``is_conserve_energy_throughput=False`` (fixed DoD of
    the current capacity; the Nissan model cannot run the other mode). For the second-life Nissan
    model SoH is ``qNew`` = 0.7 × q. BLAST-Lite 1.1.0 calls ``np.trapz``, removed in NumPy 2.4, so
    the call runs with ``np.trapz`` temporarily aliased to ``np.trapezoid``.
    """
    from blast import models  # optional dependency, imported only for validation

    cell = getattr(models, model_name)()
    _run_blast(cell, duty_cycle_profile(efc_per_day, c_rate, dod, temperature_c), years)
    return _soh_path(cell)


def blast_lite_soh_from(
    model_name: str,
    soh0: float,
    years: float,
    efc_per_day: float,
    c_rate: float,
    dod: float,
    temperature_c: float = 25.0,
) -> tuple[np.ndarray, np.ndarray]:
    """(t_years, SoH) of a BLAST-Lite model continued from the time its cell reaches ``soh0``.

    The second-life reference of a chemistry: one cell runs the duty until it reaches ``soh0``
    (its first life, at the same duty and 25 °C), then the same cell continues for ``years``;
    time restarts at 0 when it crosses ``soh0``. ``soh0 = 1`` is the new cell.
    """
    if soh0 >= 1.0:
        return blast_lite_soh(model_name, years, efc_per_day, c_rate, dod, temperature_c)
    from blast import models  # optional dependency, imported only for validation

    cell = getattr(models, model_name)()
    profile = duty_cycle_profile(efc_per_day, c_rate, dod, temperature_c)
    _run_blast(cell, profile, _MAX_FIRST_LIFE_YEARS, threshold_capacity=soh0)
    t, s = _soh_path(cell)
    if s.min() > soh0:
        raise InputError(f"{model_name} does not reach SoH {soh0} within {t[-1]:.0f} years")
    t_start = float(np.interp(-soh0, -s, t))
    _run_blast(cell, profile, t_start + years)  # the same cell, continued
    t, s = _soh_path(cell)
    keep = t > t_start
    return np.concatenate([[0.0], t[keep] - t_start]), np.concatenate([[soh0], s[keep]])
