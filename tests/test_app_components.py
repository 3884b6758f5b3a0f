"""The Solara app without a browser: levers, URL state, KPI cards, the run engine, charts.

Set-up and look-ups live in tests/app_helpers.py (short scenarios, widget finders).
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from abm.runner import run_scenario
from abm.scenario import load_scenario
from abm.schema import SECTIONS
from tests.app_helpers import (
    MONTHS,
    short_scenarios,  # noqa: F401 - the module-scoped autouse fixture of every app test
    wait_until,
)


# ---------------------------------------------------------------------- pure parts
def test_levers_come_from_the_schema() -> None:
    from abm.bounds import bounds_of
    from viz.levers import BIG_LEVERS

    assert len(BIG_LEVERS) == 11
    for lever in BIG_LEVERS:
        field = SECTIONS[lever.section].model_fields[lever.param]
        assert lever.default == field.default
        assert lever.description == field.description
        assert lever.source and lever.source in lever.tooltip()
        if lever.kind == "float":
            bounds = bounds_of(lever.key)
            assert bounds.lower <= lever.min < lever.max <= bounds.upper, lever.key
        else:
            assert lever.choices == field.annotation.__args__


def test_slider_span_widens_to_the_scenario_value() -> None:
    from viz.levers import LEVERS_BY_KEY

    lever = LEVERS_BY_KEY["packs.retirement_multiplier"]
    assert lever.span_for(8.0) == (lever.min, 8.0)
    assert lever.span_for(1.0) == (lever.min, lever.max)


def test_url_round_trip_and_bad_links() -> None:
    from viz.state import ViewSettings, from_query, to_query

    settings = ViewSettings(
        scenario="queue_reform_test",
        overrides=(("demand.growth_multiplier", 1.5), ("queue.mode", "cluster")),
        seed=7,
        compare="none",
        mode="workshop",
        tab="co2",
        map_colour="lmp",
    )
    query = to_query(settings)
    assert "demand.growth_multiplier=1.5" in query and "queue.mode=cluster" in query
    assert from_query(query) == (settings, [])
    parsed, errors = from_query("s=baseline&demand.growth_multiplyer=2&mode=cinema")
    assert parsed.overrides == ()
    assert any('did you mean "demand.growth_multiplier"' in e for e in errors)
    assert any("mode = 'cinema'" in e for e in errors)


def test_kpi_cards_show_dash_and_deltas() -> None:
    from viz.kpis import DASH, cards

    base = {
        "energized_mw": {"grid": 1000.0, "onsite_gas": 500.0},
        "queue": {"median_wait_months": None},
        "unserved_compute_mw_months": 1200.0,
    }
    more = {
        "energized_mw": {"grid": 2000.0, "onsite_gas": 500.0},
        "queue": {"median_wait_months": 40.0},
        "unserved_compute_mw_months": 2400.0,
    }
    by_key = {c.key: c for c in cards(more, base)}
    assert by_key["energised_total"].value == "2.5" and by_key["energised_total"].tone == "better"
    assert by_key["unserved"].tone == "worse"
    assert by_key["queue_wait"].delta.startswith(DASH)
    assert {c.key: c for c in cards(base)}["queue_wait"].value == DASH


def test_engine_matches_run_scenario_and_caches() -> None:
    from viz.runs import DONE, RunEngine

    cfg = load_scenario("baseline")
    engine = RunEngine()
    job = engine.submit(cfg)
    wait_until(lambda: job.done, what="engine run")
    assert job.status == DONE
    reference = run_scenario(cfg, counterfactual=False)
    pd.testing.assert_frame_equal(job.record.timeseries, reference.timeseries)
    assert job.record.project_table is not None
    pd.testing.assert_frame_equal(job.record.project_table, reference.projects)
    assert json.loads(json.dumps(job.record.kpis)) == json.loads(
        json.dumps(reference.kpis, default=float)
    )
    again = engine.submit(cfg)
    assert again.from_cache and again.record is job.record
    assert (
        len(job.record.derived) == MONTHS
        and job.record.maps[-1].label == job.record.timeseries["date"].iloc[-1]
    )


def test_a_job_says_done_before_its_complete_record_appears(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The page reads a job's record, then its status, without the engine's lock: were the complete
    record set first, a page could draw the finished cards under "Running: month 22 of 24"."""
    from viz.runs import DONE, RunEngine, RunJob

    seen: list[tuple[str, object]] = []

    class Watched(RunJob):
        def __setattr__(self, name: str, value: object) -> None:
            if name == "status" or (name == "record" and value is not None):
                seen.append((name, value.complete if name == "record" else value))
            super().__setattr__(name, value)

    monkeypatch.setattr("viz.runs.RunJob", Watched)
    engine = RunEngine(publish_every_s=0.0, first_publish_s=0.0)
    job = engine.submit(load_scenario("baseline", {"run.months": 3}))
    assert isinstance(job, Watched)
    wait_until(lambda: job.done, what="watched run")
    assert job.status == DONE and job.record is not None and job.record.complete
    first_complete = next(i for i, (name, v) in enumerate(seen) if name == "record" and v)
    assert ("status", DONE) in seen[:first_complete], seen
    assert all(v is False for name, v in seen[:first_complete] if name == "record"), seen


