"""Golden-output guard: refactoring steps must not change any result byte.

Digests of `timeseries.parquet`, `kpis.json` and `projects.parquet` for four scenarios at seeds 1 and 2 (24 months,
plus one 120-month baseline, with the recycle-first counterfactual) are recorded in tests/golden/golden.json by
`python tests/golden/record.py`. A commit that changes results on purpose re-records them and
says which outputs moved and why.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "golden"
_spec = importlib.util.spec_from_file_location("golden_record", HERE / "record.py")
assert _spec is not None and _spec.loader is not None
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)
EXPECTED = json.loads((HERE / "golden.json").read_text())


@pytest.mark.parametrize("case", golden.CASES, ids=[golden.key(*c) for c in golden.CASES])
def test_outputs_match_golden(case: tuple[str, int, int]) -> None:
    assert golden.digests(*case) == EXPECTED[golden.key(*case)], (
        f"{golden.key(*case)}: outputs changed; if on purpose, re-record with "
        "`python tests/golden/record.py` and say why in the commit"
    )
