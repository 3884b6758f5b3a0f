"""Take the app's documentation screenshots and measure slider-to-redraw latency in Chromium.

    python -m viz.screenshots                 # screenshots into docs/img/ + latency
    python -m viz.screenshots --no-screens    # latency only
    python -m viz.screenshots --no-measure --seeds 3 --months 72   # shorter runs, smaller ensembles

Starts `solara run viz/app.py --production` on the real scenarios (no warm-up, so runs are
cold), drives Debian's Chromium with Playwright, and writes docs/img/app*.png plus
test-artifacts/app_latency.json. Numbers depend on the machine and its load; the script
records the load average next to them.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from viz.serve import solara_command

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RUN_TIMEOUT_MS = 600_000


@contextmanager
def app_server(port: int, prewarm: str, log_path: Path, seeds: int | None = None) -> Iterator[str]:
    """A production solara server for the app (`seeds`: its ensemble size); yields its URL."""
    env = {
        **os.environ,
        **({"POWERSTACK_APP_SEEDS": str(seeds)} if seeds else {}),
        "MPLBACKEND": "Agg",
        "POWERSTACK_APP_PREWARM": prewarm,
        "PYTHONUNBUFFERED": "1",
    }
    cmd = solara_command("127.0.0.1", port)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # a loaded machine imports slowly
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the app server did not start; see {log_path}") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(20)


def free_port() -> int:
    """A free local TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def finished(page: Any) -> None:
    """Wait for the run, its counterfactual and the comparison to be done."""
    page.locator(".ps-status.ps-state-complete").wait_for(timeout=RUN_TIMEOUT_MS)
    page.locator(".ps-compare-note", has_text="updating").wait_for(
        state="detached", timeout=RUN_TIMEOUT_MS
    )
    page.wait_for_timeout(400)


def chart_src(page: Any) -> str:
    """Data of the chart on show."""
    return page.locator(".ps-chart img").first.get_attribute("src") or ""


def set_slider(page: Any, lever_class: str, fraction: float) -> float:
    """Click a lever's track at `fraction` of its width; returns the time of the click."""
    box = page.locator(f".{lever_class} .v-slider").first.bounding_box()
    started = time.perf_counter()
    page.mouse.click(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)
    return started


def measure(page: Any, url: str, repeats: int) -> dict[str, Any]:
    """Page load, slider change (new run) and slider back (cached) on the baseline."""
    out: dict[str, Any] = {}
    started = time.perf_counter()
    page.goto(url + "/?s=baseline&cmp=none")
    page.locator(".ps-chart img").first.wait_for(timeout=RUN_TIMEOUT_MS)
    out["page_load_to_first_chart_s"] = round(time.perf_counter() - started, 2)
    finished(page)
    out["page_load_to_finished_s"] = round(time.perf_counter() - started, 2)
    first, complete, cached = [], [], []
    lever = "ps-lever-demand-growth-multiplier"
    for i in range(repeats):
        before = chart_src(page)
        t0 = set_slider(page, lever, 0.26 + 0.02 * i)  # ~1.3 x, 1.4 x, ... : a new run each time
        page.wait_for_function(
            f"document.querySelector('.ps-chart img').src !== {json.dumps(before)}",
            timeout=RUN_TIMEOUT_MS,
        )
        first.append(time.perf_counter() - t0)
        finished(page)
        complete.append(time.perf_counter() - t0)
        before = chart_src(page)
        t0 = set_slider(page, lever, 0.2)  # back to 1 x: the baseline is in the cache
        page.wait_for_function(
            f"document.querySelector('.ps-chart img').src !== {json.dumps(before)}",
            timeout=RUN_TIMEOUT_MS,
        )
        cached.append(time.perf_counter() - t0)
        finished(page)
    out["slider_to_first_redraw_s"] = [round(x, 2) for x in first]
    out["slider_to_complete_with_counterfactual_s"] = [round(x, 2) for x in complete]
    out["slider_to_redraw_cached_s"] = [round(x, 2) for x in cached]
    out["median"] = {
        k: round(statistics.median(v), 2)
        for k, v in (
            ("first_redraw_s", first),
            ("complete_s", complete),
            ("cached_redraw_s", cached),
        )
    }
    status = page.locator(".ps-status").first.inner_text()
    out["last_status"] = status
    return out


def ensemble_done(page: Any) -> None:
    """Wait until every seed of the run (and of its comparison) is in."""
    page.locator(".ps-ensemble-status", has_text="Ensemble: seed").wait_for(timeout=RUN_TIMEOUT_MS)


