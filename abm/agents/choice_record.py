"""What a hyperscaler weighed when it chose a path: every option's cost, wait and probability.

`Hyperscaler.choose_path` hands each decision to its `ChoiceLog` (one append of what it already
computed, plus the wait and the cost of that wait per option), so a run can say why a project
went where it went (`abm.metrics.choice_table`, `python -m abm why`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from abm.agents import firm_types
from abm.vocabulary import Choice

if TYPE_CHECKING:
    from abm.schema import FirmType, ScenarioConfig


@dataclass(frozen=True)
class Decision:
    """One path choice: the options weighed (all-in USD per MW-month), their waits and probabilities."""

    month: int
    pid: int
    mw: float
    switches: int
    excluded: tuple[str, ...]
    options: tuple[str, ...]
    cost_usd_per_mw_month: tuple[float, ...]
    wait_months: tuple[float, ...]
    wait_cost_usd_per_mw_month: tuple[float, ...]
    probability: tuple[float, ...]
    pick: int

    @property
    def kind(self) -> str:
        """'open' (a new project), 'switch' (a stuck grid project leaves the queue), 'replan' (its filings all withdrew)."""
        if self.switches == 0:
            return "open"
        return "switch" if Choice.GRID in self.excluded else "replan"


@dataclass
class ChoiceLog:
    """A hyperscaler's path decisions in the order it made them."""

    decisions: list[Decision] = field(default_factory=list)

    def record(
        self,
        month: int,
        pid: int,
        mw: float,
        switches: int,
        excluded: tuple[str, ...],
        costs: dict[str, float],
        probability: np.ndarray,
        pick: int,
        waits: tuple[tuple[float, ...], tuple[float, ...]],
    ) -> None:
        """Keep one decision (`waits`: each option's expected wait and its cost, from `waits_of`)."""
        self.decisions.append(
            Decision(
                month,
                pid,
                float(mw),
                switches,
                tuple(excluded),
                tuple(costs),
                tuple(float(c) for c in costs.values()),
                waits[0],
                waits[1],
                tuple(float(p) for p in probability),
                int(pick),
            )
        )


def waits_of(
    expected_wait_months: dict[str, float],
    options: list[str],
    firm: FirmType,
    config: ScenarioConfig,
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Each option's expected wait (months) and what that wait costs this type (USD per MW-month).

    The same terms `Hyperscaler.path_costs_usd_per_mw_month` adds: counted wait (queue months
    weigh more to a type with a queue risk premium) times the type's delay cost.
    """
    delay = firm_types.delay_usd_per_mw_month(firm, config)
    waits = tuple(float(expected_wait_months[p]) for p in options)
    costs = tuple(
        firm_types.wait_months_counted(firm, w, queued=p == Choice.GRID) * delay
        for p, w in zip(options, waits, strict=True)
    )
    return waits, costs
