"""A bounded memo keyed by the identity of frozen objects (configs, parameter sets) plus a hashable rest.

Frozen pydantic configs are compared by value slowly and are hashed by value not at all, so
the model's hot, pure helpers remember their results per object identity. The memo holds the
objects themselves, so an id cannot be reused by a new object while its entry lives; it is
cleared whole when full (a run holds one config, a sweep worker a few).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable


class IdentityMemo[T]:
    """Values remembered per (objects by identity, hashable rest), at most `size` at once."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[tuple[tuple[int, ...], Hashable], tuple[tuple[object, ...], T]] = {}

    def get(self, objects: tuple[object, ...], rest: Hashable, compute: Callable[[], T]) -> T:
        """The remembered value for these objects and `rest`, else `compute()` remembered."""
        key = (tuple(id(o) for o in objects), rest)
        hit = self._entries.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], objects, strict=True)):
            return hit[1]
        if len(self._entries) >= self.size:
            self._entries.clear()
        value = compute()
        self._entries[key] = (objects, value)
        return value
