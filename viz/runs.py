"""Model runs for the app: one worker thread, a result cache, partial results, pausing and cancelling.

Why a custom runner instead of `abm.runner.run_scenario`: the page must stay responsive and
show a run while it grows, a slider move must be able to stop a run that is no longer wanted,
and the recycle-first counterfactual (which doubles the cost) should come after the run people
are looking at. So runs are jobs with a priority, stepped month by month by one worker thread:
between months the worker publishes a partial record, obeys cancel requests, and pauses a job
(keeping its model) when a more urgent one arrives. Finished runs are cached by their resolved
scenario (which covers scenario, overrides and seed), so returning to a setting is instant.
The KPIs and the monthly table are exactly what `run_scenario` reports: the same loop
(`abm.runner.run_model`) steps the model, and the series come from `abm.metrics`.
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
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from abm.errors import InputError
from abm.metrics import AppSeries, GridLayout, MapState, project_table_of
from abm.metrics.choice_table import choice_table_of
from abm.metrics.second_use_saving import consequential_saving_mt
from abm.model import PowerStackModel
from abm.runner import run_model
from abm.scenario import config_with
from abm.schema import ScenarioConfig

log = logging.getLogger(__name__)

PRIMARY, COMPARE, COUNTERFACTUAL, COMPARE_COUNTERFACTUAL, NOISE_CHECK, PREWARM = 0, 1, 2, 3, 4, 5
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


@dataclass
class RunRecord:
    """What the app draws for one run: the monthly table, KPIs, projects and map snapshots.

    `project_table` is the run contract's per-project table (`projects.parquet`), made once
    the run is complete.
    """

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
    project_table: pd.DataFrame | None = None
    stopped: bool = False  # cancelled or failed before the end: the charts say so
    choice_table: pd.DataFrame | None = None  # choices.parquet: every path decision, once complete

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
    # the engine's working state: the live model, its app series, wall time spent, cancel flag
    model: PowerStackModel | None = field(default=None, repr=False)
    series: AppSeries | None = field(default=None, repr=False)
    spent_s: float = 0.0
    cancel_requested: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def done(self) -> bool:
        """Finished, failed or cancelled."""
        return self.status in FINAL_STATES

    @property
    def months_done(self) -> int:
        """Months simulated so far."""
        return self.record.months_done if self.record is not None else 0


def record_of(
    key: str,
    config: ScenarioConfig,
    model: PowerStackModel,
    series: AppSeries,
    kpis: dict[str, Any] | None = None,
    wall_time_s: float = 0.0,
) -> RunRecord:
    """A run's record so far: the model's results plus the app series observed month by month."""
    return RunRecord(
        key=key,
        config=config,
        kpis=_plain(kpis) if kpis is not None else None,
        months_total=config.run.months,
        wall_time_s=wall_time_s,
        project_table=project_table_of(model) if kpis is not None else None,
        choice_table=choice_table_of(model) if kpis is not None else None,
        **series.snapshot(model),
    )


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
            if job is None or job.cancel_requested.is_set():
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
        """Cancelled now (the page shows it at once); the worker drops the model at its next month."""
        if job.done:
            return
        job.cancel_requested.set()
        self._finish_locked(job, CANCELLED)

    def _finish_locked(
        self, job: RunJob, status: str, error: str | None = None, record: RunRecord | None = None
    ) -> None:
        """Final state: store, drop the model, wake waiters.

        The page reads a job without the lock, its record first and its status after: the status
        is set before the final `record`, so a page that sees the complete record sees it done.
        """
        job.status = status
        job.error = error
        if record is not None:
            job.record = record
        job.model = None
        job.series = None
        if status != DONE and job.record is not None:
            job.record = replace(job.record, stopped=True)
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
        if job.model is None or job.series is None:
            job.model = PowerStackModel(job.config)
            job.series = AppSeries.of(job.model)
        model, series = job.model, job.series
        # the first partial record comes quickly (the page shows the new run within a second),
        # later ones at a calmer pace: every redraw costs the model time under the GIL
        next_publish = time.perf_counter() + (
            self.first_publish_s if job.record is None else self.publish_every_s
        )

        def should_yield() -> bool:
            with self._cond:
                return job.cancel_requested.is_set() or self._more_urgent_locked(job)

        def on_month(m: PowerStackModel) -> None:
            nonlocal next_publish
            series.observe(m)
            if time.perf_counter() >= next_publish and m.running:
                with self._cond:
                    self._publish_locked(job)
                next_publish = time.perf_counter() + self.publish_every_s

        finished = run_model(model, on_month, should_yield)
        kpis = model.recorder.kpis() if finished else None
        job.spent_s += time.perf_counter() - started
        with self._cond:
            if job.done:  # cancelled while the month ran: the page has moved on already
                return
            if finished:
                self._finish_locked(job, DONE, record=self._record_now(job, kpis))
                return
            self._publish_locked(job, kpis)
            if job.cancel_requested.is_set():
                self._finish_locked(job, CANCELLED)
            else:
                job.status = PAUSED
                job.version += 1
                self._cond.notify_all()

    def _record_now(self, job: RunJob, kpis: dict[str, Any] | None = None) -> RunRecord | None:
        """The job's record as of the model's state now (None before its first month)."""
        if job.model is None or job.series is None or job.model.month < 0:
            return None
        return record_of(job.key, job.config, job.model, job.series, kpis, job.spent_s)

    def _publish_locked(self, job: RunJob, kpis: dict[str, Any] | None = None) -> None:
        """Replace the job's record with the model's state so far."""
        record = self._record_now(job, kpis)
        if record is None:
            return
        job.record = record
        job.version += 1
        self._cond.notify_all()


def _plain(obj: Any) -> Any:
    """KPIs with numpy scalars turned into Python numbers (JSON-safe, comparable)."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def energized_projects(projects: pd.DataFrame) -> dict[str, int]:
    """How many projects each path energised (a `projects_frame`: path, month_energized)."""
    if projects.empty:
        return {}
    done = projects[projects["month_energized"] >= 0]
    return {str(path): int(n) for path, n in done.groupby("path").size().items()}


def kpis_with_counterfactual(
    record: RunRecord, counterfactual: RunRecord | None
) -> dict[str, Any] | None:
    """The run's KPIs plus what needs the recycle-first twin (None until it has finished).

    Adds `co2_mt.recycle_first_counterfactual_total`, `co2_mt.second_use_saving.consequential`
    and `energized_projects` (projects energised per path, for the time-to-power card).
    """
    if record.kpis is None:
        return None
    kpis = json.loads(json.dumps(record.kpis))
    kpis["energized_projects"] = energized_projects(record.projects)
    co2 = kpis["co2_mt"]
    total = consequential = None
    if counterfactual is not None and counterfactual.kpis is not None:
        total = counterfactual.kpis["co2_mt"]["total"]
        consequential = consequential_saving_mt(co2, counterfactual.kpis["co2_mt"])
    co2["recycle_first_counterfactual_total"] = total
    if isinstance(co2.get("second_use_saving"), dict):
        co2["second_use_saving"]["consequential"] = consequential
    return kpis


ENGINE = RunEngine()
