"""Run every scenario against the baseline and write docs/scenarios.md with one chart per scenario.

One command from the project root: ``.venv/bin/python docs/scripts/scenario_charts.py``. Each
scenario and the baseline run full length on the same seeds 1..N, so the page can compare every
KPI seed by seed and say which differences are beyond seed-to-seed noise (paired t-intervals,
the statistics of ``powerstack compare``). Writes
``docs/img/scenario_<name>.png`` (energised capacity by path against the baseline) and
``docs/scenarios.md`` (description, levers changed, chart and KPI table per scenario). Re-run it
after any calibration change; the page holds no dates or timings, so unchanged results give an
unchanged page.

The page's text and tables are in ``scenario_page.py``, its figures in ``scenario_figures.py``;
this file runs the scenarios and writes both.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
from figure_output import reset_style
from scenario_figures import draw_chart, draw_overview
from scenario_page import BASELINE, Run, demand_scale, render_page

from abm.runner import run_scenario
from abm.scenario import list_scenarios, load_scenario
from abm.schema import ScenarioConfig

ROOT = Path(__file__).resolve().parents[2]
STORY_ORDER = (
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
)  # issue 9's order on the page; other scenario files follow alphabetically
SEEDS = 3  # paired seeds per scenario: a t-interval needs two, each more costs a full library run
BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def run_one(
    job: tuple[str, int, int | None],
) -> tuple[ScenarioConfig, pd.DataFrame, dict[str, Any], float]:
    """Run one scenario (name, seed, months) without the recycle-first counterfactual; plain picklable parts."""
    name, seed, months = job
    try:
        result = run_scenario(name, seed=seed, months=months, counterfactual=False)
    except Exception as exc:  # name the run that broke; the traceback follows as the cause
        raise RuntimeError(
            f"scenario {name} (seed {seed}) failed: {type(exc).__name__}: {exc}"
        ) from exc
    return result.config, result.timeseries, result.kpis, result.wall_time_s


def run_all(jobs: Sequence[tuple[str, int, int | None]], n_jobs: int) -> dict[int, Run | str]:
    """Run every job, longest (pandapower) first; a failed run gives its error message instead of a Run."""
    order = sorted(
        range(len(jobs)),
        key=lambda i: -load_scenario(jobs[i][0]).grid.source.startswith("pandapower:"),
    )
    results: dict[int, Run | str] = {}
    if n_jobs <= 1:
        for i in order:
            try:
                results[i] = Run(*run_one(jobs[i]))
            except RuntimeError as exc:
                results[i] = str(exc)
        return results
    for var in BLAS_THREAD_VARS:  # one BLAS thread per run, or side-by-side runs fight for cores
        os.environ.setdefault(var, "1")
    spawn = multiprocessing.get_context("spawn")  # fresh workers read the variables above
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=spawn) as pool:
        futures = {i: pool.submit(run_one, jobs[i]) for i in order}
        for i, future in futures.items():
            try:
                results[i] = Run(*future.result())
            except RuntimeError as exc:
                results[i] = str(exc)
    return results


def _parser() -> argparse.ArgumentParser:
    """The command line: run length, seeds, which scenarios, parallel jobs, output folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--months",
        type=int,
        default=None,
        help="run length (default: each scenario's own, full length)",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=SEEDS,
        help=f"run every scenario and the baseline on seeds 1..N (default {SEEDS})",
    )
    parser.add_argument(
        "--only", nargs="*", default=None, help="scenario names to run (default: all in scenarios/)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="parallel processes (default: up to 2)",
    )
    parser.add_argument(
        "--docs-dir", type=Path, default=ROOT / "docs", help="where scenarios.md and img/ go"
    )
    return parser


def scenario_names(only: list[str] | None, parser: argparse.ArgumentParser) -> list[str]:
    """The scenarios to run besides the baseline, in story order (unknown names are an error)."""
    start = load_scenario(BASELINE).run.start  # a hindcast (another start) is no variant of it
    files = [
        n for n, _ in list_scenarios() if n != BASELINE and load_scenario(n).run.start == start
    ]
    names = [n for n in STORY_ORDER if n in files] + [n for n in files if n not in STORY_ORDER]
    if only is not None:
        unknown = sorted(set(only) - set(names) - {BASELINE})
        if unknown:
            parser.error(f"unknown scenarios: {', '.join(unknown)}")
        names = [n for n in names if n in only]
    return names


def draw_figures(runs: dict[str, Run], img: Path) -> None:
    """One chart per scenario against the baseline (first seed each), and the overview."""
    reset_style()
    base = runs[BASELINE]
    for name, run in runs.items():
        if name != BASELINE:
            draw_chart(
                name,
                run,
                base,
                demand_scale(run.timeseries, base.timeseries),
                img / f"scenario_{name}.png",
            )
    draw_overview(runs, img / "scenarios_overview.png")


def print_summary(runs: dict[str, list[Run]], page: Path, elapsed_s: float) -> None:
    """Each scenario's wall time over its seeds and energised MW by path (first seed), then what was written."""
    for name, seed_runs in runs.items():
        e = seed_runs[0].kpis["energized_mw"]
        wall_s = sum(r.wall_time_s for r in seed_runs)
        print(
            f"{name:20s} {wall_s:6.1f} s over {len(seed_runs)} seeds  energised MW (seed "
            f"{seed_runs[0].config.run.seed}): " + ", ".join(f"{p} {v:,.0f}" for p, v in e.items())
        )
    print(f"wrote {page} and {len(runs)} figures in {elapsed_s:.0f} s")


def by_scenario(
    jobs: Sequence[tuple[str, int, int | None]], results: dict[int, Run | str]
) -> dict[str, list[Run] | str]:
    """Each scenario's runs in seed order, or the first error of a seed that failed."""
    out: dict[str, list[Run] | str] = {}
    for i, (name, _, _) in enumerate(jobs):
        result, so_far = results[i], out.setdefault(name, [])
        if isinstance(so_far, str):
            continue
        out[name] = result if isinstance(result, str) else [*so_far, result]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the library, draw the figures and write the page; prints timings and headline numbers."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds {args.seeds}: expected at least 1")
    names = scenario_names(args.only, parser)
    seeds = range(1, args.seeds + 1)
    jobs = [(name, seed, args.months) for name in (BASELINE, *names) for seed in seeds]
    started = time.perf_counter()
    results = by_scenario(jobs, run_all(jobs, args.jobs))  # baseline first, story order
    if isinstance(results[BASELINE], str):
        print(f"error: {results[BASELINE]}", file=sys.stderr)
        return 1
    runs = {
        name: seed_runs for name, seed_runs in results.items() if not isinstance(seed_runs, str)
    }
    failed = {name: error for name, error in results.items() if isinstance(error, str)}

    draw_figures({name: seed_runs[0] for name, seed_runs in runs.items()}, args.docs_dir / "img")
    months_note = "full length" if args.months is None else f"{args.months} months"
    page = args.docs_dir / "scenarios.md"
    page.write_text(render_page(results, months_note), encoding="utf-8")
    print_summary(runs, page, time.perf_counter() - started)
    for message in failed.values():
        print(f"error: {message} (the page says so; fix the model and re-run)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
