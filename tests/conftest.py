"""Shared fixtures: short runs for speed, and the CI size knob for slow tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def slow_scale() -> float:
    """Size factor for slow tests: 1 locally, reduced in CI via POWERSTACK_SLOW_SCALE."""
    return float(os.environ.get("POWERSTACK_SLOW_SCALE", "1"))


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
