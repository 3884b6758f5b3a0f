"""The registry of generated docs pages: which command writes which files, and the byte check.

    python docs/scripts/pages.py                    # regenerate every page into docs/ (make docs)
    python docs/scripts/pages.py --check            # regenerate into a temporary folder and
                                                    # compare bytes with docs/ (make docs-check)
    python docs/scripts/pages.py --only scenarios   # one page (or several)
    python docs/scripts/pages.py --list             # the inventory: page, outputs, inputs
    python docs/scripts/pages.py --inventory FILE   # docs/generated.md: this registry as a page

Every generator writes into a folder it is given (`{docs}` below), never into docs/ directly, so
the check and `tests/test_generated_pages.py` regenerate a page without touching the checkout.
Writing into docs/ goes through the same temporary folder: the page's files are replaced and a
file the page owns but no longer writes (a removed scenario's chart) is deleted.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import page_fingerprints

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


@dataclass(frozen=True)
class Page:
    """One generated page: its command, the files it owns and what it is made from."""

    name: str
    argv: tuple[str, ...]  # arguments of `python`, run from the project root; {docs}: out folder
    outputs: tuple[str, ...]  # the files it owns, as globs relative to docs/
    inputs: str  # what the page is computed from
    runs_model: bool = False  # runs simulations or an external reference: the slow test tier
    needs: str | None = None  # module of an optional extra it needs (blast, pandapower)


PAGES: tuple[Page, ...] = (
    Page(
        "generated",
        ("docs/scripts/pages.py", "--inventory", "{docs}/generated.md"),
        ("generated.md",),
        "this registry (docs/scripts/pages.py)",
    ),
    Page(
        "parameters",
        ("-m", "abm.paramdoc", "--output", "{docs}/parameters.md"),
        ("parameters.md",),
        "the schema (abm/schema/): units, defaults, ranges, sources",
    ),
    Page(
        "variables",
        ("-m", "abm.export.docpage", "--output", "{docs}/variables.md"),
        ("variables.md",),
        "the exported-variable table (abm/export/variables.py) and its formats",
    ),
    Page(
        "notebooks",
        ("docs/scripts/notebook_pages.py", "--docs-dir", "{docs}"),
        ("notebooks/*.md",),
        "the notebooks in docs/notebooks/ (their source; they are stored without outputs)",
    ),
    Page(
        "reliability",
        ("docs/scripts/reliability_page.py", "--output", "{docs}/reliability.md"),
        ("reliability.md",),
        "tests/data/bad/, the test modules and the checking code",
    ),
    Page(
        "performance",
        ("benchmarks/run_all.py", "--render", "benchmarks/results.json", "--out", "{docs}"),
        ("performance.md",),
        "benchmarks/results.json as committed (`make bench` re-measures it)",
    ),
    Page(
        "calibration",
        (
            "docs/scripts/calibration_page.py",
            "--data",
            "docs/data/calibration_baseline.json",
            "--output",
            "{docs}/calibration.md",
        ),
        ("calibration.md",),
        "docs/data/calibration_baseline.json as committed (`powerstack calibrate "
        "scenarios/calibration/baseline.toml` re-measures it)",
    ),
    Page(
        "batteries",
        ("docs/scripts/battery_figures.py", "--docs-dir", "{docs}"),
        ("batteries.md", "img/battery_fade.png"),
        "abm/batteries fade against NREL BLAST-Lite; only the page's generated block",
        runs_model=True,
        needs="blast",
    ),
    Page(
        "queue-calibration",
        ("docs/scripts/queue_calibration.py", "--seed", "1", "--docs-dir", "{docs}"),
        ("grid.md",),
        "a synthetic 30-year arrival stream through abm/grid/queue; only the page's block",
        runs_model=True,
    ),
    Page(
        "validation",
        ("-m", "abm", "validate-model", "--seeds", "10", "--out", "{docs}/validation.md"),
        ("validation.md",),
        "the baseline at seeds 1-10 over 120 months, each with its recycle-first counterfactual; hindcast_2020 (60 months) at seeds 1-10 for its hindcast section",
        runs_model=True,
        needs="blast",
    ),
    Page(
        "baseline",
        ("docs/scripts/baseline_story.py", "--docs-dir", "{docs}"),
        ("baseline.md", "img/baseline_*.png"),
        "the baseline at seed 1 with its recycle-first counterfactual",
        runs_model=True,
    ),
    Page(
        "scenarios",
        ("docs/scripts/scenario_charts.py", "--docs-dir", "{docs}"),
        ("scenarios.md", "img/scenario_*.png", "img/scenarios_overview.png"),
        "every scenario in scenarios/ at full length on seeds 1-3, each paired with the baseline on the same seeds",
        runs_model=True,
        needs="pandapower",
    ),
)

# Files under docs/ that no registered page writes, and why none checks them.
NOT_GENERATED: dict[str, str] = {
    "img/app*.png": "app screenshots (`python -m viz.screenshots`, needs Chromium): their pixels "
    "depend on the Chromium build, the system fonts and fixed waits for the running app, so "
    "they are refreshed by hand, not byte-checked",
    "scripts/*": "the generators themselves",
    "data/calibration_*.json": "results of `powerstack calibrate` (its calibration.json), "
    "committed so that docs/calibration.md is rendered from them without re-running",
    "fingerprints.json": "the hash of each model-running page's inputs, written by pages.py when "
    "it installs the page; `make test` compares it with the checkout, CI regenerates the pages",
    "notebooks/*.ipynb": "the notebooks, written by hand and stored without outputs; "
    "tests/test_notebooks.py runs each at reduced size",
}
INVENTORY_INTRO = """# Generated pages

