"""The app in a real room (issue 24), in Chromium: bad input, honest waits, hand-outs.

Each test records what it measured in test-artifacts/browser/room.json (docs/app.md quotes it).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
RUN_TIMEOUT_MS = 120_000


def record(artifacts: Path, **values: Any) -> None:
    """Merge measurements into room.json."""
    path = artifacts / "room.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(values)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def test_bad_seed_in_the_mesa_view_gives_one_line_and_a_usable_page(
    tab: Any, server: Any, artifacts: Path, months: int
) -> None:
    page = tab.page
    started = time.perf_counter()
    page.goto(server.url + "/explore?s=baseline")
    page.get_by_role("button", name="Step").wait_for()
    shell_s = time.perf_counter() - started
    page.get_by_text("The map appears after the first month").wait_for()  # the page has settled
    seed = page.get_by_label("Seed (whole number)")
    for bad in ("abc", "-5"):
        seed.fill(bad)  # every keystroke reaches the server: no Enter, no retyping
        page.get_by_role("button", name="Step").click()  # a redraw lands while the field holds it
        page.wait_for_timeout(300)
        assert seed.input_value() == bad
        page.get_by_role("button", name="Reset").click()
        alert = page.locator(".ps-input-error", has_text=bad)
        alert.wait_for()
        assert len(alert.inner_text().strip().splitlines()) == 1
    body = page.inner_text("body")
    assert "Traceback" not in body and ".py" not in body and str(server.url) not in body
    assert "refused settings: seed = -5" in server.log_text()
    step = page.get_by_role("button", name="Step")
    t0 = time.perf_counter()
    for month in (1, 2, 3):
        step.click()
        page.get_by_text(f"Time: {month:.1f}", exact=True).wait_for()
    step_s = (time.perf_counter() - t0) / 3
    page.get_by_role("button", name="▶").click()
    t0 = time.perf_counter()
    # Play skips redraws while the model steps: wait for any time at or past month 15
    page.wait_for_function(
        "(() => { const m = document.body.innerText.match(/Time: ([0-9.]+)/);"
        " return m && parseFloat(m[1]) >= 15; })()",
        timeout=60_000,
    )
    play_year_s = time.perf_counter() - t0
    reached = page.evaluate("parseFloat(document.body.innerText.match(/Time: ([0-9.]+)/)[1])")
    # the live charts skip months while they draw, but the last month is always drawn
    last = page.locator(f".ps-live-energy.ps-live-drawn-{months}")
    last.wait_for(timeout=60_000)
    assert last.locator("img").count() == 1
    tab.shot("room-explore-bad-seed")
    record(
        artifacts,
        explore_shell_s=round(shell_s, 2),
        explore_step_s=round(step_s, 2),
        explore_play_12_months_s=round(play_year_s, 2),
        explore_play_months_per_s=round((reached - 3) / play_year_s, 1),
    )


def finished(page: Any) -> None:
    """Wait until the run shown and its CO2 reference are done."""
    page.locator(".ps-status.ps-state-complete").wait_for(timeout=RUN_TIMEOUT_MS)
    page.locator(".ps-compare-note", has_text="updating").wait_for(
        state="detached", timeout=RUN_TIMEOUT_MS
    )


def start_new_run(page: Any, fraction: float) -> None:
    """Click the demand-growth slider at `fraction` of its track: a setting not run before."""
    track = page.locator(".ps-lever-demand-growth-multiplier .v-slider").first
    box = track.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)
    page.get_by_role("button", name="Cancel run").wait_for(timeout=RUN_TIMEOUT_MS)


def card_texts(page: Any) -> list[str]:
    """What every KPI card says right now."""
    return page.locator(".ps-kpi").all_inner_texts()


def test_cards_never_say_no_change_while_running(tab: Any, server: Any, artifacts: Path) -> None:
    page = tab.page
    started = time.perf_counter()
    page.goto(server.url + "/?s=baseline&cmp=levers&policy.carbon_price_usd_per_t=5.0")
    page.locator(".ps-title").wait_for()
    shell_s = time.perf_counter() - started
    finished(page)
    before = card_texts(page)
    assert any("no change" in t for t in before), "the test needs a card at no change"
    # 0.1 of the track (growth x0.5): a new setting whose run costs what the scenario's own does
    # (x3.5, at 0.7, cost twice as much model time and changed nothing this test reads)
    start_new_run(page, 0.1)
    seen = 0
    # the first seed, not the ensemble that fills in after it
    running = page.locator(".ps-status.ps-state-running, .ps-status.ps-state-queued")
    while running.count() and seen < 40:
        texts = card_texts(page)
        # the browser applies one render's widget updates one after another, and the status line
        # of the render that ends the run can arrive ~0.2 s after its cards (measured with a
        # MutationObserver): a card that has left "updating" and differs from the old run's card
        # shows the new run's result, so the run is over for the cards. The old run's cards
        # showing while the run goes ("no change" from before) still fail below.
        if any("updating" not in t and t != old for t, old in zip(texts, before, strict=False)):
            break
        page.wait_for_timeout(100)
        if running.count():
            assert not any("no change" in t for t in texts), texts
            assert all("updating" in t for t in texts), texts
            assert any("month" in t for t in texts), texts  # "updating… month 5 of 24"
            if not seen:
                tab.shot("room-cards-updating")
            seen += 1
        page.wait_for_timeout(50)
    assert seen >= 2, "the run ended before the cards could be read while running"
    record(artifacts, dashboard_shell_s=round(shell_s, 2))


# In the page: the time from the press on "Cancel run" to the first frame painted in the clean
# state (status "Cancelled", no "updating", no Cancel button), by the page's own clock, so that
# Playwright's actionability checks before the press do not count.
WATCH_CANCEL = """() => {
  const t = (window.__psCancel = {press: null, clean: null});
  const clean = () => {
    const status = document.querySelector('.ps-status');
    const text = document.body.textContent;
    return !!status && status.textContent.includes('Cancelled')
      && !text.includes('updating') && !text.includes('Cancel run');
  };
  document.addEventListener('pointerdown', (e) => {
    const button = e.target.closest && e.target.closest('button');
    if (t.press === null && button && button.textContent.includes('Cancel run')) {
      t.press = performance.now();
    }
  }, true);
  const watch = new MutationObserver(() => {
    if (t.press !== null && clean()) {
      watch.disconnect();
      requestAnimationFrame(() => { t.clean = performance.now(); });
    }
  });
  watch.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
}"""


def test_cancel_ends_clean(tab: Any, server: Any, artifacts: Path) -> None:
    page = tab.page
    # the setting the cards test finished (from the cache when it ran first): only the run the
    # slider starts below must be new, and it is (0.3 of the track, never run before)
    page.goto(server.url + "/?s=baseline&cmp=levers&policy.carbon_price_usd_per_t=5.0")
    finished(page)
    start_new_run(page, 0.3)
    page.wait_for_timeout(300)
    page.evaluate(WATCH_CANCEL)
    t0 = time.perf_counter()
    page.get_by_role("button", name="Cancel run").click()
    page.locator(".ps-status", has_text="Cancelled").wait_for(timeout=10_000)
    seen_s = time.perf_counter() - t0
    page.wait_for_function("window.__psCancel.clean !== null", timeout=10_000)
    watched = page.evaluate("window.__psCancel")
    cancel_s = (watched["clean"] - watched["press"]) / 1000
    page.wait_for_timeout(1500)  # nothing may come back after a moment
    body = page.inner_text("body")
    assert "updating" not in body and "Running" not in body
    assert page.get_by_role("button", name="Cancel run").count() == 0
    assert page.get_by_role("button", name="Run again").count() == 1
    assert all("not updated" in t for t in card_texts(page))
    tab.shot("room-cancelled")
    record(
        artifacts,
        cancel_press_to_clean_s=round(cancel_s, 2),
        cancel_playwright_click_to_status_s=round(seen_s, 2),
    )
    # the 0.5 s of issue 24 is a performance target: recorded here and reported in docs/app.md,
    # never asserted (a timed assertion fails on a loaded machine, not on slow code)


def test_workshop_download_is_a_stamped_png(tab: Any, server: Any, tmp_path: Path) -> None:
    from PIL import Image

    page = tab.page
    # the export test's setting (from the cache when it ran first): a hand-out of a finished run
    page.goto(server.url + "/?s=baseline&mode=workshop&policy.carbon_price_usd_per_t=60.0")
    finished(page)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Chart as PNG").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(str(target))
    with Image.open(target) as image:
        text = dict(image.text)  # PNG tEXt chunks
        width, height = image.size
    stamp = text["Description"]
    for part in ("Scenario: Baseline", "Carbon price = 60 $/t CO2", "seed 1", "powerstack "):
        assert part in stamp, stamp
    assert text["Title"] == "Scenario: Baseline" and text["Software"].startswith("powerstack ")
    assert width > 600 and height > 300


def test_reload_mid_run_quick_switches_and_the_mesa_view_log_no_console_error(
    tab: Any, ensemble_server: Any
) -> None:
    """The flows where 'widget model not found' was seen once: the `tab` fixture fails on any
    console or page error. On the ensemble server, so the extra seeds' arrivals re-render the
    page during the switches too."""
    server = ensemble_server
    page = tab.page
    page.goto(server.url + "/?s=baseline&mode=workshop&policy.carbon_price_usd_per_t=20.0")
    page.get_by_role("button", name="Cancel run").wait_for(timeout=RUN_TIMEOUT_MS)
    page.reload()  # mid-run
    page.locator(".ps-status").first.wait_for(timeout=RUN_TIMEOUT_MS)
    for name in ("Queue reform test", "Baseline", "Queue reform test", "Baseline"):
        page.get_by_role("button", name=name, exact=True).click()
        page.wait_for_timeout(150)  # quicker than a run's first month
    page.locator(".ps-status").first.wait_for()
    page.wait_for_timeout(2000)
    page.goto(server.url + "/explore?s=baseline")
    step = page.get_by_role("button", name="Step")
    step.wait_for()
    for _ in range(4):
        step.click()  # clicks quicker than the live charts redraw
    page.get_by_text("Time: 4.0", exact=True).wait_for()
    page.get_by_role("button", name="▶").click()
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Reset").click()  # while playing
    page.get_by_text("Time: 0.0", exact=True).wait_for()
    page.wait_for_timeout(1000)
    page.go_back()
    page.locator(".ps-status").first.wait_for(timeout=RUN_TIMEOUT_MS)
    page.wait_for_timeout(2000)
