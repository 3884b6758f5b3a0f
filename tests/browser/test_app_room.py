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
    tab: Any, server: Any, artifacts: Path
) -> None:
    page = tab.page
    started = time.perf_counter()
    page.goto(server.url + "/explore?s=baseline")
    page.get_by_role("button", name="Step").wait_for()
    shell_s = time.perf_counter() - started
    page.get_by_text("The map appears after the first month").wait_for()  # the page has settled
    seed = page.get_by_label("Seed (whole number)")
    for bad in ("abc", "-5"):
        seed.fill(bad)
        seed.press("Enter")
        page.wait_for_timeout(500)  # the widget syncs its value to the server before Reset reads it
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
    tab.shot("room-explore-bad-seed")
    record(
        artifacts,
        explore_shell_s=round(shell_s, 2),
        explore_step_s=round(step_s, 2),
        explore_play_12_months_s=round(play_year_s, 2),
    )
