"""Shared fixtures: short runs for speed, and the one size knob of the slow tier.

The slow tier (`-m slow`) runs at `slow_scale()` times its full size: 0.25 by default, which is
what `make test` and a bare `pytest` use (the README's test table gives the measured time), and 1
with `POWERSTACK_SLOW_SCALE=1`, which is what `make test-full` sets. Every slow test that has a
size (months, seeds, examples, buses, samples, corpus files) takes it from here (`slow_scale`,
`slow_sample`) and keeps its assertions.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLOW_SCALE_ENV = "POWERSTACK_SLOW_SCALE"
DEFAULT_SLOW_SCALE = 0.25  # `make test`; `make test-full` sets POWERSTACK_SLOW_SCALE=1


def slow_scale() -> float:
    """Size factor of the slow tier (> 0): POWERSTACK_SLOW_SCALE, else DEFAULT_SLOW_SCALE."""
    raw = os.environ.get(SLOW_SCALE_ENV, str(DEFAULT_SLOW_SCALE))
    try:
        scale = float(raw)
    except ValueError:
        scale = -1.0
    if not scale > 0.0:
        raise pytest.UsageError(f"{SLOW_SCALE_ENV}={raw!r}; expected a positive number")
    return scale


def slow_sample[T](items: Sequence[T], minimum: int = 1) -> list[T]:
    """A share `slow_scale()` of `items` (at least `minimum`), spread evenly; all of them at 1."""
    n = len(items)
    k = min(n, max(minimum, math.ceil(n * slow_scale())))
    return [items[(i * n) // k] for i in range(k)]


def pytest_report_header() -> str:
    """Say in the header at which size the slow tier runs."""
    return f"slow tier at {slow_scale():g} x full size ({SLOW_SCALE_ENV}; make test-full uses 1)"


@pytest.fixture
def cli_env() -> dict[str, str]:
    """Environment for running `python -m abm` in a subprocess from the project root."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return env


@pytest.fixture
def python() -> str:
    """The interpreter running the tests (the project's venv)."""
    return sys.executable


# --- Scheduling on xdist workers (`make test`: `-n auto --dist loadgroup`) -----------------------
# Each test file is one xdist group, so its module fixtures are built once (as `--dist loadfile`
# did), except two files whose tests are independent runs: the lever test is cut into chunks of
# keys whose base runs share their months (tests/lever_runs.py steps them once per lineage and
# process), and each docs page regeneration is a group of its own. Groups are handed out longest first (weights below), so
# no core idles behind a long file at the end. Scheduling only: which tests run and what they
# assert does not change. The controller's scheduler (`pytest_xdist_make_scheduler`) reads each
# test's group from its id, so the groups hold on pytest 9.2 too.
LEVERS_FILE = "tests/test_levers.py"
PAGES_FILE = "tests/test_generated_pages.py"
BROWSER_DIR = "tests/browser/"
LEVER_CHUNK = 10  # keys per lever group: one base run (~2-6 s) shared by ten moved runs
# Mean seconds per test at 0.25 size by group name or file; only their ratios matter. The docs
# pages' groups (run by `make test-ci` only): junit times of `CI=true pytest -n 2 --dist loadgroup`
# at 2675849 on an idle 2-core machine. Every other file: junit times of `make test` (`-m "not
# pages"`) at 4f86858 on an idle 2-core machine (1,492 tests, 1,093 test-seconds), every file of
# 10 s or more in all; the others weigh the default, their mean. Before, test_pack_market_runs
# (37 s) and test_shiftable (28 s) weighed the default and were handed out last, behind the
# long groups. test_pack_market_runs weighs its mean there (12.23 s) times its CPU ratio after /
# before the 45X test's 0.25 size ran one seed instead of three (`/usr/bin/time pytest -n 1
# FILE`, h/tests2: 19.9 / 39.6 s user).
SECONDS_PER_TEST: dict[str, float] = {
    "tests/test_generated_pages.py-page-scenarios": 380.01,
    "tests/test_generated_pages.py-page-validation": 150.38,
    "tests/test_generated_pages.py-page-baseline": 24.00,
    BROWSER_DIR: 11.03,
    "tests/test_determinism.py": 10.32,
    "tests/test_benchmarks_smoke.py": 8.42,
    "tests/test_notebooks.py": 6.65,
    "tests/test_directional.py": 6.47,
    "tests/test_pack_market_runs.py": 6.14,
    "tests/test_sweep_analysis.py": 4.28,
    "tests/test_shiftable.py": 3.93,
    "tests/test_fuzz.py": 3.92,
    "tests/test_sweep_run.py": 3.87,
    "tests/test_app_dashboard.py": 3.58,
    "tests/test_golden.py": 3.45,
    "tests/test_faults.py": 2.31,
    "tests/test_model.py": 2.08,
    "tests/test_invariants.py": 2.03,
    "tests/test_app_components.py": 1.67,
    "tests/test_cli.py": 1.30,
    "tests/test_levers.py": 1.20,
    "tests/test_compare.py": 0.76,
    "tests/test_bad_input.py": 0.08,
}
DEFAULT_SECONDS_PER_TEST = 0.15  # the measured mean of the 915 tests of the other files (0.147)


