"""When does it go wrong? Load a finished sweep folder and show PRIM's lever box on a pair plot.

The boxes come from `abm.analysis.discovery.discover` (the code of `powerstack discover`): PRIM's
peeling trajectory and chosen box, and CART's leaves for comparison. The plot puts the runs on
the two levers the box narrows most, the runs meeting the condition in another colour, and the
box drawn over them, so that a room reads "it goes wrong when demand growth is high and
retirements are low" off one picture.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from abm.analysis.discovery import Discovery, discover, load_cases
from abm.analysis.discovery_report import text_report
from abm.errors import InputError
from viz.components.base import Html

MIN_COVERAGE = 0.5  # the box PRIM reports: the densest step that still covers half the cases
EXAMPLE_CONDITION = "unserved_compute_mw_months > 0"


def plot_levers(found: Discovery) -> list[str]:
    """The two levers to plot: those the box narrows first, then the sweep's others."""
    narrowed = found.prim.box.restricted(found.prim.full)
    numeric = [k for k in found.prim.box.limits]
    order = [k for k in narrowed if k in numeric] + [k for k in numeric if k not in narrowed]
    return order[:2]


def pair_plot(found: Discovery, cases: pd.DataFrame, hits: np.ndarray) -> Figure:
    """Runs on two levers (hits highlighted) with PRIM's box drawn; one lever: against the KPI."""
    fig = Figure(figsize=(5.5, 4.2))
    ax = fig.subplots()
    levers = plot_levers(found)
    kpi = found.conditions[0].kpi
    x = levers[0] if levers else found.levers[0]
    y = levers[1] if len(levers) > 1 else kpi
    for mask, label in ((~hits, "condition does not hold"), (hits, "condition holds")):
        ax.scatter(cases.loc[mask, x], cases.loc[mask, y], s=18, alpha=0.75, label=label)
    limits = found.prim.box.limits
    if x in limits:
        x0, x1 = limits[x]
        y0, y1 = limits[y] if y in limits else ax.get_ylim()
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, lw=2, label="PRIM box"))
    ax.set(xlabel=x, ylabel=y, title=" and ".join(map(str, found.conditions)))
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def run_discovery(folder: str, condition: str) -> tuple[str, Figure | None, str]:
    """(report text, pair plot, error line) for a sweep folder and one condition."""
    if not folder.strip():
        return "", None, "Give the folder of a finished sweep (`powerstack sweep ... --out DIR`)."
    path = Path(folder.strip()).expanduser()
    try:
        found = discover(path, [condition])
        cases, _, _, _ = load_cases(path)
    except InputError as why:
        return "", None, str(why)
    except OSError as why:
        return "", None, f"{path}: cannot read the sweep ({why.strerror or why})"
    cases = cases[cases[found.conditions[0].kpi].notna()].reset_index(drop=True)
    hits = np.ones(len(cases), dtype=bool)
    for c in found.conditions:
        hits &= c.holds(cases[c.kpi])
    return text_report(found, MIN_COVERAGE), pair_plot(found, cases, hits), ""


@solara.component
def DiscoveryPanel(default_folder: str = "") -> None:
    """A sweep folder and a condition in, PRIM's report and its box on a pair plot out."""
    folder, set_folder = solara.use_state(default_folder)
    condition, set_condition = solara.use_state(EXAMPLE_CONDITION)
    asked, set_asked = solara.use_state(None)
    result = solara.use_memo(
        lambda: run_discovery(*asked) if asked else ("", None, ""), dependencies=[asked]
    )
    with solara.Details("When does it go wrong? (scenario discovery on a sweep)", expand=False):
        solara.InputText("Sweep folder (the --out of `powerstack sweep`)", folder, set_folder)
        solara.InputText("Condition (KPI OP VALUE)", condition, set_condition)
        solara.Button(
            "Find the lever boxes",
            on_click=lambda: set_asked((folder, condition)),
            outlined=True,
        )
        report, fig, error = result
        if error:
            Html("div", error, "ps-discovery-error")
            return
        if fig is not None:
            solara.FigureMatplotlib(fig, format="png")
        if report:
            Html("pre", report, "ps-discovery-report")