def test_engine_cancels_pauses_and_reports_failures() -> None:
    from viz.runs import CANCELLED, DONE, FAILED, PREWARM, PRIMARY, RunEngine

    engine = RunEngine(publish_every_s=0.1, first_publish_s=0.1)
    # one worker thread: run first-come first-served, the background run (4 x the urgent's 12
    # months, 120 before: it runs to its end below) would finish before the urgent one starts
    months = 4 * MONTHS
    background = engine.submit(
        load_scenario("baseline", {"demand.growth_multiplier": 1.3, "run.months": months}),
        PREWARM,
        subscribe=False,
    )
    wait_until(lambda: background.months_done >= 1, what="background run to start")
    urgent = engine.submit(load_scenario("baseline", {"demand.growth_multiplier": 1.6}), PRIMARY)
    wait_until(lambda: urgent.done, what="urgent run")
    assert urgent.status == DONE
    assert not background.done and background.months_done < months  # it yielded to the urgent run
    wait_until(lambda: background.done, what="background run to resume")
    assert background.status == DONE

    doomed = engine.submit(
        load_scenario("baseline", {"demand.growth_multiplier": 2.0, "run.months": 120}), PRIMARY
    )
    wait_until(lambda: doomed.months_done >= 1, what="run to start")
    engine.release(doomed)  # nobody wants it any more
    wait_until(lambda: doomed.done, what="cancel")
    assert doomed.status == CANCELLED and doomed.months_done < 120

    broken = engine.submit(load_scenario("baseline", {"grid.source": "missing.json"}))
    wait_until(lambda: broken.done, what="failing run")
    assert broken.status == FAILED and "missing.json" in broken.error and "\n" not in broken.error


def test_charts_have_titles_and_units() -> None:
    from viz import charts
    from viz.runs import RunEngine, counterfactual_config

    engine = RunEngine()
    cfg = load_scenario("baseline")
    jobs = [engine.submit(cfg), engine.submit(counterfactual_config(cfg))]
    wait_until(lambda: all(j.done for j in jobs), what="runs")
    rec, cf = (j.record for j in jobs)
    figures = [
        charts.energy_chart(rec, cf, "twin"),
        charts.time_to_power_chart(rec),
        charts.queue_chart(rec),
        charts.packs_chart(rec),
        charts.co2_chart(rec, cf),
        charts.network_map(rec.grid, rec.maps[-1], "wait"),
        charts.network_map(rec.grid, rec.maps[-1], "lmp", charts.WORKSHOP),
    ]
    for fig in figures:
        main = fig.axes[0]
        assert main.get_title(loc="left").strip(), "chart without a title"
        if main.axison:
            assert main.get_ylabel() and main.get_xlabel(), main.get_title(loc="left")
        buf = io.BytesIO()
        fig.savefig(buf, format="svg")
        assert buf.getvalue().startswith(b"<?xml")
    assert figures[0].axes[0].get_ylabel().startswith("GW")
    assert "Mt CO2" in figures[4].axes[0].get_ylabel()


# ---------------------------------------------------------------------- the page


