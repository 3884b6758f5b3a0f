"""Record or check the golden outputs: SHA-256 of timeseries.parquet, kpis.json and projects.parquet per case.

`python tests/golden/record.py` rewrites tests/golden/golden.json; the test compares against it.
Re-record only in a commit that changes results on purpose, and say which outputs moved and why.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from abm.runner import run_scenario, write_outputs  # noqa: E402

# (scenario, seed, months): the four stories at two seeds, plus one long run that reaches the
# rules that act late (the 60-month switch rule, augmentation of faded sites, re-retirement).
CASES = [
    (scenario, seed, 24)
    for scenario in ("baseline", "second_life_boom", "queue_reform", "recycle_first")
    for seed in (1, 2)
] + [("baseline", 1, 120)]
GOLDEN = HERE / "golden.json"
RESULT_FILES = ("timeseries.parquet", "kpis.json", "projects.parquet")
"""The run contract's result files (run.json holds timings, scenario.toml the input)."""


def key(scenario: str, seed: int, months: int) -> str:
    """The case's name in golden.json."""
    return f"{scenario}/{seed}/{months}"


def digests(scenario: str, seed: int, months: int) -> dict[str, str]:
    """SHA-256 of the run contract's result files for one run (with its counterfactual)."""
    result = run_scenario(scenario, seed=seed, months=months)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_outputs(result, Path(tmp))
        return {name: hashlib.sha256(paths[name].read_bytes()).hexdigest() for name in RESULT_FILES}


def record() -> dict[str, dict[str, str]]:
    """All golden digests, keyed 'scenario/seed/months'."""
    return {key(*case): digests(*case) for case in CASES}


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(record(), indent=2, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")
