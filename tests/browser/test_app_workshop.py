"""Workshop mode on a projector (issue 20 item 7) and ensembles in compare mode (item 1), in Chromium.

One page at 1920x1080: queue reform against the baseline in workshop mode. The cards and the
main chart must sit in the first screen, the story fold to one line with "more", the cards
carry the paired interval and a noise mark (within noise in words, never a signed number in
colour), and the chart the ensemble's median and band.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
ENSEMBLE_TIMEOUT_MS = 300_000
SIGNED = re.compile(r"^[+\-−]\d")


def test_workshop_fits_a_projector_and_cards_mark_noise(
    browser: Any, server: Any, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(120_000)
    t0 = time.perf_counter()
    page.goto(server.url + "/?s=queue_reform_test&cmp=baseline&mode=workshop")
    page.locator(".ps-ensemble-status", has_text="paired with").wait_for(
        timeout=ENSEMBLE_TIMEOUT_MS
    )
    ensemble_s = time.perf_counter() - t0
    page.locator(".ps-chart-bands", has_text="3 seeds of this run, 3 of the comparison").wait_for()
    page.locator(".ps-chart img").wait_for()
    page.wait_for_timeout(1500)  # the chart with the full bands is drawn in the background
    page.screenshot(path=str(artifacts / "workshop-1920x1080.png"))
    cards = page.locator(".ps-kpi")
    assert cards.count() == 6
    boxes = [cards.nth(i).bounding_box() for i in range(6)] + [
        page.locator(".ps-chart img").bounding_box()
    ]
    bottoms = [round(b["y"] + b["height"]) for b in boxes]
    assert max(bottoms) <= 1080, f"cards and chart end at {bottoms} px, below the first screen"
    story = page.locator(".ps-story")
    line_px = story.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert story.bounding_box()["height"] <= 1.5 * line_px  # one line
    page.get_by_role("button", name="more").click()
    page.locator(".ps-story:not(.ps-story-folded)").wait_for()
    assert story.bounding_box()["height"] > 1.5 * line_px
    deltas = page.locator(".ps-kpi .ps-kpi-delta")
    marks = [(deltas.nth(i).inner_text(), deltas.nth(i).get_attribute("class")) for i in range(6)]
    for text, classes in marks:
        assert "noise" in text or "no change" in text, marks
        if "within noise" in text:
            assert "ps-noise" in classes and not SIGNED.match(text), (text, classes)
        if SIGNED.match(text):
            assert "beyond noise" in text and "[" in text, text  # a signed number has its interval
    context.close()
    assert not errors, errors
    path = artifacts / "room.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(workshop_ensemble_3_seeds_s=round(ensemble_s, 1), workshop_bottoms_px=bottoms)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
