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

    def run(name: str, seed: int, **_: Any) -> Any:
        return SimpleNamespace(kpis={"a": next(values), "b": 1.0})

    monkeypatch.setattr(validation, "run_scenario", run)
    rows = validation.evaluate([1, 2, 3])
    assert [r["status"] for r in rows] == ["pass", "reported", "pass"]
    page = validation.render(rows, [1, 2, 3])
    assert "**2 of 2 held-out checks pass.** Also shown, not counted: 1 reported." in page
    # mean 3, sd 2.646, t(0.975, 2) = 4.303: half-width 6.572
    assert (
        "| Fact p | reported | reported with its paired interval | mean 3.000, 95 % CI -3.572 to 9.572"
        in page
    )


def _fake_run(nan_seed: int | None, failing_seed: int | None) -> Callable[..., Any]:
    """A stand-in for the baseline run: KPI 'a' is NaN for one seed, one seed's run raises."""

    def run(name: str, seed: int, **_: Any) -> Any:
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
    assert "**1 of 3 held-out checks pass; 1 incomplete; 1 not run.**" in page
    assert (
        "| Fact a | held out | 0.000–10 x | 5.000 x (95 % CI 5.000 to 5.000; 5.000–5.000), "
        "2 of 3 seeds | **incomplete** |" in page
    )
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
    assert "| Fact a | held out | 0.000–10 x | — x | **not run** |" in validation.render([row], [1])


def test_input_checks_and_calibration_targets_are_shown_not_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only held-out checks count: a fitted target and a by-construction check are listed apart."""
    from abm.validation_targets import CALIBRATION_TARGETS

    target = Fact("Fact t", "x", 0, 1, "s", lambda r: 5.0, key=sorted(CALIBRATION_TARGETS)[0])
    given = Fact("Fact i", "x", 0, 10, "s", lambda r: 5.0, kind="input check")
    monkeypatch.setattr(validation, "FACTS", (FAKE_FACTS[1], target, given))
    monkeypatch.setattr(validation, "_blast_lite_gap", lambda: (0.5, None))  # a held-out miss
    monkeypatch.setattr(validation, "run_scenario", _fake_run(None, None))
    rows = validation.evaluate([1, 2])
    assert [r["fact"].role for r in rows] == [
        "held out",
        "calibration target",
        "input check",
        "held out",
    ]
    page = validation.render(rows, [1, 2])
    assert (
        "**1 of 2 held-out checks pass.** Also shown, not counted: 1 calibration target, 1 input check."
        in page
    )
    assert "- **calibration target** (1): Fact t: miss." in page
    assert "- **input check** (1): Fact i: pass." in page


def test_every_check_states_why_its_band_is_that_wide_and_the_circular_ones_are_input_checks() -> (
    None
):
    from abm.validation_facts import BLAST_FACT
    from abm.validation_targets import CALIBRATION_TARGETS

    facts = (*FACTS, BLAST_FACT)
    keys = [f.key for f in facts]
    assert len(set(keys)) == len(keys) and all(keys)
    assert set(keys) >= CALIBRATION_TARGETS, "a calibration target names no validation check"
    for fact in facts:  # the water checks (abm/validation_water.py) give theirs in their source
        assert fact.paired or fact.band_why or fact.key.startswith("water."), fact.name
    by_key = {f.key: f for f in facts}
    # issue 19: the retiring packs' SoH (the input distribution) and the phantom share
    # (re-measures duplicate_filings) hold by construction; the 55-month median is the target
    assert by_key["packs.retirement_soh"].role == "input check"
    assert by_key["queue.phantom_share"].role == "input check"
    assert by_key["queue.median_wait_months_generation"].role == "calibration target"
    held = [f for f in facts if f.role == "held out"]
    assert all(f.low <= 0 or f.high / f.low < 20 for f in held), "a band over 20x checks nothing"
