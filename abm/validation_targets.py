"""Which validation checks are calibration targets: the one list `validation` and `calibrate` share.

A check whose key is here was used to set parameters (by hand before issue 19, by
`powerstack calibrate` after it), so the validation report shows it as a calibration target
and does not count it; every other check is held out of calibration. `powerstack calibrate`
scores against these keys (docs/calibration.md lists them with their uncertainties).
"""

from __future__ import annotations

CALIBRATION_TARGETS: frozenset[str] = frozenset(
    {
        # queue.studies_per_month_us was set so that the median is ~55 months (docs/grid.md)
        "queue.median_wait_months_generation",
        # queue.base_withdrawal_hazard_per_month (0.012) was calibrated for the share (docs/grid.md)
        "queue.withdrawn_share_generation",
    }
)
"""Keys of the checks (abm.validation_facts.Fact.key) that calibration fits; the rest are held out."""


def held_out(key: str) -> bool:
    """True when the check with this key was not used for calibration."""
    return key not in CALIBRATION_TARGETS
