"""Bridge power in a run: bridges serve compute (unserved falls by their MW), burn gas, and leave at the grid.

Also the turbine book utilities share: a utility gas plant waits for its turbines when the book is long.
"""

from __future__ import annotations

import numpy as np
import pytest

from abm.grid.queue import Kind
from abm.metrics.project_table import project_table_of
from abm.model import PowerStackModel


def run(months: int, **overrides) -> PowerStackModel:
    model = PowerStackModel("bridge_gas", run__months=months, **overrides)
    while model.running:
        model.step()
    return model


@pytest.fixture(scope="module")
def bridged() -> PowerStackModel:
    return run(36)


def test_bridge_gas_serves_compute_in_the_monthly_table(bridged):
    df = bridged.datacollector.get_model_vars_dataframe()
    assert df["bridge_gas_mw"].max() > 0
    energized = df[[c for c in df.columns if c.startswith("energized_mw_")]].sum(axis=1)
    supplied = df["existing_mw"] + energized + df["bridge_gas_mw"]
    assert np.allclose(df["unserved_mw"], np.maximum(0.0, df["ai_demand_mw"] - supplied))
    on = df["bridge_gas_mw"] > 0
    assert (df.loc[on, "bridge_gas_co2_t"] > 0).all()


def test_bridges_are_waiting_grid_projects_and_the_table_and_kpis_agree(bridged):
    month = bridged.month
    online = [p for p in bridged.projects if p.bridge_online(month)]
    assert all(p.path == "grid" and p.status == "waiting" for p in online)
    table = project_table_of(bridged)
    assert table["bridge_mw"].sum() == pytest.approx(sum(p.bridge_mw for p in bridged.projects))
    kpis = bridged.recorder.kpis()["bridge_gas"]
    df = bridged.datacollector.get_model_vars_dataframe()
    assert kpis["peak_mw"] == pytest.approx(df["bridge_gas_mw"].max())
    assert kpis["co2_mt"] == pytest.approx(df["bridge_gas_co2_t"].sum() / 1e6)


def test_no_bridge_when_bridging_is_off():
    df = run(24, gas__bridge_enabled=False).datacollector.get_model_vars_dataframe()
    assert (df["bridge_gas_mw"] == 0).all() and (df["bridge_gas_co2_t"] == 0).all()


def test_a_utility_gas_plant_waits_for_its_turbines_when_the_book_is_long():
    model = PowerStackModel("baseline", run__months=1)
    grid, utility = model.grid, model.roster.utilities[0]
    before = grid.turbines.quoted_lead_months()
    grid.submit_utility_build(utility, int(utility.nodes[0]), Kind.GENERATION, 200_000.0)
    rid = max(grid.turbine_orders)
    assert grid.turbines.quoted_lead_months() > before  # the order joined the backlog
    lead = grid.build_lead_months(Kind.GENERATION, rid)
    assert lead > model.config.utilities.build_lead_months_gas
    assert lead == pytest.approx(grid.turbine_orders[rid][0] - grid.clock.month)
