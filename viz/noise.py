"""Noise rows: per KPI card, the paired difference of this run's seeds against the comparison's.

A KPI card's change between two single runs mixes the lever's effect with the luck of one
seed. Every run in the app is an ensemble of seeds (`viz.ensemble`); this module reads the two
ensembles' KPIs with `abm.metrics.paired`, the statistics of `powerstack compare`: per KPI
card, the mean of the per-seed differences (this run minus the comparison), its 95 % interval
and a verdict, for the cards (`paired_by_card`) and the table under them (`noise_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from abm.metrics.paired import BEYOND, IDENTICAL, NO_DATA, PairedDifference, paired_difference
from viz.kpis import DASH, SPECS

KpiList = Sequence[dict[str, Any] | None]  # per seed, the KPIs (None: missing or failed)


@dataclass(frozen=True)
class NoiseRow:
    """One KPI card's paired result, formatted in the card's unit and precision."""

    key: str
    label: str
    unit: str
    difference: str
    interval: str
    verdict: str
    n: int


def paired_by_card(shown: KpiList, compare: KpiList) -> dict[str, PairedDifference]:
    """Per KPI card key, the paired difference shown minus comparison over the seeds."""
    return {
        spec.key: paired_difference(
            [None if k is None else spec.read(k) for k in compare],
            [None if k is None else spec.read(k) for k in shown],
        )
        for spec in SPECS
    }


def _interval(d: PairedDifference, decimals: int) -> str:
    """'[low, high]' in the card's precision; a dash without an interval."""
    if d.n < 2:
        return DASH
    return f"[{d.low:+,.{decimals}f}, {d.high:+,.{decimals}f}]"


def noise_rows(shown: KpiList, compare: KpiList) -> list[NoiseRow]:
    """Per KPI card, the paired difference this run minus the comparison (cards without data left out)."""
    by_card = paired_by_card(shown, compare)
    rows = []
    for spec in SPECS:
        d = by_card[spec.key]
        if d.verdict == NO_DATA:
            continue
        difference = (
            "no change" if d.verdict == IDENTICAL else f"{d.difference:+,.{spec.decimals}f}"
        )
        verdict = d.verdict + (" (no spread)" if d.verdict == BEYOND and d.sd == 0 else "")
        rows.append(
            NoiseRow(
                spec.key,
                spec.label,
                spec.unit,
                difference,
                _interval(d, spec.decimals),
                verdict,
                d.n,
            )
        )
    return rows
