"""Names of the pack-market products and second-life grades, shared by grading, fleet and market."""

from __future__ import annotations

CHEMISTRIES = ("nmc", "lfp", "other")
GRADES = ("A", "B", "C")  # second-life grades; below C -> recycle
PRODUCTS = ("A", "B", "C", "new")  # pack-market products, index 0..3
NEW_PRODUCT = 3
