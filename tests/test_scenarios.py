"""The scenario library: every file validates, tells its story with the levers it claims, and runs."""

from __future__ import annotations

import importlib
import importlib.util
import math
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from abm.scenario import list_scenarios, load_scenario, scenarios_dir
from abm.schema.national import NATIONAL_KEYS
from abm.sweeps.worker import flatten_kpis
from tests.checked_runs import checked_run

LIBRARY = (
    "baseline",
    "second_life_boom",
    "recycle_first",
    "queue_reform",
    "phantom_load",
    "carbon_price",
    "degradation_stress",
    "gas_crunch",
    "flexible_compute",
    "orbital_wildcard",
    "real_grid",
)
NEEDS_GRIDS = {"real_grid"}
FILES = sorted(p.stem for p in scenarios_dir().glob("*.toml"))


def _raw(name: str) -> dict:
    """The scenario file's own TOML, before `extends` is followed."""
    return tomllib.loads((scenarios_dir() / f"{name}.toml").read_text(encoding="utf-8"))


def test_library_is_complete():
    """Issue 9's scenario list is all there (more files are welcome)."""
    missing = set(LIBRARY) - set(FILES)
    assert not missing, f"scenario files missing from scenarios/: {sorted(missing)}"


def test_list_scenarios_returns_every_file_with_its_description():
    """`powerstack list` shows the whole library, each with a description."""
    listed = dict(list_scenarios())
    assert set(FILES) <= set(listed)
    assert all(listed[name].strip() for name in FILES)


@pytest.mark.parametrize("name", FILES)
def test_scenario_file_validates(name: str):
    """Every file loads through the schema, and its name is its file name."""
    cfg = load_scenario(name)
    assert cfg.name == name


@pytest.mark.parametrize("name", [n for n in FILES if n != "baseline"])
def test_scenario_extends_baseline_with_a_workshop_description(name: str):
    """Each variant starts from the baseline and explains what changes, why it matters, and what to look for."""
    raw = _raw(name)
    assert raw.get("extends") == "baseline.toml"
    assert raw.get("name") == name
    text = raw.get("description", "")
    assert 300 <= len(text) <= 2000, (
        f"{name}: description of {len(text)} characters; write one paragraph"
    )
    assert "\n" not in text.strip(), f"{name}: the description should be one paragraph"
    assert "Why it matters" in text and "Look for" in text


@pytest.mark.parametrize("name", [n for n in FILES if n != "baseline"])
def test_scenario_changes_something(name: str):
    """A variant that equals the baseline would tell the room nothing."""
    base = load_scenario("baseline").model_dump(exclude={"name", "description"})
    assert load_scenario(name).model_dump(exclude={"name", "description"}) != base


LEVERS = {
    "second_life_boom": lambda c, b: (
        c.packs.routing == "second_use_first"
        and c.recyclers.test_capacity_gwh_per_month > b.recyclers.test_capacity_gwh_per_month
    ),
    "recycle_first": lambda c, b: c.packs.routing == "recycle_first",
    "second_life_credit": lambda c, b: (
        c.policy.credit_45x_scope == "second_life_only"
        and c.policy.second_life_production_credit_usd_per_kwh > 0
    ),
    "queue_reform": lambda c, b: (
        c.queue.mode == "cluster"
        and c.queue.flexible_connections
        and c.hyperscalers.flexible_share > 0
    ),
    "phantom_load": lambda c, b: (
        c.hyperscalers.duplicate_filings > b.hyperscalers.duplicate_filings
    ),
    "carbon_price": lambda c, b: c.policy.carbon_price_usd_per_t > 0,
    "degradation_stress": lambda c, b: (
        c.batteries.ai_duty_fade_multiplier > 1 and c.batteries.c_rate > b.batteries.c_rate
    ),
    "gas_crunch": lambda c, b: (
        c.gas.turbine_backlog_mw > b.gas.turbine_backlog_mw
        and c.gas.recip_capacity_mw_per_month < b.gas.recip_capacity_mw_per_month
    ),
    "flexible_compute": lambda c, b: (
        c.queue.flexible_connections
        and c.hyperscalers.flexible_share > 0
        and c.queue.mode == b.queue.mode
    ),
    "orbital_wildcard": lambda c, b: c.other.enabled and c.other.capacity_cap_mw > 0,
    "real_grid": lambda c, b: c.grid.source.startswith("pandapower:"),
    "ai_slowdown": lambda c, b: c.demand.growth_after_slowdown_share < 1,
    "large_load_tariff": lambda c, b: c.tariff.large_load_tariff and not b.tariff.large_load_tariff,
    "bridge_gas": lambda c, b: (
        c.gas.bridge_enabled
        and c.gas.bridge_after_grid == "backup"
        and c.gas.turbine_production_mw_per_month > b.gas.turbine_production_mw_per_month
        and c.gas.recip_capacity_mw_per_month > b.gas.recip_capacity_mw_per_month
    ),
}


