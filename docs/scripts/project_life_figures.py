"""Issue 16's done-when figures for the baseline, one JSON line per seed (docs/grid.md).

Runs the baseline month by month and checks every waiting grid project for a live queue
request; at the end counts committed load filings (kind LOAD, not speculative) that withdrew,
and those that withdrew at random (reason ATTRITION); reports the second-life time-to-power
median from opening and unserved compute.

    PYTHONPATH=$PWD .venv/bin/python docs/scripts/project_life_figures.py 1,2,3 [KEY=VALUE ...]
"""

from __future__ import annotations

import json
import sys

import numpy as np

from abm.grid.queue import Kind, Reason, State
from abm.model import PowerStackModel
from abm.vocabulary import Path, Status


def _value(text: str) -> int | float | str:
    """A --set style value: int, float or string."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def seed_figures(seed: int, overrides: dict[str, int | float | str]) -> dict[str, object]:
    """One baseline run at `seed`: zombie project-months, filing outcomes, second-life TTP, unserved."""
    model = PowerStackModel("baseline", **{"run.seed": seed, **overrides})
    zombie_months = 0
    for _ in range(model.config.run.months):
        model.step()
        zombie_months += sum(
            1
            for p in model.projects
            if p.status is Status.WAITING
            and p.path == Path.GRID
            and not model.grid.project_has_live_request(p)
        )
    table = model.grid.queue.store.table()
    committed = (table["kind"] == int(Kind.LOAD)) & ~table["speculative"]
    withdrawn = committed & (table["state"] == int(State.WITHDRAWN))
    at_random = withdrawn & (table["withdraw_reason"] == int(Reason.ATTRITION))
    ttp = [
        t
        for p in model.projects
        if p.path == Path.MODULAR_SECOND_LIFE and (t := p.time_to_power_months()) is not None
    ]
    return {
        "seed": seed,
        "zombie_project_months": zombie_months,
        "committed_load_filings": int(committed.sum()),
        "withdrawn": int(withdrawn.sum()),
        "withdrawn_at_random": int(at_random.sum()),
        "second_life_ttp_median_months": float(np.median(ttp)) if ttp else None,
        "second_life_projects": len(ttp),
        "unserved_mw_months": float(model.recorder.unserved_mw_months),
    }


def main(argv: list[str]) -> int:
    """Print one JSON line per seed of argv[0] (comma-separated), with KEY=VALUE overrides after it."""
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    seeds = [int(s) for s in argv[0].split(",")]
    overrides = {k: _value(v) for k, v in (a.split("=", 1) for a in argv[1:])}
    for seed in seeds:
        print(json.dumps(seed_figures(seed, overrides)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
