"""Shared set-up for the app tests without a browser: short scenarios and widget look-ups.

Runs use two short scenarios (12 months on an 80-bus grid) in a temporary scenario folder;
the model code is the real one. `short_scenarios` is imported by each app test module
(module-scoped and autouse there).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ipyvuetify as v
import ipywidgets
import pytest

os.environ.setdefault("POWERSTACK_APP_PREWARM", "none")  # set before viz.app is imported
os.environ.setdefault("POWERSTACK_APP_SEEDS", "1")  # one seed unless a test asks for an ensemble

import solara  # noqa: E402
from solara.components.file_download import FileDownloadWidget  # noqa: E402

from abm.scenario import load_scenario, to_toml  # noqa: E402

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
