"""A census of the model runs a test session makes: `pytest -p tests.run_census ...`.

Every `PowerStackModel` built in a test process is logged with a digest of its whole config, the
test that built it, the months it stepped and its CPU seconds (construction and steps), and each
process writes `run-census-<pid>.json` into `POWERSTACK_RUN_CENSUS_DIR` (default: the working
directory) when it exits. `python tests/run_census.py DIR` then sums them: how much of a session
is model work, and which identical configs were run more than once (candidates for a shared
run, as tests/checked_runs.py does for the checked runs). Runs in subprocesses (the CLI, sweep
workers, the app's server) are not seen. README, "Where the time goes", gives a census.
"""

from __future__ import annotations

import atexit
import collections
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

CENSUS: list[dict[str, Any]] = []


def config_digest(model: Any) -> str:
    """First 16 hex digits of the sha256 of the model's config as JSON (equal configs, equal runs)."""
    return hashlib.sha256(model.config.model_dump_json().encode()).hexdigest()[:16]


def install(census: list[dict[str, Any]]) -> None:
    """Wrap `PowerStackModel.__init__` and `.step` so that every model appends its entry to `census`."""
    from abm.model import PowerStackModel

    init, step = PowerStackModel.__init__, PowerStackModel.step

    def counted_init(self: Any, *args: Any, **kwargs: Any) -> None:
        started = time.process_time()
        init(self, *args, **kwargs)
        self._census = {
            "digest": config_digest(self),
            "test": os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0],
            "months": 0,
            "cpu_s": time.process_time() - started,
        }
        census.append(self._census)

    def counted_step(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        result = step(self, *args, **kwargs)
        entry = getattr(self, "_census", None)
        if entry is not None:
            entry["months"] += 1
            entry["cpu_s"] += time.process_time() - started
        return result

    PowerStackModel.__init__ = counted_init  # type: ignore[method-assign]
    PowerStackModel.step = counted_step  # type: ignore[method-assign]


def pytest_configure(config: Any) -> None:
    """Start counting in this process and write the census when it exits."""
    install(CENSUS)
    folder = Path(os.environ.get("POWERSTACK_RUN_CENSUS_DIR", "."))
    atexit.register(
        lambda: (folder / f"run-census-{os.getpid()}.json").write_text(json.dumps(CENSUS))
    )


def summary(entries: list[dict[str, Any]], top: int = 15) -> str:
    """Models, months and CPU seconds in all; then the configs run more than once, costliest first."""
    by_config: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for e in entries:
        by_config[e["digest"]].append(e)
    lines = [
        f"{len(entries)} models, {sum(e['months'] for e in entries)} months, "
        f"{sum(e['cpu_s'] for e in entries):.0f} CPU s"
    ]
    repeats = []
    for runs in by_config.values():
        if len(runs) > 1:
            runs = sorted(runs, key=lambda e: -e["cpu_s"])
            files = collections.Counter(e["test"].split("::")[0] for e in runs)
            repeats.append((sum(e["cpu_s"] for e in runs[1:]), len(runs), dict(files)))
    repeats.sort(key=lambda r: -r[0])
    lines.append(
        f"{len(repeats)} configs run more than once: {sum(r[0] for r in repeats):.0f} CPU s beyond their first run"
    )
    lines += [f"  {cost:6.1f} s  x{n}  {files}" for cost, n, files in repeats[:top]]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Command line: sum the census files of a folder."""
    folder = Path(argv[0] if argv else ".")
    entries = [
        e for p in sorted(folder.glob("run-census-*.json")) for e in json.loads(p.read_text())
    ]
    if not entries:
        print(f"error: no run-census-*.json in {folder}", file=sys.stderr)
        return 2
    print(summary(entries))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
