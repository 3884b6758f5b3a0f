"""`powerstack discover`: PRIM finds a planted box, CART agrees, and `--where` fails clearly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from abm.analysis.cart import cart_boxes
from abm.analysis.discovery import parse_condition
from abm.analysis.prim import as_cases, full_box, paste, prim, with_stats
from abm.cli import main
from abm.errors import InputError
from abm.sweeps import RunTask, load_spec, run_sweep, worker
from tests.sweep_cases import FAST, SWEEPS


def _planted(n: int = 600, seed: int = 20) -> tuple[pd.DataFrame, np.ndarray]:
    """Four levers; the condition holds exactly in a > 0.6, b < 0.8 and m not 'x' (c is noise)."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {
            "a": rng.uniform(0, 1, n),
            "b": rng.uniform(0, 2, n),
            "c": rng.uniform(0, 1, n),
            "m": rng.choice(["serial", "cluster", "x"], n),
        }
    )
    y = ((x.a > 0.6) & (x.b < 0.8) & (x.m != "x")).to_numpy()
    return x, y


def test_prim_recovers_a_planted_box():
    """The box PRIM returns is the planted one: its three levers, near its limits, c left alone."""
    x, y = _planted()
    found = prim(x, y)
    box = found.box
    assert set(box.restricted(found.full)) == {"a", "b", "m"}
    assert 0.55 <= box.limits["a"][0] <= 0.65 and box.limits["a"][1] == x.a.max()
    assert box.limits["b"][0] == x.b.min() and 0.7 <= box.limits["b"][1] <= 0.85
    assert box.categories["m"] == {"serial", "cluster"}
    assert box.density >= 0.95 and box.coverage >= 0.9


def test_trajectory_starts_full_and_shrinks():
    """The full box covers everything; mass falls at every step and density ends above the base."""
    x, y = _planted()
    trajectory = prim(x, y).trajectory
    assert trajectory[0].coverage == 1 and trajectory[0].mass == 1
    assert trajectory[0].density == pytest.approx(y.mean())
    masses = [b.mass for b in trajectory]
    assert all(m2 < m1 for m1, m2 in zip(masses, masses[1:], strict=False))
    assert trajectory[-1].mass >= 0.05 and trajectory[-1].density > 2 * y.mean()


def test_pasting_widens_a_box_peeled_too_far():
    """A box cut inside the planted one gains coverage by pasting, without losing density."""
    x, y = _planted()
    cases, full = as_cases(x), full_box(x)
    narrow = with_stats(
        cases,
        y.astype(float),
        type(full)(
            {"a": (0.8, 1.0), "b": (0.0, 0.5), "c": full.limits["c"]}, {"m": frozenset({"serial"})}
        ),
    )
    pasted = paste(cases, y.astype(float), narrow, full)
    assert pasted.density == 1.0 and narrow.density == 1.0
    assert pasted.coverage > 1.5 * narrow.coverage


def test_cart_leaf_matches_the_planted_box():
    """The densest CART leaf is split on a, b and m, and is nearly pure."""
    pytest.importorskip("sklearn")
    x, y = _planted()
    leaves = cart_boxes(x, y)
    best = leaves[0]
    text = " and ".join(best.conditions)
    assert "a > 0.5" in text or "a > 0.6" in text
    assert "b <= 0.7" in text or "b <= 0.8" in text
    assert "m in {cluster, serial}" in text
    assert best.density >= 0.95


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "unserved_compute > 5",
            "unknown KPI 'unserved_compute' (did you mean \"unserved_compute_mw_months\"?)",
        ),
        ("unserved_compute_mw_months => 5", "bad operator '=>' (did you mean \">=\"?)"),
        ("unserved_compute_mw_months = 5", "bad operator '=' (did you mean \"==\"?)"),
        ("unserved_compute_mw_months > lots", "'lots' is not a number"),
        ("unserved_compute_mw_months", "expected KPI OP VALUE"),
        ("unserved_compute_mw_months > nan", "expected a finite number"),
    ],
)
def test_where_errors_say_what_is_wrong(text, message):
    """Each malformed condition fails with a message naming the problem."""
    with pytest.raises(InputError, match=None) as err:
        parse_condition(text, ["unserved_compute_mw_months", "co2_mt.total"])
    assert message in str(err.value)


def test_where_parses_every_operator():
    """The six operators, spaces or none, numbers in any TOML-ish float form."""
    kpis = ["co2_mt.total"]
    for op in (">", ">=", "<", "<=", "==", "!="):
        c = parse_condition(f"co2_mt.total{op}1e3", kpis)
        assert (c.kpi, c.op, c.value) == ("co2_mt.total", op, 1000.0)