<!-- generated by docs/scripts/pages.py from its registry; do not edit by hand -->

Every page (or block of a page) and figure below is written by a script from the code, the
scenarios or committed measurements, never typed by hand. The registry in
`docs/scripts/pages.py` names, for each page, the command and the files it owns.

- `make docs` regenerates every page: each generator writes into a temporary folder, then the
  page's files in docs/ are replaced (a file the page owns but no longer writes is deleted).
- `make docs-check` regenerates every page into a temporary folder and fails if one committed
  byte differs (`python docs/scripts/pages.py --check --only NAME` for one page).
- `tests/test_generated_pages.py` does the same per page. Pages that run the model always run
  at full size, in minutes, so they carry the `pages` test marker: CI and `make test-full`
  regenerate them byte for byte, while `make test` checks in a second that each was installed
  from this tree (`docs/fingerprints.json` holds the hash of its inputs: the model, the
  scenarios, the generators, the pinned versions). A page built on model results goes stale
  whenever those inputs change: regenerate it in the same change.
- Figures are PNGs with Matplotlib's defaults and no version or date in them
  (`docs/scripts/figure_output.py`); pages hold no dates, timings or paths of the machine that
  wrote them (the performance page's date is that of its measurement, in `results.json`).
- A hand-written page can hold a generated block between
  `<!-- begin generated by docs/scripts/NAME.py -->` and `<!-- end generated -->`; the script
  rewrites only the block (`docs/scripts/page_blocks.py`).
"""
HAND_WRITTEN = (
    "analysis.md",
    "app.md",
    "architecture.md",
    "cli.md",
    "contracts.md",
    "hyperscalers.md",
    "index.md",
    "performance-notes.md",
    "power-market.md",
    "randomness.md",
    "shiftable-compute.md",
    "slowdown-and-wildcard.md",
    "sweeps.md",
    "triggers.md",
    "water.md",
)


def _command(page: Page) -> str:
    """The page's command line as a reader would type it, into docs/."""
    return "python " + " ".join(a.replace("{docs}", "docs") for a in page.argv)


def inventory() -> str:
    """docs/generated.md: every registered page, what is not generated and why, the rest."""
    lines = [
        INVENTORY_INTRO,
        "| page | files in docs/ | command | made from | test tier |",
        "|---|---|---|---|---|",
    ]
    for p in PAGES:
        files = ", ".join(f"`{g}`" for g in p.outputs)
        tier = "slow" if p.runs_model else "fast"
        lines.append(f"| {p.name} | {files} | `{_command(p)}` | {p.inputs} | {tier} |")
    lines += ["", "Not generated, so not byte-checked:", ""]
    lines += [f"- `{glob}`: {why}." for glob, why in NOT_GENERATED.items()]
    lines += ["", "Hand-written: " + ", ".join(f"`{f}`" for f in HAND_WRITTEN) + ".", ""]
    return "\n".join(lines)


def by_name(names: Sequence[str]) -> list[Page]:
    """The registered pages with these names, in registry order (unknown names: SystemExit)."""
    known = {p.name for p in PAGES}
    unknown = sorted(set(names) - known)
    if unknown:
        raise SystemExit(f"unknown pages: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return [p for p in PAGES if p.name in names]


def owned(page: Page, folder: Path) -> set[str]:
    """The files under `folder` that match the page's outputs (paths relative to it, posix)."""
    if not folder.is_dir():
        return set()
    files = (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return {f for f in files if any(fnmatch.fnmatchcase(f, g) for g in page.outputs)}


def generate(page: Page, folder: Path) -> float:
    """Run the page's generator into `folder` (created); returns its wall time in seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    argv = [a.replace("{docs}", str(folder)) for a in page.argv]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        tail = (done.stderr or done.stdout)[-3000:]
        raise RuntimeError(
            f"page {page.name}: `python {' '.join(argv)}` exited {done.returncode}:\n{tail}"
        )
    return elapsed


def differences(page: Page, fresh: Path, docs: Path = DOCS) -> list[str]:
    """How the page's committed files in `docs` differ from those just generated in `fresh`."""
    written = {p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file()}
    new, committed = owned(page, fresh), owned(page, docs)
    problems = [f"{f}: written but not among the page's outputs" for f in sorted(written - new)]
    problems += [f"{f}: the generator no longer writes it" for f in sorted(committed - new)]
    problems += [f"{f}: missing from docs/" for f in sorted(new - committed)]
    problems += [
        f"{f}: stale (differs from what the generator writes)"
        for f in sorted(new & committed)
        if (fresh / f).read_bytes() != (docs / f).read_bytes()
    ]
    return problems


def install(page: Page, fresh: Path, docs: Path = DOCS) -> list[str]:
    """Replace the page's files in `docs` by those in `fresh`; returns the files that changed."""
    changed = []
    for f in sorted(owned(page, docs) - owned(page, fresh)):
        (docs / f).unlink()
        changed.append(f"{f} (deleted)")
    for f in sorted(owned(page, fresh)):
        target = docs / f
        if not target.is_file() or target.read_bytes() != (fresh / f).read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fresh / f, target)
            changed.append(f)
    return changed


def process(page: Page, check: bool) -> list[str]:
    """Regenerate one page in a temporary folder; check it or install it. Returns problems."""
    with tempfile.TemporaryDirectory(prefix=f"powerstack-docs-{page.name}-") as tmp:
        fresh = Path(tmp)
        inputs = page_fingerprints.fingerprint(page.argv)  # before: an edit meanwhile is stale
        elapsed = generate(page, fresh)
        if check:
            problems = differences(page, fresh)
            state = "stale" if problems else "up to date"
            print(f"{page.name:12s} {elapsed:6.1f} s  {state}")
            return [f"{page.name}: {p}" for p in problems]
        problems = [p for p in differences(page, fresh) if "not among" in p]
        if problems:
            return [f"{page.name}: {p}" for p in problems]
        changed = install(page, fresh)
        if page.runs_model:  # what the fast staleness test compares with the checkout
            page_fingerprints.record(page.name, inputs)
        print(f"{page.name:12s} {elapsed:6.1f} s  " + (", ".join(changed) or "unchanged"))
        return []


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate (or check) the registered pages; exit 1 when a check finds a stale page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--only", nargs="+", metavar="PAGE", help="these pages only")
    parser.add_argument("--list", action="store_true", help="print the registry and exit")
    parser.add_argument("--inventory", type=Path, metavar="FILE", help="write docs/generated.md")
    args = parser.parse_args(argv)
    if args.inventory is not None:
        args.inventory.write_text(inventory(), encoding="utf-8")
        return 0
    pages = by_name(args.only) if args.only else list(PAGES)
    if args.list:
        for p in pages:
            tier = "slow" if p.runs_model else "fast"
            print(f"{p.name:12s} {tier}  {', '.join(p.outputs):55s} {p.inputs}")
        return 0
    problems = [problem for page in pages for problem in process(page, args.check)]
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems and args.check:
        print("regenerate with `make docs` (or docs/scripts/pages.py --only NAME)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
