"""The dashboard's ensembles: the extra seeds of the run and of its comparison, and what they give.

The run on show and its comparison each get seeds 2..N in the seed pool (`viz.ensemble`); once
both sides have every seed, the cards show the paired difference over the seeds, and the charts
draw the median and range of the seeds that are in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import solara

from abm.metrics.paired import PairedDifference
from viz.charts.bands import Bands
from viz.components import use_ensemble, use_futures_watch
from viz.dashboard.hooks import Configs, Runs
from viz.ensemble import Ensemble, ensemble_seeds, ensemble_size, seed_frames, seed_kpis
from viz.noise import KpiList, paired_by_card
from viz.runs import config_key


@dataclass(frozen=True)
class Ensembles:
    """What the page draws from the two ensembles right now."""

    seeds: tuple[int, ...]
    seeds_in: int  # seeds complete on both sides (the page's own counts once its run is done)
    noise: dict[str, PairedDifference] | None  # per card, once every seed is in (compare mode)
    pending: str  # what a card adds to its one-seed change until then
    shown_kpis: KpiList
    compare_kpis: KpiList
    bands: Bands


def _seeds_in(first_done: bool, ensemble: Ensemble | None) -> int:
    """Seeds complete on one side."""
    return int(first_done) + (0 if ensemble is None else ensemble.extra_done)


def use_ensembles(configs: Configs, runs: Runs) -> Ensembles:
    """Start, hold and watch the extra seeds of the run on show and of its comparison."""
    n = solara.use_memo(ensemble_size, [])
    shown, compare = configs.shown, configs.compare
    comparing = runs.cmp_label is not None and runs.cmp_kpis is not None
    same = shown is not None and compare is not None and config_key(shown) == config_key(compare)
    ens = use_ensemble(shown, n)
    cmp_ens = use_ensemble(compare if compare is not None and not same else None, n)
    use_futures_watch([*(ens.futures if ens else ()), *(cmp_ens.futures if cmp_ens else ())])
    seeds = ensemble_seeds(shown.run.seed if shown is not None else 1, n)
    first: dict[str, Any] | None = runs.kpis if runs.current else None
    seeds_in = _seeds_in(first is not None, ens)
    if comparing:
        seeds_in = min(seeds_in, _seeds_in(runs.cmp_kpis is not None, cmp_ens))
    shown_kpis = seed_kpis(first, ens)
    compare_kpis = seed_kpis(runs.cmp_kpis, cmp_ens)
    noise = (
        paired_by_card(shown_kpis, compare_kpis)
        if comparing and first is not None and seeds_in == n and n > 1
        else None
    )
    pending = "; one seed: noise not checked" if n == 1 else f"; {seeds_in} of {n} seeds in"
    bands = Bands(
        seed_frames(runs.record if runs.current else None, ens),
        seed_frames(runs.cmp_record, cmp_ens) if runs.cmp_record is not None and not same else (),
        n,
    )
    return Ensembles(seeds, seeds_in, noise, pending, shown_kpis, compare_kpis, bands)
