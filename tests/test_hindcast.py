"""Starts from 2020: the snapshot table, the history-following queue arrivals, the hindcast section."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from abm import hindcast, history
from abm.errors import InputError
from abm.grid.queue import Kind, State
from abm.history import arrival_factor, merchant_mix, snapshots
from abm.schema import ScenarioConfig
from abm.validation import REPORT
from abm.world import Calendar, dc_twh_path


def test_every_published_point_names_its_source_and_issue_19s_queue_figures_are_there() -> None:
    table = snapshots()
    for series in table.values():
        assert series.unit and all(p.source for p in series.points), series.name
    queue = table["queue_active_gw_gen_storage"]
    published = {p.date: p.value for p in queue.points}
    issue_19 = {"2021-12": 1400, "2022-12": 2000, "2023-12": 2600, "2024-12": 2290}
    assert published == {"2020-12": 950, **issue_19}
    assert [p.date for p in queue.points if p.unconfirmed] == ["2020-12"]  # not in DOMAIN-NUMBERS
    for date in published:  # storage + generation add up to the total within LBNL's rounding
        parts = sum(table[f"queue_active_gw_{k}"].value_on(date) for k in ("storage", "generation"))
        assert abs(parts - published[date]) / published[date] < 0.03, date


def test_series_interpolate_between_published_dates_and_hold_outside() -> None:
    queue = snapshots()["queue_active_gw_gen_storage"]
    mid = (queue.points[0].year + queue.points[1].year) / 2
    assert queue.at(mid) == pytest.approx((queue.points[0].value + queue.points[1].value) / 2)
    assert queue.at(2015.0) == queue.points[0].value and queue.at(2030.0) == 2290.0
    dc = snapshots()["dc_electricity_twh"]  # log-linear: the geometric mean halfway
    assert dc.at((dc.points[1].year + dc.points[2].year) / 2) == pytest.approx((76 * 176) ** 0.5)


def test_the_demand_path_runs_through_lbnl_before_2023_and_is_unchanged_after() -> None:
    cfg = ScenarioConfig()
    assert dc_twh_path(cfg, 2018 + 5.5 / 12) == pytest.approx(76.0)
    assert dc_twh_path(cfg, 2023.5) == pytest.approx(cfg.demand.dc_twh_2023)
    assert dc_twh_path(cfg, 2028.5) == pytest.approx(cfg.demand.dc_twh_2028)


def test_history_arrivals_follow_the_published_new_requests_and_are_off_by_default() -> None:
    """Arrivals follow the new-request series (GW filed a year), split by kind on the filings' share."""
    cfg = ScenarioConfig()
    share = cfg.queue.merchant_storage_share
    assert not cfg.run.history_snapshot
    assert merchant_mix(cfg, -30) == (1.0, share)
    on = cfg.model_copy(
        update={"run": cfg.run.model_copy(update={"start": "2021-12", "history_snapshot": True})}
    )
    # month 36 is end-2024, after the sourced 2024 point: the 500 GW a year of the reference
    assert merchant_mix(on, 36) == pytest.approx((1.0, share), abs=0.01)
    new = snapshots()["queue_new_requests_gw_per_year"]
    reference = new.value_on(history.ARRIVALS_REFERENCE)
    for month, filed in ((18, 908.0), (6, 759.0)):  # mid-2023 and mid-2022: the yearly points
        volume, mix = merchant_mix(on, month)
        assert volume == pytest.approx(filed / reference, rel=0.01)
    # the kind split is the filings' share: end-2021 between 0.39 (2021-06) and 0.45 (2023-04)
    filings = snapshots()[history.STORAGE_SHARE_OF_FILINGS]
    volume, mix = merchant_mix(on, 0)
    assert mix == pytest.approx(filings.at(2021 + 11.5 / 12) * share / filings.points[-1].value)
    assert volume == pytest.approx(new.at(2021 + 11.5 / 12) / reference)
    first = new.points[0].year  # before the first point the series holds (the spin-up's start)
    assert arrival_factor("storage", first - 3) == pytest.approx(arrival_factor("storage", first))


