"""docs/validation.md must be regenerated whenever the baseline or the model code changes."""

from __future__ import annotations

from abm.validation import FACTS, REPORT, fingerprint, report_fingerprint


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
        assert fact.source and fact.low <= fact.high, fact.name
