"""Model runs for the app: one worker thread, a result cache, partial results, pausing and cancelling.

Why a custom runner instead of `abm.runner.run_scenario`: the page must stay responsive and
show a run while it grows, a slider move must be able to stop a run that is no longer wanted,
and the recycle-first counterfactual (which doubles the cost) should come after the run people
are looking at. So runs are jobs with a priority, stepped month by month by one worker thread:
between months the worker publishes a partial record, obeys cancel requests, and pauses a job
(keeping its model) when a more urgent one arrives. Finished runs are cached by their resolved
scenario (which covers scenario, overrides and seed), so returning to a setting is instant.
The KPIs and the monthly table are exactly what `run_scenario` reports (same model calls).
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import itertools
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from abm.errors import InputError
from abm.grid.queue import Kind, State
from abm.model import PowerStackModel
from abm.projects import Status
from abm.scenario import config_with
from abm.schema import ScenarioConfig

log = logging.getLogger(__name__)

PRIMARY, COMPARE, COUNTERFACTUAL, COMPARE_COUNTERFACTUAL, PREWARM = 0, 1, 2, 3, 4
QUEUED, RUNNING, PAUSED, DONE, FAILED, CANCELLED = (
    "queued",
    "running",
    "paused",
    "done",
    "failed",
    "cancelled",
)
FINAL_STATES = (DONE, FAILED, CANCELLED)


def config_key(cfg: ScenarioConfig) -> str:
    """Cache key of a run: a hash of every parameter (name and story text excluded)."""
    data = cfg.model_dump(exclude={"name", "description"})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:20]


def counterfactual_config(cfg: ScenarioConfig) -> ScenarioConfig:
    """The recycle-first twin of a scenario (itself when it already routes recycle-first)."""
    if cfg.packs.routing == "recycle_first":
        return cfg
    return config_with(cfg, {"packs.routing": "recycle_first"}, "counterfactual")


@dataclass(frozen=True)
class GridLayout:
    """Where buses are drawn and which lines join them (fixed for a run)."""

    x: np.ndarray
    y: np.ndarray
    territory: np.ndarray
    line_from: np.ndarray
    line_to: np.ndarray

    @property
    def n_territories(self) -> int:
        """Number of utility territories."""
        return int(self.territory.max()) + 1 if self.territory.size else 0


@dataclass(frozen=True)
class MapState:
    """Grid state at the end of one month, for the network map."""

    month: int
    label: str
    dc_mw: np.ndarray  # energised data-centre MW per bus (all paths)
    wait_months: np.ndarray  # median months in queue of active load requests per bus (NaN: none)
    lmp_usd_per_mwh: np.ndarray  # per bus, month average
    line_loading: np.ndarray  # |flow| / rating at the peak hour, per line


@dataclass
class RunRecord:
    """What the app draws for one run: the monthly table, KPIs, projects and map snapshots."""

    key: str
    config: ScenarioConfig
    timeseries: pd.DataFrame
    derived: pd.DataFrame
    projects: pd.DataFrame
    grid: GridLayout
    maps: tuple[MapState, ...]
    kpis: dict[str, Any] | None
    months_done: int
    months_total: int
    wall_time_s: float

    @property
    def complete(self) -> bool:
        """Whether every month has run and the KPIs exist."""
        return self.kpis is not None


@dataclass(eq=False)
class RunJob:
    """One requested run and its progress; the worker updates it, the page reads it."""

    key: str
    config: ScenarioConfig
    priority: int
    seq: int
    status: str = QUEUED
    record: RunRecord | None = None
    error: str | None = None
    version: int = 0
    subscribers: int = 0
    months_total: int = 0
    from_cache: bool = False
    _model: PowerStackModel | None = field(default=None, repr=False)
    _derived: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _maps: list[MapState] = field(default_factory=list, repr=False)
    _grid: GridLayout | None = field(default=None, repr=False)
    _spent_s: float = 0.0
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def done(self) -> bool:
        """Finished, failed or cancelled."""
        return self.status in FINAL_STATES

    @property
    def months_done(self) -> int:
        """Months simulated so far."""
        return self.record.months_done if self.record is not None else 0


def grid_layout(model: PowerStackModel) -> GridLayout:
    """Bus coordinates (seeded spring layout when the grid has none), territories and lines."""
    nodes = sorted(model.grid.graph.nodes)
    attrs = [model.grid.graph.nodes[n] for n in nodes]
    if all("x" in a and "y" in a for a in attrs):
        x = np.array([float(a["x"]) for a in attrs])
        y = np.array([float(a["y"]) for a in attrs])
    else:
        pos = nx.spring_layout(model.grid.graph, seed=0)
        x = np.array([pos[n][0] for n in nodes])
        y = np.array([pos[n][1] for n in nodes])
    net = model.grid.network
    return GridLayout(
        x,
        y,
        model.grid.bus_territory.copy(),
        np.asarray(net.line_from).copy(),
        np.asarray(net.line_to).copy(),
    )


def map_state(model: PowerStackModel) -> MapState:
    """The grid's state now: DC MW, queue waits, prices and line loading per bus/line."""
    n = model.grid.n_bus
    dc = np.zeros(n)
    for p in model.projects:
        if p.status is Status.ENERGIZED:
            dc[p.node] += p.mw
    wait = np.full(n, np.nan)
    q = model.grid.queue
    ids = q.active_ids
    if ids.size:
        load = ids[q.column("kind", ids) == int(Kind.LOAD)]
        if load.size:
            months = q.months_in_queue(model.month)[load]
            nodes = q.column("node", load)
            frame = (
                pd.DataFrame({"node": nodes, "months": months}).groupby("node")["months"].median()
            )
            wait[frame.index.to_numpy(dtype=int)] = frame.to_numpy(dtype=float)
    return MapState(
        month=model.month,
        label=model.calendar.label(model.month),
        dc_mw=dc,
        wait_months=wait,
        lmp_usd_per_mwh=np.asarray(model.power.lmp_by_bus, dtype=float).copy(),
        line_loading=np.asarray(model.power.line_loading, dtype=float).copy(),
    )


