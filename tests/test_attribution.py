"""`powerstack attribute`: exact Shapley split of paired differences over the changed levers."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import abm.analysis.attribution as attribution
from abm.analysis.attribution import MAX_LEVERS, attribute_levers, changed_levers, resolve_pair
from abm.analysis.shapley import dividends, shapley_values
from abm.cli import main
from abm.compare import PairedRuns, Side

# The toy's effects per lever of second_life_boom against baseline (KPI units per unit of lever)
ROUTING = 10.0  # switching packs.routing to second_use_first
RETIRE = 4.0  # per unit of packs.retirement_multiplier (1.0 -> 1.5: +2.0)
TEST_CAP = 6.0  # per GWh/month of recyclers.test_capacity_gwh_per_month (0.5 -> 1.0: +3.0)
GROWTH = 100.0  # per unit of recyclers.capacity_growth_per_month (0.03 -> 0.05: +2.0)


def _toy(side: Side, seed: int) -> dict[str, float]:
    """KPIs as known functions of a side's levers; the seed scales the effects (a spread to test)."""
    c = side.config
    routing = 1.0 if c.packs.routing == "second_use_first" else 0.0
    scale = 1.0 + 0.1 * seed
    additive = scale * (
        ROUTING * routing
        + RETIRE * c.packs.retirement_multiplier
        + TEST_CAP * c.recyclers.test_capacity_gwh_per_month
        + GROWTH * c.recyclers.capacity_growth_per_month
    )
    extra = 2.0 if c.packs.retirement_multiplier > 1 else 0.0
    return {
        "additive": additive + 1000.0 * seed,  # seed noise common to every subset cancels
        "pair": 5.0 * routing * extra,  # only both levers together move it
        "constant": 3.0,
    }


def _toy_runner(sides: Sequence[Side], seeds: Sequence[int], workers: int | None) -> PairedRuns:
    """The paired runner's contract, with the toy instead of the model."""
    return PairedRuns(
        list(sides), list(seeds), {s.label: [_toy(s, k) for k in seeds] for s in sides}
    )


def _attr(split: str = "shapley", seeds: int = 4) -> attribution.Attribution:
    return attribute_levers(
        "baseline", "second_life_boom", seeds, months=3, split=split, runner=_toy_runner
    )


def test_levers_of_second_life_boom_are_its_four_keys():
    """The levers are exactly the schema keys the scenario file sets away from the baseline."""
    base, target = resolve_pair("baseline", "second_life_boom", months=3)
    keys = [lv.key for lv in changed_levers(base, target)]
    assert sorted(keys) == sorted(
        [
            "packs.routing",
            "packs.retirement_multiplier",
            "recyclers.test_capacity_gwh_per_month",
            "recyclers.capacity_growth_per_month",
        ]
    )


def test_additive_toy_gives_its_known_contributions():
    """An additive model: each Shapley value is that lever's own effect, no interaction term."""
    result = _attr()
    a = result.kpis["additive"]
    mean_scale = np.mean([1.0 + 0.1 * s for s in range(1, 5)])
    expected = {
        "packs.routing": ROUTING * mean_scale,
        "packs.retirement_multiplier": RETIRE * 0.5 * mean_scale,
        "recyclers.test_capacity_gwh_per_month": TEST_CAP * 0.5 * mean_scale,
        "recyclers.capacity_growth_per_month": GROWTH * 0.02 * mean_scale,
    }
    for key, value in expected.items():
        assert a.contributions[key] == pytest.approx(value, rel=1e-12), key
        assert a.alone[key].difference == pytest.approx(value, rel=1e-12), key
        low, high = a.shapley[key].low, a.shapley[key].high
        assert low < value < high and high - low > 0, key  # the seeds' spread gives an interval
    assert a.total.difference == pytest.approx(sum(expected.values()), rel=1e-12)
    assert all(abs(d.difference) < 1e-9 for d in a.interactions.values())


def test_pure_interaction_is_shared_in_shapley_and_whole_in_alone():
    """A KPI only two levers together move: Shapley halves it, `alone` calls it interaction."""
    shap, alone = _attr("shapley").kpis["pair"], _attr("alone").kpis["pair"]
    assert shap.total.difference == pytest.approx(10.0)
    assert shap.contributions["packs.routing"] == pytest.approx(5.0)
    assert shap.contributions["packs.retirement_multiplier"] == pytest.approx(5.0)
    assert shap.contributions["recyclers.test_capacity_gwh_per_month"] == 0
    assert shap.interactions["packs.routing x packs.retirement_multiplier"].difference == 10.0
    assert all(v == 0 for v in alone.contributions.values())
    assert alone.interaction == pytest.approx(10.0)


@pytest.mark.parametrize("split", ["shapley", "alone"])
def test_contributions_and_interaction_add_up_to_the_total(split):
    """contributions + interaction == total for every KPI, whichever split."""
    for key, a in _attr(split).kpis.items():
        parts = math.fsum([*a.contributions.values(), a.interaction])
        assert parts == pytest.approx(a.total.difference, rel=1e-12, abs=1e-12), key


