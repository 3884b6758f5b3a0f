"""Browser tier: a real `solara run` server and Debian's Chromium driven by Playwright, offline.

Skips when /usr/bin/chromium is missing, unless CI=true (then it fails: CI must run these).
Two servers run on short scenarios (24 months) in a temporary scenario folder: `server` with
single-seed pages, `ensemble_server` with ensembles of 3 seeds for the tests that need them
(both start at the beginning, so the second boots while the first tests run). Their logs and
the screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from viz.serve import solara_command

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MONTHS = 24
SERVER_START_TIMEOUT_S = 240.0  # a loaded 2-core machine takes minutes to import
ENSEMBLE_SEEDS = 3  # an ensemble, small: seeds 2 and 3 of the run and of its comparison


def require_chromium() -> None:
    """Skip (locally) or fail (CI=true) when the browser is missing."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser tests"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http_ok(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    """Poll until the server answers 200 (or died, or timed out: then fail with its log)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"solara server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    pytest.fail(
        f"solara server did not answer within {timeout_s:.0f} s:\n{log.read_text()[-3000:]}"
    )


@dataclass
class Server:
    """A running app server: its address and log file."""

    url: str
    log: Path

    def log_text(self) -> str:
        """Everything the server wrote so far."""
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="session")
def months() -> int:
    """Length of the test scenarios."""
    return MONTHS


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots, the server log and measurements go (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def scenario_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Short scenarios: the baseline cut to 24 months and a queue-reform variant of it."""
    from abm.scenario import load_scenario, to_toml

    folder = tmp_path_factory.mktemp("browser-scenarios")
    (folder / "baseline.toml").write_text(
        to_toml(load_scenario("baseline", {"run.months": MONTHS}))
    )
    (folder / "queue_reform_test.toml").write_text(
        'name = "queue_reform_test"\n'
        'description = "Browser-test variant: cluster studies and every project filed once (no phantom load). '
        "Its story is as long as a real scenario's, several sentences that a projector cannot show "
        "on one line, so that workshop mode has something to fold: the grid connects requests in "
        'batches, studies them together and asks for readiness deposits."\n'
        'extends = "baseline"\n\n[queue]\nmode = "cluster"\n\n[hyperscalers]\nduplicate_filings = 1.0\n'
    )
    return folder


@dataclass
class _Started:
    """A server process started but maybe not answering yet."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path
    server: Server | None = None


def start_server(scenario_dir: Path, seeds: int, log_name: str) -> _Started:
    """Start `solara run viz/app.py --production` on a free port, ensembles of `seeds` seeds."""
    port = free_port()
    log = ARTIFACTS / log_name
    env = {
        **os.environ,
        "POWERSTACK_SCENARIOS": str(scenario_dir),
        "MPLBACKEND": "Agg",
        "POWERSTACK_APP_PREWARM": "baseline",
        "POWERSTACK_APP_SEEDS": str(seeds),
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            solara_command("127.0.0.1", port),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return _Started(proc, port, log)


def ready(started: _Started) -> Server:
    """The server once it answers (fails with its log if it died or timed out)."""
    if started.server is None:
        url = f"http://127.0.0.1:{started.port}"
        wait_http_ok(url + "/", started.proc, started.log, SERVER_START_TIMEOUT_S)
        started.server = Server(url, started.log)
    return started.server


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 15 s."""
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def _wants(session: pytest.Session, fixture: str) -> bool:
    """Whether any collected test uses `fixture`."""
    return any(fixture in getattr(item, "fixturenames", ()) for item in session.items)


@pytest.fixture(scope="session")
def servers(scenario_dir: Path, request: pytest.FixtureRequest) -> Iterator[dict[str, _Started]]:
    """Both app servers, started at once so the second one boots while the first tests run.

    `server` runs single-seed pages (POWERSTACK_APP_SEEDS=1): every test on it reads the page's
    own run, and extra seeds would only load the machine (about 45 CPU s over the tier, in
    worker processes). `ensemble_server` runs ensembles of ENSEMBLE_SEEDS for the tests that read
    them (paired intervals, bands) or whose races they feed (the reload test). It is started
    only when a collected test asks for it.
    """
    require_chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    started = {"single": start_server(scenario_dir, 1, "server.log")}
    if _wants(request.session, "ensemble_server"):
        started["ensemble"] = start_server(scenario_dir, ENSEMBLE_SEEDS, "server-ensemble.log")
    try:
        yield started
    finally:
        for one in started.values():
            stop(one.proc)


@pytest.fixture(scope="session")
def server(servers: dict[str, _Started]) -> Server:
    """The single-seed server: `solara run viz/app.py --production --no-open` on a free port."""
    return ready(servers["single"])


@pytest.fixture(scope="session")
def ensemble_server(servers: dict[str, _Started]) -> Server:
    """The server with ensembles of ENSEMBLE_SEEDS seeds (2 x 2 extra 24-month runs per compare)."""
    return ready(servers["ensemble"])


@pytest.fixture(scope="session")
def browser(servers: dict[str, _Started]) -> Iterator[Any]:
    """Debian's Chromium, headless, with no background network traffic."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@dataclass
class Tab:
    """A browser page plus the console errors and page errors it produced."""

    page: Any
    errors: list[str] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        """Save a screenshot under test-artifacts/browser/."""
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def tab(
    browser: Any, servers: dict[str, _Started], request: pytest.FixtureRequest
) -> Iterator[Tab]:
    """A fresh page; at the end no console error, no page error and no CDN fetch (on any server) may have happened."""
    context = browser.new_context(viewport={"width": 1600, "height": 1300}, accept_downloads=True)
    page = context.new_page()
    result = Tab(page)
    page.on(
        "console",
        lambda msg: (
            result.errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    page.on("pageerror", lambda exc: result.errors.append(f"pageerror: {exc}"))
    page.set_default_timeout(60_000)
    try:
        yield result
    finally:
        failed = request.node.rep_call.failed if hasattr(request.node, "rep_call") else False
        if failed:
            result.shot(f"FAILED-{request.node.name}")
        context.close()
    assert not result.errors, "browser errors:\n" + "\n".join(result.errors)
    for one in servers.values():
        if one.server is not None:
            check_log(one.server)


def check_log(server: Server) -> None:
    """No fetch from the internet and no traceback in a server's log."""
    log = server.log_text()
    assert "Could not load URL" not in log, (
        "the server tried to fetch from the internet:\n"
        + "\n".join(line for line in log.splitlines() if "Could not load URL" in line)
    )
    assert "Traceback" not in log, "the server logged a traceback:\n" + log[-3000:]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep the call-phase report on the item, so the `tab` fixture can screenshot failures."""
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
