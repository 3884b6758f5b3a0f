"""The queue's rules: one frozen field per queue rule of the scenario's `[queue]` section.

The schema (`abm.schema.queue.QueueSection`) is the only home of their values, units, ranges
and sources; `QueueRules.from_config` reads them from the validated config.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from abm.errors import InputError

if TYPE_CHECKING:
    from abm.schema import QueueSection

_STUDY_FIELDS = ("studies_per_month_per_territory", "load_studies_per_month_per_territory")
"""The two rules `from_config` computes (national study starts scaled per territory)."""


@dataclass(frozen=True)
class QueueRules:
    """The queue's rules, each a parameter of the schema's `[queue]` section of the same name.

    Meanings, units, ranges and sources live in `abm.schema.queue.QueueSection` (and
    `docs/parameters.md`); build the rules with `from_config`. Only the two study capacities
    differ: the schema gives them nationally, the rules per territory. (The section's merchant
    stream and flexible-connection switch are read by the model, not by the queue.)
    """

    mode: str
    studies_per_month_per_territory: float
    load_studies_per_month_per_territory: float
    system_study_months: float
    facilities_study_months: float
    agreement_months: float
    construction_months_load: float
    construction_months_generation: float
    construction_months_storage: float
    construction_sigma: float
    cluster_window_months: int
    cluster_study_months: float
    cluster_study_capacity_requests: int
    readiness_deposit_usd_per_mw: float
    submitted_deposit_readiness_multiple: float
    system_study_deposit_readiness_multiple: float
    facilities_study_deposit_readiness_multiple: float
    agreement_deposit_readiness_multiple: float
    construction_deposit_readiness_multiple: float
    agreement_deposit_fraction_of_upgrade: float
    withdrawal_penalty_fraction_of_upgrade: float
    submitted_withdrawal_penalty_readiness_multiple: float
    system_study_withdrawal_penalty_readiness_multiple: float
    facilities_study_withdrawal_penalty_readiness_multiple: float
    agreement_withdrawal_penalty_readiness_multiple: float
    construction_withdrawal_penalty_readiness_multiple: float
    late_study_penalty_usd_per_day: float
    late_study_penalty_cap_fraction_of_deposits: float
    serial_deposit_usd: float
    upgrade_cost_usd_per_mw: float
    upgrade_lead_months: float
    generation_drawn_upgrade_cost_median_usd_per_kw: float
    storage_drawn_upgrade_cost_median_usd_per_kw: float
    drawn_upgrade_cost_sigma: float
    restudy_months: float
    max_restudies_per_request: int
    base_withdrawal_hazard_per_month: float
    submitted_hazard_multiplier: float
    system_study_hazard_multiplier: float
    facilities_study_hazard_multiplier: float
    agreement_hazard_multiplier: float
    construction_hazard_multiplier: float
    load_hazard_multiplier: float
    generation_hazard_multiplier: float
    storage_hazard_multiplier: float
    speculative_hazard_multiplier: float
    withdraw_if_upgrade_cost_above_usd_per_kw: float
    load_withdraw_if_upgrade_cost_above_usd_per_kw: float
    upgrade_withdraw_scale_usd_per_kw: float
    upgrade_wait_probability: float
    upgrade_wait_max_months: float
    flexible_speedup_months: float

    @classmethod
    def from_config(cls, queue: QueueSection, studies_scale: float) -> QueueRules:
        """Rules from the validated `[queue]` section.

        `studies_scale` turns the national study starts per month into per-territory ones
        (the model passes its merchant scale over its number of territories).
        """
        return _rules_of(queue, studies_scale)

    @classmethod
    def build(cls, queue: QueueSection, studies_scale: float) -> QueueRules:
        """The rules of `from_config`, built and checked afresh (`from_config` caches them)."""
        names = {f.name for f in fields(cls)} - set(_STUDY_FIELDS)
        values = {k: v for k, v in queue.model_dump().items() if k in names}
        return cls(
            **values,
            studies_per_month_per_territory=queue.studies_per_month_us * studies_scale,
            load_studies_per_month_per_territory=queue.load_studies_per_month_us * studies_scale,
        )

    def __post_init__(self) -> None:
        """Reject values the state machine cannot run with, naming the field."""
        if self.mode not in ("serial", "cluster"):
            raise InputError(f'queue.mode = "{self.mode}": expected "serial" or "cluster"')
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if not np.isfinite(value) or value < 0:
                raise InputError(f"queue.{f.name} = {value}: expected a finite value >= 0")
        if self.cluster_window_months < 1 or self.cluster_study_capacity_requests < 1:
            raise InputError(
                "queue.cluster_window_months and cluster_study_capacity_requests must be >= 1"
            )
        if self.upgrade_withdraw_scale_usd_per_kw <= 0:
            raise InputError("queue.upgrade_withdraw_scale_usd_per_kw must be > 0")
        if self.upgrade_wait_probability > 1:
            raise InputError("queue.upgrade_wait_probability must be <= 1")

    @property
    def deposit_readiness_multiple_by_state(self) -> tuple[float, ...]:
        """Deposit due on entering SUBMITTED..CONSTRUCTION, in readiness deposits x MW."""
        return (
            self.submitted_deposit_readiness_multiple,
            self.system_study_deposit_readiness_multiple,
            self.facilities_study_deposit_readiness_multiple,
            self.agreement_deposit_readiness_multiple,
            self.construction_deposit_readiness_multiple,
        )

    @property
    def withdrawal_penalty_readiness_multiple_by_state(self) -> tuple[float, ...]:
        """Withdrawal penalty in SUBMITTED..CONSTRUCTION, in readiness deposits x MW."""
        return (
            self.submitted_withdrawal_penalty_readiness_multiple,
            self.system_study_withdrawal_penalty_readiness_multiple,
            self.facilities_study_withdrawal_penalty_readiness_multiple,
            self.agreement_withdrawal_penalty_readiness_multiple,
            self.construction_withdrawal_penalty_readiness_multiple,
        )

    @property
    def hazard_multiplier_by_state(self) -> tuple[float, ...]:
        """Attrition hazard multipliers for SUBMITTED..CONSTRUCTION."""
        return (
            self.submitted_hazard_multiplier,
            self.system_study_hazard_multiplier,
            self.facilities_study_hazard_multiplier,
            self.agreement_hazard_multiplier,
            self.construction_hazard_multiplier,
        )

    @property
    def hazard_multiplier_by_kind(self) -> tuple[float, ...]:
        """Attrition hazard multipliers for LOAD, GENERATION, STORAGE."""
        return (
            self.load_hazard_multiplier,
            self.generation_hazard_multiplier,
            self.storage_hazard_multiplier,
        )

    @property
    def construction_months_by_kind(self) -> tuple[float, ...]:
        """Median construction months for LOAD, GENERATION, STORAGE."""
        return (
            self.construction_months_load,
            self.construction_months_generation,
            self.construction_months_storage,
        )


@lru_cache(maxsize=64)
def _rules_of(queue: QueueSection, studies_scale: float) -> QueueRules:
    """`QueueRules` of a (frozen, hashable) `[queue]` section, built once per section and scale.

    Owners price their filings with these rules for every project they open (abm/agents/filing.py),
    so rebuilding and re-checking them each time cost ~0.1 ms a call; both types are immutable.
    """
    return QueueRules.build(queue, studies_scale)