def derived_row(model: PowerStackModel) -> dict[str, Any]:
    """Monthly series the contract table lacks: median queue waits of data-centre requests."""
    q = model.grid.queue
    ids = q.active_ids
    active = np.nan
    if ids.size:
        load = ids[q.column("kind", ids) == int(Kind.LOAD)]
        if load.size:
            active = float(np.median(q.months_in_queue(model.month)[load]))
    return {
        "date": model.calendar.label(model.month),
        "queue_wait_active_median_months": active,
        "queue_wait_energized_12m_median_months": q.median_wait_months(
            kind=int(Kind.LOAD), month=model.month, window_months=12
        ),
        "queue_load_in_construction": int((q.column("state", ids) == int(State.CONSTRUCTION)).sum())
        if ids.size
        else 0,
    }


def projects_frame(model: PowerStackModel) -> pd.DataFrame:
    """One row per project: path, MW, bus, months opened and energised, status."""
    rows = [
        (
            p.pid,
            p.path,
            p.mw,
            p.node,
            p.month_opened,
            p.month_energized if p.month_energized is not None else -1,
            str(p.status),
        )
        for p in model.projects
    ]
    return pd.DataFrame(
        rows, columns=["pid", "path", "mw", "node", "month_opened", "month_energized", "status"]
    )


def timeseries_frame(model: PowerStackModel) -> pd.DataFrame:
    """The DataCollector table in the run contract's column order (one row per month)."""
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    return df[model.recorder.columns]