def test_shapley_of_random_games_is_efficient_and_symmetric():
    """On random set functions the values add up to v(all) - v(none); twin levers get equal shares."""
    rng = np.random.default_rng(20)
    for k in range(1, 6):
        v = rng.normal(size=(1 << k, 3))
        phi = shapley_values(v)
        np.testing.assert_allclose(phi.sum(axis=0), v[-1] - v[0], rtol=1e-12, atol=1e-12)
        d = dividends(v)
        np.testing.assert_allclose(d[1:].sum(axis=0), v[-1] - v[0], atol=1e-12)
    # two levers that are the same to v (only the number switched counts) share alike
    v = np.array([[0.0], [1.0], [1.0], [5.0]])
    assert shapley_values(v)[:, 0].tolist() == [2.5, 2.5]


def test_json_has_the_issue_fields_and_adds_up(capsys, monkeypatch):
    """--json per KPI: total, interval, contributions per lever key, interaction; they add up."""
    monkeypatch.setattr(attribution, "run_paired", _toy_runner)
    args = ["attribute", "baseline", "second_life_boom", "--seeds", "3", "--months", "3"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["runs"] == 16 * 3 and out["seeds"] == [1, 2, 3]
    assert len(out["levers"]) == 4
    for key, kpi in out["kpis"].items():
        assert {"total", "interval", "contributions", "interaction"} <= set(kpi), key
        assert len(kpi["contributions"]) == 4 and len(kpi["interval"]) == 2, key
        total = math.fsum([*kpi["contributions"].values(), kpi["interaction"]])
        assert total == pytest.approx(kpi["total"], rel=1e-12, abs=1e-12), key
    assert out["kpis"]["constant"]["verdict"] == "identical"


def test_table_shows_levers_and_interaction_terms(capsys, monkeypatch):
    """The text names every lever, the interaction term that moved, and hides identical KPIs."""
    monkeypatch.setattr(attribution, "run_paired", _toy_runner)
    assert main(["attribute", "baseline", "second_life_boom", "--seeds", "3"]) == 0
    text = capsys.readouterr().out
    assert "interaction packs.routing x packs.retirement_multiplier" in text
    assert "pair: total +10.00" in text and "constant:" not in text
    assert "1 KPIs identical or undefined on every seed, not shown" in text


def _scenario(tmp_path: Path, body: str) -> str:
    path = tmp_path / "many.toml"
    path.write_text(f'name = "many"\nextends = "baseline.toml"\n{body}')
    return str(path)


def test_too_many_levers_are_refused_with_the_count(tmp_path, capsys):
    """More than MAX_LEVERS changed keys: exit 2, saying how many runs per seed that would take."""
    keys = [
        "[demand]\ngrowth_multiplier = 1.2",
        "[queue]\nmode = 'cluster'",
        "[hyperscalers]\nduplicate_filings = 1.0",
        "[packs]\nretirement_multiplier = 2.0",
        "[policy]\ncarbon_price_usd_per_t = 50.0\ncredit_45x_usd_per_kwh = 0.0",
        "[batteries]\nai_duty_fade_multiplier = 2.0",
    ]
    path = _scenario(tmp_path, "\n".join(keys))
    assert main(["attribute", "baseline", path, "--seeds", "1"]) == 2
    err = capsys.readouterr().err
    assert f"in {MAX_LEVERS + 1} levers" in err and "2^7 = 128 runs per seed" in err


def test_no_lever_and_bad_input_fail_with_one_line(capsys):
    """The same scenario twice has nothing to split; bad --seeds and --split are input errors."""
    assert main(["attribute", "baseline", "baseline", "--seeds", "1"]) == 2
    assert "differ in no lever" in capsys.readouterr().err
    assert main(["attribute", "baseline", "second_life_boom", "--seeds", "0"]) == 2
    assert "--seeds 0" in capsys.readouterr().err
    assert main(["attribute", "baseline", "second_life_boom", "--split", "fair"]) == 2
    assert main(["attribute", "baseline", "second_life_boom", "--set", "run.seed=3"]) == 2
    assert main(["attribute", "baseline", "second_lfe_boom"]) == 2
    assert 'did you mean "second_life_boom"' in capsys.readouterr().err


@pytest.mark.slow
def test_second_life_boom_sums_exactly_on_the_model(capsys):
    """The real model, one month, one seed (16 runs in this process): every KPI's parts add up."""
    args = ["attribute", "baseline", "second_life_boom", "--seeds", "1", "--months", "1"]
    assert main([*args, "--workers", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["runs"] == 16 and out["failed_runs"] == []
    moved = 0
    for key, kpi in out["kpis"].items():
        if kpi["total"] is None:
            continue
        total = math.fsum([*kpi["contributions"].values(), kpi["interaction"]])
        assert total == pytest.approx(kpi["total"], rel=1e-12, abs=1e-9), key
        moved += kpi["total"] != 0
    assert moved > 0  # the levers move something within one month (else the test proves nothing)
