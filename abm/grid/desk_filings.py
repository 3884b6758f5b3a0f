"""Sites and filings: where grid projects connect and the requests they file (part of the GridDesk).

Kept apart from the desk's network and queue stepping: these methods choose a project's site
(hosting room and prices for the grid, sun for modular), file its request and the duplicate
filings its owner asked for (phantom load), and answer what became of a project's requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.catalogue import choice_of
from abm.grid.queue import InterconnectionQueue, Kind, Reason, State
from abm.numerics import elementary
from abm.streams import entity_key
from abm.vocabulary import Choice, Project
from abm.water_factors import water_factor

if TYPE_CHECKING:
    from abm.ports import Books, Clock, LmpView
    from abm.schema import ScenarioConfig
    from abm.streams import Streams

# withdrawals that mean a filing did not get through (not a twin's or an owner's own cancellation)
_FAILURES = (Reason.VOLUNTARY, Reason.ATTRITION, Reason.UPGRADE_COST, Reason.SWITCH)
_IS_FAILURE = np.isin(np.arange(max(Reason) + 1), [int(r) for r in _FAILURES])
"""Whether each withdrawal reason (by value) is a queue failure: a table lookup, not `np.isin`."""


class FilingDesk:
    """Site choice, grid filings with their duplicates, and each project's request state (a mixin of GridDesk)."""

    config: ScenarioConfig
    clock: Clock
    streams: Streams
    ledger: Books
    prices: LmpView | None
    queue: InterconnectionQueue
    n_bus: int
    n_territories: int
    bus_territory: np.ndarray
    hosting_mw: np.ndarray
    solar_cf: np.ndarray
    request_project: dict[int, Project]
    _solar_weight_cache: tuple[tuple[bytes, float], np.ndarray] | None

    def choose_site(self, path: str, mw: float, pid: int, switches: int) -> int:
        """A node for project `pid` on its `switches`-th path: grid weighs hosting room and prices, modular sun.

        The draw is keyed by (pid, switches), so the same project picks the same site whenever
        the weights are the same.
        """
        choice, weight = choice_of(path), np.ones(self.n_bus)
        if choice == Choice.GRID:
            room = np.clip(np.nan_to_num(self.hosting_mw, posinf=1e6), 0, None)
            assert self.prices is not None, "GridDesk.bind was not called"
            weight = (room + mw) / np.maximum(self.prices.lmp_by_bus, 1.0)
        elif choice == Choice.MODULAR:
            weight = self._solar_weight(self.config.vendors.site_solar_weight_exponent)
        return self.streams.choice("grid.site", weight * water_factor(self, path), pid, switches)

    def _solar_weight(self, exponent: float) -> np.ndarray:
        """Modular sites' weight per node, solar CF ** `exponent`, kept while both stay the same."""
        key = (self.solar_cf.tobytes(), exponent)
        cached = getattr(self, "_solar_weight_cache", None)
        if cached is None or cached[0] != key:
            weight = np.asarray(elementary.power(self.solar_cf, exponent), dtype=float)
            weight.flags.writeable = False
            cached = self._solar_weight_cache = (key, weight)
        return cached[1]

    def choose_site_in_territory(self, territory: int, mw: float, pid: int) -> int:
        """A node in one territory for a duplicate filing of project `pid`, weighted by hosting room."""
        nodes = np.flatnonzero(self.bus_territory == territory)
        room = np.clip(np.nan_to_num(self.hosting_mw[nodes], posinf=1e6), 0, None) + mw
        return int(nodes[self.streams.choice("grid.duplicate_site", room, pid, labels=nodes)])

    def file_grid_requests(self, project: Project, month: int) -> None:
        """File a grid request at the site, plus the duplicate filings its owner asked for (phantom load).

        The owner decides how many utilities (`project.filings`, abm.agents.filing); where the
        duplicates go and whether the connection is flexible come from the project's own stream
        (keyed by its id, and its switch count once it has refiled or switched); its j-th filing
        is keyed (pid, j) in the queue, (pid, switches, j) after.
        """
        h = self.config.hyperscalers
        key = (project.pid,) if project.switches == 0 else (project.pid, project.switches)
        rng = self.streams.generator("grid.filings", *key)
        extra = max(project.filings - 1, 0)
        territories = [int(self.bus_territory[project.node])]
        others = [t for t in range(self.n_territories) if t != territories[0]]
        if extra and others:
            territories += [
                int(t) for t in rng.choice(others, size=min(extra, len(others)), replace=False)
            ]
        nodes = [project.node] + [
            self.choose_site_in_territory(t, project.mw, project.pid) for t in territories[1:]
        ]
        flexible_u = rng.random()
        project.flexible = bool(
            self.config.queue.flexible_connections and flexible_u < h.flexible_share
        )
        project.dup_group = project.pid if len(nodes) > 1 else -1
        ids = self.queue.submit(
            month,
            kind=np.full(len(nodes), int(Kind.LOAD)),
            mw=np.full(len(nodes), project.mw),
            node=np.array(nodes),
            territory=np.array(territories),
            requester=np.full(len(nodes), project.owner),
            project=np.full(len(nodes), project.pid),
            dup_group=np.full(len(nodes), project.dup_group),
            flexible=np.full(len(nodes), project.flexible),
            speculative=np.array([False] + [True] * (len(nodes) - 1)),
            draw_key=entity_key("project_filing", *key, np.arange(len(nodes))),
        )
        project.queue_ids = [int(i) for i in ids]
        for i in ids:
            self.request_project[int(i)] = project

    def load_filing_record(self) -> tuple[int, int]:
        """(signed, failed): committed load filings that signed, and that withdrew for a queue reason.

        What the market shows of large-load filings' fate (twins and owners' own cancellations
        aside): owners weigh it when they decide how many utilities to file with.
        """
        q = self.queue
        committed = (q.column("kind") == int(Kind.LOAD)) & ~q.column("speculative")
        state, left_from = q.column("state"), q.column("withdrawn_from_state")
        signed = committed & (
            ((state >= State.AGREEMENT) & (state <= State.ENERGIZED))
            | ((state == State.WITHDRAWN) & (left_from >= State.AGREEMENT))
        )
        reason = q.column("withdraw_reason")
        failed = committed & ~signed & _IS_FAILURE[reason]
        return int(signed.sum()), int(failed.sum())

    def project_has_agreement(self, project: Project) -> bool:
        """Whether any of a grid project's requests has signed (it is then committed)."""
        if not project.queue_ids:
            return False
        states = self.queue.state_of(np.array(project.queue_ids))
        return bool(((states >= State.AGREEMENT) & (states <= State.ENERGIZED)).any())

    def project_has_live_request(self, project: Project) -> bool:
        """Whether any of a project's queue requests is still active (neither energised nor withdrawn)."""
        if not project.queue_ids:
            return False
        return self.queue.any_state_below(project.queue_ids, State.ENERGIZED)

    def withdraw_requests(self, project: Project, reason: Reason = Reason.VOLUNTARY) -> None:
        """Withdraw a project's active queue requests for `reason` and book the penalty."""
        ids = np.array(project.queue_ids, dtype=np.int64)
        active = ids[self.queue.state_of(ids) < State.ENERGIZED] if ids.size else ids
        if active.size:
            penalty = self.queue.withdraw(active, self.clock.month, reason)
            self.ledger.transfer(
                project.owner,
                "external:transmission_provider",
                float(penalty),
                "withdrawal penalty",
            )
