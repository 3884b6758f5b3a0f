"""`powerstack export RUN_DIR --format iamc|csv [--out PATH]`: the subcommand's parser and handler.

Kept beside abm/cli.py so the command line stays one screenful per command; the work is in
`abm.export`, imported only when the command runs.
"""

from __future__ import annotations

import argparse


def add_export_parser(sub: argparse._SubParsersAction) -> None:
    """`powerstack export RUN_DIR`: yearly tables of a run for other tools."""
    exp = sub.add_parser(
        "export", help="write a run's yearly variables as an IAMC or long CSV table"
    )
    exp.add_argument("run_dir", help="output folder of `powerstack run`")
    exp.add_argument(
        "--format",
        default="iamc",
        metavar="iamc|csv",
        help="iamc: one column per year (pyam reads it); csv: long, one row per value (default iamc)",
    )
    exp.add_argument(
        "--out", help="file to write (default: RUN_DIR/yearly_iamc.csv or RUN_DIR/yearly_long.csv)"
    )


def cmd_export(args: argparse.Namespace) -> int:
    """Write a run folder's yearly variables as an IAMC or long CSV table (docs/variables.md)."""
    from pathlib import Path

    from abm.export.tables import export_run

    result = export_run(Path(args.run_dir), args.format, Path(args.out) if args.out else None)
    first, last = result.years[0], result.years[-1]
    years = f"{first}-{last}" if last != first else str(first)
    print(f"wrote {result.path} ({args.format}: {result.n_variables} variables, years {years})")
    for year, months in result.partial_years.items():
        print(f"  left out {year}: {months} of 12 months in the run (flows need a whole year)")
    return 0
