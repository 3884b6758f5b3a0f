"""Validation facts for water: the direct water of US data centres in 2023 and 2028 against published totals.

DOMAIN.md quotes 55.4 bn L (2023) rising to 124 bn L (2028) for US AI facilities (an article,
definition not given); LBNL 2024 gives ~64 bn L (17 bn gal) of direct, on-site consumption for
all US data centres in 2023, doubling or quadrupling by 2028 (and ~800 bn L indirect, in power
generation). Both are read as direct consumption, so the bands run from the article's figure to
LBNL's. Registered in `abm.validation.FACTS` by one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from abm.runner import RunResult

LBNL_2023_BN_L = 64.0
"""LBNL 2024 US Data Center Energy Usage Report: direct water of US data centres in 2023 (bn L)."""


def direct_bn_litres_2023(result: RunResult) -> float:
    """Direct water in 2023 (bn L): the 2023 demand anchor at the pre-run fleet's factor (before the run starts)."""
    cfg = result.config
    return cfg.demand.dc_twh_2023 * cfg.water.fleet_direct_l_per_kwh  # TWh x L/kWh = bn L


def direct_bn_litres_in(result: RunResult, year: int) -> float:
    """Direct water of the whole data-centre fleet in a calendar year of the run (bn L)."""
    df = result.timeseries
    rows = df[df["date"].str.startswith(str(year))]
    return float(rows["water_direct_ml"].sum()) / 1000.0 if len(rows) else float("nan")


def water_facts(fact: type) -> tuple[Any, ...]:
    """The two water facts, built with the report's `Fact` class (passed in: no import cycle)."""
    return (
        fact(
            "Direct water of US data centres in 2023",
            "bn L",
            55.4,
            LBNL_2023_BN_L,
            "DOMAIN.md: 55.4 bn L for US AI facilities (article); LBNL 2024: ~64 bn L direct for all US data centres",
            direct_bn_litres_2023,
            note="before the run: the 2023 demand anchor (176 TWh) at water.fleet_direct_l_per_kwh, itself read from LBNL: a consistency check of the factor, not of the dynamics",
        ),
        fact(
            "Direct water of US data centres in 2028",
            "bn L",
            124.0,
            4 * LBNL_2023_BN_L,
            "DOMAIN.md: 124 bn L in 2028 for US AI facilities (article); LBNL 2024: 2-4x the 2023 64 bn L",
            lambda r: direct_bn_litres_in(r, 2028),
            note="the pre-run fleet at its WUE plus what the run energised, each at its path's cooling (water.cooling_*); indirect water (generation) is in the KPIs, not checked",
            fix="water.wue_evaporative_l_per_kwh (0.45, from LBNL's fleet) sets most of it: at Shehabi 2016's 1.8 L/kWh the 2028 figure roughly doubles",
        ),
    )
