"""The model code a result depends on, hashed: generated pages store it to tell when they are stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

NOT_IN_RESULTS = {
    "cli.py",
    "paramdoc.py",
    "report.py",
    "__main__.py",
    "atomic.py",
    "bounds.py",
    "cli_export.py",
    "version.py",
}  # front ends and file plumbing, not the model
# abm/sweeps/ runs the model and abm/export/ reads its files: neither shapes its results
PACKAGES_NOT_IN_RESULTS = {"sweeps", "export"}


def add_model_code(digest: Any) -> Any:
    """Feed the path and source of every abm module that shapes results into a hashlib digest."""
    for path in sorted((ROOT / "abm").rglob("*.py")):
        parts = path.relative_to(ROOT / "abm").parts
        if path.name in NOT_IN_RESULTS or parts[0] in PACKAGES_NOT_IN_RESULTS:
            continue
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest
