"""Network upgrades that build network: an upgrade in service raises the lines it relieves.

A load's facilities study prices the MW it asks for beyond the bus's hosting capacity
(`upgrade_mw`); when that upgrade enters service (`upgrade_in_service_month`) the lines that
limit the bus are reconductored so the bus gains that much hosting capacity on the DC network
the power market clears on. Which lines: every line whose flow an extra MW at the bus moves
(its PTDF-based load sensitivity, supplied pro rata to generation as in hosting capacity)
and that would exceed its rating, or already does, once the bus takes its present hosting
room plus the upgrade. Each is raised to the flow it would then carry. Susceptances are kept
(a reconductored line, not a new path), so PTDFs and the factorisation stay valid.
"""

from __future__ import annotations

import numpy as np

from abm.grid.flow import DCNetwork, pro_rata_dispatch_mw
from abm.grid.queue import InterconnectionQueue, Kind, State

#: Ratings are rounded up to this step (MW), as the synthetic builder rounds them.
RATING_STEP_MW = 0.1


def relieved_lines(
    net: DCNetwork, base_injection_mw: np.ndarray, bus: int, upgrade_mw: float
) -> tuple[np.ndarray, np.ndarray]:
    """(lines, new ratings MW) so that `bus` hosts `upgrade_mw` more than it does now.

    Hosting capacity is read at `base_injection_mw` (the market's peak dispatch); a line the
    bus's load moves that is already over its rating is raised at least to its present flow.
    """
    if upgrade_mw <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    hosting_mw = float(net.hosting_capacity_mw(base_injection_mw, np.array([bus]))[0])
    if not np.isfinite(hosting_mw):  # no line limits this bus
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    sens = net.load_sensitivity(np.array([bus]))[:, 0]
    flow_mw = net.flows_mw(base_injection_mw)
    after_mw = np.maximum(np.abs(flow_mw + sens * (hosting_mw + upgrade_mw)), np.abs(flow_mw))
    lines = np.flatnonzero((sens != 0.0) & (after_mw > net.rating_mw))
    new_mw = np.ceil(after_mw[lines] / RATING_STEP_MW) * RATING_STEP_MW
    return lines, new_mw


def upgrades_entering_service(
    queue: InterconnectionQueue, month: int
) -> tuple[np.ndarray, np.ndarray]:
    """(bus, upgrade MW) of load requests whose network upgrade enters service in `month`.

    Only requests still building or energised count: a withdrawn request's upgrade is not built.
    """
    in_service = queue.column("upgrade_in_service_month") == int(month)
    state = queue.column("state")
    live = (state == int(State.CONSTRUCTION)) | (state == int(State.ENERGIZED))
    load = queue.column("kind") == int(Kind.LOAD)
    ids = np.flatnonzero(in_service & live & load & (queue.column("upgrade_mw") > 0))
    return queue.column("node", ids), queue.column("upgrade_mw", ids)


def build_upgrades(
    net: DCNetwork,
    queue: InterconnectionQueue,
    month: int,
    peak_injection_mw: np.ndarray | None,
) -> float:
    """Reinforce `net` for the upgrades entering service in `month`, in request order; MW of rating added.

    Without a cleared peak yet, the injection is the pro-rata dispatch of the network's loads.
    """
    nodes, upgrade_mw = upgrades_entering_service(queue, month)
    if nodes.size == 0:
        return 0.0
    injection = (
        pro_rata_dispatch_mw(net.load_mw, net.gen_capacity_mw)
        if peak_injection_mw is None
        else np.asarray(peak_injection_mw, dtype=float)
    )
    added_mw = 0.0
    for bus, mw in zip(nodes.tolist(), upgrade_mw.tolist(), strict=True):
        lines, new_mw = relieved_lines(net, injection, int(bus), float(mw))
        if lines.size:
            added_mw += float((new_mw - net.rating_mw[lines]).sum())
            net.raise_ratings(lines, new_mw)
    return added_mw
