"""Numerics whose bytes do not depend on the machine: no BLAS or LAPACK, a fixed order of operations.

BLAS kernels (chosen per CPU, e.g. ``OPENBLAS_CORETYPE``) and their thread count change the
rounding of dot products and of SuperLU's supernodal updates; a last-bit difference then tips
a discrete decision and the run's outputs. Every dot product and sparse solve that feeds a
decision or an output goes through this package instead (docs/architecture.md, "Same bytes on
every machine").
"""

from typing import Any

from abm.numerics.dot import exact_dot, weights_dot

__all__ = ["SparseLDL", "exact_dot", "weights_dot"]


def __getattr__(name: str) -> Any:
    """``SparseLDL``, imported on first use.

    Its module imports ``scipy.sparse``, which ``import abm`` (the scenario schema and checks) and
    ``powerstack --help`` do not need; the model and the grid load it when they are built.
    """
    if name == "SparseLDL":
        from abm.numerics.ldl import SparseLDL

        return SparseLDL
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
