"""A data-centre project: the unit hyperscalers open, route to a power path and wait on."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

PATHS: tuple[str, ...] = ("grid", "modular_second_life", "modular_new", "onsite_gas", "other")
MODULAR_PATHS = ("modular_second_life", "modular_new")
MODULAR = (
    "modular"  # what hyperscalers choose; the vendor then designates second-life or new storage
)
CHOICES: tuple[str, ...] = ("grid", MODULAR, "onsite_gas", "other")


def choice_of(path: str) -> str:
    """The alternative a hyperscaler chose for a project on `path` (both modular paths are 'modular')."""
    return MODULAR if path in MODULAR_PATHS else path


class Status(StrEnum):
    """Where a project stands."""

    WAITING = "waiting"  # ordered or queued, not yet powered
    ENERGIZED = "energized"
    CANCELLED = "cancelled"


@dataclass(eq=False)  # identity semantics: projects are entities, used as dict keys
class Project:
    """One campus or modular site: its size, path, site and the months it passed through."""

    pid: int
    owner: int  # hyperscaler unique_id
    mw: float  # facility peak MW
    path: str
    node: int
    month_opened: int
    status: Status = Status.WAITING
    month_energized: int | None = None
    ready_month: float | None = None  # for paths with a known completion month (gas, other)
    queue_ids: list[int] = field(default_factory=list)
    dup_group: int = -1
    flexible: bool = False
    vendor: int | None = None  # vendor unique_id for modular paths
    storage_owner: int = -1  # StorageFleet owner index for modular sites
    switches: int = 0

    def time_to_power_months(self) -> float | None:
        """Months from opening to energisation, once energised."""
        if self.month_energized is None:
            return None
        return float(self.month_energized - self.month_opened + 1)
