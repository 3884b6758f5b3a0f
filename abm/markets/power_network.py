"""The transmission network the power market clears on, as plain validated arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm.errors import InputError


@dataclass(frozen=True)
class NetworkArrays:
    """Topology and branch data of a transmission network, as plain arrays (one entry per line).

    `x_pu` is the series reactance on `base_mva` (for transformers, times the off-nominal tap
    ratio, as in MATPOWER's DC model); `rating_mw` is the thermal limit, `np.inf` for a line
    that is not monitored. Parallel circuits are separate lines.
    """

    n_bus: int
    slack: int
    base_mva: float
    line_from: np.ndarray
    line_to: np.ndarray
    x_pu: np.ndarray
    rating_mw: np.ndarray

    def __post_init__(self) -> None:
        """Check shapes and values once, so the market can trust them on every solve."""
        n_line = len(self.line_from)
        for name in ("line_to", "x_pu", "rating_mw"):
            if len(getattr(self, name)) != n_line:
                raise InputError(
                    f"NetworkArrays.{name}: length {len(getattr(self, name))}, expected {n_line}"
                )
        if self.n_bus < 1 or not 0 <= self.slack < self.n_bus:
            raise InputError(f"NetworkArrays: slack {self.slack} not a bus of {self.n_bus}")
        for name in ("line_from", "line_to"):
            ends = np.asarray(getattr(self, name))
            if n_line and (ends.min() < 0 or ends.max() >= self.n_bus):
                raise InputError(f"NetworkArrays.{name}: bus index outside 0..{self.n_bus - 1}")
        if n_line and np.any(np.asarray(self.line_from) == np.asarray(self.line_to)):
            raise InputError("NetworkArrays: a line connects a bus to itself")
        x = np.asarray(self.x_pu, dtype=float)
        if not np.all(np.isfinite(x) & (x > 0)):
            raise InputError("NetworkArrays.x_pu: every reactance must be finite and positive")
        if not self.base_mva > 0:
            raise InputError(f"NetworkArrays.base_mva: {self.base_mva}, expected > 0")
        if np.any(~(np.asarray(self.rating_mw, dtype=float) > 0)):
            raise InputError("NetworkArrays.rating_mw: ratings must be > 0 (np.inf = unmonitored)")
