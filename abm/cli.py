"""`powerstack` command line: run, validate, list, compare, app, sweep, analyze, export.

Exit codes: 0 success, 2 bad input (one line starting `error:`, no traceback), 1 internal failure
(with a traceback; a full disk or a read-only folder gets one `error:` line instead), 130 interrupted
(Ctrl+C), 143 terminated (SIGTERM). Nothing half-written is left behind in any of these cases.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from abm.calibration.cli import add_calibrate_parser, cmd_calibrate
from abm.cli_analysis import ANALYSIS_COMMANDS, ANALYSIS_PARSERS
from abm.cli_common import WORKERS_HELP, one_blas_thread
from abm.cli_export import add_export_parser, cmd_export
from abm.cli_sweeps import SWEEP_COMMANDS, SWEEP_PARSERS
from abm.cli_why import add_why_parser, cmd_why
from abm.errors import InputError

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"export": cmd_export, "why": cmd_why}
COMMANDS.update(SWEEP_COMMANDS)  # sweep, analyze (abm.cli_sweeps)
COMMANDS.update(ANALYSIS_COMMANDS)  # attribute, discover (abm.cli_analysis)
COMMANDS["calibrate"] = cmd_calibrate
# OS errors that are about the machine (disk full, read-only, no permission), not a bug: one line, exit 1
ENVIRONMENT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO, errno.EFBIG}
)
AFTER_OS_ERROR = {
    "run": "nothing was written",
    "sweep": "finished runs are saved; fix the cause and continue with --resume",
}


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised as an interrupt so clean-up runs and no half-written output stays behind."""


def _on_sigterm(signum: int, frame: FrameType | None) -> NoReturn:
    raise Terminated()


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one `error:` line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise InputError(f"{message} (see `{self.prog} --help`)")


def _command(
    name: str,
) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    def register(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = fn
        return fn

    return register


def _progress_bar(total: int, desc: str) -> tuple[Callable[[int, int], None] | None, Any]:
    """A tqdm bar on a terminal and its update callback; (None, None) in scripts and CI."""
    if not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="month", leave=False)

    def update(done: int, _total: int) -> None:
        bar.n = done
        bar.refresh()

    return update, bar


def check_out_dir(out: Path, flag: str) -> None:
    """Fail before a run if its output folder cannot be made: a file in the way or no write access."""
    try:
        if out.exists() and not out.is_dir():
            raise InputError(
                f"{flag} {out}: is an existing file; expected a folder (new or existing)"
            )
        probe = out
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        if not probe.is_dir():
            raise InputError(f"{flag} {out}: {probe} is a file; expected a folder path")
        if not os.access(probe, os.W_OK | os.X_OK):
            raise InputError(f"{flag} {out}: cannot create or write in {probe} (permission denied)")
    except OSError as exc:
        raise InputError(f"{flag} {out}: cannot use this folder ({exc.strerror})") from None


def _start_counterfactual(cfg: Any) -> Any:
    """The recycle-first run, started on another core before this process imports the model.

    Its worker's imports then overlap this process's own (None: it runs here, or is not needed).
    """
    from abm.counterfactual import needs_counterfactual_run, start_counterfactual

    return start_counterfactual(cfg) if needs_counterfactual_run(cfg) else None


def _run_config(args: argparse.Namespace) -> tuple[Any, str]:
    """The validated config of `powerstack run` (--set, --seed, --months) and where it came from."""
    from abm.scenario import (
        config_with,
        load_scenario,
        parse_overrides,
        resolve_scenario_path,
        source_label,
    )

    cfg = load_scenario(args.scenario, args.set, check_grid=True)
    extra = {
        key: value
        for key, value in (("run.seed", args.seed), ("run.months", args.months))
        if value is not None
    }
    if extra:
        cfg = config_with(cfg, extra, "--seed/--months")
    return cfg, source_label(resolve_scenario_path(args.scenario), parse_overrides(args.set))