# ---------------------------------------------------------------------- ensembles and noise
def test_noise_rows_are_paired_per_kpi_card() -> None:
    from viz.noise import noise_rows

    def kpis(grid_mw: float, co2: float) -> dict:
        return {"energized_mw": {"grid": grid_mw}, "co2_mt": {"total": co2}}

    compare = [kpis(1000.0, 10.0), kpis(2000.0, 20.0), None]
    shown = [kpis(1500.0, 10.0), kpis(2600.0, 20.0), kpis(1.0, 1.0)]
    rows = {row.key: row for row in noise_rows(shown, compare)}
    grid = rows["energised_grid"]  # +0.5 and +0.6 GW: mean +0.55, but t(1) = 12.7 on two pairs
    assert grid.difference == "+0.6" and grid.n == 2 and grid.verdict == "within noise"
    assert grid.interval == "[-0.1, +1.2]"
    assert rows["co2_total"].difference == "no change" and rows["co2_total"].verdict == "identical"
    assert "queue_wait" not in rows  # no data on any seed: no row


def test_cards_say_within_noise_in_words_and_colour_only_beyond_noise() -> None:
    from viz.kpis import cards
    from viz.noise import paired_by_card

    def kpis(grid_gw: float, unserved: float) -> dict:
        return {"energized_mw": {"grid": grid_gw * 1000.0}, "unserved_compute_mw_months": unserved}

    shown = [kpis(2.0, 120.0), kpis(2.1, 300.0), kpis(2.2, 100.0)]
    compare = [kpis(1.0, 200.0), kpis(1.1, 110.0), kpis(1.2, 250.0)]
    noise = paired_by_card(shown, compare)
    by_key = {c.key: c for c in cards(shown[0], compare[0], noise=noise, pending_seeds="")}
    grid, unserved = by_key["energised_total"], by_key["unserved"]
    assert grid.tone == "better" and grid.delta.startswith("+1.0 GW [+1.0, +1.0]")
    assert "beyond noise (3 seeds)" in grid.delta
    assert unserved.tone == "noise" and unserved.delta.startswith("within noise: [")
    assert "+" not in unserved.delta.split("[")[0]  # no signed number before the interval
    waiting = {c.key: c for c in cards(shown[0], compare[0], pending_seeds="; 1 of 3 seeds in")}
    assert waiting["energised_total"].delta == "+1.0 GW on this seed; 1 of 3 seeds in"
    assert waiting["energised_total"].tone == "none"  # grey until every seed is in


def test_ensemble_size_is_a_setting_with_a_default(caplog: pytest.LogCaptureFixture) -> None:
    from viz.ensemble import DEFAULT_SEEDS, ensemble_seeds, ensemble_size

    assert ensemble_size({}) == DEFAULT_SEEDS == 5
    assert ensemble_size({"POWERSTACK_APP_SEEDS": "3"}) == 3
    assert ensemble_size({"POWERSTACK_APP_SEEDS": "zero"}) == DEFAULT_SEEDS
    assert "POWERSTACK_APP_SEEDS" in caplog.text
    assert ensemble_seeds(7, 3) == (7, 8, 9)


def test_seed_pool_runs_the_extra_seeds_with_their_counterfactual() -> None:
    from matplotlib.figure import Figure

    from viz.charts.bands import band_label, draw_band
    from viz.charts.energy import energised_total_gw
    from viz.ensemble import SeedPool, release_ensemble, seed_frames, start_ensemble

    pool = SeedPool(workers=1)
    cfg = load_scenario("queue_reform_test", {"run.months": 6})
    ensemble = start_ensemble(pool, cfg, 2)
    assert [c.run.seed for c in ensemble.configs] == [cfg.run.seed + 1]
    (result,) = [f.result(timeout=120) for f in ensemble.futures]
    assert result.seed == cfg.run.seed + 1 and len(result.timeseries) == 6
    assert result.kpis["co2_mt"]["second_use_saving"]["consequential"] is not None
    assert start_ensemble(pool, cfg, 2).futures == ensemble.futures  # cached by setting
    frames = seed_frames(None, ensemble) * 2
    ax = Figure().subplots()
    label = band_label(frames, 2, "Energised total")
    assert draw_band(ax, frames, energised_total_gw, "#000000", label)
    assert ax.get_lines()[0].get_label() == "Energised total: median, range of 2 seeds"
    assert not draw_band(ax, frames[:1], energised_total_gw, "#000000", label)  # one seed: no band
    release_ensemble(pool, ensemble)
    pool.shutdown()


