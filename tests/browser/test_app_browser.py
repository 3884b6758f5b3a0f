"""The app in Chromium, offline: loads cleanly, reacts to scenario and slider, runs to the end, exports.

Every test also checks (in the `tab` fixture) that the page logged no console error and the
server never tried to load anything from the internet ("Could not load URL").
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from abm.scenario import load_scenario

pytestmark = pytest.mark.browser
RUN_TIMEOUT_MS = 120_000


def finished(page: Any, timeout_ms: int = RUN_TIMEOUT_MS) -> str:
    """Wait until the run and its counterfactual are done; return the status sentence."""
    status = page.locator(".ps-status.ps-state-complete")
    status.wait_for(timeout=timeout_ms)
    page.locator(".ps-compare-note", has_text="updating").wait_for(
        state="detached", timeout=timeout_ms
    )
    return status.inner_text()


def kpi(page: Any, key: str) -> str:
    """The displayed value of one KPI card."""
    return page.locator(f".ps-kpi-{key}").inner_text()


def chart_src(page: Any) -> str:
    """The image data of the chart on show."""
    return page.locator(".ps-chart img").first.get_attribute("src") or ""


def test_page_loads_offline_with_no_console_errors(tab: Any, server: Any) -> None:
    page = tab.page
    page.goto(server.url + "/")
    status = finished(page)
    assert status.startswith("Finished")
    assert page.locator(".ps-title").inner_text() == "Baseline"
    assert "LBNL" in page.locator(".ps-story").first.inner_text()
    assert kpi(page, "energised_total") not in ("", "–")
    page.locator(".ps-chart img").wait_for()  # charts are drawn in the background
    assert page.locator(".ps-chart img").count() == 1
    tab.shot("01-dashboard")
    page.get_by_role("button", name="Workshop mode").click()
    page.locator(".ps-workshop").wait_for()
    # the address bar follows the view a round trip later: wait for it (fails after 30 s)
    page.wait_for_url("**mode=workshop**", timeout=30_000)
    tab.shot("02-workshop")


def test_switching_scenario_changes_a_kpi(tab: Any, server: Any) -> None:
    page = tab.page
    page.goto(server.url + "/")
    finished(page)
    before = kpi(page, "phantom")
    page.locator(".v-select", has_text="Scenario").first.click()
    page.get_by_role("option", name="Queue reform test").click()
    page.locator(".ps-title", has_text="Queue reform test").wait_for()
    finished(page)
    page.wait_for_function(
        f"document.querySelector('.ps-kpi-phantom').innerText !== {json.dumps(before)}",
        timeout=RUN_TIMEOUT_MS,
    )
    assert kpi(page, "phantom") == "0", "every project filed once: no phantom load"
    assert "s=queue_reform_test" in page.url
    tab.shot("03-scenario-switched")
    page.go_back()  # the back button undoes the switch
    page.locator(".ps-title", has_text="Baseline").wait_for()
    finished(page)
    # the cards follow the cached record a render later: wait for them (fails at the timeout)
    page.wait_for_function(
        f"document.querySelector('.ps-kpi-phantom').innerText === {json.dumps(before)}",
        timeout=RUN_TIMEOUT_MS,
    )


def test_moving_a_slider_changes_the_chart(
    tab: Any, server: Any, artifacts: Path, months: int
) -> None:
    page = tab.page
    page.goto(server.url + "/?s=baseline&cmp=none")
    finished(page)
    before = chart_src(page)
    kpi_before = kpi(page, "energised_total")
    track = page.locator(".ps-lever-demand-growth-multiplier .v-slider").first
    box = track.bounding_box()
    assert box is not None
    started = time.perf_counter()
    # 0.1 of the track: growth x0.5, a run as long as the scenario's own (x4, at 0.8, took twice
    # the model time); the chart and the energised total change all the same (24.6 -> 23.5 GW)
    page.mouse.click(box["x"] + box["width"] * 0.1, box["y"] + box["height"] / 2)
    page.wait_for_function(
        f"(document.querySelector('.ps-chart img') || {{}}).src !== {json.dumps(before)}",
        timeout=RUN_TIMEOUT_MS,
    )
    first_redraw_s = time.perf_counter() - started
    # the new run's KPIs must appear before its status is awaited: under load the chart can
    # redraw while the status still shows the previous run as complete (seen once at load 6.8)
    page.wait_for_function(
        "(document.querySelector('.ps-kpi-energised_total') || {}).innerText"
        f" !== {json.dumps(kpi_before)}",
        timeout=RUN_TIMEOUT_MS,
    )
    finished(page)
    complete_s = time.perf_counter() - started
    assert chart_src(page) != before
    assert kpi(page, "energised_total") != kpi_before
    assert "demand.growth_multiplier=" in page.url
    assert page.locator(".ps-changed", has_text="AI demand growth").count() >= 1
    (artifacts / "latency.json").write_text(
        json.dumps(
            {
                "months": months,
                "slider_to_first_redraw_s": round(first_redraw_s, 2),
                "slider_to_complete_s": round(complete_s, 2),
            },
            indent=2,
        )
        + "\n"
    )
    tab.shot("04-slider-moved")


def test_run_to_the_end_completes_in_the_mesa_view(tab: Any, server: Any, months: int) -> None:
    page = tab.page
    page.goto(server.url + "/explore?s=baseline")
    page.get_by_role("button", name="Step").wait_for()
    page.get_by_role("button", name="Step").click()
    page.get_by_text("Time: 1.0").wait_for()
    page.get_by_role("button", name="Run to the end").click()
    page.locator(".ps-status", has_text="Finished").wait_for(timeout=RUN_TIMEOUT_MS)
    page.get_by_text(f"Time: {months:.1f}").wait_for()
    page.locator(".ps-kpi-energised_total").wait_for()
    tab.shot("05-run-to-end")


def download(page: Any, label: str, folder: Path) -> Path:
    """Click a download button and save what the browser receives."""
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=label).click()
    target = folder / info.value.suggested_filename
    info.value.save_as(str(target))
    return target


def test_exports_download_valid_files(tab: Any, server: Any, tmp_path: Path, months: int) -> None:
    page = tab.page
    page.goto(server.url + "/?s=baseline&policy.carbon_price_usd_per_t=60.0")
    finished(page)
    toml = download(page, "Scenario (TOML for powerstack run)", tmp_path)
    cfg = load_scenario(toml)
    assert cfg.policy.carbon_price_usd_per_t == 60.0 and cfg.run.months == months
    csv = download(page, "Monthly data (CSV)", tmp_path)
    frame = pd.read_csv(csv)
    assert len(frame) == months and {"date", "ai_demand_mw", "co2_mt_cum"} <= set(frame.columns)
    parquet = download(page, "Monthly data (Parquet)", tmp_path)
    assert pd.read_parquet(io.BytesIO(parquet.read_bytes())).shape == frame.shape
    png = download(page, "Chart as PNG", tmp_path)
    assert png.read_bytes().startswith(b"\x89PNG")
    svg = download(page, "Chart as SVG", tmp_path)
    assert b"<svg" in svg.read_bytes()[:2000]


def test_bad_link_shows_a_message_and_the_page_works(tab: Any, server: Any) -> None:
    page = tab.page
    page.goto(server.url + "/?s=baseline&demand.growth_multiplier=9&tab=queue")
    alert = page.locator(".v-alert", has_text="cannot run")
    alert.wait_for()
    assert "demand.growth_multiplier = 9" in alert.inner_text()
    assert "Traceback" not in page.inner_text("body")
    finished(page)
    page.locator(".ps-chart-queue img").wait_for()
    tab.shot("06-bad-link")
