"""The app's analysis folds: lever attribution in compare mode, scenario discovery on a sweep.

Both use the code of the command line (`attribute_configs`, `discover`); the attribution test
swaps the model for the toy of tests/test_attribution.py (known effects per lever), and the
discovery test reads a sweep folder whose runs are the planted response of tests/test_discovery.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipyvuetify as v
import pytest
import solara

from abm.analysis.attribution import attribute_configs, resolve_pair
from abm.compare import PairedRuns, Side
from tests import test_attribution, test_discovery
from tests.app_helpers import buttons, texts, wait_until, widgets_of
from viz.components.attribution_panel import AttributionPanel, attribution_markdown
from viz.components.discovery_panel import DiscoveryPanel, plot_levers, run_discovery

PLANTED = {"demand.growth_multiplier", "hyperscalers.duplicate_filings"}  # what the fake reads


def _toy_runner(sides: Sequence[Side], seeds: Sequence[int], workers: int | None) -> PairedRuns:
    """The attribution toy under two of the panel's headline KPIs."""
    kpis = {}
    for side in sides:
        runs = [test_attribution._toy(side, seed) for seed in seeds]
        kpis[side.label] = [
            {"unserved_compute_mw_months": r["additive"], "co2_mt.total": r["pair"]} for r in runs
        ]
    return PairedRuns(list(sides), list(seeds), kpis)


def _templates(rc: Any) -> str:
    """The HTML of every Markdown block under the root."""
    return "\n".join(w.template for w in widgets_of(rc, v.VuetifyTemplate))


def test_attribution_panel_splits_the_difference_when_asked() -> None:
    """Names the changed levers, runs nothing until asked, then shows the exact split."""
    base, target = resolve_pair("baseline", "second_life_boom", months=3)
    _, rc = solara.render(AttributionPanel(target, base, 3, runner=_toy_runner), handle_error=False)
    (line,) = texts(rc, "ps-attribution-levers")
    for key in ("packs.routing", "packs.retirement_multiplier"):
        assert key in line
    assert "Unserved AI compute" not in _templates(rc)
    (button,) = buttons(rc, "Split it (48 runs)")  # 2^4 subsets x 3 seeds
    button.click()
    shown = wait_until(lambda: "Unserved AI compute" in _templates(rc), what="the split table")
    assert shown
    result = attribute_configs(base, target, 3, runner=_toy_runner)
    table = attribution_markdown(result)
    for row in table.splitlines()[2:4]:
        assert row.split(" | ")[0].strip("| ") in _templates(rc)
    split = result.kpis["co2_mt.total"]  # the toy's "pair" moves only with two levers together
    assert split.total.difference > 0
    assert math.isclose(
        sum(split.contributions.values()) + split.interaction, split.total.difference
    )
    assert "48 runs on seeds 1-3" in table


def test_attribution_panel_with_nothing_to_split() -> None:
    """Two runs that differ in no lever: it says so and offers no button."""
    base, _ = resolve_pair("baseline", "second_life_boom", months=3)
    _, rc = solara.render(AttributionPanel(base, base, 3, runner=_toy_runner), handle_error=False)
    (line,) = texts(rc, "ps-attribution-levers")
    assert "differ in no lever" in line
    assert not [b for b in widgets_of(rc, v.Btn) if "Split it" in str(b.children)]


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The planted sweep of tests/test_discovery.py (its fake response, no model runs)."""
    return test_discovery.planted_sweep(tmp_path_factory.mktemp("panel") / "s", 120)


def test_discovery_finds_the_planted_levers_and_draws_the_box(sweep_dir: Path) -> None:
    """The report names PRIM's box; the plot's axes are the two levers the response reads."""
    report, fig, error = run_discovery(str(sweep_dir), "unserved_compute_mw_months > 0")
    assert error == "" and "PRIM box" in report and fig is not None
    ax = fig.axes[0]
    assert {ax.get_xlabel(), ax.get_ylabel()} == PLANTED
    assert any(p.get_label() == "PRIM box" for p in ax.patches)


@pytest.mark.parametrize(
    ("folder", "condition", "message"),
    [
        ("", "unserved_compute_mw_months > 0", "Give the folder"),
        ("NOPE", "unserved_compute_mw_months > 0", "not a sweep folder"),
        ("SWEEP", "unserved_compute_mw_month > 0", "unknown KPI"),
        ("SWEEP", "unserved_compute_mw_months >> 0", "bad operator"),
    ],
)
def test_discovery_bad_input_is_one_line(
    sweep_dir: Path, tmp_path: Path, folder: str, condition: str, message: str
) -> None:
    """A wrong folder or condition gives one line, no figure, no report."""
    path = {"SWEEP": str(sweep_dir), "NOPE": str(tmp_path / "nope")}.get(folder, folder)
    report, fig, error = run_discovery(path, condition)
    assert message in error and "\n" not in error
    assert report == "" and fig is None


def test_discovery_panel_shows_report_and_plot(sweep_dir: Path) -> None:
    """Typing a folder and pressing the button shows the report and the pair plot."""
    _, rc = solara.render(DiscoveryPanel(str(sweep_dir)), handle_error=False)
    assert texts(rc, "ps-discovery-report") == []
    buttons(rc, "Find the lever boxes")[0].click()
    (report,) = wait_until(lambda: texts(rc, "ps-discovery-report"), what="the PRIM report")
    assert "PRIM box" in report


def test_plot_levers_puts_narrowed_levers_first(sweep_dir: Path) -> None:
    """The plotted pair is the two levers the box restricts, not the noise lever."""
    from abm.analysis.discovery import discover

    found = discover(sweep_dir, ["unserved_compute_mw_months > 0"])
    assert set(plot_levers(found)) == PLANTED
