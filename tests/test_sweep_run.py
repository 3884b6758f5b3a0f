"""Running sweeps: failures are data, every executor gives the same table, resume, time series."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from abm.cli import main
from abm.errors import InputError
from abm.metrics import PROJECT_TABLE_COLUMNS
from abm.sweeps import load_projects, load_results, load_timeseries, run_sweep
from tests.sweep_cases import FAST, REFERENCE, ROOT, stable


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The reference sweep run serially in this process."""
    return run_sweep(REFERENCE, tmp_path_factory.mktemp("ref") / "out", workers=1, progress=False)


def test_failing_point_is_recorded_and_the_rest_finish(reference: pd.DataFrame) -> None:
    assert len(reference) == 16 and reference["run_id"].is_unique
    failed = reference[reference["status"] == "failed"]
    ok = reference[reference["status"] == "ok"]
    assert set(failed["grid.source"]) == {"no_such_grid.json"} and len(failed) == 8
    assert (
        failed["error"].str.contains("InputError: grid file .*no_such_grid.json: not found").all()
    )
    assert (
        failed["error"].str.contains(r"\[at abm/grid/topology/files\.py:\d+ load_grid_file\]").all()
    )
    assert failed["energized_mw.grid"].isna().all()
    assert len(ok) == 8 and ok["error"].isna().all() and ok["energized_mw.grid"].notna().all()
    summary = reference.attrs["sweep"]
    assert (summary["ok"], summary["failed"], summary["remaining"]) == (8, 8, 0)
    # every finished run differs from the others, so the executors' tables below can only equal
    # this one if each row holds its own run (no point, seed or result mixed up or repeated)
    kpis = ["energized_mw.grid", "co2_mt.total"]
    assert not ok[kpis].duplicated().any() and ok[kpis].nunique().min() == len(ok)


def test_rows_match_a_direct_run(reference: pd.DataFrame) -> None:
    from abm.runner import run_scenario

    row = reference[(reference["status"] == "ok")].iloc[0]
    overrides = {
        **FAST,
        "queue.mode": row["queue.mode"],
        "demand.growth_multiplier": row["demand.growth_multiplier"],
    }
    direct = run_scenario(
        "baseline",
        seed=int(row["seed"]),
        months=REFERENCE["months"],
        overrides=overrides,
        counterfactual=False,
    )
    assert row["energized_mw.onsite_gas"] == pytest.approx(
        direct.kpis["energized_mw"]["onsite_gas"], rel=0, abs=0
    )
    assert row["co2_mt.total"] == direct.kpis["co2_mt"]["total"]


def test_process_pool_gives_the_same_table(tmp_path: Path, reference: pd.DataFrame) -> None:
    df = run_sweep(REFERENCE, tmp_path / "pool", workers=2, progress=False)
    assert df.attrs["sweep"]["executor"] == "process"
    pd.testing.assert_frame_equal(stable(df), stable(reference))


@pytest.mark.cluster
def test_dask_local_cluster_gives_the_same_table(tmp_path: Path, reference: pd.DataFrame) -> None:
    pytest.importorskip("distributed")
    df = run_sweep(REFERENCE, tmp_path / "dask", workers=2, dask_local=True, progress=False)
    assert df.attrs["sweep"]["executor"] == "dask"
    pd.testing.assert_frame_equal(stable(df), stable(reference))


@pytest.mark.cluster
def test_dask_client_passed_in(tmp_path: Path, reference: pd.DataFrame) -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        df = run_sweep(REFERENCE, tmp_path / "client", scheduler=client, progress=False)
    pd.testing.assert_frame_equal(stable(df), stable(reference))


