"""What docs/reliability.md reports, read from the tests and the code rather than typed by hand.

The corpus files of `tests/data/bad/` say in their first line what is wrong and what the message
must hold; `tests/test_bad_input.py` holds the `--set` cases and the sweep-spec gaps; the checks
of `MonthRecorder.check_invariants` and `Ledger.check` are read from their source; the fault,
invariant and no-silent-success tests are found by name in their modules (a test named here
that no longer exists fails the generator, so the page cannot point at a test that is gone).
"""

from __future__ import annotations

import importlib
import inspect
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the tests package and this tree's abm

BAD = ROOT / "tests" / "data" / "bad"
# what each check in MonthRecorder.check_invariants raises: "month {m.month}: <what>"
_INVARIANT_MESSAGE = re.compile(r'raise InvariantError\(\s*f"month \{m\.month\}: ([^"{(:]+)')
_LEDGER_MESSAGE = re.compile(r'raise LedgerError\(\s*f"([^"{]+)')


@dataclass(frozen=True)
class CorpusFile:
    """One broken input of tests/data/bad/: its name, what is wrong, what the message must hold."""

    name: str
    wrong: str
    expect: str


@dataclass(frozen=True)
class TestInfo:
    """One test function: its node id, what it checks, how many cases, and its tier."""

    node: str
    what: str
    cases: int
    slow: bool


def module(name: str) -> ModuleType:
    """A test module or a module of this tree, imported by dotted name."""
    return importlib.import_module(name)


def corpus(kind: str) -> list[CorpusFile]:
    """The broken files of tests/data/bad/<kind>/ with their first-line promise."""
    bad_input = module("tests.test_bad_input")
    files = sorted((BAD / kind).glob("*.toml"))
    out = []
    for path in files:
        key = f"{kind}/{path.name}"
        if key in bad_input.UNCOMMENTED:
            wrong = {"empty": "empty file", "whitespace": "whitespace only"}.get(
                path.stem, f"{path.stem} file"
            )
            out.append(CorpusFile(path.name, wrong, bad_input.UNCOMMENTED[key]))
            continue
        first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
        match = re.fullmatch(r"# (.+); expect: (.+)", first)
        if match is None:
            raise SystemExit(f"{path}: first line must be '# <what is wrong>; expect: <message>'")
        out.append(CorpusFile(path.name, match.group(1), match.group(2)))
    return out


def grid_files() -> list[tuple[str, list[str]]]:
    """Each broken grid file of tests/data/bad/grids/ and the scenario files that use it."""
    bad_input = module("tests.test_bad_input")
    scenarios = sorted((BAD / "scenarios").glob("*.toml"))
    texts = {p.name: p.read_bytes().decode("utf-8", "replace") for p in scenarios}
    return [
        (g.name, [name for name, text in texts.items() if f"grids/{g.name}" in text])
        for g in bad_input.GRID_FILES
    ]


def set_cases() -> list[tuple[str, str, str]]:
    """(case id, the command line after `powerstack`, what the line must name) per --set case."""
    rows = []
    for case_id, (args, names, _fragments) in module("tests.test_bad_input").SET_CASES.items():
        shown = " ".join(_relative(a) for a in args)
        rows.append((case_id, shown, _relative(names)))
    return rows


def _relative(text: object) -> str:
    """Text with this checkout's root removed, so the page is the same on every machine."""
    return str(text).replace(str(ROOT) + "/", "").replace(str(ROOT), ".")


def sweep_gaps() -> dict[str, str]:
    """Sweep specs marked as strict xfails (known gaps of the spec checks), with the reason."""
    return dict(module("tests.test_bad_input").SWEEP_GAPS)


def _marks(fn: Callable[..., Any]) -> list[Any]:
    """The pytest marks on a test function."""
    return list(getattr(fn, "pytestmark", []))