@pytest.mark.parametrize("name", sorted(LEVERS))
def test_scenario_pulls_the_levers_its_story_names(name: str):
    """The levers issue 9 names for each scenario are set (a guard against silent edits)."""
    assert LEVERS[name](load_scenario(name), load_scenario("baseline"))


def _run_12_months(factory: pytest.TempPathFactory, name: str) -> None:
    """Run 12 months on the scenario's seed with invariant checks and sanity-check the monthly
    table (the checked run of tests/checked_runs.py, which tests/test_invariants.py shares)."""
    result = checked_run(factory, name, load_scenario(name).run.seed, 12)
    ts = result.timeseries
    assert len(ts) == 12
    energized = [c for c in ts.columns if c.startswith("energized_mw_")]
    assert {"energized_mw_grid", "energized_mw_onsite_gas"} <= set(energized)
    for col in (*energized, "ai_demand_mw", "unserved_mw"):
        assert all(math.isfinite(v) and v >= -1e-6 for v in ts[col]), col
    assert all(math.isfinite(v) for v in ts["co2_mt_cum"])  # may dip below 0: recycling credits
    assert all(math.isfinite(v) for v in result.kpis["energized_mw"].values())
    # KPIs are numbers (or undefined): a sweep stores every KPI leaf as float64
    leaves = flatten_kpis(result.kpis)
    words = {k: v for k, v in leaves.items() if not (v is None or isinstance(v, int | float))}
    assert not words, f"KPIs that are not numbers: {words}"


@pytest.mark.parametrize("name", [n for n in FILES if n not in NEEDS_GRIDS])
def test_scenario_runs_12_months(name: str, tmp_path_factory: pytest.TempPathFactory):
    """Every scenario runs (CI length: one year) with the recorder's invariants checked each month."""
    _run_12_months(tmp_path_factory, name)


@pytest.mark.grids
@pytest.mark.parametrize("name", sorted(NEEDS_GRIDS & set(FILES)))
def test_real_grid_scenario_runs_12_months(name: str, tmp_path_factory: pytest.TempPathFactory):
    """Scenarios on a pandapower network run too (needs the [grids] extra)."""
    pytest.importorskip("pandapower")
    _run_12_months(tmp_path_factory, name)


SCRIPTS = Path(__file__).resolve().parents[1] / "docs" / "scripts"