def _path_and_param(nodeid: str) -> tuple[str, str | None]:
    """A test id's file and the text inside its parametrize brackets (None without)."""
    path, _, rest = nodeid.partition("::")
    _, bracket, param = rest.partition("[")
    return path, param[:-1] if bracket and param.endswith("]") else None


def xdist_groups(nodeids: Sequence[str]) -> list[str]:
    """The xdist group of each test id: its file, a chunk of lever keys, one docs page, the browser tier."""
    from tests import lever_helpers

    groups: list[str] = []
    lineages: dict[str, int] = {}
    seen: dict[str, int] = {}
    for nodeid in nodeids:
        path, param = _path_and_param(nodeid)
        if path == LEVERS_FILE and param is not None:
            lineage = repr(sorted(lever_helpers.lineage_of(param).items()))
            index = lineages.setdefault(lineage, len(lineages))
            count = seen[lineage] = seen.get(lineage, -1) + 1
            groups.append(f"{path}-lineage{index}-chunk{count // LEVER_CHUNK}")
        elif path == PAGES_FILE and param is not None:
            groups.append(f"{path}-page-{param}")
        elif path.startswith(BROWSER_DIR):
            groups.append(BROWSER_DIR)  # one worker, one app server and one Chromium for all
        else:
            groups.append(path)
    return groups


def _weight_s(group: str, n_tests: int) -> float:
    """A group's expected seconds: its tests times the measured mean of the group or its file."""
    path = group if group == BROWSER_DIR else group.partition(".py")[0] + ".py"
    per_test = SECONDS_PER_TEST.get(group, SECONDS_PER_TEST.get(path, DEFAULT_SECONDS_PER_TEST))
    return n_tests * per_test


def _loadgroup(config: pytest.Config) -> bool:
    """Whether this session (controller or xdist worker) schedules by `--dist loadgroup`."""
    return config.getoption("dist", "no") == "loadgroup" or bool(
        getattr(config.option, "loadgroup", False)
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `--dist loadgroup`: put the tests of each group together, long groups first."""
    if not _loadgroup(config):
        return
    members: dict[str, list[pytest.Item]] = {}
    for item, group in zip(items, xdist_groups([i.nodeid for i in items]), strict=True):
        members.setdefault(group, []).append(item)
    order = sorted(members, key=lambda g: -_weight_s(g, len(members[g])))
    items[:] = [item for group in order for item in members[group]]


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under `--dist loadgroup`: xdist's group scheduler, fed the groups of `xdist_groups`.

    xdist 3.8 passes a test's group to the controller by appending "@group" to its id, which
    pytest 9.2's structured ids ignore (pytest-dev/pytest-xdist#1386): every test became a unit
    of its own, so a file's module fixtures were built on each worker that got one of its tests.
    This scheduler reads the groups from the ids themselves, so no id is rewritten.
    """
    if not _loadgroup(config):
        return None
    from xdist.scheduler import LoadGroupScheduling

    class FileGroupScheduling(LoadGroupScheduling):
        """LoadGroupScheduling with each test's unit from `xdist_groups` (one map per session)."""

        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:
                ids = list(self.collection or [nodeid])
                self.groups = dict(zip(ids, xdist_groups(ids), strict=True))
            return self.groups.get(nodeid) or xdist_groups([nodeid])[0]

    return FileGroupScheduling(config, log)
