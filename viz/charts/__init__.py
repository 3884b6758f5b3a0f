"""The app's charts: one shared frame (`frame`) and one module per chart family.

Every chart takes a `RunRecord` (and optionally a comparison run) and returns a matplotlib
`Figure`; `frame` holds sizes, palette, labels, titles, the time axis and the legend style.
"""

from viz.charts.co2 import co2_chart
from viz.charts.energy import energy_chart
from viz.charts.frame import (
    ANALYST,
    COMPACT,
    PATH_COLOURS,
    PATH_LABELS,
    WORKSHOP,
    ChartStyle,
    decimal_years,
    horizon,
)
from viz.charts.network_map import network_map, node_size, robust_range
from viz.charts.packs import packs_chart
from viz.charts.queue import queue_chart
from viz.charts.time_to_power import time_to_power_chart

__all__ = [
    "ANALYST",
    "COMPACT",
    "PATH_COLOURS",
    "PATH_LABELS",
    "WORKSHOP",
    "ChartStyle",
    "co2_chart",
    "decimal_years",
    "energy_chart",
    "horizon",
    "network_map",
    "node_size",
    "packs_chart",
    "queue_chart",
    "robust_range",
    "time_to_power_chart",
]
