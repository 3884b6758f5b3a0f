"""The run's invariant checks: packs conserved, no negative stocks, capacities or prices, money balanced.

Checked after every month when a run asks (`abm.runner`); a broken law raises `InvariantError`
naming the month and what broke.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from abm.vocabulary import Path, Status

Model = Any  # metrics never import abm.model


class InvariantError(AssertionError):
    """A conservation law or bound was broken."""


def check_invariants(model: Model, retired_gwh_cum: float) -> None:
    """Packs conserved, no negative stocks or capacities, SoH in [0, 1], money balanced."""
    m = model
    recyclers = m.roster.stocks()
    stocks = {
        "awaiting test": sum(r.awaiting_test_gwh for r in recyclers),
        "inventory": float(sum(r.inventory_gwh.sum() for r in recyclers)),
        "in delivery": m.packs.stocks["in_delivery_gwh"],
        "in service": m.packs.stocks["second_life_installed_gwh"],
    }
    recycled_ev = sum(r.recycled_gwh for r in recyclers)
    accounted = sum(stocks.values()) + recycled_ev
    tol = 1e-6 * max(1.0, retired_gwh_cum)
    if abs(accounted - retired_gwh_cum) > tol:
        raise InvariantError(
            f"month {m.month}: packs not conserved: retired {retired_gwh_cum:.6f} GWh vs accounted {accounted:.6f} GWh ({stocks}, recycled {recycled_ev:.6f})"
        )
    for name, value in stocks.items():
        if value < -tol:
            raise InvariantError(f"month {m.month}: negative pack stock {name}: {value:.6g} GWh")
    if (m.grid.gen_cap_mw < 0).any() or (m.grid.dc_grid_load_mw < 0).any():
        raise InvariantError(f"month {m.month}: negative capacity or load on the grid")
    if len(m.packs.fleet) and ((m.packs.fleet.soh < 0) | (m.packs.fleet.soh > 1)).any():
        raise InvariantError(f"month {m.month}: state of health outside [0, 1]")
    prices = m.packs.price_usd_per_kwh[np.isfinite(m.packs.price_usd_per_kwh)]
    if (prices < 0).any() or m.power.lmp_mean_usd_per_mwh < -1e-6:
        raise InvariantError(f"month {m.month}: negative prices")
    counts = m.grid.queue.counts_by_state()
    if counts.sum() != m.grid.queue.n_requests:
        raise InvariantError(
            f"month {m.month}: queue requests not in exactly one state ({counts.sum()} vs {m.grid.queue.n_requests})"
        )
    _check_no_zombie_projects(m)
    m.ledger.check()


def _check_no_zombie_projects(m: Model) -> None:
    """No grid project waits without a live queue request (its owner re-plans the month they all go)."""
    zombies = [
        p.pid
        for p in m.projects
        if p.status is Status.WAITING
        and p.path == Path.GRID
        and not m.grid.project_has_live_request(p)
    ]
    if zombies:
        raise InvariantError(
            f"month {m.month}: {len(zombies)} grid projects waiting without a live request (first {zombies[0]})"
        )
