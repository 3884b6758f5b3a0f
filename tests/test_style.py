"""The code base stays ruff-clean: lint and formatting are checked with the tests, not just in review."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TARGETS = [p for p in ("abm", "viz", "tests", "benchmarks", "docs/scripts") if (ROOT / p).exists()]


def ruff() -> str:
    """The ruff beside this interpreter, else on PATH."""
    exe = Path(sys.executable).parent / "ruff"
    found = str(exe) if exe.exists() else shutil.which("ruff")
    if not found:
        pytest.fail("ruff is not installed: install the dev extra (pip install -e '.[dev]')")
    return found


def test_ruff_check_is_clean() -> None:
    done = subprocess.run([ruff(), "check", *TARGETS], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean() -> None:
    done = subprocess.run(
        [ruff(), "format", "--check", *TARGETS], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
