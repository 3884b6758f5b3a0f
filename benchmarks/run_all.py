"""Run every benchmark of issue 10 and write benchmarks/results.json and docs/performance.md.

`python benchmarks/run_all.py` (what `make bench` runs) measures, in one run on one machine:
the baseline run, national-scale runs (GBnetwork and a synthetic 2,000-bus grid), the power
market against pandapower's rundcopp and bare HiGHS, scaling in buses and queue requests,
sweep throughput at 1 and 2 workers, the before/after of this issue's optimisations, and a
pyinstrument profile of the baseline. Every figure is a ratio against a reference measured in
the same run, with the absolute time beside it. `--quick` is the CI smoke size; it writes to a
temporary folder (or `--out DIR`) so it never overwrites the published results.
`--render RESULTS_JSON` only re-renders docs/performance.md from existing results.

This file is the command line; `suite.py` runs the sections (`machine.py` describes the
machine), `targets.py` holds the targets and their verdicts, `performance_page.py` renders the
page and `performance_analysis.py` writes its closing analysis.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

# E402: the sibling modules are importable only once benchmarks/ is on sys.path (above).
from performance_page import format_markdown  # noqa: E402
from suite import run_benchmarks  # noqa: E402


def write_outputs(results: dict[str, Any], json_path: Path, markdown_path: Path) -> None:
    """Write the JSON results and the markdown report, rendered from the JSON as written.

    The docs staleness check re-renders the page from results.json, whose keys are sorted, so
    the page is rendered from that same text, not from the in-memory results (other key order).
    """
    text = json.dumps(results, indent=1, sort_keys=True, default=str) + "\n"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(text)
    markdown_path.parent.mkdir(parents=True, exist_ok=True)
    markdown_path.write_text(format_markdown(json.loads(text)))


def main(argv: list[str] | None = None) -> int:
    """Command line: run everything, write results.json and performance.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI smoke size (minutes -> seconds)")
    parser.add_argument(
        "--out",
        type=Path,
        help="folder for results.json and performance.md (default: benchmarks/ and docs/, "
        "or a temporary folder with --quick)",
    )
    parser.add_argument(
        "--render",
        type=Path,
        metavar="RESULTS_JSON",
        help="only re-render performance.md from an existing results.json (no benchmarks run)",
    )
    args = parser.parse_args(argv)
    if args.render is not None:
        md_path = (args.out / "performance.md") if args.out else ROOT / "docs" / "performance.md"
        md_path.write_text(format_markdown(json.loads(args.render.read_text())))
        print(f"wrote {md_path}")
        return 0
    if args.out is not None:
        json_path, md_path = args.out / "results.json", args.out / "performance.md"
    elif args.quick:
        folder = Path(tempfile.mkdtemp(prefix="powerstack-bench-"))
        json_path, md_path = folder / "results.json", folder / "performance.md"
    else:
        json_path, md_path = HERE / "results.json", ROOT / "docs" / "performance.md"
    results = run_benchmarks(args.quick, log=lambda s: print(s, flush=True))
    write_outputs(results, json_path, md_path)
    print(f"wrote {json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
