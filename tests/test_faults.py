"""Faults: interrupted and failing runs leave nothing behind, full disks give a clean error, sweeps lose nothing.

`powerstack run` writes its five files only after the run, all or nothing; an exception, Ctrl+C,
SIGTERM or SIGKILL mid-run leaves no output folder, a full disk leaves neither a half-written
file nor an incomplete set. A sweep keeps every committed result through a killed worker, a
full disk or an interrupt, and `--resume` completes it with the same results as an unbroken run.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
import tomli_w

from abm import atomic
from abm.cli import main
from abm.metrics import InvariantError
from abm.model import PowerStackModel
from abm.sweeps import RunTask, load_results, run_sweep, worker

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["--set", "grid.n_buses=20", "--no-counterfactual"]
CONTRACT_FILES = [  # a run's outputs (docs/cli.md), sorted as everything() lists them
    "choices.parquet",
    "kpis.json",
    "projects.parquet",
    "run.json",
    "scenario.toml",
    "timeseries.parquet",
    "triggers.parquet",
]
SPEC: dict[str, Any] = {
    "name": "faults",
    "scenario": "baseline",
    "design": "factorial",
    "seed": 5,
    "seeds_per_point": 2,
    "months": 3,  # a run costs mostly its set-up: 3 months ~0.5 s, 6 months ~0.8 s (20 buses)
    "fixed": {"grid.n_buses": 20},
    "parameters": {"queue.mode": ["serial", "cluster"], "demand.growth_multiplier": [0.8, 1.2]},
}
N_RUNS = 8


def everything(folder: Path) -> list[str]:
    """Every file and folder below `folder`, hidden ones included, as relative paths."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def fail_at_month(monkeypatch: pytest.MonkeyPatch, month: int, exc: BaseException) -> None:
    """Make PowerStackModel.step raise `exc` when it reaches `month`."""
    original = PowerStackModel.step

    def step(self: PowerStackModel) -> None:
        if self.month + 1 == month:
            raise exc
        original(self)

    monkeypatch.setattr(PowerStackModel, "step", step)


def enospc(path: str | os.PathLike[str]) -> OSError:
    """The error a full disk gives."""
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