def _fake_run(task: RunTask) -> dict[str, Any]:
    """A known response instead of the model: unserved compute only at high growth and few filings."""
    g = task.params["demand.growth_multiplier"]
    d = task.params["hyperscalers.duplicate_filings"]
    return {
        "run_id": task.run_id,
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
        **task.params,
        "unserved_compute_mw_months": 100.0 * max(0.0, g - 1.3) * (d < 3),
        "co2_mt.total": None if g < 0.6 else g,
        "status": "ok",
        "error": None,
        "wall_time_s": 0.0,
        "cpu_time_s": 0.0,
    }


def planted_sweep(out: Path, samples: int) -> Path:
    """A finished LHS sweep folder of the fake response (one 1-month probe run of the model)."""
    spec = {
        "name": "planted",
        "scenario": "baseline",
        "design": "lhs",
        "samples": samples,
        "seed": 3,
        "months": 1,
        "fixed": FAST,
        "parameters": {
            "demand.growth_multiplier": {"min": 0.5, "max": 2.0},
            "hyperscalers.duplicate_filings": {"min": 1.0, "max": 4.0},
            "packs.retirement_multiplier": {"min": 0.5, "max": 3.0},
        },
        "kpis": ["unserved_compute_mw_months", "co2_mt.total"],
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(worker, "execute_run", _fake_run)
        run_sweep(spec, out, workers=1, progress=False)
    return out


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The planted sweep, 200 points."""
    return planted_sweep(tmp_path_factory.mktemp("discover") / "s", 200)


def test_discover_prints_the_box_of_a_sweep(sweep_dir, capsys):
    """The printed box restricts growth from about 1.3 up and filings below 3, not retirements."""
    assert main(["discover", str(sweep_dir), "--where", "unserved_compute_mw_months > 0"]) == 0
    text = capsys.readouterr().out
    assert "PRIM peeling trajectory" in text and "<- chosen" in text
    box = text.split("PRIM box")[1].split("CART")[0]
    assert "demand.growth_multiplier" in box and "hyperscalers.duplicate_filings" in box
    assert "packs.retirement_multiplier" not in box
    assert "CART leaves" in text


def test_discover_json_box_limits(sweep_dir, capsys):
    """--json: the box's limits near the planted ones, and runs with an undefined KPI counted."""
    args = ["discover", str(sweep_dir), "--where", "unserved_compute_mw_months > 0", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    limits = out["prim"]["box"]["limits"]
    assert 1.25 <= limits["demand.growth_multiplier"][0] <= 1.4
    assert 2.8 <= limits["hyperscalers.duplicate_filings"][1] <= 3.0
    assert out["prim"]["box"]["density"] >= 0.95 and out["prim"]["box"]["coverage"] >= 0.9
    both = ["--where", "unserved_compute_mw_months > 0", "--where", "co2_mt.total > 0", "--json"]
    assert main(["discover", str(sweep_dir), *both]) == 0
    assert json.loads(capsys.readouterr().out)["undefined"] > 0


def test_discover_bad_input_exits_2(sweep_dir, tmp_path, capsys):
    """Unknown KPI (with a close match), bad operator, no sweep folder: one error line, exit 2."""
    assert main(["discover", str(sweep_dir), "--where", "unserved_compute_mw_month > 0"]) == 2
    assert 'did you mean "unserved_compute_mw_months"' in capsys.readouterr().err
    assert main(["discover", str(sweep_dir), "--where", "unserved_compute_mw_months >> 0"]) == 2
    assert "bad operator '>>'" in capsys.readouterr().err
    assert main(["discover", str(tmp_path), "--where", "co2_mt.total > 0"]) == 2
    assert "not a sweep folder" in capsys.readouterr().err
    assert main(["discover", str(sweep_dir), "--where", "co2_mt.total > 1e9"]) == 2
    assert "holds in no one" in capsys.readouterr().err
    assert main(["discover", str(sweep_dir), "--where", "co2_mt.total > 0", "--alpha", "2"]) == 2


def test_shipped_discovery_sweep_is_valid():
    """The example sweep of docs/analysis.md parses and records the KPI its command asks about."""
    spec = load_spec(SWEEPS / "discovery_small.toml")
    assert spec.design == "lhs" and spec.months == 36
    assert "unserved_compute_mw_months" in spec.kpis