def test_storage_is_filed_at_the_published_share_of_filings_not_the_active_queues() -> None:
    """The post-IRA 540 of 1,200 GW (0.45) is filed as storage, above the queue's own share then.

    A kind whose share of the active queue rises (storage: 0.30 end-2021, 0.40 end-2023) must
    be filed above that share; splitting arrivals as the queue left storage at 0.56-0.71 of it.
    """
    table = snapshots()
    filings = table[history.STORAGE_SHARE_OF_FILINGS]
    for date, value in (("2021-06", 0.39), ("2023-04", 0.45), ("2024-06", 0.39)):
        assert filings.value_on(date) == value
    on = ScenarioConfig().model_copy(
        update={"run": ScenarioConfig().run.model_copy(update={"history_snapshot": True})}
    )
    on = on.model_copy(update={"run": on.run.model_copy(update={"start": "2023-04"})})
    assert merchant_mix(on, 0)[1] == pytest.approx(0.45)  # schema share 0.39 = the 2024 point
    year = 2023 + 3.5 / 12
    queue_share = table["queue_active_gw_storage"].at(year) / table[
        "queue_active_gw_gen_storage"
    ].at(year)
    assert merchant_mix(on, 0)[1] > queue_share + 0.05
    for year in (2016.0, 2021.5, 2023.3, 2026.0):  # the split never changes the total filed
        ratio = history.filing_share_ratio
        assert 0.39 * ratio("storage", year) + 0.61 * ratio("generation", year) == pytest.approx(1)
    with pytest.raises(InputError, match="expected 'storage' or 'generation'"):
        history.filing_share_ratio("load", 2022.0)


def _fake_result(rows: list[tuple[int, float, int, int, int]]) -> SimpleNamespace:
    """A run stand-in with a request table: (kind, mw, state, submit, resolved) per request."""
    table = pd.DataFrame(rows, columns=["kind", "mw", "state", "submit_month", "resolved_month"])
    table["entered_agreement"] = -1
    table["withdrawn_from_state"] = -1
    queue = SimpleNamespace(table=lambda: table)
    cfg = ScenarioConfig().model_copy(
        update={"run": ScenarioConfig().run.model_copy(update={"start": "2020-01"})}
    )
    return SimpleNamespace(config=cfg, model=SimpleNamespace(grid=SimpleNamespace(queue=queue)))


def test_the_year_end_queue_counts_spin_up_requests_resolved_before_the_run_as_gone() -> None:
    """Spin-up months are negative indices: a request withdrawn in month -3 is not active."""
    g, s, w, e, a = Kind.GENERATION, Kind.STORAGE, State.WITHDRAWN, State.ENERGIZED, State.AGREEMENT
    result = _fake_result(
        [
            (g, 1000.0, w, -20, -3),  # withdrew in the spin-up
            (g, 2000.0, a, -20, -1),  # still active (resolved_month unset)
            (s, 4000.0, e, -5, 30),  # energised in mid-2022
            (s, 8000.0, w, 5, 14),  # filed and withdrawn in the run
            (Kind.LOAD, 9000.0, a, 0, -1),  # loads are not LBNL's queue
        ]
    )
    active = hindcast._active_gw(None)
    assert active(result, 2020) == pytest.approx(2.0 + 4.0 + 8.0)
    assert active(result, 2021) == pytest.approx(2.0 + 4.0)
    assert active(result, 2022) == pytest.approx(2.0)
    assert hindcast._active_gw(int(s))(result, 2021) == pytest.approx(4.0)
    assert hindcast._resolved_gw(State.WITHDRAWN)(result, 2021) == pytest.approx(8.0)
    assert hindcast._resolved_gw(State.ENERGIZED)(result, 2022) == pytest.approx(4.0)
    assert hindcast._resolved_gw(State.SUBMITTED, filed=True)(result, 2020) == pytest.approx(8.0)


def test_the_section_is_spliced_into_the_page_and_replaced_on_the_next_run() -> None:
    page = "# Validation\n\nbody\n"
    first = hindcast.splice(page, f"{hindcast.SECTION_BEGIN}\nold\n{hindcast.SECTION_END}\n")
    second = hindcast.splice(first, f"{hindcast.SECTION_BEGIN}\nnew\n{hindcast.SECTION_END}\n")
    assert second.startswith(page) and "new" in second and "old" not in second
    assert hindcast.section_of(second) == f"{hindcast.SECTION_BEGIN}\nnew\n{hindcast.SECTION_END}\n"


