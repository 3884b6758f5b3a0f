"""Cold-shell figures of issue 22: importing the model, and `powerstack run baseline` with its counterfactual.

Each figure is a fresh interpreter (nothing imported yet), fastest of N wall times, beside the
floor it cannot beat (a bare interpreter, `import mesa`). Like for like with Mesa, whose
bytecode pip compiled at install, the model's bytecode is compiled first (untimed) and the
processes may read it, whatever PYTHONDONTWRITEBYTECODE the shell sets: a user's second run
of an installed package does not recompile it either. The run is the command a
user types, counterfactual included (it runs on another core when there is one), against the
Mesa reference measured in the same `make bench` run.

Run `python benchmarks/bench_cold.py [--quick]`; import `run(quick, reference_s)`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    """The child's environment: the repository on the path, bytecode caching as an install has it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_model() -> None:
    """Compile abm's bytecode once, untimed (what pip does for an installed package)."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "abm")],
        cwd=ROOT,
        env=_env(),
        check=True,
        capture_output=True,
    )


def wall_s(args: list[str], reps: int) -> float:
    """Fastest-of-`reps` wall seconds of `python ARGS` in a fresh process at the repository root."""
    env = _env()
    best = math.inf
    for _ in range(reps):
        started = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True)
        best = min(best, time.perf_counter() - started)
    return best


def cold_run_s(months: int | None, reps: int) -> float:
    """Fastest-of-`reps` wall seconds of `python -m abm run baseline` (counterfactual included)."""
    extra = [] if months is None else ["--months", str(months)]
    best = math.inf
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(reps):
            out = str(Path(tmp) / f"run{rep}")
            best = min(best, wall_s(["-m", "abm", "run", "baseline", "--out", out, *extra], 1))
    return best


def run(quick: bool, reference_s: float) -> dict[str, Any]:
    """Cold import and cold `powerstack run baseline` times, with the run's ratio to the reference."""
    reps = 1 if quick else 3
    months = 2 if quick else None
    compile_model()
    run_s = cold_run_s(months, 1 if quick else 2)
    return {
        "python_s": wall_s(["-c", "pass"], reps),
        "import_mesa_s": wall_s(["-c", "import mesa"], reps),
        "import_model_s": wall_s(["-c", "import abm.model"], reps),
        "months": months or "all",
        "run_baseline_s": run_s,
        "reference_s": reference_s,
        "run_over_reference": run_s / reference_s,
    }


def main() -> None:
    """Command line: print the cold-shell figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small CI smoke run")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_model

    ref = bench_model.quick_aware_reference_s(args.quick)
    print(json.dumps(run(args.quick, ref), indent=1))


if __name__ == "__main__":
    main()
