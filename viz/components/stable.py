"""Stable callbacks: the same function objects on every render, so children are not redrawn.

reacton redraws a child component when one of its arguments differs from the last render, and
a closure made in this render never equals the last one. A page that hands fresh closures to
its children redraws every subtree on every change of its own state (a Cancel click redrew
about a thousand elements); a fresh closure in the app bar or the sidebar also redraws the
AppLayout, the whole page. Stable callbacks let such a change redraw only what it changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara


def _calls_latest(latest: Any, name: str) -> Callable[..., Any]:
    """A function that calls whatever `latest.current[name]` is when it is called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return latest.current[name](*args, **kwargs)

    call.__name__ = name
    return call


def use_stable_callbacks(
    callbacks: dict[str, Callable[..., Any]],
) -> dict[str, Callable[..., Any]]:
    """The same functions on every render (per name), each calling the latest of `callbacks`."""
    latest = solara.use_ref(callbacks)
    latest.current = callbacks
    return solara.use_memo(
        lambda: {name: _calls_latest(latest, name) for name in callbacks}, [tuple(callbacks)]
    )


def use_stable_callback(fn: Callable[..., Any]) -> Callable[..., Any]:
    """One function, the same object on every render, calling the latest `fn`."""
    return use_stable_callbacks({"fn": fn})["fn"]
