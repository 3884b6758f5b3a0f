"""Fan bands: the median and range over an ensemble's seeds, drawn under a chart's own lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from viz.charts.frame import decimal_years

Value = Callable[[pd.DataFrame], np.ndarray]  # a seed's monthly table -> the series drawn


@dataclass(frozen=True)
class Bands:
    """The complete monthly tables of the run's seeds and of the comparison's, so far."""

    shown: tuple[pd.DataFrame, ...] = ()
    compare: tuple[pd.DataFrame, ...] = ()
    n: int = 1  # seeds in the ensemble

    @property
    def version(self) -> tuple[int, int]:
        """What identifies the drawing state (seeds in on each side)."""
        return len(self.shown), len(self.compare)


NO_BANDS = Bands()


def band_label(frames: Sequence[pd.DataFrame], n: int, what: str) -> str:
    """'Energised total: median, range of 5 seeds'; says so while seeds are missing."""
    count = f"{len(frames)} seeds" if len(frames) == n else f"{len(frames)} of {n} seeds so far"
    return f"{what}: median, range of {count}"


def draw_band(
    ax: Axes, frames: Sequence[pd.DataFrame], value: Value, colour: str, label: str
) -> bool:
    """Median line and min-max band over `frames` (two or more, same months); whether drawn."""
    if len(frames) < 2:
        return False
    months = min(len(f) for f in frames)
    if months == 0:
        return False
    stack = np.vstack([value(f.iloc[:months]) for f in frames])
    x = decimal_years(frames[0]["date"].iloc[:months])
    ax.fill_between(x, stack.min(axis=0), stack.max(axis=0), color=colour, alpha=0.22, lw=0)
    ax.plot(x, np.median(stack, axis=0), color=colour, lw=2.0, ls="-.", label=label)
    return True
