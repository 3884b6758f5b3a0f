"""Fit the per-chemistry fade parameters of ``abm.schema`` to BLAST-Lite cell models (calibration).

Run from the project root with the ``validation`` extra:
``PYTHONPATH=$PWD .venv/bin/python docs/scripts/fade_fit.py``. Prints, per chemistry, the
least-squares parameters of our linear-with-knee model against BLAST-Lite on a calibration grid of
duties (0.5-2 EFC/day, 0.2-0.5C, DoD 0.5-0.8) from new (SoH 1.0) and from second life (SoH 0.75,
the BLAST curve continued from the time it reaches 0.75). The schema defaults quote these values;
the validation tier (tests/test_blast_lite.py) checks other duties against the same references.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

from abm import batteries as b

CALIBRATION_DUTIES = (
    (0.5, 0.25, 0.8),
    (1.0, 0.2, 0.8),
    (1.0, 0.25, 0.5),
    (1.5, 0.5, 0.8),
    (2.0, 0.5, 0.8),
    (1.0, 0.5, 0.6),
)
STARTS_SOH = (1.0, 0.75)
AT_YEARS = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
FITTED = (
    "calendar_fade_per_year",
    "cycle_fade_per_efc",
    "c_rate_exponent",
    "dod_exponent",
    "knee_soh",
    "knee_multiplier",
)


def targets(model: str) -> list[tuple[float, tuple[float, float, float], np.ndarray]]:
    """(start SoH, duty, BLAST-Lite SoH at AT_YEARS) for every calibration case of one model."""
    out = []
    for duty in CALIBRATION_DUTIES:
        for soh0 in STARTS_SOH:
            t, s = b.blast_lite_soh_from(model, soh0, float(AT_YEARS[-1]) + 0.1, *duty)
            out.append((soh0, duty, np.interp(AT_YEARS, t, s)))
    return out


def ours(params: b.FadeParams, soh0: float, duty: tuple[float, float, float]) -> np.ndarray:
    """Our SoH at AT_YEARS from soh0 under a duty (EFC/day, C-rate, DoD)."""
    efc, c, dod = duty
    soh, last, out = np.array([soh0]), 0.0, []
    for year in AT_YEARS:
        soh = b.fade_step(soh, 12 * (year - last), efc * 365 / 12, c, dod, params)
        out.append(float(soh[0]))
        last = year
    return np.array(out)


def fit(model: str) -> dict[str, float]:
    """Least-squares parameters of FITTED against one BLAST-Lite model."""
    cases = targets(model)

    def residuals(x: np.ndarray) -> np.ndarray:
        p = b.FadeParams(**dict(zip(FITTED, x, strict=True)), second_life_multiplier=1.0)
        return np.concatenate([ours(p, s0, d) - ref for s0, d, ref in cases])

    x0 = np.array([0.01, 3e-5, 0.3, 0.5, 0.8, 1.0])
    lo = np.array([0.0, 0.0, 0.0, 0.0, 0.5, 0.1])
    hi = np.array([0.2, 1e-3, 3.0, 5.0, 0.95, 5.0])
    res = least_squares(residuals, x0, bounds=(lo, hi), x_scale=x0)
    worst = float(np.abs(residuals(res.x)).max())
    return {**dict(zip(FITTED, res.x.round(6).tolist(), strict=True)), "worst_gap_soh": worst}


def main() -> None:
    """Print the fitted parameters per chemistry."""
    for chem, model in b.BLAST_MODEL_BY_CHEMISTRY.items():
        print(chem, model, fit(model))


if __name__ == "__main__":
    main()
