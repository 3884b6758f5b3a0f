"""Fingerprints of what a model-running page is computed from, and the record of them.

A page that runs the model takes minutes to regenerate, so `make test` does not regenerate it.
Instead, when `pages.py` installs such a page it records a hash of everything the page can
depend on (the model package, the scenarios, the generators, the pinned library versions and
the page's own command) in `docs/fingerprints.json`; the fast staleness test recomputes the hash
from the checkout and fails when a byte of those inputs moved since. The byte-for-byte
regeneration of the same pages runs in CI and `make test-full` (the `pages` test marker).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORD = ROOT / "docs" / "fingerprints.json"
# Everything a model-running page can read: the model and its data, the scenarios, every
# generator and helper script, and the pinned dependency set (a Matplotlib upgrade moves PNGs).
INPUTS: tuple[str, ...] = (
    "abm/**/*",
    "scenarios/**/*",
    "docs/scripts/*.py",
    "constraints.txt",
    "pyproject.toml",
)
_SKIPPED_PARTS = {"__pycache__"}


def input_files(root: Path = ROOT, globs: Iterable[str] = INPUTS) -> list[Path]:
    """The files the globs match under `root`, sorted by their posix path (caches skipped)."""
    found: set[Path] = set()
    for pattern in globs:
        for path in root.glob(pattern):
            rel = path.relative_to(root)
            if path.is_file() and not _SKIPPED_PARTS.intersection(rel.parts):
                found.add(rel)
    return sorted(found, key=lambda p: p.as_posix())


def fingerprint(argv: Sequence[str], root: Path = ROOT) -> str:
    """Hash (16 hex digits) of the page's command and of every input file's path and bytes."""
    digest = hashlib.sha256("\0".join(argv).encode())
    for rel in input_files(root):
        digest.update(b"\0" + rel.as_posix().encode() + b"\0")
        digest.update((root / rel).read_bytes())
    return digest.hexdigest()[:16]


def recorded(record: Path = RECORD) -> dict[str, str]:
    """The fingerprints committed in `docs/fingerprints.json` (empty when it does not exist)."""
    if not record.is_file():
        return {}
    data = json.loads(record.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def record(name: str, value: str, record_path: Path = RECORD) -> None:
    """Store one page's fingerprint, keeping the others; keys sorted so the file diffs cleanly."""
    data = recorded(record_path)
    data[name] = value
    text = json.dumps(dict(sorted(data.items())), indent=2) + "\n"
    record_path.write_text(text, encoding="utf-8")