# ---------------------------------------------------------------------------- runs, in process
def test_exception_mid_run_leaves_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_at_month(monkeypatch, 3, RuntimeError("injected fault"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError, match="injected fault"):
        main(["run", "baseline", "--months", "6", *SMALL, "--out", "out"])
    assert everything(tmp_path) == []


def test_ctrl_c_mid_run_exits_130_and_leaves_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fail_at_month(monkeypatch, 3, KeyboardInterrupt())
    monkeypatch.chdir(tmp_path)
    assert main(["run", "baseline", "--months", "6", *SMALL, "--out", "out"]) == 130
    assert capsys.readouterr().err == "error: interrupted; no partial output was written\n"
    assert everything(tmp_path) == []


def test_invariant_violation_under_check_is_an_internal_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = PowerStackModel.step

    def step(self: PowerStackModel) -> None:
        original(self)
        if self.month == 2:
            self.roster.recyclers[0].inventory_gwh[0] += 1.0  # packs appear from nowhere

    monkeypatch.setattr(PowerStackModel, "step", step)
    with pytest.raises(InvariantError, match="month 2: packs not conserved"):
        main(
            ["run", "baseline", "--months", "6", *SMALL, "--check", "--out", str(tmp_path / "out")]
        )
    assert everything(tmp_path) == []


def _stage_failing_on(
    name: str, exc: Callable[[Path], BaseException]
) -> Callable[[Path, Callable[[Path], None]], Path]:
    """atomic.stage that writes half of `name`'s temporary file, then raises."""
    original = atomic.stage

    def stage(path: Path, write: Callable[[Path], None]) -> Path:
        if path.name != name:
            return original(path, write)

        def half(tmp: Path) -> None:
            write(tmp)
            data = tmp.read_bytes()
            tmp.write_bytes(data[: len(data) // 2])
            raise exc(tmp)

        return original(path, half)

    return stage


@pytest.mark.parametrize(
    "failing", ["timeseries.parquet", "projects.parquet", "scenario.toml", "run.json"]
)
def test_full_disk_while_writing_gives_one_line_and_nothing_half_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    failing: str,
) -> None:
    monkeypatch.setattr(atomic, "stage", _stage_failing_on(failing, enospc))
    out = tmp_path / "new" / "out"
    assert main(["run", "baseline", "--months", "3", *SMALL, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    assert "No space left on device; nothing was written" in err
    assert everything(tmp_path) == []  # no file, no temporary file, not even the folders it made


def test_full_disk_keeps_the_previous_run_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert main(["run", "baseline", "--months", "3", *SMALL, "--out", str(out)]) == 0
    before = {name: (out / name).read_bytes() for name in CONTRACT_FILES}
    monkeypatch.setattr(atomic, "stage", _stage_failing_on("run.json", enospc))
    assert main(["run", "baseline", "--months", "4", *SMALL, "--out", str(out)]) == 1
    assert everything(out) == CONTRACT_FILES
    assert {name: (out / name).read_bytes() for name in CONTRACT_FILES} == before


def test_ctrl_c_while_writing_leaves_no_partial_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        atomic, "stage", _stage_failing_on("scenario.toml", lambda _: KeyboardInterrupt())
    )
    assert main(["run", "baseline", "--months", "3", *SMALL, "--out", str(tmp_path / "out")]) == 130
    assert everything(tmp_path) == []


def test_unwritable_output_folder_fails_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[int] = []
    monkeypatch.setattr(PowerStackModel, "step", lambda self: ran.append(1))
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    assert (
        main(["run", "baseline", "--months", "3", *SMALL, "--out", str(tmp_path / "a" / "b")]) == 2
    )
    assert "cannot create or write in" in capsys.readouterr().err
    assert ran == [] and everything(tmp_path) == []


# ---------------------------------------------------------------------------- runs, real processes
WRAPPER = """
import signal, sys, time, pathlib
# The dispositions an interactive shell gives: a parent that ignores SIGINT or SIGTERM (nohup, a
# background job, some CI runners) passes SIG_IGN on and Python keeps it, so set them here.
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
from abm.model import PowerStackModel
marker, action = pathlib.Path(sys.argv[1]), sys.argv[2]
original = PowerStackModel.step
def step(self):
    original(self)
    if self.month == 1:
        marker.write_text("running")
    if action == "raise" and self.month == 2:
        raise RuntimeError("injected fault")
    time.sleep(0.02)
PowerStackModel.step = step
if action == "kill-while-writing":
    import os
    from abm import atomic
    staged = atomic.stage
    def stage(path, write):
        if path.name == "scenario.toml":
            os.kill(os.getpid(), signal.SIGKILL)
        return staged(path, write)
    atomic.stage = stage
from abm.cli import main
sys.exit(main(sys.argv[3:]))
"""


def start_cli(tmp_path: Path, action: str, months: int) -> tuple[subprocess.Popen[str], Path, Path]:
    """The real CLI's main() in a fresh interpreter with default SIGINT/SIGTERM handling, and a hook
    that reports when the run is under way."""
    marker, out = tmp_path / "marker", tmp_path / "out"
    args = ["run", "baseline", "--months", str(months), *SMALL, "--out", str(out)]
    proc = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, str(marker), action, *args],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, marker, out


def wait_for(
    condition: Callable[[], bool], proc: subprocess.Popen[str], timeout: float = 120.0
) -> None:
    """Poll until `condition` holds (or the process ends, or time runs out)."""
    deadline = time.monotonic() + timeout
    while not condition() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert condition(), (
        f"never happened (exit {proc.poll()}): {proc.stderr.read() if proc.poll() is not None else ''}"
    )


@pytest.mark.parametrize(
    ("sig", "code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGKILL, -signal.SIGKILL)],
)
def test_signal_mid_run_leaves_no_output(tmp_path: Path, sig: signal.Signals, code: int) -> None:
    proc, marker, out = start_cli(tmp_path, "run", 600)
    wait_for(marker.exists, proc)
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()  # the signal did not stop it: do not leave a 600-month run behind
        proc.communicate()
        raise
    assert proc.returncode == code, err
    if sig != signal.SIGKILL:
        assert err == "error: interrupted; no partial output was written\n"
    assert not out.exists()


def test_internal_failure_exits_1_with_a_traceback(tmp_path: Path) -> None:
    proc, _, out = start_cli(tmp_path, "raise", 6)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "Traceback (most recent call last)" in err and err.rstrip().endswith(
        "RuntimeError: injected fault"
    )
    assert not out.exists()


def test_kill_while_writing_never_leaves_a_file_under_its_real_name(tmp_path: Path) -> None:
    proc, _, out = start_cli(tmp_path, "kill-while-writing", 3)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    visible = [p.name for p in out.iterdir() if not p.name.startswith(".")]
    assert visible == []  # only hidden temporary files can remain after SIGKILL


# ---------------------------------------------------------------------------- sweeps
def stable(df: pd.DataFrame) -> pd.DataFrame:
    """Results without timings, sorted by run id, for equality with an unbroken sweep."""
    return (
        df.drop(columns=["wall_time_s", "cpu_time_s"], errors="ignore")
        .sort_values("run_id")
        .reset_index(drop=True)
    )


def temp_files(out: Path) -> list[str]:
    """Hidden temporary files a torn write would leave."""
    return sorted(str(p.relative_to(out)) for p in out.rglob(".*.tmp"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The fault-test sweep run without faults, serially."""
    df = run_sweep(SPEC, tmp_path_factory.mktemp("reference") / "out", workers=1, progress=False)
    assert len(df) == N_RUNS and (df["status"] == "ok").all()
    # every run differs from the others, so a resumed table can only equal this one if each row
    # holds its own run (none lost, repeated or recorded under another run's id)
    kpis = ["energized_mw.grid", "co2_mt.total"]
    assert df[kpis].nunique().min() == N_RUNS, df[kpis]
    return stable(df)


def test_sweep_full_disk_keeps_committed_runs_and_resume_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: pd.DataFrame
) -> None:
    original = pq.write_table
    parts = {"written": 0}

    def write_table(table: Any, where: Any, *args: Any, **kwargs: Any) -> None:
        if "part-" in Path(where).name:
            if parts["written"] >= 2:
                original(table.slice(0, 1), where, *args, **kwargs)  # a torn temporary file
                raise enospc(where)
            parts["written"] += 1
        original(table, where, *args, **kwargs)

    monkeypatch.setattr(pq, "write_table", write_table)
    out = tmp_path / "out"
    with pytest.raises(OSError, match="No space left on device"):
        run_sweep(SPEC, out, workers=1, flush_rows=2, progress=False)
    assert temp_files(out) == []
    kept = load_results(out)
    assert len(kept) == 4 and (kept["status"] == "ok").all()
    pd.testing.assert_frame_equal(
        stable(kept), reference[reference["run_id"].isin(kept["run_id"])].reset_index(drop=True)
    )
    monkeypatch.setattr(pq, "write_table", original)  # space freed
    done = run_sweep(SPEC, out, workers=1, resume=True, progress=False)
    assert done.attrs["sweep"]["already_recorded"] == 4 and done.attrs["sweep"]["ran"] == 4
    pd.testing.assert_frame_equal(stable(done), reference)


def write_spec(tmp_path: Path) -> Path:
    """The fault-test sweep as a spec file for the CLI."""
    path = tmp_path / "faults.toml"
    path.write_text(tomli_w.dumps(SPEC))
    return path


def test_sweep_cli_full_disk_is_one_line_and_resume_completes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reference: pd.DataFrame,
) -> None:
    original = pq.write_table

    def full(table: Any, where: Any, *args: Any, **kwargs: Any) -> None:
        if "part-" in Path(where).name:
            raise enospc(where)
        original(table, where, *args, **kwargs)

    spec, out = write_spec(tmp_path), tmp_path / "out"
    monkeypatch.setattr(pq, "write_table", full)
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1
        and "No space left on device; finished runs are saved; fix the cause and continue with --resume"
        in err
    )
    assert temp_files(out) == []
    monkeypatch.setattr(pq, "write_table", original)
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--resume"]) == 0
    pd.testing.assert_frame_equal(stable(load_results(out)), reference)


def test_sweep_ctrl_c_keeps_finished_runs_and_resume_completes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reference: pd.DataFrame,
) -> None:
    original = worker.execute_run
    calls = {"n": 0}

    def execute(task: RunTask) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return original(task)

    spec, out = write_spec(tmp_path), tmp_path / "out"
    monkeypatch.setattr(worker, "execute_run", execute)
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 130
    assert "finished runs are saved, continue with --resume" in capsys.readouterr().err
    assert len(load_results(out)) == 4
    monkeypatch.setattr(worker, "execute_run", original)
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--resume"]) == 0
    pd.testing.assert_frame_equal(stable(load_results(out)), reference)


def test_sweep_worker_killed_mid_run_loses_no_finished_result(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    out = tmp_path / "out"
    spec = {**SPEC, "seeds_per_point": 4}
    killed: list[int] = []

    def kill_a_worker() -> None:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not list((out / "runs").glob("part-*.parquet")):
            time.sleep(0.01)
        workers = [
            p
            for p in multiprocessing.active_children()
            if p.is_alive() and p.name.startswith("SpawnProcess")
        ]
        if workers:
            os.kill(workers[0].pid, signal.SIGKILL)
            killed.append(workers[0].pid)

    watcher = threading.Thread(target=kill_a_worker, daemon=True)
    watcher.start()
    df = run_sweep(spec, out, workers=2, flush_rows=1, progress=False)
    watcher.join(5)
    summary = df.attrs["sweep"]
    assert killed and summary["lost"] >= 1, summary
    assert "BrokenProcessPool" in " ".join(summary["lost_examples"])
    assert 1 <= len(df) < 2 * N_RUNS and (df["status"] == "ok").all()
    assert summary["ok"] == len(df)  # every run that finished is recorded
    assert temp_files(out) == []
    done = run_sweep(spec, out, workers=1, resume=True, progress=False)
    assert len(done) == 2 * N_RUNS and done["run_id"].is_unique and (done["status"] == "ok").all()
    shared = stable(done[done["run_id"].isin(reference["run_id"])])
    pd.testing.assert_frame_equal(shared, reference)
    committed_before = stable(df)
    pd.testing.assert_frame_equal(stable(done[done["run_id"].isin(df["run_id"])]), committed_before)
