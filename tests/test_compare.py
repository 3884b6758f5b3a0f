"""`powerstack compare`: paired runs on the same seeds, the table, JSON and bad input."""

from __future__ import annotations

import json

import pytest

import abm.compare as compare
from abm.cli import main
from abm.metrics.paired import BEYOND, IDENTICAL, NO_DATA, TOO_FEW, WITHIN
from abm.scenario import scenarios_dir

TINY = ["--months", "3", "--seeds", "2"]
VERDICTS = {BEYOND, WITHIN, IDENTICAL, TOO_FEW, NO_DATA}


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["compare", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_identical_scenarios_give_zero_differences(capsys):
    """The baseline by name against the same file by path, in two processes: every KPI identical."""
    out = _json(capsys, "baseline", str(scenarios_dir() / "baseline.toml"), *TINY, "--workers", "2")
    (comparison,) = out["comparisons"]
    kpis = comparison["kpis"]
    assert "co2_mt.total" in kpis and "energized_mw.grid" in kpis
    for key, d in kpis.items():
        assert d["verdict"] in (IDENTICAL, NO_DATA), key
        if d["verdict"] == IDENTICAL:
            # a KPI may be defined on one seed only (no new pack traded on the other): no interval
            assert d["difference"] == 0 and d["n"] + d["n_missing"] == 2, key
            if d["n"] == 2:
                assert d["low"] == 0 and d["high"] == 0 and d["n_missing"] == 0, key
    assert not any(d["verdict"] in (BEYOND, WITHIN) for d in kpis.values())


def test_json_shape(capsys):
    """Seeds, sides, one comparison per B with every statistic per KPI, failures listed."""
    out = _json(capsys, "baseline", "--set", "packs.routing=recycle_first", *TINY, "--workers", "1")
    assert out["seeds"] == [1, 2] and out["confidence"] == 0.95 and out["runs"] == 4
    assert out["reference"] == "baseline" and out["failed_runs"] == []
    assert [s["label"] for s in out["sides"]] == [
        "baseline",
        "baseline --set packs.routing=recycle_first",
    ]
    assert all(s["months"] == 3 for s in out["sides"])
    (comparison,) = out["comparisons"]
    assert comparison["a"] == "baseline" and comparison["b"].endswith("recycle_first")
    fields = {"n", "n_missing", "mean_a", "mean_b", "difference", "sd", "low", "high"}
    for d in comparison["kpis"].values():
        assert fields <= set(d) and d["verdict"] in VERDICTS
        if d["n"]:
            assert d["difference"] == pytest.approx(d["mean_b"] - d["mean_a"], abs=1e-9)


def test_table_names_sides_and_columns(capsys):
    """The text table: who is A and B, the seeds, one line per KPI with the verdict last."""
    assert main(["compare", "baseline", "carbon_price", *TINY, "--workers", "1"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("A = baseline, B = carbon_price\npaired on seeds 1-2, 3 months")
    header = text.splitlines()[2]
    for column in ("KPI", "A mean", "B mean", "difference", "95 % interval", "verdict"):
        assert column in header
    row = next(line for line in text.splitlines() if line.startswith("co2_mt.total "))
    assert any(verdict in row for verdict in VERDICTS)


def test_several_scenarios_each_against_the_first(capsys):
    """compare A B C gives B against A and C against A."""
    out = _json(
        capsys,
        "baseline",
        "carbon_price",
        "queue_reform",
        "--months",
        "2",
        "--seeds",
        "1",
        "--workers",
        "1",
    )
    assert [(c["a"], c["b"]) for c in out["comparisons"]] == [
        ("baseline", "carbon_price"),
        ("baseline", "queue_reform"),
    ]
    changed = [d for d in out["comparisons"][0]["kpis"].values() if d["verdict"] == TOO_FEW]
    assert all(d["low"] is None for d in changed)  # one seed: no interval, said so


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["baselin", "carbon_price"], 'did you mean "baseline"'),
        (["baseline", "carbon_price", "--seeds", "0"], "--seeds 0: expected"),
        (["baseline", "--set", "queue.mod=cluster"], 'did you mean "queue.mode"'),
        (["baseline", "--set", "queue.mode"], "expected key=value"),
        (["baseline", "--set", "demand.growth_multiplier=-1"], "expected >= 0"),
        (["baseline"], "give two scenarios"),
        (["baseline", "baseline"], "named twice"),
        (["baseline", "--set", "run.seed=3"], "use --seeds"),
        (["baseline", "carbon_price", "--workers", "0"], "--workers 0"),
    ],
)
def test_bad_input_is_one_error_line(capsys, args, message):
    """Bad names, seeds, overrides and options: exit 2, one `error:` line, nothing run."""
    assert main(["compare", *args, "--months", "2"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("error: ") and message in line


def test_failed_runs_exit_nonzero_with_a_count(capsys, monkeypatch):
    """A failing run is a missing pair: the table shows n, stderr counts the failures, exit 1."""
    real = compare.execute_run

    def flaky(task):
        row = real(task)
        if task.point == 1 and task.seed == 2:
            row.update(status="failed", error="RuntimeError: boom")
        return row

    monkeypatch.setattr(compare, "execute_run", flaky)
    assert main(["compare", "baseline", "carbon_price", *TINY, "--workers", "1"]) == 1
    captured = capsys.readouterr()
    assert "error: compare: 1 of 4 runs failed" in captured.err
    assert "carbon_price seed 2: RuntimeError: boom" in captured.err
    assert "(n=1 of 2)" in captured.out


def test_runs_a_broken_pool_never_made_count_as_failed(capsys, monkeypatch):
    """A worker dies: the lost run and the runs never submitted are failures, not silent gaps."""

    def broken_pool(tasks, run, on_row, on_lost, *, workers):
        on_row(run(next(tasks)))
        on_lost(next(tasks), RuntimeError("worker died"))

    monkeypatch.setattr(compare, "run_on_process_pool", broken_pool)
    assert main(["compare", "baseline", "carbon_price", *TINY, "--workers", "2", "--json"]) == 1
    captured = capsys.readouterr()
    assert "error: compare: 3 of 4 runs failed" in captured.err
    failed = json.loads(captured.out)["failed_runs"]
    assert {
        "label": "carbon_price",
        "seed": 2,
        "error": "not run: the process pool broke",
    } in failed
