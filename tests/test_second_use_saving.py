"""The second-use CO2 counterfactual: service integral, end-of-horizon rule, both savings."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from abm.batteries import FadeParams
from abm.carbon import (
    CarbonFactors,
    displaced_new_t,
    end_of_horizon_credit_t,
    remaining_share,
    service_kwh_months,
)
from abm.errors import InputError
from abm.metrics.second_use_saving import consequential_saving_mt, whole_system_mt
from abm.runner import run_scenario

F = CarbonFactors(
    new_storage_kg_per_kwh=100.0, repurpose_kg_per_kwh=70.0, recycling_credit_kg_per_kwh=-20.0
)
NO_FADE = FadeParams(calendar_fade_per_year=0.0, cycle_fade_per_efc=0.0)


def test_service_is_the_sum_of_usable_soh_until_end_of_life() -> None:
    """Calendar fade only, 1.2 %/yr = 0.1 %/month: from 0.8 to 0.7 is 100 months."""
    params = FadeParams(
        calendar_fade_per_year=0.012,
        cycle_fade_per_efc=0.0,
        knee_soh=0.0,
        second_life_multiplier=1.5,  # set: the default is 1.0 since the per-chemistry fits
    )
    got = service_kwh_months(0.8, 0.7, 0.0, 0.2, 1.0, False, params)
    months = np.arange(1, 101)
    assert got[0] == pytest.approx(np.sum(0.8 - 0.001 * months[months <= 100]), rel=1e-6)
    # a second-life pack fades faster (the multiplier), so it serves less from the same SoH
    sl = service_kwh_months(0.8, 0.7, 0.0, 0.2, 1.0, True, params)
    assert sl[0] < got[0]
    # a pack below end of life serves nothing; one that never fades is cut at the cap
    assert service_kwh_months(0.6, 0.7, 0.0, 0.2, 1.0, False, params)[0] == 0.0
    assert service_kwh_months(1.0, 0.7, 0.0, 0.2, 1.0, False, NO_FADE)[0] == pytest.approx(1200.0)


def test_salvage_share_and_end_of_horizon_credit() -> None:
    share = remaining_share(np.array([50.0, 0.0, 200.0]), np.array([100.0, 0.0, 100.0]))
    assert share.tolist() == [0.5, 0.0, 1.0]
    out = end_of_horizon_credit_t(np.array([1e6, 2e6]), np.array([100.0, 70.0]), share[:2], F)
    assert out["salvage"] == pytest.approx(-50_000.0)  # half of the first lot's 100,000 t
    assert out["recycling"] == pytest.approx(-60_000.0)  # 3 GWh x -20 kg/kWh, both lots
    assert out["total"] == pytest.approx(-110_000.0)
    with pytest.raises(InputError):
        end_of_horizon_credit_t(np.array([-1.0]), np.array([1.0]), np.array([1.0]), F)


def test_displaced_new_storage_is_charged_for_the_service_only() -> None:
    """100 kWh-months per kWh of new life: 1e8 kWh-months of service displace 1e6 kWh, net of recycling."""
    assert displaced_new_t(1e8, 100.0, F) == pytest.approx(1e6 * (100.0 - 20.0) / 1000.0)
    with pytest.raises(InputError):
        displaced_new_t(1.0, 0.0, F)


def test_consequential_is_the_twin_minus_the_run_under_the_same_rule() -> None:
    run = {"total": 100.0, "end_of_horizon_credit": -5.0}
    twin = {"total": 98.0, "end_of_horizon_credit": -1.0}
    assert whole_system_mt(run) == 95.0
    assert consequential_saving_mt(run, twin) == pytest.approx(2.0)
    assert consequential_saving_mt(run, {"total": 98.0}) is None  # an old kpis.json: no credit


@pytest.mark.slow
def test_a_short_run_reports_both_savings_under_the_end_of_horizon_rule() -> None:
    overrides = {"grid.n_buses": 20, "packs.routing": "second_use_first"}
    co2 = run_scenario("baseline", seed=2, months=36, overrides=overrides).kpis["co2_mt"]
    saving = co2["second_use_saving"]
    assert co2["end_of_horizon_credit"] < 0  # packs are in service at the end
    assert saving["second_life_kwh_used"] > 0 and saving["displaced_new"] > 0
    assert saving["attributional"] == pytest.approx(
        saving["displaced_new"] - saving["second_life_embodied"]
    )
    assert saving["attributional_kg_per_kwh"] == pytest.approx(
        saving["attributional"] * 1e9 / saving["second_life_kwh_used"]
    )
    twin = co2["recycle_first_counterfactual_total"]
    twin += co2["recycle_first_counterfactual_end_of_horizon_credit"]
    assert saving["consequential"] == pytest.approx(
        twin - co2["total"] - co2["end_of_horizon_credit"]
    )


def _record(total: float, credit: float, attributional: float | None = None) -> Any:
    """A stand-in for a finished app run (kpis_with_counterfactual reads its kpis and projects)."""
    co2: dict[str, Any] = {"total": total, "end_of_horizon_credit": credit}
    if attributional is not None:
        co2["second_use_saving"] = {
            "attributional": attributional,
            "attributional_kg_per_kwh": attributional * 40,
        }
    no_projects = pd.DataFrame({"path": [], "month_energized": []})
    return SimpleNamespace(kpis={"co2_mt": co2}, projects=no_projects)


def test_the_app_cards_show_both_savings_and_compare_them() -> None:
    from viz.kpis import DASH, cards
    from viz.runs import kpis_with_counterfactual

    run, twin = _record(100.0, -5.0, 0.25), _record(98.0, -1.0)
    waiting = {c.key: c for c in cards(kpis_with_counterfactual(run, None))}
    assert waiting["co2_saving"].value == DASH  # the twin is still running
    assert waiting["co2_saving_attributional"].value == "0.25"
    assert waiting["co2_saving_per_kwh"].value == "10.0"
    done = kpis_with_counterfactual(run, twin)
    other = kpis_with_counterfactual(_record(100.0, -3.0, 0.5), twin)
    by_key = {c.key: c for c in cards(done, other)}  # compare mode: deltas against the other run
    assert by_key["co2_saving"].value == "2.0" and by_key["co2_saving"].delta == "+2.0 Mt"
    assert by_key["co2_saving"].tone == "better"
    assert by_key["co2_saving_attributional"].tone == "worse"
