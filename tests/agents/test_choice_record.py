"""A hyperscaler records every path decision with what it weighed (abm.agents.choice_record)."""

from __future__ import annotations

import numpy as np
import pytest

from abm.agents import firm_types
from abm.agents.hyperscaler import Hyperscaler
from abm.signals import Signals
from abm.streams import Streams
from abm.vocabulary import Choice


def _signals(month: int) -> Signals:
    return Signals(
        month=month,
        expected_lmp_usd_per_mwh=60.0,
        grid_co2_t_per_mwh=0.4,
        expected_upgrade_share=0.3,
        modular_storage_cost_usd_per_kwh=150.0,
    )


def _hyperscaler(model, config, make_desk, make_sites) -> Hyperscaler:
    desk = make_desk(paths=("grid", Choice.MODULAR, "onsite_gas"))
    return Hyperscaler(
        model, 1.0, config=config(), streams=Streams(1), projects=desk, sites=make_sites()
    )


def test_a_choice_is_recorded_with_the_costs_waits_and_probabilities_it_used(
    model, config, make_desk, make_sites
):
    h = _hyperscaler(model, config, make_desk, make_sites)
    h.expected_wait_months["grid"] = 50.0
    picked = h.choose_path(120.0, _signals(7), pid=42)
    (d,) = h.choice_log.decisions
    costs = h.path_costs_usd_per_mw_month(120.0, _signals(7))
    assert (d.month, d.pid, d.mw, d.kind) == (7, 42, 120.0, "open")
    assert d.options[d.pick] == picked
    assert d.cost_usd_per_mw_month == tuple(costs.values())
    assert d.wait_months[d.options.index("grid")] == 50.0
    assert sum(d.probability) == pytest.approx(1.0)
    # the cheaper option is the likelier one: probabilities fall with cost
    order = np.argsort(d.cost_usd_per_mw_month)
    assert np.all(np.diff(np.array(d.probability)[order]) <= 1e-12)
    # the wait's cost is the term path_costs adds: counted months x the type's delay cost
    delay = firm_types.delay_usd_per_mw_month(h.firm_type, h.config)
    counted = firm_types.wait_months_counted(h.firm_type, 50.0, queued=True)
    assert d.wait_cost_usd_per_mw_month[d.options.index("grid")] == pytest.approx(counted * delay)


def test_a_switch_and_a_replan_are_told_apart(model, config, make_desk, make_sites):
    h = _hyperscaler(model, config, make_desk, make_sites)
    h.choose_path(100.0, _signals(30), pid=5, switches=1, exclude=(Choice.GRID,))
    h.choose_path(100.0, _signals(31), pid=6, switches=1)
    switch, replan = h.choice_log.decisions
    assert (switch.kind, replan.kind) == ("switch", "replan")
    assert "grid" not in switch.options and "grid" in replan.options


def test_recording_does_not_change_the_choice(model, config, make_desk, make_sites):
    h = _hyperscaler(model, config, make_desk, make_sites)
    first = [h.choose_path(100.0, _signals(1), pid) for pid in range(50)]
    h.choice_log.record = lambda *a, **k: None
    assert [h.choose_path(100.0, _signals(1), pid) for pid in range(50)] == first
