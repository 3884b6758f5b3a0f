"""Smooth random geographic fields and the solar capacity factor that follows them."""

from __future__ import annotations

import math

import numpy as np

from abm.numerics import elementary, variates

SOLAR_CF_RANGE = (0.15, 0.30)  # LBNL Utility-Scale Solar 2024: median ~0.24, regional spread


def geo_field(xy: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Smooth random field scaled to 0..1: a regional gradient plus three broad bumps."""
    angle = rng.uniform(0.0, 2.0 * math.pi)
    centred = xy - xy.mean(axis=0)
    span = float(np.ptp(xy, axis=0).max()) or 1.0
    # two products and one sum per bus, no BLAS (dgemv's rounding depends on the CPU)
    field = (centred[:, 0] * elementary.cos(angle) + centred[:, 1] * elementary.sin(angle)) / span
    centres = xy[rng.integers(len(xy), size=3)]
    widths = span * rng.uniform(0.1, 0.3, size=3)
    heights = rng.uniform(-0.5, 0.5, size=3)
    gap = xy[:, None, :] - centres[None, :, :]
    d2 = (gap * gap).sum(axis=2)
    field = field + (heights * elementary.exp(-d2 / (2.0 * widths * widths))).sum(axis=1)
    spread = float(np.ptp(field))
    return (field - field.min()) / spread if spread > 0 else np.full(len(xy), 0.5)


def solar_cf_from_field(field: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Annual solar capacity factor following a geographic field, within SOLAR_CF_RANGE."""
    low, high = SOLAR_CF_RANGE
    cf = low + (high - low) * field + variates.normal(rng, 0.0, 0.004, len(field))
    return np.clip(cf, low, high)
