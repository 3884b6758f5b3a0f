"""The hindcast's headline columns: the active queue as LBNL counts it, data-centre electricity served.

`queue_active_gw_gen_storage` is the active (not energised, not withdrawn) generation and
storage requests, LBNL Queued Up's definition (loads excluded); `dc_electricity_twh_served`
is the month's served data-centre power (demand less unserved and fade-curtailed compute)
annualised at the load factor, comparable with LBNL's TWh/yr.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from abm.grid.queue import Kind

Reporter = Callable[[dict[str, Any]], Any]


def hindcast_reporters(m: Any) -> list[tuple[str, Reporter]]:
    """(column, reader) of the two hindcast series for model `m`; a reader gets the month's flows."""
    kinds = (Kind.GENERATION, Kind.STORAGE)
    twh_per_mw = m.config.demand.load_factor * 8760.0 / 1e6

    def queue_gw(_: dict[str, Any]) -> float:
        return sum(m.grid.queue.backlog_mw(k) for k in kinds) / 1000.0

    def served_twh(month: dict[str, Any]) -> float:
        served = month["demand"] - month["unserved"] - month["curtailed"]
        return max(0.0, served) * twh_per_mw

    return [("queue_active_gw_gen_storage", queue_gw), ("dc_electricity_twh_served", served_twh)]
