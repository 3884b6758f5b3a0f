"""The same scenario and seed give the same bytes whatever the BLAS kernel, executor or run order.

Each run is a fresh process (tests/determinism_driver.py) with its own ``OPENBLAS_CORETYPE``,
which numpy's and scipy's bundled OpenBLAS both read at load time. On the code before
abm.numerics, a one-month baseline already differed between Haswell and Sandybridge kernels
(dense ``@`` and SuperLU's BLAS calls); at 96 months the KPIs differed by 232 MW of second-life
sites. The compared files are every ``*.parquet`` and ``kpis.json`` the run writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DRIVER = ROOT / "tests" / "determinism_driver.py"
#: Long enough for path choices, pack trades and queue decisions (a few per month).
MONTHS = 12
#: OpenBLAS core types (SSE4.2, AVX and AVX2+FMA kernels) and the CPU features each needs.
CORE_TYPES = {"Nehalem": ("SSE42",), "Sandybridge": ("AVX",), "Haswell": ("AVX2", "FMA3")}


def _cores_this_cpu_runs() -> list[str]:
    """The core types of CORE_TYPES this CPU can execute (numpy reports the features it found)."""
    from numpy._core._multiarray_umath import __cpu_features__ as has

    return [core for core, needs in CORE_TYPES.items() if all(has.get(f) for f in needs)]


def _simd_this_cpu_runs() -> list[str]:
    """numpy's dispatch targets above its baseline that this CPU runs (AVX2, AVX-512 ...)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return sorted(f for f in __cpu_dispatch__ if __cpu_features__.get(f))


def _start(
    tmp: Path, name: str, executor: str, core: str, sets: tuple[str, ...], no_simd: str = ""
):
    """Start one run of the driver; return its process and output folder.

    `no_simd` is numpy's NPY_DISABLE_CPU_FEATURES: the targets it names are not dispatched to.
    """
    out = tmp / name
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    if core:
        env["OPENBLAS_CORETYPE"] = core
    if no_simd:
        env["NPY_DISABLE_CPU_FEATURES"] = no_simd
    cmd = [sys.executable, str(DRIVER), executor, str(out), "baseline", str(MONTHS), "1", *sets]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    return proc, out


def _digests(out: Path) -> dict[str, str]:
    """SHA-256 of every Parquet table and kpis.json in a run folder."""
    files = sorted(p for p in out.iterdir() if p.suffix == ".parquet" or p.name == "kpis.json")
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _run_all(
    tmp: Path,
    runs: dict[str, tuple[str, str]],
    sets: tuple[str, ...] = (),
    no_simd: dict[str, str] | None = None,
):
    """Run every (executor, core type) in parallel; return digests and loaded cores per run."""
    started = {
        name: _start(tmp, name, ex, core, sets, (no_simd or {}).get(name, ""))
        for name, (ex, core) in runs.items()
    }
    digests, cores = {}, {}
    for name, (proc, out) in started.items():
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, f"{name}: exit {proc.returncode}\n{err[-2000:]}"
        digests[name] = _digests(out)
        cores[name] = json.loads(Path(str(out) + ".blas.json").read_text())
        cores[name + ".simd"] = json.loads(Path(str(out) + ".simd.json").read_text())
    return digests, cores


needs_x86 = pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64"),
    reason="OPENBLAS_CORETYPE names x86-64 kernels",
)


@needs_x86
def test_same_bytes_across_blas_kernels_executors_and_run_order(tmp_path):
    cores = _cores_this_cpu_runs()
    assert len(cores) >= 2, f"this CPU runs only {cores}"
    runs = {f"serial-{core}": ("serial", core) for core in cores}
    runs[f"process_pool-{cores[-1]}"] = ("process_pool", cores[-1])
    runs["serial_after_other"] = ("serial_after_other", cores[0])
    digests, loaded = _run_all(tmp_path, runs)
    for core in cores:  # the kernel really changed: each library loaded the core asked for
        assert loaded[f"serial-{core}"] == [core], loaded
    reference = digests[f"serial-{cores[0]}"]
    assert {"timeseries.parquet", "kpis.json"} <= set(reference)
    for name, got in digests.items():
        assert got == reference, f"{name} differs from serial-{cores[0]}"


@needs_x86
def test_copper_plate_flows_same_bytes_across_blas_kernels(tmp_path):
    """The copper-plate market solves the DC flow of every hour (PowerMarket's own factor)."""
    cores = _cores_this_cpu_runs()
    runs = {core: ("serial", core) for core in (cores[0], cores[-1])}
    digests, _ = _run_all(tmp_path, runs, ("market.copper_plate=true",))
    assert digests[cores[0]] == digests[cores[-1]]


def test_same_bytes_whatever_simd_numpy_dispatches_to(tmp_path):
    """numpy picks exp, log and power kernels by CPU feature (AVX-512 code differs from the C
    library's in the last bit); with every target above numpy's baseline turned off the run must
    give the same bytes. Before abm.numerics.elementary, a 12-month baseline did not (AVX-512)."""
    simd = _simd_this_cpu_runs()
    if not simd:
        pytest.skip("this CPU runs only numpy's baseline SIMD: nothing to turn off")
    runs = {"simd": ("serial", ""), "baseline_simd": ("serial", "")}
    digests, loaded = _run_all(tmp_path, runs, no_simd={"baseline_simd": ",".join(simd)})
    assert loaded["simd.simd"] == simd and loaded["baseline_simd.simd"] == [], loaded
    assert digests["baseline_simd"] == digests["simd"]


@pytest.mark.slow
@pytest.mark.cluster
def test_dask_worker_gives_the_serial_bytes(tmp_path):
    pytest.importorskip("distributed")
    digests, _ = _run_all(tmp_path, {"serial": ("serial", ""), "dask": ("dask", "")})
    assert digests["dask"] == digests["serial"]
