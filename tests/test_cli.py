"""The `powerstack run` contract: files, exit codes, one-line errors, byte-identical outputs."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from abm.atomic import write_atomic
from abm.cli import main
from abm.metrics import PROJECT_TABLE_COLUMNS
from tests.cli_forks import ROOT, Call, run_calls

SHORT = ["--months", "18", "--set", "grid.n_buses=40"]
PATHS = ("grid", "modular_second_life", "modular_new", "onsite_gas")
RESULT_FILES = ("timeseries.parquet", "kpis.json", "projects.parquet")


def run_cli(
    python: str, env: dict[str, str], *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, "-m", "abm", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    assert main(["run", "baseline", "--seed", "3", *SHORT, "--out", str(out)]) == 0
    return out


def test_run_writes_every_file_of_the_run_contract(run_dir: Path) -> None:
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "choices.parquet",
        "kpis.json",
        "projects.parquet",
        "run.json",
        "scenario.toml",
        "timeseries.parquet",
        "triggers.parquet",
    ]


def test_timeseries_has_one_row_per_month_and_contract_columns(run_dir: Path) -> None:
    df = pd.read_parquet(run_dir / "timeseries.parquet")
    assert len(df) == 18
    assert df["date"].iloc[0] == "2025-01" and df["date"].iloc[-1] == "2026-06"
    for col in [
        "ai_demand_mw",
        "queue_backlog_gw",
        "lmp_usd_per_mwh_mean",
        "co2_mt_cum",
        *[f"energized_mw_{p}" for p in PATHS],
    ]:
        assert col in df.columns
    assert "energized_mw_other" not in df.columns  # the wildcard is off in the baseline
    assert any(c.startswith("pack_price_usd_per_kwh_") for c in df.columns)
    assert any(c.startswith("packs_") and c.endswith("_cum") for c in df.columns)


def test_projects_table_is_written_with_the_kpis_energised_mw(run_dir: Path) -> None:
    projects = pd.read_parquet(run_dir / "projects.parquet")
    assert list(projects.columns) == list(PROJECT_TABLE_COLUMNS) and len(projects) > 0
    k = json.loads((run_dir / "kpis.json").read_text())
    done = projects[projects["status"] == "energized"].groupby("path")["mw"].sum()
    for path, mw in k["energized_mw"].items():
        assert done.get(path, 0.0) == pytest.approx(mw, abs=1e-6)


def test_kpis_follow_the_contract(run_dir: Path) -> None:
    k = json.loads((run_dir / "kpis.json").read_text())
    assert set(k["energized_mw"]) == set(PATHS) == set(k["time_to_power_months_median"])
    assert set(k["queue"]) >= {
        "median_wait_months",
        "backlog_gw_end",
        "withdrawn_share",
        "phantom_share_of_requested_mw",
    }
    assert set(k["packs"]) >= {
        "retired_gwh",
        "second_life_gwh",
        "recycled_gwh",
        "inventory_gwh_end",
        "awaiting_test_gwh_end",
        "price_usd_per_kwh_mean",
    }
    assert set(k["packs"]["price_usd_per_kwh_mean"]) == {"A", "B", "C", "new"}
    assert set(k["co2_mt"]) >= {
        "operational",
        "embodied",
        "total",
        "recycle_first_counterfactual_total",
    }
    assert k["packs"]["retired_gwh"] > 0 and k["queue"]["backlog_gw_end"] > 0
    assert "utility_forecast_overshoot_pct" in k and k["incentives_usd"] >= 0


def test_resolved_scenario_reruns_identically(run_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert main(["run", str(run_dir / "scenario.toml"), "--out", str(again)]) == 0
    for name in RESULT_FILES:
        assert (again / name).read_bytes() == (run_dir / name).read_bytes()


def test_same_seed_is_byte_identical_across_processes(
    python: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    for name in ("a", "b"):
        done = run_cli(
            python,
            cli_env,
            "run",
            "baseline",
            "--seed",
            "5",
            *SHORT,
            "--no-counterfactual",
            "--out",
            str(tmp_path / name),
        )
        assert done.returncode == 0, done.stderr
    for name in RESULT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    other = run_cli(
        python,
        cli_env,
        "run",
        "baseline",
        "--seed",
        "6",
        *SHORT,
        "--no-counterfactual",
        "--out",
        str(tmp_path / "c"),
    )
    assert other.returncode == 0
    assert (tmp_path / "c" / "kpis.json").read_bytes() != (
        tmp_path / "a" / "kpis.json"
    ).read_bytes()


BAD_INPUT = {
    "baselin": (["run", "baselin"], "unknown scenario 'baselin' (did you mean \"baseline\"?)"),
    "fifo": (
        ["run", "baseline", "--set", "queue.mode=fifo"],
        "queue.mode = 'fifo'; expected one of: serial, cluster",
    ),
    "monhts": (["run", "baseline", "--set", "run.monhts=3"], 'did you mean "run.months"?'),
    "months0": (["run", "baseline", "--months", "0"], "run.months = 0; expected >= 1 and <= 600"),
    "seed": (["run", "baseline", "--seed", "x"], "argument --seed: invalid int value: 'x'"),
    "missing": (["validate", "nope/missing.toml"], "scenario file not found"),
    "frobnicate": (["frobnicate"], "invalid choice: 'frobnicate'"),
}


@pytest.fixture(scope="module")
def calls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Call]:
    """The bad-input, validate and list calls, each in its own process (tests/cli_forks.py)."""
    args = {key: [*a, "--out", "out"] if a[0] == "run" else a for key, (a, _) in BAD_INPUT.items()}
    args |= {"validate": ["validate", "baseline", "--set", "queue.mode=cluster"], "list": ["list"]}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = run_calls(args, tmp_path_factory.mktemp("calls"), env)
    assert done.driver_stderr == "", done.driver_stderr
    return done.calls


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_exits_2_with_one_error_line_and_writes_nothing(
    calls: dict[str, Call], case: str
) -> None:
    done, expected = calls[case], BAD_INPUT[case][1]
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert expected in lines[0]
    assert "Traceback" not in done.stderr
    assert done.wrote == []  # not even the --out folder


def test_validate_and_list(calls: dict[str, Call]) -> None:
    ok, listed = calls["validate"], calls["list"]
    assert ok.returncode == 0 and ok.stdout.startswith("ok: ")
    assert listed.returncode == 0 and "baseline" in listed.stdout and "US-like" in listed.stdout


def test_console_script_matches_module(cli_env: dict[str, str]) -> None:
    script = Path(__import__("sys").executable).parent / "powerstack"
    done = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, env=cli_env, timeout=60
    )
    assert done.returncode == 0 and "run" in done.stdout and "validate" in done.stdout


def test_atomic_write_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "kpis.json"

    def broken(path: Path) -> None:
        path.write_text('{"half": ')
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomic(target, broken)
    assert list(tmp_path.iterdir()) == []
