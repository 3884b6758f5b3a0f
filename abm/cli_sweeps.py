"""`powerstack sweep` and `powerstack analyze`: their parsers and commands (bodies in abm.sweeps).

`abm.cli` registers them from `SWEEP_COMMANDS` and `SWEEP_PARSERS`, as it does `export`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from abm.cli_common import WORKERS_HELP, one_blas_thread


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a parameter sweep from a spec file on a local process pool or a Dask cluster."""
    one_blas_thread()
    from abm.sweeps import failure_line, run_sweep, summary_text

    try:
        df = run_sweep(
            args.spec,
            args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            dask_local=args.dask_local,
            resume=args.resume,
            max_runs=args.max_runs,
        )
    except KeyboardInterrupt:
        print(
            "error: interrupted; finished runs are saved, continue with --resume", file=sys.stderr
        )
        return 130
    print(summary_text(df))
    for _, row in df[df["status"] == "failed"].head(3).iterrows():
        print(f"  failed: point {row['point']} seed {row['seed']}: {row['error']}")
    failure = failure_line(df)
    if failure is not None:  # any failed or lost run: no silent success
        print(failure, file=sys.stderr)
        return 1
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    """Sobol or Morris indices per KPI of a finished sweep: table, CSV/Parquet and a bar plot."""
    from abm.sweeps import analyze_sweep, markdown, summary_table

    result = analyze_sweep(
        args.dir, args.kpis or None, plot_path=args.plot, allow_incomplete=args.allow_incomplete
    )
    cells = summary_table(result)
    print(markdown(cells) if args.markdown else cells.to_string())
    for kpi, reason in result.skipped.items():
        print(f"  skipped {kpi}: {reason}")
    for kpi in (k for k in result.kpis if k in result.incomplete):
        print(f"  UNRELIABLE {kpi}: {result.incomplete[kpi]}")
    print(f"wrote {', '.join(str(p) for p in result.paths.values())}")
    if result.incomplete:  # refused or flagged KPIs: no silent success
        print(
            f"error: {len(result.incomplete)} KPIs have an incomplete design "
            f"({result.failed_runs} failed runs); see above",
            file=sys.stderr,
        )
        return 1
    return 0


def _add_sweep(sub: argparse._SubParsersAction) -> None:
    """`powerstack sweep SPEC`: a parameter sweep on a local pool or a Dask cluster."""
    swp = sub.add_parser(
        "sweep", help="run a parameter sweep (local pool or Dask) into a Parquet folder"
    )
    swp.add_argument("spec", help="sweep spec .toml (see scenarios/sweeps/ and docs/sweeps.md)")
    swp.add_argument("--out", help="output folder (default: runs/sweeps/<spec name>/)")
    swp.add_argument("--workers", type=int, help=WORKERS_HELP)
    where = swp.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="run on a Dask cluster through this scheduler",
    )
    where.add_argument(
        "--dask-local",
        action="store_true",
        help="run on a local Dask cluster of --workers processes",
    )
    swp.add_argument(
        "--resume",
        action="store_true",
        help="continue a sweep in --out, skipping runs already recorded",
    )
    swp.add_argument(
        "--max-runs",
        type=int,
        metavar="N",
        help="stop after N new runs (continue later with --resume)",
    )


def _add_analyze(sub: argparse._SubParsersAction) -> None:
    """`powerstack analyze DIR`: sensitivity indices of a finished sweep."""
    ana = sub.add_parser("analyze", help="Sobol or Morris sensitivity indices of a finished sweep")
    ana.add_argument("dir", help="sweep output folder")
    ana.add_argument(
        "--kpis",
        nargs="+",
        metavar="KPI",
        help="KPIs to analyse (names or prefixes, default: all recorded)",
    )
    ana.add_argument(
        "--plot", metavar="PNG", help="where to write the bar plot (default: DIR/sensitivity.png)"
    )
    ana.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ana.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="estimate KPIs with missing design points on the complete blocks, flagged unreliable",
    )


SWEEP_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "sweep": cmd_sweep,
    "analyze": cmd_analyze,
}
SWEEP_PARSERS = (_add_sweep, _add_analyze)
