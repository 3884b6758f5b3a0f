"""Where the import of the model goes: `-X importtime` self times by package, and cold wall times.

A hand tool for issue 22's "import of the model at most 1 s" (docs/performance-notes.md, section
"Import time"); `make bench` does not run it (its cold figures are `bench_cold.py`'s). Each
figure is a fresh interpreter at the repository root, the fastest of N, so load from other
processes inflates it least. The importtime table counts only modules that a baseline import
(default `import mesa`, which we cannot change) does not load, each at its fastest of N.

`abm`'s own share depends on whether its bytecode is cached: with `PYTHONDONTWRITEBYTECODE` set
and no `__pycache__` in the tree (as on the benchmark machine) every import compiles every
module again; an installed package has its `.pyc` files. `--pyc` measures that case (it writes
`__pycache__` folders, which git ignores); the default removes them first.

Run `python benchmarks/import_weight.py [--code CODE] [--base CODE] [--reps N] [--pyc]`.
"""

from __future__ import annotations

import argparse
import collections
import math
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WALL_COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "import mesa": ["-c", "import mesa"],
    "import abm": ["-c", "import abm"],
    "import abm.model": ["-c", "import abm.model"],
    "python -m abm --help": ["-m", "abm", "--help"],
    "run baseline, up to the run": [
        "-c",
        "from abm.cli import build_parser; build_parser().parse_args(['run', 'baseline'])\n"
        "from abm.scenario import load_scenario; load_scenario('baseline', [], check_grid=True)\n"
        "import abm.runner",
    ],
}


def _env(pyc: bool) -> dict[str, str]:
    """The child's environment: the tree on the path; bytecode caching as asked."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if pyc:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        for cache in [*ROOT.glob("abm/**/__pycache__"), *ROOT.glob("viz/**/__pycache__")]:
            shutil.rmtree(cache, ignore_errors=True)
    return env


def self_times_us(code: str, pyc: bool) -> dict[str, int]:
    """Module -> self microseconds, from one `python -X importtime -c CODE`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=ROOT,
        env=_env(pyc),
        capture_output=True,
        text=True,
        check=True,
    )
    times = {}
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            self_us, _cumulative, name = line[len("import time:") :].split("|")
            times[name.strip()] = int(self_us)
    return times


def fastest_self_times_us(code: str, reps: int, pyc: bool) -> dict[str, int]:
    """Each module's fastest self time over `reps` fresh interpreters."""
    runs = [self_times_us(code, pyc) for _ in range(reps)]
    return {name: min(run.get(name, math.inf) for run in runs) for name in runs[0]}  # type: ignore[misc]


def by_package_ms(code: str, base: str, reps: int, pyc: bool) -> dict[str, float]:
    """Self milliseconds by top-level package of the modules `code` loads and `base` does not."""
    loaded_by_base = set(fastest_self_times_us(base, reps, pyc))
    totals: collections.Counter[str] = collections.Counter()
    for name, us in fastest_self_times_us(code, reps, pyc).items():
        if name not in loaded_by_base:
            totals[name.split(".")[0]] += us / 1e3
    return dict(totals.most_common())


def fastest_s(args: list[str], reps: int, pyc: bool) -> tuple[float, float]:
    """Fastest wall and fastest CPU (user + system) seconds of `python ARGS`, fresh each time."""
    walls, cpus = [], []
    for _ in range(reps):
        env = _env(pyc)
        before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def main() -> None:
    """Command line: print the importtime table and the wall/CPU table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", default="import abm.model", help="what to import")
    parser.add_argument("--base", default="import mesa", help="what not to count")
    parser.add_argument("--reps", type=int, default=5, help="fresh interpreters per figure")
    parser.add_argument("--pyc", action="store_true", help="let abm's bytecode be cached")
    args = parser.parse_args()
    if args.pyc:  # write the cache once, so that no measured import compiles
        fastest_s(["-c", "import abm.model, abm.cli, abm.runner"], 1, pyc=True)
    cache = "cached" if args.pyc else "compiled at every import"
    print(f"`{args.code}` beyond `{args.base}`, self ms, fastest of {args.reps} (abm {cache}):")
    table = by_package_ms(args.code, args.base, args.reps, args.pyc)
    print(f"  {'total':24s} {sum(table.values()):7.1f}")
    for package, ms in list(table.items())[:12]:
        print(f"  {package:24s} {ms:7.1f}")
    print(
        f"fresh interpreters, fastest of {args.reps}: wall s / CPU s (load {os.getloadavg()[0]:.1f})"
    )
    for label, command in WALL_COMMANDS.items():
        wall, cpu = fastest_s(command, args.reps, args.pyc)
        print(f"  {label:28s} {wall:6.3f} / {cpu:6.3f}")


if __name__ == "__main__":
    main()