@_command("run")
def cmd_run(args: argparse.Namespace) -> int:
    """Run a scenario and write the contract's files."""
    cfg, where = _run_config(args)
    out = Path(args.out) if args.out else Path("runs") / f"{cfg.name}-s{cfg.run.seed}"
    check_out_dir(out, "--out" if args.out else "output folder")
    started = None if args.no_counterfactual else _start_counterfactual(cfg)
    # the model (and its heavy imports) loads only once the input is known to be valid
    from abm.runner import run_scenario, write_outputs

    update, bar = _progress_bar(
        cfg.run.months
        * (1 if args.no_counterfactual or cfg.packs.routing == "recycle_first" else 2),
        cfg.name,
    )
    offset = {"done": 0}

    def progress(done: int, total: int) -> None:
        if update is None:
            return
        if done == total:
            offset["done"] += total
        update(offset["done"] + (done if done < total else 0), total)

    try:
        result = run_scenario(
            cfg,
            counterfactual=not args.no_counterfactual,
            check=args.check,
            progress=progress if update else None,
            concurrent_counterfactual=True,  # on another core when there is one (same bytes)
            started_counterfactual=started,
        )
    except InputError as exc:  # raised while the model builds (e.g. its grid): say which scenario
        raise InputError(f"{where}: {exc}") from None
    finally:
        if bar is not None:
            bar.close()
    paths = write_outputs(result, out)
    k = result.kpis
    energized = ", ".join(f"{p} {v:,.0f}" for p, v in k["energized_mw"].items())
    print(
        f"{cfg.name} (seed {cfg.run.seed}, {cfg.run.months} months) in {result.wall_time_s:.1f} s"
    )
    print(f"  energised MW: {energized}")
    print(f"  wrote {paths['timeseries.parquet'].parent}/")
    return 0


@_command("validate")
def cmd_validate(args: argparse.Namespace) -> int:
    """Check a scenario file (and overrides) without running it."""
    from abm.scenario import load_scenario

    cfg = load_scenario(args.scenario, args.set, check_grid=True)
    print(
        f"ok: {args.scenario} is a valid scenario ({cfg.name!r}, {cfg.run.start} + {cfg.run.months} months)"
    )
    return 0


@_command("list")
def cmd_list(args: argparse.Namespace) -> int:
    """List the built-in scenarios with their descriptions."""
    import textwrap

    from abm.scenario import list_scenarios

    for name, description in list_scenarios():
        print(name)
        print(textwrap.indent(textwrap.fill(description or "(no description)", 88), "    "))
    return 0


@_command("compare")
def cmd_compare(args: argparse.Namespace) -> int:
    """Run scenarios on the same seeds; per KPI the paired difference to the first, interval, verdict."""
    one_blas_thread()
    from abm.compare import failure_line, json_result, resolve_sides, run_paired, table_text

    if args.seeds < 1:
        raise InputError(f"--seeds {args.seeds}: expected a whole number >= 1")
    sides = resolve_sides(args.scenarios, args.set, args.months)
    runs = run_paired(sides, list(range(1, args.seeds + 1)), args.workers)
    print(
        json.dumps(json_result(runs), indent=2, allow_nan=False) if args.json else table_text(runs)
    )
    for label, seed, error in sorted(runs.failures)[:3]:
        print(f"  failed: {label} seed {seed}: {error}", file=sys.stderr)
    if runs.failures:  # a missing pair is not a result: no silent success
        print(failure_line(runs), file=sys.stderr)
        return 1
    return 0


@_command("app")
def cmd_app(args: argparse.Namespace) -> int:
    """Start the Solara app (bound to localhost unless --host says otherwise)."""
    import subprocess

    from viz.serve import APP, solara_command

    if not APP.is_file():
        raise InputError(f"{APP}: the app is not installed in this tree")
    cmd = solara_command(args.host, args.port, open_browser=args.open)
    print(f"powerstack app on http://{args.host}:{args.port}/ (Ctrl+C to stop)", file=sys.stderr)
    return subprocess.call(cmd)


@_command("docs")
def cmd_docs(args: argparse.Namespace) -> int:
    """Regenerate docs/parameters.md from the schema (or with --check, fail if it is stale)."""
    from abm.paramdoc import main as paramdoc_main

    return paramdoc_main(["--check"] if args.check else [])


@_command("validate-model")
def cmd_validate_model(args: argparse.Namespace) -> int:
    """Run the baseline over several seeds and write the validation report (or its hindcast section)."""
    from abm.validation import write_page

    if args.seeds < 1:
        raise InputError(f"--seeds {args.seeds}: expected at least 1")
    seeds, progress = list(range(1, args.seeds + 1)), lambda m: print(m, file=sys.stderr)
    print(f"wrote {write_page(seeds, args.out, progress, args.months, args.hindcast)}")
    return 0


def _add_overrides(parser: argparse.ArgumentParser, help_text: str) -> None:
    """`--set KEY=VALUE`, repeatable; values are read as TOML literals (abm.scenario)."""
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=help_text)


