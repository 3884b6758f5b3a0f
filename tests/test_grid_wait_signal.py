"""The grid wait signal: a newcomer reads recent filings, a trigger reads the whole load queue."""

from __future__ import annotations

from abm.grid.queue import Kind
from abm.grid.wait_signal import grid_wait_months
from abm.scenario import load_scenario
from tests import queue_helpers

CFG = load_scenario("baseline")
Q = CFG.queue
PHASES_MONTHS = (
    2 * Q.system_study_months
    + Q.facilities_study_months
    + Q.agreement_months
    + Q.construction_months_load
)


def _queue_with_stragglers(n: int = 5):
    """Load requests filed in month 0 and never studied (no month stepped)."""
    q = queue_helpers.make()
    for i in range(n):
        q.submit(0, int(Kind.LOAD), 50.0, i, 0, 1, 100 + i)
    return q


def test_stragglers_do_not_set_a_newcomers_wait() -> None:
    """Old requests alone: the newcomer expects the phases; the queue's median is their age."""
    q, month = _queue_with_stragglers(), 100
    assert grid_wait_months(q, CFG, month, []) == PHASES_MONTHS
    assert grid_wait_months(q, CFG, month, [], newcomer=False) == month + PHASES_MONTHS


def test_recent_filings_set_a_newcomers_wait() -> None:
    """A request filed within the window: its age plus the phases left is the newcomer's signal."""
    q, month = _queue_with_stragglers(), 100
    q.submit(95, int(Kind.LOAD), 50.0, 7, 0, 1, 200)
    assert CFG.hyperscalers.wait_signal_window_months >= 5
    assert grid_wait_months(q, CFG, month, []) == 5 + PHASES_MONTHS
    assert grid_wait_months(q, CFG, month, [], newcomer=False) == month + PHASES_MONTHS


def test_no_load_request_gives_no_signal() -> None:
    """With no active load request (and no recent energisation) there is no signal."""
    assert grid_wait_months(queue_helpers.make(), CFG, 10, []) is None
