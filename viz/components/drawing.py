"""Charts drawn off the render thread, and stopped half-way once nobody wants them.

A chart takes 0.5-1 s of pure-Python drawing (mostly SVG text layout) under the GIL. Drawn
inside the render it held up every status line and card change behind it; drawn in a thread
but run to its end after it was superseded (a newer month, a Cancel), it still took most of the
GIL from the page's next redraw: a Cancel waited for it (docs/app.md). So each drawing checks,
before every artist it draws or measures, whether it is still wanted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import solara
from matplotlib.figure import Figure

from viz import exports


class DrawingCancelledError(Exception):
    """A drawing stopped half-way because its result is no longer wanted."""


def _checked(method: Callable[..., Any], cancel: threading.Event) -> Callable[..., Any]:
    """`method`, raising DrawingCancelledError instead once `cancel` is set."""

    def checked(*args: Any, **kwargs: Any) -> Any:
        if cancel.is_set():
            raise DrawingCancelledError
        return method(*args, **kwargs)

    return checked


def abort_when(fig: Figure, cancel: threading.Event) -> Figure:
    """`fig`, made to stop drawing (DrawingCancelledError) at its next artist once `cancel` is set.

    The checks sit on every artist's `draw` and on the `get_tightbbox` that the constrained
    layout measures before drawing.
    """
    for artist in fig.findobj(include_self=False):
        artist.draw = _checked(artist.draw, cancel)  # type: ignore[method-assign]
        if hasattr(artist, "get_tightbbox"):
            artist.get_tightbbox = _checked(artist.get_tightbbox, cancel)  # type: ignore[method-assign]
    return fig


def use_drawn(make: Callable[[], Figure | None], deps: list[object]) -> bytes | None:
    """The chart as SVG bytes, drawn in a thread: the page renders at once, the old chart stays meanwhile."""

    def draw(cancel: threading.Event) -> bytes | None:
        # superseded (a newer drawing is asked for) or the page closed: end without a value, so
        # the chart on show stays (solara keeps the last result on CancelledError)
        if cancel.is_set():
            raise solara.util.CancelledError
        try:
            fig = make()
            if fig is None:
                return None
            return exports.figure_bytes(abort_when(fig, cancel), "svg")
        except DrawingCancelledError:
            raise solara.util.CancelledError from None
        except Exception:
            if cancel.is_set():  # the page closed mid-drawing: matplotlib's rcParams went with it
                raise solara.util.CancelledError from None
            raise

    result = solara.use_thread(draw, dependencies=deps, intrusive_cancel=False)
    return result.value
