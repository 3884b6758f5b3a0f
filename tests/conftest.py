"""Shared fixtures: short runs for speed, and the one size knob of the slow tier.

The slow tier (`-m slow`) runs at `slow_scale()` times its full size: 0.25 by default, which is
what `make test` and a bare `pytest` use (the whole suite in about 5 minutes on 2 cores), and 1
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