def _cases(fn: Callable[..., Any]) -> int:
    """How many cases pytest makes of a test: the product of its parametrize lists."""
    sizes = [len(m.args[1]) for m in _marks(fn) if m.name == "parametrize"]
    return math.prod(sizes) if sizes else 1


def _what(fn: Callable[..., Any], name: str) -> str:
    """The first docstring line of a test, or its name in words."""
    doc = inspect.getdoc(fn)
    if doc:
        return doc.splitlines()[0].rstrip(".")
    return name.removeprefix("test_").replace("_", " ")


def named_test(node: str) -> TestInfo:
    """The test at `tests/test_x.py::test_name` (SystemExit when it does not exist)."""
    path, name = node.split("::")
    mod = module(path.removesuffix(".py").replace("/", "."))
    fn = getattr(mod, name, None)
    if fn is None:
        raise SystemExit(f"docs/reliability.md names {node}, which does not exist")
    slow = any(m.name == "slow" for m in _marks(fn))
    return TestInfo(node, _what(fn, name), _cases(fn), slow)


def tests_in(path: str, prefix: str = "test_") -> list[TestInfo]:
    """Every test function of a module whose name starts with `prefix`, in source order."""
    mod = module(path.removesuffix(".py").replace("/", "."))
    names = [
        n
        for n, fn in vars(mod).items()
        if n.startswith(prefix) and inspect.isfunction(fn) and fn.__module__ == mod.__name__
    ]
    return [named_test(f"{path}::{n}") for n in names]


def invariant_checks() -> list[str]:
    """What `MonthRecorder.check_invariants` checks (abm.metrics.invariants), as the start of each message it raises."""
    from abm.ledger import Ledger
    from abm.metrics.invariants import check_invariants

    recorder = _INVARIANT_MESSAGE.findall(inspect.getsource(check_invariants))
    ledger = _LEDGER_MESSAGE.findall(inspect.getsource(Ledger.check))
    return [m.strip() for m in recorder] + [
        f"{m.split(':')[0].strip()} (Ledger.check)" for m in ledger
    ]


def breakages() -> list[tuple[str, str, str]]:
    """(case, error type, message it must raise) of test_invariant_checks_catch_a_broken_state."""
    cases = module("tests.test_invariants").BREAKAGES
    return [(name, error.__name__, message) for name, (_, error, message) in cases.items()]


def invariant_runs() -> list[tuple[str, int, int, int, bool]]:
    """(test, scenarios, seeds, months, slow) of the runs checked every month."""
    inv = module("tests.test_invariants")
    return [
        (
            "test_every_scenario_keeps_its_invariants",
            len(inv.FAST_SCENARIOS),
            len(inv.FAST_SEEDS),
            inv.FAST_MONTHS,
            False,
        ),
        (
            "test_every_scenario_keeps_its_invariants_full_length",
            len(inv.FAST_SCENARIOS),
            len(inv.SLOW_SEEDS),
            inv.FULL_MONTHS,
            True,
        ),
        ("test_real_grid_keeps_its_invariants", 1, len(inv.GRID_SEEDS), inv.GRID_MONTHS, True),
    ]


def representative_hours() -> int:
    """Power-market clearings per month of the baseline (one per representative hour)."""
    from abm.scenario import load_scenario

    return int(load_scenario("baseline").market.representative_hours)


def fuzz_budgets() -> list[tuple[str, int, int]]:
    """(property, fast-tier examples, slow-tier examples at scale 1) of tests/test_fuzz.py."""
    fuzz = module("tests.test_fuzz")
    rows = []
    for name, fn in vars(fuzz).items():
        settings = getattr(fn, "_hypothesis_internal_use_settings", None)
        if not name.startswith("test_") or name.endswith("_slow") or settings is None:
            continue
        slow_fn = getattr(fuzz, f"{name}_slow", None)
        slow = settings.max_examples * fuzz.SLOW_FACTOR if slow_fn is not None else 0
        rows.append((name, settings.max_examples, slow))
    return rows