def test_hindcast_section_is_current() -> None:
    """docs/validation.md's hindcast section was generated from this tree (`validate-model --hindcast`)."""
    stored = hindcast.section_fingerprint(REPORT.read_text())
    assert stored is not None, (
        f"{REPORT} has no hindcast section: run `powerstack validate-model --hindcast`"
    )
    assert stored == hindcast.fingerprint(), (
        f"{REPORT}'s hindcast section is stale: run `powerstack validate-model --hindcast` (or `make docs`)"
    )


@pytest.mark.slow
def test_hindcast_2020_runs_from_the_2020_snapshot_with_its_headline_columns() -> None:
    from abm.runner import run_scenario

    result = run_scenario("hindcast_2020", months=24, counterfactual=False, keep_model=True)
    ts = result.timeseries
    assert ts["date"].iloc[0] == "2020-01"
    assert (ts["queue_active_gw_gen_storage"] <= ts["queue_backlog_gw"] + 1e-9).all()
    demand_twh = ts["ai_demand_mw"] * result.config.demand.load_factor * 8760 / 1e6
    assert (ts["dc_electricity_twh_served"] <= demand_twh + 1e-9).all()
    cal = Calendar.from_config(result.config)
    lbnl_2020 = history.dc_twh_before(cal.decimal_year(0), result.config.demand.dc_twh_2023)
    assert ts["dc_electricity_twh_served"].iloc[0] == pytest.approx(lbnl_2020, rel=0.05)
    assert np.isfinite(ts["queue_active_gw_gen_storage"]).all()
    # 2021's merchant filings are storage at the table's share of filings (0.21 -> 0.39 -> 0.45)
    r = result.model.grid.queue.table()
    merchant = r["kind"].isin(hindcast.GEN_STORAGE) & ~r["utility_build"]
    filed_2021 = r[r["submit_month"].between(12, 23) & merchant]
    storage_mw = filed_2021["mw"][filed_2021["kind"] == int(Kind.STORAGE)].sum()
    filings = snapshots()[history.STORAGE_SHARE_OF_FILINGS]
    expected = np.mean([filings.at(2021 + (m + 0.5) / 12) for m in range(12)])
    assert storage_mw / filed_2021["mw"].sum() == pytest.approx(expected, abs=0.03)


def test_storage_costs_before_2025_come_from_the_table_and_learning_starts_in_2025() -> None:
    """A 2020 start pays BNEF's published prices until 2025 and meets the 2025 costs then."""
    cfg = ScenarioConfig()
    assert history.storage_costs_before(cfg, 0) is None  # history off: the learning path
    assert history.learning_months(cfg, 7) == 7
    on = cfg.model_copy(
        update={"run": cfg.run.model_copy(update={"start": "2020-01", "history_snapshot": True})}
    )
    table = snapshots()
    mid_2024 = Calendar.from_config(on).index_of("2024-06")
    pack, balance = history.storage_costs_before(on, mid_2024)
    assert pack == table["stationary_pack_price_usd_per_kwh"].value_on("2024-06")
    assert pack + balance == table["storage_price_usd_per_kwh"].value_on("2024-06")
    january_2025 = Calendar.from_config(on).index_of("2025-01")
    assert history.storage_costs_before(on, january_2025) is None
    assert history.learning_months(on, january_2025) == 0
    assert history.learning_months(on, january_2025 + 5) == 5


def test_the_45x_credit_is_paid_from_2023_and_phases_out_from_2030() -> None:
    """A 2020 start sees no 45X before the IRA's first credit year, then the statute's steps."""
    from abm.world import credit_45x_usd_per_kwh

    cfg = ScenarioConfig()
    by_year = {
        y: credit_45x_usd_per_kwh(cfg, y) for y in (2020, 2022, 2023, 2029, 2030, 2032, 2033)
    }
    full = cfg.policy.credit_45x_usd_per_kwh
    assert by_year == {
        2020: 0.0,
        2022: 0.0,
        2023: full,
        2029: full,
        2030: 0.75 * full,
        2032: 0.25 * full,
        2033: 0.0,
    }
