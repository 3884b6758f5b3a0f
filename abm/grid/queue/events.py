"""What one month of the interconnection queue produced (`InterconnectionQueue.step` returns it)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def _no_ids() -> np.ndarray:
    """An empty id array."""
    return np.empty(0, np.int64)


@dataclass
class QueueEvents:
    """What one month of the queue produced; money in USD, ids index `InterconnectionQueue.table()`."""

    energized: np.ndarray = field(default_factory=_no_ids)
    withdrawn: np.ndarray = field(default_factory=_no_ids)
    agreements: np.ndarray = field(default_factory=_no_ids)
    deposits_usd: float = 0.0
    penalties_usd: float = 0.0
    late_study_penalties_usd: float = 0.0
    upgrade_cost_usd: float = 0.0
    refunds_usd: float = 0.0
    restudied: np.ndarray = field(default_factory=_no_ids)
    clusters_formed: int = 0
