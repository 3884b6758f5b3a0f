"""Hooks that tie a component to the run engine: ask for a run, re-render on its progress."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import solara

from abm.schema import ScenarioConfig
from viz.noise import NoiseCheck, release_check, start_check
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


def use_noise_check(
    compare: ScenarioConfig | None, shown: ScenarioConfig | None
) -> tuple[NoiseCheck | None, Callable[[], None], Callable[[], None]]:
    """The noise check of these two settings (None until asked), and how to start and stop it.

    The check belongs to the pair of settings it was asked for: change either and it stops
    (its runs are released, so unfinished ones nobody else needs are cancelled) until asked
    again. The panel that shows the check watches its runs (`NoiseCheckPanel`), not the page.
    """
    pair = (config_key(compare), config_key(shown)) if compare and shown else None
    asked_for, set_asked_for = solara.use_state(None)
    active = pair is not None and asked_for == pair
    check = solara.use_memo(
        lambda: start_check(ENGINE, compare, shown) if active else None, [pair, active]
    )

    def hold() -> Callable[[], None]:
        return lambda: release_check(ENGINE, check) if check is not None else None

    solara.use_effect(hold, [check])
    return check, lambda: set_asked_for(pair), lambda: set_asked_for(None)
