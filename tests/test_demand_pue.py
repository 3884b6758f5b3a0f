"""Facility load = IT load x PUE: new builds' demand scales with `hyperscalers.pue`, the energised fleet does not."""

from __future__ import annotations

import pytest

from abm import PowerStackModel
from abm.runner import run_model
from abm.schema import ScenarioConfig
from abm.world import Calendar, ai_demand_mw, existing_dc_mw, facility_demand_mw


def config(pue: float, source_pue: float = 1.2) -> ScenarioConfig:
    return ScenarioConfig.model_validate(
        {"hyperscalers": {"pue": pue}, "demand": {"source_pue": source_pue}}
    )


def test_equal_pues_give_the_sourced_path_exactly() -> None:
    cfg = config(1.2)
    cal = Calendar.from_config(cfg)
    for m in (0, 12, 60, 180):
        assert facility_demand_mw(cfg, cal, m) == ai_demand_mw(cfg, cal, m)


@pytest.mark.parametrize("pue", [1.1, 1.58])
def test_growth_above_the_fleet_is_it_power_times_pue(pue: float) -> None:
    cfg = config(pue)
    cal = Calendar.from_config(cfg)
    existing = existing_dc_mw(cfg, cal)
    assert facility_demand_mw(cfg, cal, 0) == pytest.approx(existing)
    it_growth_mw = (ai_demand_mw(cfg, cal, 60) - existing) / cfg.demand.source_pue
    assert facility_demand_mw(cfg, cal, 60) == pytest.approx(existing + it_growth_mw * pue)


def test_a_higher_pue_files_more_facility_mw_on_the_grid() -> None:
    """The same compute need at a worse PUE opens more facility MW, and more of it queues for the grid."""

    def requested_mw(pue: float) -> tuple[float, float]:
        model = PowerStackModel(**{"grid.n_buses": 40, "run.months": 12, "hyperscalers.pue": pue})
        run_model(model)
        opened = sum(p.mw for p in model.projects if p.month_opened >= 0)
        return opened, float(model.grid.queue.column("mw", model.grid.queue.active_ids).sum())

    efficient, wasteful = requested_mw(1.1), requested_mw(1.58)
    assert wasteful[0] > efficient[0]
    assert wasteful[1] > efficient[1]
