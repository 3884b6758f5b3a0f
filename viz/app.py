"""The powerstack app: a workshop dashboard (/) and Mesa's step-by-step SolaraViz view (/explore).

Run with `solara run viz/app.py` (or `powerstack app`). The dashboard re-runs the whole
scenario when a lever is released, in a worker thread, drawing the run as it grows and caching
finished runs; see docs/app.md for why that view is a custom page beside SolaraViz.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import solara
import solara.server.settings

from abm.scenario import list_scenarios, load_scenario
from abm.schema import ScenarioConfig
from viz.dashboard.hooks import try_input
from viz.dashboard.page import Dashboard
from viz.explore import Explore
from viz.runs import ENGINE, counterfactual_config

log = logging.getLogger(__name__)

# solara's "This website runs on Solara" badge sits over the bottom-right corner of the charts;
# the page footer names what the page is built with instead
solara.server.settings.theme.show_banner = False


def prewarm_configs(mode: str) -> list[ScenarioConfig]:
    """Scenarios to run before anyone asks: 'all' built-in ones (default), 'baseline', or 'none'.

    Warm-up runs yield to every run somebody is looking at, so they only use idle time; with
    'all', switching scenario in front of a room is instant once the warm-up is through.
    """
    if mode == "none":
        return []
    names = ["baseline"] if mode == "baseline" else [n for n, _ in list_scenarios()]
    out: list[ScenarioConfig] = []
    for name in names:
        cfg, error = try_input(load_scenario, name)
        if cfg is None:
            log.warning("prewarm: skipping %s: %s", name, error)
            continue
        out += [cfg, counterfactual_config(cfg)]
    return out


@solara.component
def Layout(children: list[Any] = []) -> None:  # noqa: B006 - solara's Layout signature
    """Solara's app layout with the two pages as tabs; switching page keeps the settings in the URL."""
    router = solara.use_router()
    route, all_routes = solara.use_route()
    index = all_routes.index(route) if route in all_routes else 0

    def go(i: int) -> None:
        target = all_routes[i].path
        path = "/" if target == "/" else f"/{target}"
        router.push(f"{path}?{router.search}" if router.search else path)

    with solara.AppLayout(title="AI power stack", navigation=True):
        with solara.AppBar(), solara.lab.Tabs(value=index, on_value=go, align="center"):
            for r in all_routes:
                solara.lab.Tab(r.label)
        solara.Column(children=children, style={"padding": "0"})


routes = [
    solara.Route(path="/", component=Dashboard, label="Dashboard", layout=Layout),
    solara.Route(path="explore", component=Explore, label="Step by step (Mesa SolaraViz)"),
]

PREWARM_MODES = ("all", "baseline", "none")
_prewarm_mode = os.environ.get("POWERSTACK_APP_PREWARM", "all")
if _prewarm_mode not in PREWARM_MODES:
    log.warning(
        "POWERSTACK_APP_PREWARM=%r; expected one of %s, using 'baseline'",
        _prewarm_mode,
        PREWARM_MODES,
    )
    _prewarm_mode = "baseline"
ENGINE.prewarm(prewarm_configs(_prewarm_mode))