#: The walkthrough's views: name, link, viewport width and height.
VIEWS = (
    ("app_workshop_baseline", "/?s=baseline&mode=workshop", 1920, 1080),
    ("app_workshop_queue_reform", "/?s=queue_reform&cmp=baseline&mode=workshop", 1920, 1080),
    ("app_packs", "/?s=second_life_boom&tab=packs", 1500, 2000),
    (
        "app_co2_fade",
        "/?s=second_life_boom&tab=co2&batteries.ai_duty_fade_multiplier=3.0",
        1500,
        2000,
    ),
    ("app_map", "/?s=baseline&tab=map&cmp=none", 1500, 2100),
    (
        "app_compare",
        "/?s=baseline&queue.mode=cluster&hyperscalers.duplicate_filings=1.0&tab=queue",
        1500,
        2000,
    ),
    ("app", "/?s=baseline&queue.mode=cluster", 1500, 1650),
)


def screenshots(
    page: Any, url: str, out_dir: Path, months: int | None = None, only: str = ""
) -> list[Path]:
    """The walkthrough's pictures (docs/app.md) and the README picture (docs/img/app.png).

    `months` shortens every run (`run.months` in the link) when the machine is too slow for
    ensembles of full runs; the pictures then say so in their status line. `only`: a
    comma-separated list of picture names to retake (the others are left as they are).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    cut = f"&run.months={months}" if months else ""
    shots: list[Path] = []
    wanted = {n.strip() for n in only.split(",") if n.strip()}
    for name, query, width, height in VIEWS:
        if wanted and name not in wanted:
            continue
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url + query + cut)
        finished(page)
        ensemble_done(page)
        # charts are drawn in the background; the last seed's band a moment after its note
        page.locator(".ps-chart img").first.wait_for(timeout=RUN_TIMEOUT_MS)
        page.wait_for_timeout(8000)
        shots.append(out_dir / f"{name}.png")
        page.screenshot(path=str(shots[-1]))
    if not wanted or "app_bad_input" in wanted:
        page.set_viewport_size({"width": 1500, "height": 900})
        page.goto(url + "/?s=baseline&demand.growth_multiplier=9" + cut)
        page.locator(".v-alert", has_text="cannot run").wait_for()
        finished(page)
        shots.append(out_dir / "app_bad_input.png")
        page.screenshot(path=str(shots[-1]))
    if wanted and "app_explore" not in wanted:
        return shots
    page.set_viewport_size({"width": 1500, "height": 1350})
    page.goto(url + "/explore?s=baseline")
    for month in range(1, 13):
        page.get_by_role("button", name="Step").click()
        page.get_by_text(f"Time: {month:.1f}").wait_for(timeout=RUN_TIMEOUT_MS)
    for chart in ("energy", "map"):  # each live chart catches up with the model (latest wins)
        page.locator(f".ps-live-{chart}.ps-live-drawn-12").wait_for(timeout=RUN_TIMEOUT_MS)
    shots.append(out_dir / "app_explore.png")
    page.screenshot(path=str(shots[-1]))
    return shots


def main(argv: list[str] | None = None) -> int:
    """Run the measurements and/or screenshots; print a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", default=str(ROOT / "docs" / "img"), help="folder for the screenshots"
    )
    parser.add_argument("--no-screens", action="store_true", help="only measure latency")
    parser.add_argument("--no-measure", action="store_true", help="only take screenshots")
    parser.add_argument("--repeats", type=int, default=3, help="slider changes to time")
    parser.add_argument("--prewarm", default="none", choices=("all", "baseline", "none"))
    parser.add_argument(
        "--seeds", type=int, default=None, help="ensemble size (default: the app's)"
    )
    parser.add_argument("--months", type=int, default=None, help="shorten every run to this")
    parser.add_argument("--only", default="", help="comma-separated picture names to retake")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    summary: dict[str, Any] = {
        "load_average_at_start": os.getloadavg(),
        "cpus": os.cpu_count(),
        "prewarm": args.prewarm,
    }
    log_path = ROOT / "test-artifacts" / "app_screenshots_server.log"
    summary["seeds"], summary["months"] = args.seeds, args.months
    with app_server(free_port(), args.prewarm, log_path, args.seeds) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1600, "height": 1100})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        if not args.no_measure:
            summary["latency"] = measure(page, url, args.repeats)
        if not args.no_screens:
            summary["screenshots"] = [
                str(p.relative_to(ROOT))
                for p in screenshots(page, url, Path(args.out), args.months, args.only)
            ]
        summary["browser_errors"] = errors
        browser.close()
    summary["load_average_at_end"] = os.getloadavg()
    summary["server_fetched_from_internet"] = "Could not load URL" in log_path.read_text(
        errors="replace"
    )
    text = json.dumps(summary, indent=2)
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "app_latency.json").write_text(text + "\n")
    print(text)
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
