"""The calibration targets of the baseline, by name: what is fitted, so everything else is held out.

`scenarios/calibration/baseline.toml` fits the queue parameters to these published figures
(a test checks that its [targets] are exactly `CALIBRATION_TARGETS`). Validation counts a
check as a calibration target only when a default was set from it (`abm/validation_targets.py`);
a check this spec fits joins that list once a default is adopted from the calibration (none is
yet: docs/calibration.md). No imports: the calibration page reads this without the model.
"""

from __future__ import annotations

CALIBRATION_TARGETS: dict[str, str] = {
    "median_wait_generation": "queue.median_wait_months_generation",
    "withdrawn_share_generation": "queue.withdrawn_share_generation",
    "withdrawn_share_storage": "queue.withdrawn_share_storage",
    "active_queue_gen_storage_end_2024": "queue_backlog_gw - queue_load_backlog_gw, January 2025",
}
"""Target name in the spec -> the model output it reads (a KPI or a time-series statistic)."""

CALIBRATION_FACTS: frozenset[str] = frozenset(
    {
        "Median request-to-operation, generation",
        "Share of resolved generation MW that withdraws",
        "Share of resolved storage MW that withdraws",
    }
)
"""Names of abm/validation.py checks that are calibration targets (not held out)."""

CALIBRATION_SERIES: frozenset[tuple[str, int]] = frozenset({("queue_active_gw_gen_storage", 2024)})
"""(hindcast series, year) pairs fitted: LBNL's end-2024 active queue is the baseline's start."""


def is_calibration_target(name: str, year: int | None = None) -> bool:
    """Whether a validation check (by fact name, KPI, target name, or series and year) was fitted."""
    if year is not None:
        return (name, year) in CALIBRATION_SERIES
    return (
        name in CALIBRATION_FACTS
        or name in CALIBRATION_TARGETS
        or name in CALIBRATION_TARGETS.values()
    )
