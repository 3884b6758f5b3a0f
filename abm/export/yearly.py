"""Months to years: each exported variable's yearly value from a run's monthly table.

Only complete calendar years (all twelve months in the run) are exported, because a flow over
part of a year is not a value per year; the years left out are returned with their month count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from abm.export.variables import Aggregation, Variable

MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class Yearly:
    """Yearly values in long form (variable, unit, year, value) and the partial years left out."""

    values: pd.DataFrame
    partial_years: dict[int, int]  # year -> months the run has in it


def _monthly(ts: pd.DataFrame, var: Variable) -> pd.Series:
    """The variable's monthly series: its columns summed, a cumulative column turned into flows."""
    columns = [c for c in var.columns if c in ts.columns]
    series = ts[columns].astype(float).sum(axis=1, min_count=1)
    if (
        var.aggregation is Aggregation.INCREASE
    ):  # the run starts at zero: month 1's flow is its value
        series = series.diff().fillna(series)
    return series


def _aggregate(monthly: pd.Series, years: pd.Series, how: Aggregation) -> pd.Series:
    """One value per year from the months of that year."""
    grouped = monthly.groupby(years, sort=True)
    if how is Aggregation.END:
        return grouped.last()
    if how is Aggregation.MEAN:
        return grouped.mean()
    return grouped.sum(min_count=1)  # SUM and INCREASE: the year's monthly flows


def yearly(ts: pd.DataFrame, variables: Sequence[Variable]) -> Yearly:
    """Aggregate the monthly table `ts` (with a `date` column YYYY-MM) to complete calendar years."""
    years = ts["date"].str.slice(0, 4).astype(int)
    counts = years.value_counts().sort_index()
    complete = [int(y) for y, n in counts.items() if n == MONTHS_PER_YEAR]
    partial = {int(y): int(n) for y, n in counts.items() if n != MONTHS_PER_YEAR}
    rows = []
    for var in variables:
        values = _aggregate(_monthly(ts, var), years, var.aggregation).loc[complete]
        rows += [(var.name, var.unit, year, value) for year, value in values.items()]
    values = pd.DataFrame(rows, columns=["variable", "unit", "year", "value"])
    return Yearly(values.astype({"year": int, "value": float}), partial)
