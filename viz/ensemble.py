"""Ensembles: every run in the app is N seeds, so the cards can tell a lever's effect from luck.

The page's own seed runs at once in the run engine (`viz.runs`, drawn month by month); the
other N-1 seeds (seed+1 .. seed+N-1) run, each with its recycle-first counterfactual, in a
worker process on the core the engine's thread does not use. Their KPIs pair with the
comparison's on the same seeds (`abm.metrics.paired`, the statistics of `powerstack compare`),
and their monthly tables give the charts a median and a band.

N comes from `POWERSTACK_APP_SEEDS` (default 5: the fewest seeds whose 95 % t-interval is
usable, t = 2.78 on 4 degrees of freedom; each further seed costs a full run and its
counterfactual on a shared core, and `powerstack compare --seeds 5` uses the same).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import os
import threading
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import pandas as pd

from abm.runner import run_scenario
from abm.scenario import config_with
from abm.schema import ScenarioConfig
from viz.runs import RunRecord, _plain, config_key, energized_projects

log = logging.getLogger(__name__)

DEFAULT_SEEDS = 5
MAX_SEEDS = 20  # a workshop laptop cannot run more in the minutes a question lasts
SEEDS_ENV = "POWERSTACK_APP_SEEDS"
#: the monthly columns the bands read (the rest of a seed's table stays in its process)
BAND_COLUMNS = (
    "date",
    "ai_demand_mw",
    "existing_mw",
    "energized_mw_grid",
    "energized_mw_modular_second_life",
    "energized_mw_modular_new",
    "energized_mw_onsite_gas",
    "energized_mw_other",
    "queue_backlog_gw",
    "queue_load_backlog_gw",
    "co2_mt_cum",
    "co2_operational_mt_cum",
    "co2_embodied_mt_cum",
)


def ensemble_size(env: dict[str, str] | None = None) -> int:
    """N, from `POWERSTACK_APP_SEEDS` (1-20); a bad value logs a warning and gives the default."""
    text = (os.environ if env is None else env).get(SEEDS_ENV, "").strip()
    if not text:
        return DEFAULT_SEEDS
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_SEEDS:
        log.warning(
            "%s=%r is not a whole number 1-%d; using %d", SEEDS_ENV, text, MAX_SEEDS, DEFAULT_SEEDS
        )
        return DEFAULT_SEEDS
    return n


def ensemble_seeds(seed: int, n: int) -> tuple[int, ...]:
    """The page's seed first, then the next n-1."""
    return tuple(seed + i for i in range(n))


@dataclass(frozen=True)
class SeedResult:
    """One seed's KPIs (with its counterfactual's) and the monthly columns the bands need."""

    seed: int
    kpis: dict[str, Any]
    timeseries: pd.DataFrame


def run_seed(cfg: ScenarioConfig) -> SeedResult:
    """Run one seed and its recycle-first counterfactual (in a worker process)."""
    result = run_scenario(cfg, counterfactual=True)
    kpis = _plain(result.kpis)
    kpis["energized_projects"] = energized_projects(result.projects)
    ts = result.timeseries
    return SeedResult(cfg.run.seed, kpis, ts[[c for c in BAND_COLUMNS if c in ts.columns]].copy())


def exit_with_server(lifeline: Connection) -> None:
    """Worker initializer: end this worker when the server dies (its end of `lifeline` closes).

    A killed app server would otherwise leave its forkserver workers behind, ~300 MB each.
    """

    def watch() -> None:
        with contextlib.suppress(EOFError):
            lifeline.recv()  # nothing is ever sent: this returns at the server's end
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-server", daemon=True).start()


