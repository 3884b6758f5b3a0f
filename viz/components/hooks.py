"""Hooks that tie a component to the run engine: ask for a run, re-render on its progress."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any

import solara

from abm.schema import ScenarioConfig
from viz.ensemble import POOL, Ensemble, release_ensemble, start_ensemble
from viz.runs import ENGINE, RunJob, config_key


def use_job_watch(
    jobs: list[RunJob | None], quiet: tuple[RunJob | None, ...] = (), min_interval_s: float = 0.8
) -> int:
    """Re-render when one of `jobs` publishes progress (at most every `min_interval_s`, at once when one ends).

    `quiet` jobs only cause a re-render when they end: their partial results are not on show,
    and every redraw costs the model time under the GIL.
    """
    tick, set_tick = solara.use_state(0)
    live = [j for j in (*jobs, *quiet) if j is not None]
    quiet_ids = {id(j) for j in quiet if j is not None} - {id(j) for j in jobs if j is not None}
    rendered = {id(j): (j.version, j.done) for j in live}

    def watch(cancel: threading.Event) -> None:
        seen = {k: version for k, (version, _) in rendered.items()}
        finished = {k for k, (_, done) in rendered.items() if done}
        last = 0.0
        while not cancel.is_set():
            if not ENGINE.wait(live, seen, 0.25):
                if all(j.done for j in live):
                    return
                continue
            ended = {id(j) for j in live if j.done} - finished
            loud = any(seen[id(j)] != j.version for j in live if id(j) not in quiet_ids)
            if not ended and not loud:
                seen.update({id(j): j.version for j in live if id(j) in quiet_ids})
            elif ended or time.monotonic() - last >= min_interval_s:
                seen = {id(j): j.version for j in live}
                finished |= ended
                last = time.monotonic()
                set_tick(lambda t: t + 1)
            else:
                time.sleep(0.05)

    key = (tuple(id(j) for j in live), tuple(sorted(quiet_ids)))
    solara.use_thread(watch, dependencies=[key], intrusive_cancel=False)
    return tick


def use_run(cfg: ScenarioConfig | None, priority: int, restart: int = 0) -> RunJob | None:
    """Ask the engine for a run of `cfg` while this component shows it; let it go afterwards."""
    key = config_key(cfg) if cfg is not None else None
    job = solara.use_memo(
        lambda: ENGINE.submit(cfg, priority) if cfg is not None else None, [key, priority, restart]
    )

    def hold() -> Callable[[], None]:
        return lambda: ENGINE.release(job) if job is not None else None

    solara.use_effect(hold, [job])
    return job


def use_ensemble(cfg: ScenarioConfig | None, n: int) -> Ensemble | None:
    """The extra seeds of `cfg` while this component shows it (None without a config or with n=1)."""
    key = config_key(cfg) if cfg is not None else None
    ensemble = solara.use_memo(
        lambda: start_ensemble(POOL, cfg, n) if cfg is not None and n > 1 else None, [key, n]
    )

    def hold() -> Callable[[], None]:
        return lambda: release_ensemble(POOL, ensemble) if ensemble is not None else None

    solara.use_effect(hold, [ensemble])
    return ensemble


def use_futures_watch(futures: list[Future[Any]]) -> int:
    """Re-render each time one of `futures` ends (the ensemble's seeds arriving)."""
    tick, set_tick = solara.use_state(0)

    def watch(cancel: threading.Event) -> None:
        pending = [f for f in futures if not f.done()]
        while pending and not cancel.is_set():
            done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            if done:
                pending = [f for f in pending if not f.done()]
                set_tick(lambda t: t + 1)

    solara.use_thread(watch, dependencies=[tuple(id(f) for f in futures)], intrusive_cancel=False)
    return tick
