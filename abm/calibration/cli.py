"""`powerstack calibrate SPEC`: the subcommand's parser and handler (the work is in this package).

Overrides (`--months`, `--seeds`, `--points`, `--waves`) change the spec's size before any check;
a bad spec is one `error:` line (exit 2) before anything is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

WORKERS_HELP = "worker processes (default: all cores; 1 runs in this process)"


def add_calibrate_parser(sub: argparse._SubParsersAction) -> None:
    """`powerstack calibrate SPEC`: history matching of unconfirmed parameters."""
    cal = sub.add_parser(
        "calibrate", help="history-match a scenario's unconfirmed parameters against targets"
    )
    cal.add_argument("spec", help="calibration spec .toml (see scenarios/calibration/)")
    cal.add_argument("--out", help="output folder (default: runs/calibration/<spec name>/)")
    cal.add_argument("--months", type=int, help="months per run (overrides the spec)")
    cal.add_argument("--seeds", type=int, help="seeds per point (overrides the spec, >= 2)")
    cal.add_argument("--points", type=int, help="points per wave (overrides the spec)")
    cal.add_argument("--waves", type=int, help="number of waves (overrides the spec)")
    cal.add_argument("--workers", type=int, help=WORKERS_HELP)
    where = cal.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on a Dask cluster")
    where.add_argument("--dask-local", action="store_true", help="run on a local Dask cluster")
    cal.add_argument("--resume", action="store_true", help="continue a calibration in --out")


def _overrides(args: argparse.Namespace) -> dict[str, int]:
    """The spec keys the command line sets (--months, --seeds, --points, --waves)."""
    given = {
        "months": args.months,
        "seeds_per_point": args.seeds,
        "points_per_wave": args.points,
        "waves": args.waves,
    }
    return {k: v for k, v in given.items() if v is not None}


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run the calibration and write calibration.json, points.csv and report.md."""
    from abm.calibration.parsing import load_spec
    from abm.calibration.report import summary_line, write_outputs
    from abm.calibration.results import result_dict
    from abm.calibration.waves import IncompleteWaveError, run_calibration

    spec = load_spec(args.spec, _overrides(args))
    out = Path(args.out) if args.out else Path("runs") / "calibration" / spec.name
    try:
        cal = run_calibration(
            spec,
            out,
            workers=args.workers,
            scheduler=args.scheduler,
            dask_local=args.dask_local,
            resume=args.resume,
            report=lambda line: print(line, file=sys.stderr),
        )
    except IncompleteWaveError as exc:
        print(f"error: {exc}; nothing else was written", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "error: interrupted; finished runs are saved, continue with --resume", file=sys.stderr
        )
        return 130
    paths = write_outputs(cal, out)
    print(f"calibration {spec.name}: {summary_line(result_dict(cal))}")
    print(f"  wrote {', '.join(str(p) for p in paths.values())}")
    return 0