class SeedPool:
    """Worker processes for the extra seeds, and a cache of their results by resolved scenario."""

    def __init__(self, workers: int | None = None, cache_size: int = 400) -> None:
        self.workers = workers or max(1, (os.cpu_count() or 2) - 1)
        self.cache_size = cache_size
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._lifeline: Connection | None = None  # held here only, so it closes when we die
        self._futures: OrderedDict[str, Future[SeedResult]] = OrderedDict()
        self._holders: dict[str, int] = {}

    def _pool(self) -> ProcessPoolExecutor:
        """The executor, started on first use (forkserver: the server's threads are not forked)."""
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            lifeline, self._lifeline = context.Pipe(duplex=False)  # the kernel closes ours
            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=exit_with_server,
                initargs=(lifeline,),
            )
        return self._executor

    def submit(self, cfg: ScenarioConfig) -> Future[SeedResult]:
        """The run of `cfg`: cached, already under way, or queued now."""
        key = config_key(cfg)
        with self._lock:
            future = self._futures.get(key)
            if future is None or future.cancelled():
                future = self._pool().submit(run_seed, cfg)
                self._futures[key] = future
            self._futures.move_to_end(key)
            self._holders[key] = self._holders.get(key, 0) + 1
            while len(self._futures) > self.cache_size:
                old, _ = self._futures.popitem(last=False)
                self._holders.pop(old, None)
            return future

    def release(self, cfg: ScenarioConfig) -> None:
        """One holder less; a queued run nobody holds is dropped (a running one finishes, cached)."""
        key = config_key(cfg)
        with self._lock:
            held = self._holders.get(key, 0) - 1
            self._holders[key] = max(held, 0)
            future = self._futures.get(key)
            if held <= 0 and future is not None and future.cancel():
                del self._futures[key]

    def shutdown(self) -> None:
        """Stop the workers (queued runs are dropped)."""
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None


POOL = SeedPool()
atexit.register(POOL.shutdown)


@dataclass(frozen=True)
class Ensemble:
    """The extra seeds of one setting: their configs and their runs in the pool."""

    seeds: tuple[int, ...]  # every seed, the page's own first
    configs: tuple[ScenarioConfig, ...]  # seeds[1:]
    futures: tuple[Future[SeedResult], ...]

    @property
    def n(self) -> int:
        """Seeds in the ensemble, the page's own included."""
        return len(self.seeds)

    def results(self) -> list[SeedResult | None]:
        """The extra seeds' results so far (None: still running, or failed)."""
        out: list[SeedResult | None] = []
        for future in self.futures:
            if future.done() and not future.cancelled() and future.exception() is None:
                out.append(future.result())
            else:
                out.append(None)
        return out

    @property
    def extra_done(self) -> int:
        """Extra seeds that ended (finished or failed)."""
        return sum(f.done() for f in self.futures)

    @property
    def finished(self) -> bool:
        """Whether every extra seed has ended."""
        return all(f.done() for f in self.futures)


def start_ensemble(pool: SeedPool, cfg: ScenarioConfig, n: int) -> Ensemble:
    """Queue seeds 2..n of `cfg` in the pool (the page's seed runs in the engine)."""
    seeds = ensemble_seeds(cfg.run.seed, n)
    configs = tuple(config_with(cfg, {"run.seed": s}, "ensemble") for s in seeds[1:])
    return Ensemble(seeds, configs, tuple(pool.submit(c) for c in configs))


def release_ensemble(pool: SeedPool, ensemble: Ensemble) -> None:
    """The page no longer shows this setting: its queued seeds nobody else holds are dropped."""
    for cfg in ensemble.configs:
        pool.release(cfg)


def seed_kpis(
    first: dict[str, Any] | None, ensemble: Ensemble | None
) -> list[dict[str, Any] | None]:
    """Per seed, the KPIs (the page's seed first, from the engine): None where missing."""
    rest = [] if ensemble is None else [r.kpis if r else None for r in ensemble.results()]
    return [first, *rest]


def seed_frames(first: RunRecord | None, ensemble: Ensemble | None) -> tuple[pd.DataFrame, ...]:
    """The complete monthly tables of the ensemble so far (the page's seed once complete)."""
    frames = [] if first is None or not first.complete else [first.timeseries]
    if ensemble is not None:
        frames += [r.timeseries for r in ensemble.results() if r is not None]
    return tuple(frames)