SERVER_KILLED = """
import os, signal, sys, multiprocessing
from viz.ensemble import SeedPool
if __name__ == "__main__":
    pool = SeedPool(workers=1)
    pool._pool().submit(os.getpid).result(timeout=60)
    print(*pool._executor._processes, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no atexit, no shutdown: as a killed app server
"""


def test_a_killed_server_leaves_no_seed_worker_behind(tmp_path) -> None:
    import os
    import subprocess
    import sys

    script = tmp_path / "server.py"
    script.write_text(SERVER_KILLED)
    out = tmp_path / "out.txt"
    with out.open("w") as sink:  # a file, not a pipe: the workers would hold a pipe open
        server = subprocess.Popen([sys.executable, str(script)], stdout=sink)
        server.wait(120)  # reaped at once, as a shell reaps a killed app
    workers = [int(p) for p in out.read_text().split()]
    assert workers, out.read_text()

    def gone() -> bool:
        for pid in workers:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            return False
        return True

    wait_until(gone, 15, f"seed workers {workers} to end with their killed server")


def test_footer_names_the_version_of_the_code() -> None:
    import solara

    import abm
    from tests.app_helpers import texts
    from viz.components import Footer, footer_text

    _, rc = solara.render(Footer(), handle_error=False)
    assert texts(rc, "ps-footer") == [
        f"powerstack {abm.__version__} · cite with CITATION.cff · changes in CHANGELOG.md"
        " · built with Mesa and Solara"
    ]
    assert footer_text("9.9.9").startswith("powerstack 9.9.9 ")


def test_explore_model_refuses_bad_input_with_one_line_and_keeps_the_last_settings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SolaraViz builds the model on Reset: a bad seed must not raise (the browser would get a traceback)."""
    from viz.explore_model import ExploreModel

    memory: dict = {}
    good = ExploreModel("baseline", seed="7", memory=memory)
    assert good.input_error is None and good.config.run.seed == 7
    for bad in ("abc", "-5", "1.5"):
        with caplog.at_level("WARNING", logger="viz.explore_model"):
            model = ExploreModel("Baseline", seed=bad, memory=memory)
        assert model.config.run.seed == 7, "the last valid settings are kept"
        assert model.input_error is not None and "\n" not in model.input_error
        assert "seed" in model.input_error and "Traceback" not in model.input_error
        assert any(bad.lstrip("-") in r.getMessage() for r in caplog.records)
        model.step()
        assert model.month == 0, "the kept model steps"


def test_a_changed_setting_is_shown_with_its_unit() -> None:
    from viz.components.story import shown_value

    assert shown_value("policy.carbon_price_usd_per_t", 140.0) == "140 $/t CO2"
    assert shown_value("queue.mode", "cluster") == "cluster studies (FERC Order 2023)"
    assert shown_value("gas.turbine_backlog_mw", 5000.0) == "5000 MW"


def test_why_panel_tells_in_words_why_a_picked_project_chose_its_path() -> None:
    """A facilitator picks a project of the finished run and reads its decision (issue 20 item 5)."""
    from types import SimpleNamespace

    import ipyvuetify as v
    import solara

    from abm.metrics.choice_story import explain_choice
    from tests.app_helpers import texts, widgets_of
    from viz.components import WhyPanel
    from viz.components.why_panel import project_options

    result = run_scenario("baseline", months=36, counterfactual=False)
    record = SimpleNamespace(choice_table=result.choices, project_table=result.projects)
    options = project_options(result.choices)
    assert len(options) >= 2 and all(f"project {i} " in k for k, i in options.items())
    _, rc = solara.render(WhyPanel(record), handle_error=False)
    (shown,) = texts(rc, "ps-why")
    last = list(options)[-1]
    assert shown == explain_choice(result.choices, options[last], result.projects)
    (select,) = widgets_of(rc, v.Select)
    first = list(options)[0]
    select.v_model = first
    (shown,) = texts(rc, "ps-why")
    assert shown == explain_choice(result.choices, options[first], result.projects)
    assert shown != explain_choice(result.choices, options[last], result.projects)
    _, rc = solara.render(WhyPanel(None), handle_error=False)
    assert texts(rc, "ps-why") == []
