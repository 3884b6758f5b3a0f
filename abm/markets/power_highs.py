"""HiGHS instances for the power market: silent, serial, deterministic; one warm copy of the LP.

Every instance runs the same serial dual simplex with Devex pricing, so the same LP gives the
same pivots and bytes on every machine (docs/architecture.md, "Same bytes on every machine").
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np

_banner_silenced = False


def silent_highs() -> highspy.Highs:
    """Return a Highs instance with console output off (HiGHS prints a banner once per process)."""
    global _banner_silenced
    if _banner_silenced:
        highs = highspy.Highs()
    else:
        # The banner is written by C code straight to file descriptor 1, before any option can
        # be set, so silence the descriptor for the first construction only.
        sys.stdout.flush()
        saved_fd = os.dup(1)
        devnull_fd = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull_fd, 1)
            highs = highspy.Highs()
        finally:
            os.dup2(saved_fd, 1)
            os.close(saved_fd)
            os.close(devnull_fd)
        _banner_silenced = True
    highs.setOptionValue("output_flag", False)
    # Serial dual simplex, whatever HiGHS would choose on a machine with more cores: the same
    # pivots and bytes everywhere (docs/architecture.md, "Same bytes on every machine").
    highs.setOptionValue("parallel", "off")
    highs.setOptionValue("solver", "simplex")
    # Devex pricing: no edge weights to rebuild when a copy's basis is changed or restored,
    # and fewer operations per iteration than steepest edge on these LPs (measured 1.3-2x).
    highs.setOptionValue("simplex_dual_edge_weight_strategy", 1)
    return highs


@dataclass
class WarmCopy:
    """One HiGHS copy of the LP with the costs and column upper bounds it last solved with."""

    highs: highspy.Highs
    cost: np.ndarray
    upper: np.ndarray
