"""`powerstack why RUN_DIR PROJECT_ID`: why a project chose its power path, in plain words."""

from __future__ import annotations

import argparse


def add_why_parser(sub: argparse._SubParsersAction) -> None:
    """`powerstack why RUN_DIR PROJECT_ID`: the options a project weighed and why it chose as it did."""
    why = sub.add_parser("why", help="explain in plain words why a project chose its power path")
    why.add_argument("run_dir", help="output folder of `powerstack run`")
    why.add_argument("project_id", type=int, help="a project_id of projects.parquet")


def cmd_why(args: argparse.Namespace) -> int:
    """Print one project's path decisions with the options' costs, waits and probabilities."""
    from pathlib import Path

    from abm.why import why_text

    print(why_text(Path(args.run_dir), args.project_id))
    return 0
