"""Battery chemistries and pack products (`Product`, also named in `abm.vocabulary`)."""

from __future__ import annotations

from enum import IntEnum

CHEMISTRIES = ("nmc", "lfp", "other")
"""First-life pack chemistries; a fleet cohort's ``chemistry`` is an index into this tuple."""

NMC, LFP, OTHER = range(len(CHEMISTRIES))
"""Indices of the chemistries (new stationary storage is LFP)."""


class Product(IntEnum):
    """A pack-market product: the three second-life grades and new storage (index 0..3)."""

    A = 0
    B = 1
    C = 2
    NEW = 3
