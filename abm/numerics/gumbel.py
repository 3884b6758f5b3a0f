"""The Gumbel-max race of a keyed discrete choice, ranked fast and decided in machine-independent logs.

`Streams.choice` over many alternatives (a site among the buses) scores each as
`log w - log(-log u)` with `abm.numerics.elementary`'s logs, the same bits on every machine but
~35 numpy calls a pass. numpy's own `log` is fast but its last bit depends on the CPU's SIMD
kernel, so here it only ranks: the pick is decided by `elementary` among the alternatives near
the top, and every alternative it leaves out loses under either log.
"""

from __future__ import annotations

import math

import numpy as np

from abm.numerics import elementary

NEAR_TIE = 1e-6
"""Score gap (nats) within which alternatives are re-scored exactly: numpy's `log` and
`elementary.log` differ by a few ulps (< 1e-12 on scores below 750 in magnitude), so every
alternative that can win under `elementary` is within this gap of numpy's best."""


def gumbel_argmax(w: np.ndarray, u: np.ndarray) -> int:
    """`argmax(elementary.log(w) - elementary.log(-elementary.log(u)))`, scoring exactly only near the top.

    numpy's `log` (fast, but its last bit depends on the CPU) ranks the alternatives; those
    within `NEAR_TIE` of its best are scored again with `elementary`'s scalar logs (the array
    path's bytes), and the first best of those wins, as `argmax` picks. Every alternative farther
    down loses under either log, so the pick is the exact race's on every machine. Weights that
    are zero everywhere, negative, infinite or NaN take the exact array race.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        approx = np.log(w) - np.log(-np.log(u))
    top = float(approx.max())
    if not math.isfinite(top):
        with np.errstate(divide="ignore"):
            score = elementary.log(w) - elementary.log(-elementary.log(u))
        return int(np.argmax(score))
    log = elementary.log_float
    best, pick = -math.inf, 0
    for i in np.flatnonzero(approx >= top - NEAR_TIE).tolist():
        score = log(float(w[i])) - log(-log(float(u[i])))
        if score > best:
            best, pick = score, i
    return pick
