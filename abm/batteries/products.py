"""Battery chemistries the fade rules know (products and grades are in `abm.vocabulary`)."""

from __future__ import annotations

CHEMISTRIES = ("nmc", "lfp", "other")