class RunEngine:
    """Runs jobs in one worker thread, most urgent first, and caches finished runs."""

    def __init__(
        self, cache_size: int = 96, publish_every_s: float = 1.0, first_publish_s: float = 0.4
    ) -> None:
        self.cache_size = cache_size
        self.publish_every_s = publish_every_s
        self.first_publish_s = first_publish_s
        self._cond = threading.Condition()
        self._cache: OrderedDict[str, RunRecord] = OrderedDict()
        self._jobs: dict[str, RunJob] = {}
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._stopping = False
        # scipy's SuperLU (inside the model's DC network) made by a thread that is still alive at
        # interpreter exit makes Python fail flushing stdout (exit status 120): stop the worker first
        atexit.register(self.shutdown)

    # ------------------------------------------------------------------ requests
    def cached(self, cfg: ScenarioConfig) -> RunRecord | None:
        """A finished run of this scenario, if there is one."""
        with self._cond:
            record = self._cache.get(config_key(cfg))
            if record is not None:
                self._cache.move_to_end(record.key)
            return record

    def submit(
        self, cfg: ScenarioConfig, priority: int = PRIMARY, subscribe: bool = True
    ) -> RunJob:
        """A job for this scenario: finished (cache hit), joined (already running) or new."""
        key = config_key(cfg)
        with self._cond:
            record = self._cache.get(key)
            if record is not None:
                self._cache.move_to_end(key)
                job = RunJob(
                    key,
                    cfg,
                    priority,
                    next(self._seq),
                    status=DONE,
                    record=record,
                    months_total=record.months_total,
                    from_cache=True,
                )
                return job
            job = self._jobs.get(key)
            if job is None or job._cancel.is_set():
                job = RunJob(key, cfg, priority, next(self._seq), months_total=cfg.run.months)
                self._jobs[key] = job
            elif priority < job.priority:
                job.priority = priority
            if subscribe:
                job.subscribers += 1
            self._ensure_worker()
            self._cond.notify_all()
            return job

    def release(self, job: RunJob) -> None:
        """The page no longer needs this job; an unfinished one nobody needs is cancelled."""
        with self._cond:
            if job.done or job.subscribers <= 0:
                return
            job.subscribers -= 1
            if job.subscribers == 0 and job.priority < PREWARM:
                self._cancel_locked(job)

    def cancel(self, job: RunJob) -> None:
        """Stop a job now (between two months); its partial record stays readable."""
        with self._cond:
            self._cancel_locked(job)

    def prewarm(self, cfgs: Iterable[ScenarioConfig]) -> list[RunJob]:
        """Queue runs nobody waits for yet (they yield to every other job)."""
        return [self.submit(cfg, PREWARM, subscribe=False) for cfg in cfgs]

    def wait(self, jobs: Iterable[RunJob], seen: dict[int, int], timeout_s: float) -> bool:
        """Block until one of `jobs` changed since the versions in `seen` (or timeout); True if so."""
        jobs = list(jobs)
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                if any(seen.get(id(j), -1) != j.version for j in jobs):
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """Cancel every job and end the worker thread (called at exit)."""
        with self._cond:
            self._stopping = True
            for job in list(self._jobs.values()):
                self._cancel_locked(job)
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)

    def busy(self) -> bool:
        """Whether any job is queued, running or paused."""
        with self._cond:
            return bool(self._jobs)

    def clear_cache(self) -> None:
        """Forget finished runs (tests use this to force a re-run)."""
        with self._cond:
            self._cache.clear()

    # ------------------------------------------------------------------ worker
    def _cancel_locked(self, job: RunJob) -> None:
        """Mark cancelled; the worker drops the model at its next month boundary."""
        if job.done:
            return
        job._cancel.set()
        if job.status in (QUEUED, PAUSED):
            self._finish_locked(job, CANCELLED)

    def _finish_locked(self, job: RunJob, status: str, error: str | None = None) -> None:
        """Final state: store, drop the model, wake waiters."""
        job.status = status
        job.error = error
        job._model = None
        if self._jobs.get(job.key) is job:
            del self._jobs[job.key]
        if status == DONE and job.record is not None:
            self._cache[job.key] = job.record
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        job.version += 1
        self._cond.notify_all()

    def _ensure_worker(self) -> None:
        """Start the worker thread on first use."""
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._work, name="powerstack-runs", daemon=True)
            self._thread.start()

    def _next_locked(self) -> RunJob | None:
        """The most urgent waiting job (lowest priority number, then oldest)."""
        waiting = [j for j in self._jobs.values() if j.status in (QUEUED, PAUSED)]
        return min(waiting, key=lambda j: (j.priority, j.seq)) if waiting else None

    def _more_urgent_locked(self, job: RunJob) -> bool:
        """Whether another job should run before this one."""
        nxt = self._next_locked()
        return nxt is not None and nxt.priority < job.priority

    def _work(self) -> None:
        """Worker loop: run the most urgent job until it ends or yields."""
        while True:
            with self._cond:
                job = self._next_locked()
                while job is None and not self._stopping:
                    self._cond.wait()
                    job = self._next_locked()
                if self._stopping:
                    return
                job.status = RUNNING
                job.version += 1
                self._cond.notify_all()
            try:
                self._advance(job)
            except InputError as exc:
                with self._cond:
                    self._finish_locked(job, FAILED, str(exc))
            except Exception as exc:  # a model failure must not kill the worker or the page
                log.exception("run %s (%s) failed", job.key, job.config.name)
                with self._cond:
                    self._finish_locked(
                        job,
                        FAILED,
                        f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'no message'}",
                    )
            if job.done:
                job = None
                with self._cond:
                    idle = self._next_locked() is None
                if idle:  # the model has reference cycles: free it while nothing waits
                    gc.collect()

    def _advance(self, job: RunJob) -> None:
        """Step the job's model until the end, a cancel, or a more urgent job (then pause)."""
        started = time.perf_counter()
        if job._model is None:
            job._model = PowerStackModel(job.config)
            job._grid = grid_layout(job._model)
        model = job._model
        # the first partial record comes quickly (the page shows the new run within a second),
        # later ones at a calmer pace: every redraw costs the model time under the GIL
        next_publish = time.perf_counter() + (
            self.first_publish_s if job.record is None else self.publish_every_s
        )
        while model.running:
            with self._cond:
                if job._cancel.is_set():
                    job._spent_s += time.perf_counter() - started
                    self._publish_locked(job, model)
                    self._finish_locked(job, CANCELLED)
                    return
                if self._more_urgent_locked(job):
                    job._spent_s += time.perf_counter() - started
                    self._publish_locked(job, model)
                    job.status = PAUSED
                    job.version += 1
                    self._cond.notify_all()
                    return
            model.step()
            job._derived.append(derived_row(model))
            calendar_month = model.calendar.year_month(model.month)[1]
            if calendar_month == 12 or not model.running:
                job._maps.append(map_state(model))
            if time.perf_counter() >= next_publish and model.running:
                with self._cond:
                    self._publish_locked(job, model)
                next_publish = time.perf_counter() + self.publish_every_s
        kpis = model.recorder.kpis()
        job._spent_s += time.perf_counter() - started
        with self._cond:
            self._publish_locked(job, model, kpis)
            self._finish_locked(job, DONE)

    def _publish_locked(
        self, job: RunJob, model: PowerStackModel, kpis: dict[str, Any] | None = None
    ) -> None:
        """Replace the job's record with the model's state so far."""
        if model.month < 0 or job._grid is None:
            return
        maps = list(job._maps)
        if not maps or maps[-1].month != model.month:
            maps.append(map_state(model))
        job.record = RunRecord(
            key=job.key,
            config=job.config,
            timeseries=timeseries_frame(model),
            derived=pd.DataFrame(job._derived),
            projects=projects_frame(model),
            grid=job._grid,
            maps=tuple(maps),
            kpis=_plain(kpis) if kpis is not None else None,
            months_done=model.month + 1,
            months_total=job.config.run.months,
            wall_time_s=job._spent_s,
        )
        job.version += 1
        self._cond.notify_all()


def _plain(obj: Any) -> Any:
    """KPIs with numpy scalars turned into Python numbers (JSON-safe, comparable)."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def kpis_with_counterfactual(
    record: RunRecord, counterfactual: RunRecord | None
) -> dict[str, Any] | None:
    """The run's KPIs plus `co2_mt.recycle_first_counterfactual_total` when the twin has finished."""
    if record.kpis is None:
        return None
    kpis = json.loads(json.dumps(record.kpis))
    total = None
    if counterfactual is not None and counterfactual.kpis is not None:
        total = counterfactual.kpis["co2_mt"]["total"]
    kpis["co2_mt"]["recycle_first_counterfactual_total"] = total
    return kpis


ENGINE = RunEngine()
