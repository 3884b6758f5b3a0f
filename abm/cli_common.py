"""What the command line's modules share: one BLAS thread per run, and the --workers help."""

from __future__ import annotations

import os

WORKERS_HELP = "worker processes (default: all cores; 1 runs in this process)"


def one_blas_thread() -> None:
    """One BLAS thread per model run (set before numpy loads; a user's own setting wins)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
