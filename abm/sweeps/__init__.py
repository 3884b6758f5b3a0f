"""Parameter sweeps: specs, designs, a plan of runs, executors, a resumable result store, analysis.

A sweep spec (TOML, see `docs/sweeps.md`) names a base scenario, the parameters to vary, a
design (factorial, list, lhs, sobol, morris) and the seeds per point. `run_sweep` validates
every design point before any run starts, derives each run's seed from the sweep seed and the
point (never from execution order), runs them serially, on a process pool or on Dask, and
streams one row per run to `DIR/runs/part-*.parquet` in atomic parts, so a killed sweep
resumes without duplicates or torn files. `analyze_sweep` computes Sobol or Morris indices.

Modules: `spec` (what a sweep is), `parsing` (spec files and checks), `designs` (points),
`plan` (runs, seeds, ids), `worker` (one run), `executors/` (one backend per module),
`callbacks` and `summary` (counting and reporting), `outputs`, `store` and `folder` (the
result store and resume), `run` (`run_sweep`), `sensitivity*` (analysis of results).
"""

from abm.sweeps.designs import Design, build_design, design_size, salib_problem
from abm.sweeps.outputs import results_schema, select_kpis
from abm.sweeps.parsing import load_spec, parse_spec
from abm.sweeps.plan import PlannedRun, SweepPlan, derive_seed, plan_sweep, run_id_for
from abm.sweeps.run import run_sweep
from abm.sweeps.sensitivity import analyze_sweep, point_means
from abm.sweeps.sensitivity_indices import Sensitivity
from abm.sweeps.sensitivity_report import markdown, plot_sensitivity, summary_table
from abm.sweeps.spec import Range, SweepSpec
from abm.sweeps.store import (
    load_design,
    load_manifest,
    load_projects,
    load_results,
    load_timeseries,
)
from abm.sweeps.summary import failure_line, summary_text
from abm.sweeps.worker import RunTask

__all__ = [
    "Design",
    "PlannedRun",
    "Range",
    "RunTask",
    "Sensitivity",
    "SweepPlan",
    "SweepSpec",
    "analyze_sweep",
    "build_design",
    "derive_seed",
    "failure_line",
    "design_size",
    "load_design",
    "load_manifest",
    "load_projects",
    "load_results",
    "load_spec",
    "load_timeseries",
    "markdown",
    "parse_spec",
    "plan_sweep",
    "plot_sensitivity",
    "point_means",
    "results_schema",
    "run_id_for",
    "run_sweep",
    "salib_problem",
    "select_kpis",
    "summary_table",
    "summary_text",
]