def _free_port() -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.cluster
@pytest.mark.slow
def test_cli_sweep_on_a_scheduler_and_workers_started_by_hand(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    """The multi-machine recipe of docs/sweeps.md, on one machine: `dask scheduler`, `dask worker`."""
    pytest.importorskip("distributed")
    import tomli_w

    dask = Path(sys.executable).with_name("dask")
    if not dask.exists():
        pytest.skip("the dask command is not installed beside this Python")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    scheduler = subprocess.Popen(
        [str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        **quiet,
    )
    worker = subprocess.Popen(
        [str(dask), "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
        **quiet,
    )
    try:
        spec = tmp_path / "reference.toml"
        spec.write_text(tomli_w.dumps(REFERENCE))
        cmd = [sys.executable, "-m", "abm", "sweep", str(spec), "--out", str(tmp_path / "o")]
        proc = subprocess.run(
            [*cmd, "--scheduler", address], capture_output=True, text=True, env=env, timeout=600
        )
        assert proc.returncode == 1, proc.stderr  # 8 runs fail by design: no silent success
        assert "8 ok, 8 failed" in proc.stdout and "8 of 16 runs failed" in proc.stderr
        pd.testing.assert_frame_equal(stable(load_results(tmp_path / "o")), stable(reference))
    finally:
        for proc_ in (worker, scheduler):
            proc_.terminate()
            proc_.wait(60)


def test_resume_after_a_partial_sweep_has_no_duplicates(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    out = tmp_path / "out"
    first = run_sweep(REFERENCE, out, workers=1, max_runs=5, progress=False, flush_rows=2)
    assert len(first) == 5 and first.attrs["sweep"]["remaining"] == 11
    with pytest.raises(InputError, match="pass --resume"):
        run_sweep(REFERENCE, out, workers=1, progress=False)
    second = run_sweep(REFERENCE, out, workers=1, resume=True, progress=False)
    assert second.attrs["sweep"]["already_recorded"] == 5 and second.attrs["sweep"]["ran"] == 11
    assert second["run_id"].is_unique
    pd.testing.assert_frame_equal(stable(second), stable(reference))
    again = run_sweep(REFERENCE, out, workers=1, resume=True, progress=False)
    assert again.attrs["sweep"]["ran"] == 0 and len(again) == 16
    with pytest.raises(InputError, match="holds a different sweep"):
        run_sweep({**REFERENCE, "seed": 12}, out, workers=1, resume=True, progress=False)


def test_resume_after_kill_leaves_no_torn_files_or_duplicates(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    spec = REFERENCE  # killed after three of its 16 runs, resumed: the whole table is the reference
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    out = tmp_path / "out"
    script = (
        "import json, sys\nfrom abm.sweeps import run_sweep\n"
        f"run_sweep(json.load(open({str(tmp_path / 'spec.json')!r})), {str(out)!r}, workers=1, flush_rows=1, progress=False)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    deadline = time.monotonic() + 120
    while (
        time.monotonic() < deadline
        and len(list((out / "runs").glob("part-*.parquet"))) < 3
        and proc.poll() is None
    ):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    parts_at_kill = len(list((out / "runs").glob("part-*.parquet")))
    assert 3 <= parts_at_kill < 16, "the sweep finished before it could be killed"
    (out / "runs" / ".part-torn.parquet.tmp").write_bytes(b"PAR1 half a file")  # a write cut short
    df = run_sweep(spec, out, workers=1, resume=True, progress=False)
    assert not list(out.rglob(".*.tmp"))
    assert len(df) == 16 and df["run_id"].is_unique
    assert df.attrs["sweep"]["already_recorded"] >= parts_at_kill
    pd.testing.assert_frame_equal(stable(df), stable(reference))


def test_timeseries_table(tmp_path: Path) -> None:
    spec = {
        "scenario": "baseline",
        "design": "list",
        "months": 3,
        "fixed": FAST,
        "timeseries": True,
        "seeds_per_point": 2,
        "points": [{"queue.mode": "cluster"}],
        "kpis": ["energized_mw"],
    }
    df = run_sweep(spec, tmp_path / "ts", workers=1, progress=False)
    assert [c for c in df.columns if "." in c and c != "queue.mode"] == [
        f"energized_mw.{p}" for p in ("grid", "modular_second_life", "modular_new", "onsite_gas")
    ]
    ts = load_timeseries(tmp_path / "ts")
    assert len(ts) == 6 and set(ts["run_id"]) == set(df["run_id"])
    assert list(ts["month"][:3]) == list(range(3))
    one = load_timeseries(tmp_path / "ts", run_ids=[df["run_id"][0]])
    assert len(one) == 3


def test_projects_table(tmp_path: Path) -> None:
    from abm.runner import run_scenario

    spec = {
        "scenario": "baseline",
        "design": "list",
        "months": 3,
        "fixed": FAST,
        "projects": True,
        "seeds_per_point": 2,
        "points": [{"queue.mode": "cluster"}],
        "kpis": ["energized_mw"],
    }
    df = run_sweep(spec, tmp_path / "pr", workers=1, progress=False)
    projects = load_projects(tmp_path / "pr")
    assert list(projects.columns) == ["run_id", *PROJECT_TABLE_COLUMNS]
    assert set(projects["run_id"]) == set(df["run_id"])
    row = df.iloc[0]
    direct = run_scenario(
        "baseline",
        seed=int(row["seed"]),
        months=3,
        overrides={**FAST, "queue.mode": "cluster"},
        counterfactual=False,
    ).projects
    one = load_projects(tmp_path / "pr", run_ids=[row["run_id"]]).drop(columns="run_id")
    pd.testing.assert_frame_equal(one, direct)
    with pytest.raises(InputError, match="set projects = true"):
        load_projects(tmp_path / "none")


def test_cli_sweep_exits_1_and_counts_failed_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sweep with failed runs is no success: exit 1 and one line with the count and where."""
    import tomli_w

    spec = tmp_path / "failing.toml"
    failing = {**REFERENCE, "name": "failing", "months": 1, "seeds_per_point": 1}
    failing["parameters"] = {"grid.source": ["synthetic", "no_such_grid.json", "nope.json"]}
    spec.write_text(tomli_w.dumps(failing))
    out = tmp_path / "o"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 1
    captured = capsys.readouterr()
    assert "1 ok, 2 failed" in captured.out
    assert captured.err.strip() == (
        f"error: sweep failing: 2 of 3 runs failed (status 'failed', the error column of "
        f"{out}/runs/); their KPIs are missing"
    )
    # resuming runs nothing new, and the recorded failures still make it a failed sweep
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--resume"]) == 1
    assert "2 of 3 runs failed" in capsys.readouterr().err


def test_resume_cleaning_removes_orphan_side_parts_and_temp_files(tmp_path: Path) -> None:
    from abm.sweeps.store import clean_torn

    for folder, name in [
        ("runs", "part-a.parquet"),
        ("timeseries", "part-a.parquet"),
        ("projects", "part-a.parquet"),
        ("timeseries", "part-b.parquet"),  # its runs part was never written: an orphan
        ("projects", "part-b.parquet"),
        ("projects", ".part-c.parquet.x1.tmp"),  # a write cut short
    ]:
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / name).write_bytes(b"x")
    assert clean_torn(tmp_path) == 3
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["projects/part-a.parquet", "runs/part-a.parquet", "timeseries/part-a.parquet"]
