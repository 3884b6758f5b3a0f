"""The Solara app without a browser: rendering, scenario switch, levers, URL state, exports, errors.

Runs use two short scenarios (12 months on an 80-bus grid) in a temporary scenario folder, so
the whole file stays well under a minute; the model code is the real one.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ipyvuetify as v
import ipywidgets
import pandas as pd
import pytest

os.environ.setdefault("POWERSTACK_APP_PREWARM", "none")  # set before viz.app is imported

import solara  # noqa: E402
from solara.components.file_download import FileDownloadWidget  # noqa: E402

from abm.runner import run_scenario, write_parquet_deterministic  # noqa: E402
from abm.scenario import load_scenario, to_toml  # noqa: E402
from abm.schema import SECTIONS  # noqa: E402

MONTHS = 12
TIMEOUT_S = 90.0


@pytest.fixture(scope="module", autouse=True)
def short_scenarios(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A scenario folder with a short baseline and a queue-reform variant of it."""
    folder = tmp_path_factory.mktemp("scenarios")
    base = load_scenario("baseline", {"run.months": MONTHS, "grid.n_buses": 80})
    (folder / "baseline.toml").write_text(to_toml(base))
    (folder / "queue_reform_test.toml").write_text(
        'name = "queue_reform_test"\n'
        'description = "Test variant: cluster studies and every project filed once."\n'
        'extends = "baseline"\n\n[queue]\nmode = "cluster"\n\n[hyperscalers]\nduplicate_filings = 1.0\n'
    )
    (folder / "recycle_test.toml").write_text(
        'name = "recycle_test"\n'
        'description = "Test variant: the baseline with recycle-first routing."\n'
        'extends = "baseline"\n\n[packs]\nrouting = "recycle_first"\n'
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POWERSTACK_SCENARIOS", str(folder))
        yield folder


# ---------------------------------------------------------------------- helpers
def wait_until(
    predicate: Callable[[], Any], timeout_s: float = TIMEOUT_S, what: str = "condition"
) -> Any:
    """Poll until `predicate()` is truthy (the app works in background threads)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def widgets_of(rc: Any, cls: type = v.Html) -> list[Any]:
    """Every widget of a class under the root, depth first (slots included)."""
    root = rc.find().widgets[0]
    out, stack, seen = [], [root], set()
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        if isinstance(w, cls):
            out.append(w)
        kids = list(getattr(w, "children", None) or [])
        items = getattr(w, "items", None)
        kids += list(items.values()) if isinstance(items, dict) else list(items or [])
        for slot in getattr(w, "v_slots", None) or []:
            kid = slot.get("children")
            kids += kid if isinstance(kid, list) else [kid]
        stack.extend(reversed([k for k in kids if isinstance(k, ipywidgets.Widget)]))
    return out


def buttons(rc: Any, label: str) -> list[Any]:
    """Buttons whose text is `label` (icons ignored)."""
    return [
        b for b in widgets_of(rc, v.Btn) if label in [c for c in b.children if isinstance(c, str)]
    ]


def texts(rc: Any, css_class: str) -> list[str]:
    """Text of every Html widget carrying a CSS class."""
    out = []
    for w in widgets_of(rc):
        if css_class in (w.class_ or "").split():
            out.append("".join(c for c in w.children if isinstance(c, str)))
    return out


def kpi(rc: Any, key: str) -> str:
    """The displayed value of one KPI card."""
    values = texts(rc, f"ps-kpi-{key}")
    return values[0] if values else ""


def status(rc: Any) -> str:
    """The run status sentence."""
    found = [t for t in texts(rc, "ps-status") if t]
    return found[0] if found else ""


def state(rc: Any) -> str:
    """The run state the status line carries as a CSS class (ps-state-<state>)."""
    for w in widgets_of(rc):
        classes = (w.class_ or "").split()
        if "ps-status" in classes:
            return next(
                (c.removeprefix("ps-state-") for c in classes if c.startswith("ps-state-")), ""
            )
    return ""


def finished(rc: Any) -> bool:
    """Run and counterfactual done, KPI cards current."""
    return state(rc) == "complete" and not any(
        "updating" in t for t in texts(rc, "ps-compare-note")
    )


def render_dashboard(query: str = "") -> tuple[Any, Any]:
    """The dashboard inside an app layout and a router that starts at `/?query`."""
    from viz import app

    page = solara.RoutingProvider(
        routes=[],
        pathname=f"/?{query}" if query else "/",
        children=[solara.AppLayout(children=[app.Dashboard()])],
    )
    return solara.render(page, handle_error=False)


def navigator_location(rc: Any) -> str:
    """The URL the page has pushed (path and query)."""
    return rc.find(solara.widgets.Navigator).widget.location or ""


def download(rc: Any, filename_part: str) -> bytes:
    """Click a FileDownload (as the browser would) and return the bytes it sends."""
    widgets = [w for w in rc.find(FileDownloadWidget).widgets if filename_part in w.filename]
    assert widgets, f"no download whose file name contains {filename_part!r}"
    widget = widgets[0]
    widget.request_download = True
    return wait_until(
        lambda: rc.find(FileDownloadWidget, filename=widget.filename).widget.bytes,
        30.0,
        f"download {filename_part}",
    )


# ---------------------------------------------------------------------- pure parts
def test_levers_come_from_the_schema() -> None:
    from abm.bounds import bounds_of
    from viz.levers import BIG_LEVERS

    assert len(BIG_LEVERS) == 10
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
    assert json.loads(json.dumps(job.record.kpis)) == json.loads(
        json.dumps(reference.kpis, default=float)
    )
    again = engine.submit(cfg)
    assert again.from_cache and again.record is job.record
    assert (
        len(job.record.derived) == MONTHS
        and job.record.maps[-1].label == job.record.timeseries["date"].iloc[-1]
    )


def test_engine_cancels_pauses_and_reports_failures() -> None:
    from viz.runs import CANCELLED, DONE, FAILED, PREWARM, PRIMARY, RunEngine

    engine = RunEngine(publish_every_s=0.1, first_publish_s=0.1)
    background = engine.submit(
        load_scenario("baseline", {"demand.growth_multiplier": 1.3, "run.months": 120}),
        PREWARM,
        subscribe=False,
    )
    wait_until(lambda: background.months_done >= 1, what="background run to start")
    urgent = engine.submit(load_scenario("baseline", {"demand.growth_multiplier": 1.6}), PRIMARY)
    wait_until(lambda: urgent.done, what="urgent run")
    assert urgent.status == DONE
    assert not background.done and background.months_done < 120  # it yielded to the urgent run
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
def test_dashboard_shows_story_kpis_and_chart() -> None:
    _, rc = render_dashboard()
    wait_until(lambda: finished(rc), what="baseline run on the page")
    assert any("months" in t for t in texts(rc, "ps-story")) or texts(rc, "ps-story")
    assert kpi(rc, "energised_total") not in ("", "–")
    assert rc.find(ipywidgets.Image).widgets, "no chart drawn"
    names = [w.filename for w in rc.find(FileDownloadWidget).widgets]
    assert (
        any(n.endswith(".toml") for n in names)
        and any(n.endswith(".csv") for n in names)
        and any(n.endswith(".png") for n in names)
    )


def test_scenario_switch_changes_kpis_and_url() -> None:
    _, rc = render_dashboard()
    wait_until(lambda: finished(rc), what="baseline")
    before = kpi(rc, "phantom")
    rc.find(v.Select, label="Scenario").widget.v_model = "queue_reform_test"
    wait_until(
        lambda: texts(rc, "ps-title") == ["Queue reform test"], what="story of the new scenario"
    )
    wait_until(
        lambda: finished(rc) and kpi(rc, "phantom") != before, what="KPIs of the new scenario"
    )
    assert kpi(rc, "phantom") == "0"  # every project filed once: no phantom load
    assert "Test variant" in texts(rc, "ps-story")[0]
    assert "s=queue_reform_test" in navigator_location(rc)


def test_lever_release_reruns_and_records_the_setting_in_the_url() -> None:
    _, rc = render_dashboard()
    wait_until(lambda: finished(rc), what="baseline")
    before = kpi(rc, "energised_total")
    slider = [
        w
        for w in rc.find(v.Slider).widgets
        if "ps-lever-demand-growth-multiplier" in (w.class_ or "")
    ][0]
    slider.v_model = 2.5  # dragging shows the value but does not re-run
    assert not texts(rc, "ps-changed")
    slider.fire_event("change", 2.5)  # releasing the thumb commits
    wait_until(lambda: "demand.growth_multiplier=2.5" in navigator_location(rc), what="URL update")
    wait_until(
        lambda: finished(rc) and kpi(rc, "energised_total") != before,
        what="re-run with the new lever",
    )
    assert any("AI demand growth = 2.5" in t for t in texts(rc, "ps-changed"))
    buttons(rc, "Reset levers to the scenario")[0].click()
    wait_until(
        lambda: finished(rc) and kpi(rc, "energised_total") == before,
        what="back to the scenario (from the cache)",
    )
    assert "Finished" in status(rc) and "from the cache" in status(rc)


def test_a_run_shared_with_another_scenario_shows_the_scenario_asked_for() -> None:
    _, rc = render_dashboard("s=baseline&cmp=none")
    wait_until(lambda: finished(rc), what="baseline and its recycle-first counterfactual")
    rc.find(v.Select, label="Scenario").widget.v_model = "recycle_test"
    wait_until(lambda: texts(rc, "ps-title") == ["Recycle test"], what="the recycle-first scenario")
    wait_until(lambda: finished(rc), what="its run (the baseline's counterfactual, cached)")
    assert status(rc).startswith("Finished: Recycle test") and "from the cache" in status(rc)
    assert "its own counterfactual" in status(rc)
    assert kpi(rc, "co2_saving") == "0.0"
    names = [w.filename for w in rc.find(FileDownloadWidget).widgets]
    assert names and all(n.startswith("recycle_test-") for n in names), names


def test_link_reproduces_a_view() -> None:
    _, rc = render_dashboard("s=baseline&queue.mode=cluster&mode=workshop&tab=co2&cmp=none")
    wait_until(lambda: finished(rc), what="run from the link")
    assert any("Queue mode = cluster studies" in t for t in texts(rc, "ps-changed"))
    assert [w for w in widgets_of(rc, v.Sheet) if "ps-workshop" in (w.class_ or "")], (
        "not in workshop mode"
    )
    assert [w for w in widgets_of(rc) if "ps-chart-co2" in (w.class_ or "")], "CO2 tab not shown"
    assert not texts(rc, "ps-compare-note"), "comparison should be off"


def test_exports_are_valid_and_rerunnable(tmp_path: Path) -> None:
    _, rc = render_dashboard("s=baseline&policy.carbon_price_usd_per_t=50.0")
    wait_until(lambda: finished(rc), what="run")
    toml_bytes = download(rc, "scenario.toml")
    path = tmp_path / "exported.toml"
    path.write_bytes(toml_bytes)
    exported = load_scenario(path)
    assert exported.policy.carbon_price_usd_per_t == 50.0 and exported.run.months == MONTHS
    assert "Changed in the app: policy.carbon_price_usd_per_t=50.0" in exported.description

    reference = run_scenario(exported, counterfactual=False)
    frame = pd.read_csv(io.BytesIO(download(rc, "timeseries.csv")))
    assert list(frame.columns) == list(reference.timeseries.columns) and len(frame) == MONTHS
    pd.testing.assert_series_equal(
        frame["ai_demand_mw"], reference.timeseries["ai_demand_mw"], check_names=False
    )
    parquet = download(rc, "timeseries.parquet")
    write_parquet_deterministic(reference.timeseries, tmp_path / "ref.parquet")
    assert parquet == (tmp_path / "ref.parquet").read_bytes(), (
        "Parquet export differs from powerstack run's file"
    )
    kpis = json.loads(download(rc, "kpis.json"))
    assert kpis["energized_mw"] == json.loads(json.dumps(reference.kpis["energized_mw"]))
    png = download(rc, ".png")
    assert png.startswith(b"\x89PNG")


def test_bad_input_shows_a_message_not_a_traceback() -> None:
    _, rc = render_dashboard("s=baseline&demand.growth_multiplier=9")
    alert = wait_until(
        lambda: [w for w in rc.find(v.Alert).widgets if "cannot run" in str(w.children)],
        what="error message",
    )
    message = str(alert[0].children)
    assert "demand.growth_multiplier = 9" in message and "Traceback" not in message
    wait_until(lambda: finished(rc), what="the last valid settings to run")

    buttons(rc, "Reset levers to the scenario")[0].click()  # drops the bad lever value
    wait_until(
        lambda: not [w for w in rc.find(v.Alert).widgets if "cannot run" in str(w.children)],
        10.0,
        "message to go",
    )

    label = "Set any parameter (key=value)"
    rc.find(v.TextField, label=label).widget.v_model = "grid.n_buses=5"
    apply = wait_until(
        lambda: [b for b in buttons(rc, "Apply") if not b.disabled], 10.0, "Apply enabled"
    )
    apply[0].click()
    wait_until(
        lambda: (
            "grid.n_buses = 5" in " ".join(rc.find(v.TextField, label=label).widget.messages or [])
        ),
        10.0,
        "message under the override box",
    )


def test_failing_run_shows_the_error_and_the_page_keeps_working(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import viz.runs
    from abm.model import PowerStackModel

    class Broken(PowerStackModel):
        """A model that breaks in its third month when demand growth is exactly 1.77."""

        def step(self) -> None:
            if self.config.demand.growth_multiplier == 1.77 and self.month >= 1:
                raise ZeroDivisionError("float division by zero\nsecond line of detail")
            super().step()

    monkeypatch.setattr(viz.runs, "PowerStackModel", Broken)
    _, rc = render_dashboard("s=baseline&demand.growth_multiplier=1.77")
    alert = wait_until(
        lambda: [w for w in rc.find(v.Alert).widgets if "stopped with an error" in str(w.children)],
        what="run error",
    )
    message = str(alert[0].children)
    assert "ZeroDivisionError: float division by zero" in message and "second line" not in message
    assert buttons(rc, "Run again") and status(rc).startswith("The run failed")
    rc.find(v.Select, label="Scenario").widget.v_model = "queue_reform_test"
    wait_until(lambda: finished(rc), what="a good run after the failure")


def test_browser_input_cannot_reach_other_files() -> None:
    _, rc = render_dashboard("s=../../etc/passwd")
    wait_until(
        lambda: [w for w in rc.find(v.Alert).widgets if "built-in scenario" in str(w.children)],
        20.0,
        "refusal",
    )
    _, rc = render_dashboard("s=baseline&grid.source=/etc/grid.json")
    wait_until(
        lambda: [
            w for w in rc.find(v.Alert).widgets if "outside the scenario folder" in str(w.children)
        ],
        20.0,
        "grid refusal",
    )


def test_cancel_button_stops_the_run() -> None:
    _, rc = render_dashboard("s=baseline&demand.growth_multiplier=3.3&run.months=48")
    cancel = wait_until(lambda: buttons(rc, "Cancel run"), what="run to start")
    cancel[0].click()
    wait_until(lambda: status(rc).startswith("Cancelled"), what="cancelled status")
    buttons(rc, "Run again")[0].click()
    wait_until(lambda: state(rc) in ("queued", "running", "paused"), 20.0, "restart")
    wait_until(lambda: buttons(rc, "Cancel run"), what="cancel button again")
    buttons(rc, "Cancel run")[0].click()


def test_explore_view_steps_and_runs_to_the_end() -> None:
    from viz.explore import Explore

    page = solara.RoutingProvider(
        routes=[],
        pathname="/explore?s=baseline&queue.mode=cluster",
        children=[solara.AppLayout(children=[Explore()])],
    )
    _, rc = solara.render(page, handle_error=False)
    buttons(rc, "Step")[0].click()
    wait_until(
        lambda: [w for w in widgets_of(rc) if w.children == ["Time: 1.0"]],
        30.0,
        "one step",
    )
    queue_mode = rc.find(v.Select, label="Queue mode").widget.v_model
    assert queue_mode == "cluster"
    buttons(rc, "Run to the end")[0].click()
    wait_until(
        lambda: any(t.startswith("Finished") for t in texts(rc, "ps-status")), what="run to the end"
    )
    wait_until(lambda: kpi(rc, "energised_total") not in ("", "–"), 20.0, "KPIs after the run")
