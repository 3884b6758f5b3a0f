"""Which buses lie in water-stressed regions: a seeded rule for any grid (synthetic or from a file).

A bus's stress score blends the rank of its solar resource (the sunniest US regions are the
driest) with a draw keyed by the bus, and the top `water.stressed_share_of_buses` of scores are
stressed. The draw comes from its own stream (`grid.water_stress`), so no other draw moves.
"""

from __future__ import annotations

import numpy as np

from abm.schema import ScenarioConfig
from abm.streams import Streams


def stress_scores(solar_cf: np.ndarray, weight: float, streams: Streams) -> np.ndarray:
    """Score in [0, 1] per bus: `weight` x the rank of its solar factor + the rest x a keyed uniform."""
    n = len(solar_cf)
    rank = np.argsort(np.argsort(solar_cf, kind="stable"), kind="stable") / max(n - 1, 1)
    u = np.asarray(streams.uniform("grid.water_stress", np.arange(n)), dtype=float)
    return weight * rank + (1.0 - weight) * u


def stressed_buses(config: ScenarioConfig, solar_cf: np.ndarray, streams: Streams) -> np.ndarray:
    """Boolean per bus: True where the bus is in a water-stressed region (the highest scores)."""
    w = config.water
    scores = stress_scores(solar_cf, w.stress_solar_weight, streams)
    n_stressed = round(w.stressed_share_of_buses * len(scores))
    stressed = np.zeros(len(scores), dtype=bool)
    stressed[np.argsort(-scores, kind="stable")[:n_stressed]] = True
    return stressed
