"""docs/validation.md must be regenerated whenever the baseline or the model code changes."""

from __future__ import annotations

import math
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

import abm.validation as validation
from abm.validation import FACTS, REPORT, Fact, fingerprint, report_fingerprint


def test_validation_report_is_current() -> None:
    stored = report_fingerprint()
    assert stored is not None, (
        f"{REPORT} is missing: run `powerstack validate-model` (or `make docs`)"
    )
    assert stored == fingerprint(), (
        f"{REPORT} is stale: the baseline or the model changed; run `powerstack validate-model` (or `make docs`)"
    )


def test_every_fact_names_a_source_and_a_band() -> None:
    for fact in FACTS:
        assert fact.source and (fact.paired or fact.low <= fact.high), fact.name


def test_a_paired_fact_is_reported_with_its_interval_not_counted_as_a_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The consequential saving's row shows the mean and t-interval over seeds; it never passes or misses."""
    paired = Fact(
        "Fact p", "Mt", math.nan, math.nan, "source p", lambda r: r.kpis["a"], paired=True
    )
    monkeypatch.setattr(validation, "FACTS", (FAKE_FACTS[1], paired))
    monkeypatch.setattr(validation, "_blast_lite_gap", lambda: (0.01, None))
    values = iter([1.0, 2.0, 6.0])

    def run(name: str, seed: int) -> Any:
        return SimpleNamespace(kpis={"a": next(values), "b": 1.0})

    monkeypatch.setattr(validation, "run_scenario", run)
    rows = validation.evaluate([1, 2, 3])
    assert [r["status"] for r in rows] == ["pass", "reported", "pass"]
    page = validation.render(rows, [1, 2, 3])
    assert "**2 of 2 checks pass; 1 reported with its paired interval.**" in page
    # mean 3, sd 2.646, t(0.975, 2) = 4.303: half-width 6.572
    assert (
        "| Fact p | reported with its paired interval | mean 3.000, 95 % CI -3.572 to 9.572" in page
    )


def _fake_run(nan_seed: int | None, failing_seed: int | None) -> Callable[..., Any]:
    """A stand-in for the baseline run: KPI 'a' is NaN for one seed, one seed's run raises."""

    def run(name: str, seed: int) -> Any:
        if seed == failing_seed:
            raise ValueError("Probabilities contain NaN")
        return SimpleNamespace(kpis={"a": math.nan if seed == nan_seed else 5.0, "b": 1.0})

    return run


FAKE_FACTS = (
    Fact("Fact a", "x", 0, 10, "source a", lambda r: r.kpis["a"]),
    Fact("Fact b", "x", 0, 10, "source b", lambda r: r.kpis["b"]),
)


def test_missing_seeds_and_failed_references_are_reported_not_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A NaN seed and a BLAST-Lite error are named on the page; their checks do not pass."""
    import abm.batteries

    def broken_reference(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("model file missing")

    monkeypatch.setattr(validation, "FACTS", FAKE_FACTS)
    monkeypatch.setattr(abm.batteries, "blast_lite_soh", broken_reference)
    monkeypatch.setattr(validation, "run_scenario", _fake_run(nan_seed=2, failing_seed=None))
    rows = validation.evaluate([1, 2, 3])
    assert [r["status"] for r in rows] == ["incomplete", "pass", "not run"]
    assert rows[0]["values"] == [5.0, 5.0] and not rows[0]["pass"]
    page = validation.render(rows, [1, 2, 3])
    assert "**1 of 3 checks pass; 1 incomplete; 1 not run.**" in page
    assert "| Fact a | 0.000–10 x | 5.000 x (5.000–5.000), 2 of 3 seeds | **incomplete** |" in page
    assert "- **Fact a**: seed 2: no value (the run left it undefined: nan)." in page
    assert "BLAST-Lite failed: RuntimeError: model file missing." in page
    # a seed whose run raises is reported for every check, and nothing passes on the rest
    monkeypatch.setattr(validation, "run_scenario", _fake_run(nan_seed=None, failing_seed=3))
    rows = validation.evaluate([1, 2, 3])
    assert [r["status"] for r in rows[:2]] == ["incomplete", "incomplete"]
    assert rows[1]["missing"] == ["seed 3: the run failed (ValueError: Probabilities contain NaN)"]


def test_a_check_with_no_figure_is_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "FACTS", FAKE_FACTS[:1])
    monkeypatch.setattr(validation, "run_scenario", _fake_run(nan_seed=1, failing_seed=None))
    (row, _blast) = validation.evaluate([1])
    assert row["status"] == "not run" and row["median"] is None and not row["pass"]
    assert "| Fact a | 0.000–10 x | — x | **not run** |" in validation.render([row], [1])