def _add_run(sub: argparse._SubParsersAction) -> None:
    """`powerstack run SCENARIO`: run a scenario and write its outputs."""
    run = sub.add_parser("run", help="run a scenario and write its outputs")
    run.add_argument(
        "scenario", help="scenario name (see `powerstack list`) or path to a .toml file"
    )
    run.add_argument("--seed", type=int, help="random seed (default: the scenario's run.seed)")
    run.add_argument(
        "--months", type=int, help="number of months (default: the scenario's run.months)"
    )
    _add_overrides(run, "override a parameter, e.g. --set queue.mode=cluster (repeatable)")
    run.add_argument("--out", help="output folder (default: runs/<scenario>-s<seed>/)")
    run.add_argument(
        "--check", action="store_true", help="check conservation invariants every month"
    )
    run.add_argument(
        "--no-counterfactual",
        action="store_true",
        help="skip the recycle-first counterfactual run (halves run time)",
    )


def _add_validate(sub: argparse._SubParsersAction) -> None:
    """`powerstack validate SCENARIO`: check a scenario file without running it."""
    val = sub.add_parser("validate", help="check a scenario file without running it")
    val.add_argument("scenario")
    val.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")


def _add_list(sub: argparse._SubParsersAction) -> None:
    """`powerstack list`: the built-in scenarios."""
    sub.add_parser("list", help="list built-in scenarios")


def _add_compare(sub: argparse._SubParsersAction) -> None:
    """`powerstack compare A B ...`: paired differences over seeds, with intervals and verdicts."""
    cmp_ = sub.add_parser("compare", help="paired comparison on seeds 1..N: B against A, per KPI")
    cmp_.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="A, then one or more B")
    cmp_.add_argument("--seeds", type=int, default=10, help="seeds 1..N (default 10)")
    cmp_.add_argument("--months", type=int, help="number of months (default: each scenario's own)")
    _add_overrides(cmp_, "override a parameter of every B (with only A given, B is A changed)")
    cmp_.add_argument("--workers", type=int, help=WORKERS_HELP)
    cmp_.add_argument("--json", action="store_true", help="write the result as JSON to stdout")


def _add_docs(sub: argparse._SubParsersAction) -> None:
    """`powerstack docs`: regenerate (or check) docs/parameters.md."""
    docs = sub.add_parser("docs", help="regenerate docs/parameters.md from the schema")
    docs.add_argument(
        "--check", action="store_true", help="only check that the page is current (exit 1 if stale)"
    )


def _add_validate_model(sub: argparse._SubParsersAction) -> None:
    """`powerstack validate-model`: the multi-seed validation report."""
    vm = sub.add_parser(
        "validate-model", help="run the baseline over several seeds and write docs/validation.md"
    )
    vm.add_argument("--seeds", type=int, default=10, help="number of seeds (default 10)")
    vm.add_argument("--out", help="report path (default docs/validation.md)")
    vm.add_argument("--months", type=int, default=120, help="baseline months (default 120)")
    vm.add_argument("--hindcast", action="store_true", help="only the hindcast section (60 months)")


def _add_app(sub: argparse._SubParsersAction) -> None:
    """`powerstack app`: the interactive Solara app."""
    app = sub.add_parser("app", help="start the interactive app")
    app.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to bind (default 127.0.0.1: this machine only)",
    )
    app.add_argument("--port", type=int, default=8765)
    app.add_argument("--open", action="store_true", help="open a browser tab on start")


#: One parser builder per subcommand, in the order `powerstack --help` lists them.
SUBCOMMAND_PARSERS = (
    _add_run,
    _add_validate,
    _add_list,
    _add_compare,
    _add_docs,
    _add_validate_model,
    _add_app,
    *SWEEP_PARSERS,
    add_export_parser,
    *ANALYSIS_PARSERS,
    add_calibrate_parser,
    add_why_parser,
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser: the program and one subparser per command."""
    parser = _Parser(
        prog="powerstack", description="Agent-based market model of the AI power stack."
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add_subcommand in SUBCOMMAND_PARSERS:
        add_subcommand(sub)
    return parser


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line, whatever characters a file name or value brought in."""
    return " ".join(str(exc).splitlines())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, dispatch, and map errors to exit codes (SIGTERM counts as an interrupt)."""
    command = None
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if on_main_thread else None
    try:
        args = build_parser().parse_args(argv)
        command = args.command
        return COMMANDS[command](args)
    except InputError as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print("error: interrupted; no partial output was written", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    except OSError as exc:
        if exc.errno not in ENVIRONMENT_ERRNOS:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        after = AFTER_OS_ERROR.get(command or "", "")
        print(
            f"error: {where}{exc.strerror or _one_line(exc)}{'; ' + after if after else ''}",
            file=sys.stderr,
        )
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
