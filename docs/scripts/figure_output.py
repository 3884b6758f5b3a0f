"""Figures of the generated docs pages, drawn and saved the same way on every machine.

Matplotlib's own defaults (a user's matplotlibrc would change fonts and sizes) and PNGs without
the "Software" chunk (it names the Matplotlib version), so a regenerated figure has the same
bytes as the committed one whenever what it shows is the same.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
from matplotlib.figure import Figure


def reset_style() -> None:
    """Use the Agg backend and Matplotlib's built-in defaults, ignoring any matplotlibrc."""
    matplotlib.use("Agg")
    matplotlib.rcdefaults()


def save_png(fig: Figure, path: Path, dpi: int) -> None:
    """Write `fig` to `path` (folders created) as a PNG with no version or date metadata."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, metadata={"Software": None})
