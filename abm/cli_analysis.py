"""`powerstack attribute` and `powerstack discover`: their parsers and commands (bodies in abm.analysis).

`abm.cli` registers them from `ANALYSIS_COMMANDS` and `ANALYSIS_PARSERS`, as it does `export`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from abm.cli_common import WORKERS_HELP, one_blas_thread
from abm.errors import InputError


def cmd_attribute(args: argparse.Namespace) -> int:
    """Split each KPI's paired difference TARGET - BASE into per-lever Shapley contributions."""
    one_blas_thread()
    from abm.analysis.attribution import attribute_levers
    from abm.analysis.attribution_report import json_result, select, table_text

    if args.seeds < 1:
        raise InputError(f"--seeds {args.seeds}: expected a whole number >= 1")
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers {args.workers}: expected a whole number >= 1")
    result = attribute_levers(
        args.base,
        args.target,
        args.seeds,
        months=args.months,
        overrides=args.set,
        workers=args.workers,
        split=args.split,
    )
    if args.json:
        data = json_result(result)
        keys = select(result, args.kpis)
        data["kpis"] = {k: data["kpis"][k] for k in keys}
        print(json.dumps(data, indent=2, allow_nan=False))
    else:
        print(table_text(result, args.kpis))
    for label, seed, error in sorted(result.failures)[:3]:
        print(f"  failed: {label} seed {seed}: {error}", file=sys.stderr)
    if result.failures:  # a missing subset run drops that seed: never a silent success
        print(
            f"error: attribute: {len(result.failures)} of {result.runs} runs failed; "
            "their seeds are left out of every KPI (see n)",
            file=sys.stderr,
        )
        return 1
    return 0


def add_attribute_parser(sub: argparse._SubParsersAction) -> None:
    """`powerstack attribute BASE TARGET`: per-lever Shapley split of the paired differences."""
    att = sub.add_parser(
        "attribute",
        help="split TARGET - BASE per KPI into per-lever Shapley contributions, on seeds 1..N",
    )
    att.add_argument("base", metavar="BASE", help="reference scenario (name or .toml path)")
    att.add_argument("target", metavar="TARGET", help="scenario that changes several levers")
    att.add_argument("--seeds", type=int, default=10, help="seeds 1..N (default 10)")
    att.add_argument("--months", type=int, help="months of every run (default: BASE's own)")
    att.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set a parameter in BASE and TARGET alike (not a lever), e.g. a smaller grid",
    )
    att.add_argument("--kpis", nargs="+", metavar="KPI", help="KPIs to print (names or prefixes)")
    att.add_argument(
        "--split",
        choices=("shapley", "alone"),
        default="shapley",
        help="contributions are Shapley values (default) or each lever's effect alone, "
        "with all interaction terms as the interaction",
    )
    att.add_argument("--workers", type=int, help=WORKERS_HELP)
    att.add_argument("--json", action="store_true", help="write the result as JSON to stdout")


def cmd_discover(args: argparse.Namespace) -> int:
    """PRIM boxes (and CART leaves) of a finished sweep's levers where a KPI condition holds."""
    from abm.analysis.discovery import discover
    from abm.analysis.discovery_report import json_result, text_report

    found = discover(
        args.dir,
        args.where,
        alpha=args.alpha,
        min_mass=args.min_mass,
        min_coverage=args.min_coverage,
        depth=args.depth,
    )
    if args.json:
        print(json.dumps(json_result(found), indent=2, allow_nan=False))
    else:
        print(text_report(found, args.min_coverage))
    return 0


def _fraction(text: str) -> float:
    """A number in (0, 1] for --alpha, --min-mass and --min-coverage."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text}: expected a fraction in (0, 1]")
    return value


def add_discover_parser(sub: argparse._SubParsersAction) -> None:
    """`powerstack discover DIR --where "KPI > value"`: scenario discovery on a finished sweep."""
    dis = sub.add_parser(
        "discover",
        help="PRIM boxes (and CART leaves) of a sweep's levers where a KPI condition holds",
    )
    dis.add_argument("dir", help="finished sweep folder (see `powerstack sweep`)")
    dis.add_argument(
        "--where",
        action="append",
        required=True,
        metavar='"KPI OP VALUE"',
        help="condition on a recorded KPI, OP one of > >= < <= == != (repeat: all must hold)",
    )
    dis.add_argument(
        "--alpha", type=_fraction, default=0.05, help="peeling fraction (default 0.05)"
    )
    dis.add_argument(
        "--min-mass",
        type=_fraction,
        default=0.05,
        help="stop peeling below this share of the runs (default 0.05)",
    )
    dis.add_argument(
        "--min-coverage",
        type=_fraction,
        default=0.5,
        help="the box printed is the densest with at least this coverage (default 0.5)",
    )
    dis.add_argument("--depth", type=int, default=3, help="CART tree depth (default 3)")
    dis.add_argument("--json", action="store_true", help="write the result as JSON to stdout")


ANALYSIS_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "attribute": cmd_attribute,
    "discover": cmd_discover,
}
ANALYSIS_PARSERS = (add_attribute_parser, add_discover_parser)
