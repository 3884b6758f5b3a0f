"""The planner's rolling transmission assessment: the present system re-planned to the base-year criteria.

Generation builds, merchant plants and new loads connect without building network beyond
their own upgrades, so a network rated once for 2025 binds and sheds as the system changes.
Every `grid.transmission_assessment_years` (NERC TPL-001-5.1 R2: an annual Planning
Assessment) the planner takes the system as it now is: the existing load grown over the
planning horizon, the data centres connected (at their load factor), the generation fleet
with every build and retirement so far, and the market's last peak-hour dispatch. It rates
each line for P0 and P1 for those patterns as the base-year plan does
(`abm.grid.topology.planning`) and raises the lines short of it: reconductoring, so
susceptances and PTDFs stay. The rating added times each line's length is the capex.
"""

from __future__ import annotations

import numpy as np

from abm.grid.flow import DCNetwork
from abm.grid.reinforcement import RATING_STEP_MW
from abm.grid.topology.planning import (
    PlanningCriteria,
    n1_required_rating_mw,
    planning_cases_mw,
)


def assessment_due(month: int, every_years: float) -> bool:
    """Whether month `month` (0 = the run's first) closes an assessment period (never at 0 or when off)."""
    if every_years <= 0 or month <= 0:
        return False
    return month % max(1, round(every_years * 12.0)) == 0


def short_lines(
    net: DCNetwork,
    load_mw: np.ndarray,
    gen_mw: np.ndarray,
    techs: tuple[str, ...],
    criteria: PlanningCriteria,
    peak_injection_mw: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """(lines, new ratings MW) of the lines short of P0/P1 for the planned system.

    `load_mw` is the load to plan for per bus (already grown), `gen_mw` the fleet (bus x
    technology); the cases are the base-year plan's (all generation pro rata, firm only) and,
    when there is one, the last cleared peak hour's net injection.
    """
    cases = planning_cases_mw(load_mw, gen_mw, techs, 1.0)
    if peak_injection_mw is not None:
        cases.append(np.asarray(peak_injection_mw, dtype=float))
    required = n1_required_rating_mw(net, cases, criteria.emergency_rating_ratio)
    required = np.ceil(required / RATING_STEP_MW) * RATING_STEP_MW
    lines = np.flatnonzero(required > net.rating_mw + RATING_STEP_MW)
    return lines, required[lines]
