"""The fade helpers that let a loop compute the rate once: the same bytes as `fade_step` every month."""

from __future__ import annotations

import numpy as np
import pytest

from abm.batteries import (
    FADE_PARAMS_BY_CHEMISTRY,
    fade_rate_per_year,
    fade_step,
    fade_step_at_rate,
    shelf_fade_rate_per_year,
)
from abm.batteries.fade import nonnegative
from abm.errors import InputError


@pytest.mark.parametrize("name", sorted(FADE_PARAMS_BY_CHEMISTRY))
def test_step_at_rate_is_fade_step(name: str) -> None:
    """Stepping at the precomputed rate gives exactly fade_step's SoH, across the knee and month after month."""
    p = FADE_PARAMS_BY_CHEMISTRY[name]
    rng = np.random.default_rng(7)
    soh = rng.uniform(0.5, 1.0, 50)
    efc, c_rate = rng.uniform(0, 40, 50), rng.uniform(0, 1.5, 50)
    duty, second_life = rng.uniform(0.8, 2.0, 50), rng.uniform(size=50) < 0.5
    rate = fade_rate_per_year(efc, c_rate, p.dod_ref, p, duty, second_life)
    a = b = soh
    for _ in range(60):
        a = fade_step(a, 1.0, efc, c_rate, p.dod_ref, p, duty, second_life)
        b = fade_step_at_rate(b, 1.0, rate, p)
        assert a.tobytes() == b.tobytes()


def test_shelf_rate_is_the_recyclers_old_step() -> None:
    """The cached shelf rate ages a stock exactly as the zero-duty second-life fade_step did; it is read-only."""
    p = FADE_PARAMS_BY_CHEMISTRY["lfp"]
    soh = np.array([0.9, 0.82, 0.71])
    old = fade_step(soh, 1.0, 0.0, 0.0, 0.0, p, 1.0, True)
    rate = shelf_fade_rate_per_year(p)
    assert fade_step_at_rate(soh, 1.0, rate, p).tobytes() == old.tobytes()
    assert shelf_fade_rate_per_year(p) is rate and not rate.flags.writeable


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf"), -2])
def test_nonnegative_scalar_path_rejects_what_the_array_path_rejects(bad: float) -> None:
    """A scalar goes through the fast path and is refused exactly when its array would be."""
    with pytest.raises(InputError):
        nonnegative("x", bad)
    with pytest.raises(InputError):
        nonnegative("x", np.array([bad]))
    assert nonnegative("x", 2).tobytes() == np.asarray(2.0).tobytes()
