"""The simulation clock every service and agent reads: the index of the month being simulated."""

from __future__ import annotations

from dataclasses import dataclass

from abm.world import Calendar


@dataclass
class Clock:
    """Month index of the step in progress (-1 before the first step) and the run's calendar."""

    calendar: Calendar
    month: int = -1

    def tick(self, time: float) -> int:
        """Set the month from Mesa's step counter (`model.time`, 1 after the first step)."""
        self.month = int(round(time)) - 1
        return self.month