def _chart_script(monkeypatch):
    """docs/scripts/scenario_charts.py imported as a module (its sibling modules importable too)."""
    monkeypatch.syspath_prepend(str(SCRIPTS))
    script = SCRIPTS / "scenario_charts.py"
    spec = importlib.util.spec_from_file_location("scenario_charts", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "scenario_charts", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_scenario_chart_script_writes_page_and_figures(tmp_path, monkeypatch):
    """docs/scripts/scenario_charts.py stays runnable: a short run writes the page, a chart and the overview."""
    module = _chart_script(monkeypatch)
    args = [
        "--months",
        "3",
        "--only",
        "carbon_price",
        "--seeds",
        "2",
        "--jobs",
        "1",
        "--docs-dir",
        str(tmp_path),
    ]
    assert module.main(args) == 0
    page = (tmp_path / "scenarios.md").read_text(encoding="utf-8")
    assert "## carbon_price" in page and "img/scenario_carbon_price.png" in page
    assert "`policy.carbon_price_usd_per_t`" in page
    assert "same seeds (1, 2)" in page and "| 95 % interval | Beyond seed noise? |" in page
    section = page[page.index("## carbon_price") :].splitlines()
    co2_row = next(line for line in section if line.startswith("| CO2 total (Mt) |"))
    assert co2_row.count("|") == 7 and co2_row.rstrip(" |").endswith(
        ("beyond noise", "within noise", "identical")
    )
    assert (tmp_path / "img" / "scenario_carbon_price.png").stat().st_size > 10_000
    assert (tmp_path / "img" / "scenarios_overview.png").is_file()
    page_text = importlib.import_module("scenario_page")
    assert page_text.is_extensive("energised grid MW") and page_text.is_extensive("CO2 total (Mt)")
    assert not page_text.is_extensive("phantom share of requested MW")
    assert not page_text.is_extensive("median time-to-power grid (months)")


def test_real_grid_sets_no_national_quantity_by_hand():
    """real_grid leaves every national quantity at the baseline's: the grid's share of the US peak scales them in code."""
    real, base = load_scenario("real_grid"), load_scenario("baseline")
    by_hand = [
        key
        for key in NATIONAL_KEYS
        if getattr(getattr(real, key.split(".")[0]), key.split(".")[1])
        != getattr(getattr(base, key.split(".")[0]), key.split(".")[1])
    ]
    assert not by_hand, "hand-scaled in scenarios/real_grid.toml: " + ", ".join(by_hand)


def test_scenario_chart_script_reports_a_failed_run(tmp_path, monkeypatch, capsys):
    """A scenario whose run fails is named, the others still render, the page says so and the exit code is 1."""
    module = _chart_script(monkeypatch)
    real_run_one = module.run_one

    def flaky(job):
        if job[0] == "gas_crunch":
            raise RuntimeError("scenario gas_crunch (seed 1) failed: ValueError: boom")
        return real_run_one(job)

    monkeypatch.setattr(module, "run_one", flaky)
    args = [
        "--months",
        "2",
        "--only",
        "carbon_price",
        "gas_crunch",
        "--seeds",
        "1",
        "--jobs",
        "1",
        "--docs-dir",
        str(tmp_path),
    ]
    assert module.main(args) == 1
    page = (tmp_path / "scenarios.md").read_text(encoding="utf-8")
    assert "| [gas_crunch](#gas_crunch) | run failed |" in page
    assert (
        "**This run did not finish:** `scenario gas_crunch (seed 1) failed: ValueError: boom`"
        in page
    )
    assert page.index("## carbon_price") < page.index("## gas_crunch")  # story order kept
    assert "gas_crunch" in capsys.readouterr().err


def test_scenario_page_compares_each_seed_with_the_baselines(monkeypatch):
    """The page's table is the paired statistics: the change is the mean per-seed difference."""
    _chart_script(monkeypatch)
    page = importlib.import_module("scenario_page")
    cfg = load_scenario("baseline")
    ts = pd.DataFrame({"ai_demand_mw": [1.0, 2.0]})

    def run(co2: float, grid_mw: float):
        kpis = {"co2_mt": {"total": co2}, "energized_mw": {"grid": grid_mw}}
        return page.Run(cfg, ts, kpis, 0.0)

    base = [run(10.0, 5.0), run(20.0, 5.0), run(30.0, 5.0)]
    scenario = [run(12.0, 5.0), run(22.1, 5.0), run(31.9, 5.0)]  # CO2 +2, +2.1, +1.9; MW same
    diffs = page.paired_kpis(scenario, base, 1.0)
    assert diffs["CO2 total (Mt)"].difference == pytest.approx(2.0)
    assert diffs["CO2 total (Mt)"].verdict == "beyond noise"
    assert diffs["energised grid MW"].verdict == "identical"
    lines = page.kpi_table(diffs, 1.0)
    co2 = next(line for line in lines if line.startswith("| CO2 total (Mt) |"))
    assert (
        co2 == "| CO2 total (Mt) | 20.00 | 22.00 | +2.00 (+10 %) | [+1.75, +2.25] | beyond noise |"
    )
    assert page.summary_row("x", diffs).endswith("| +2.00 (+10 %) |")
    noisy = [run(12.0, 5.0), run(19.0, 5.0), run(33.0, 5.0)]  # +2, -1, +3: interval holds 0
    assert page.summary_row("x", page.paired_kpis(noisy, base, 1.0)).endswith(" ≈ |")
