"""Cohort fade rates kept from one month's ageing to the next while the cohorts' duty stays.

`StorageFleet.age` needs every cohort's fade rate (`fade.fade_rate_per_year`) each month, but
a cohort's rate depends only on its chemistry's parameters and its duty (EFC, C-rate, duty
multiplier, second life), which rarely change: new cohorts are appended at the end of the
arrays, and set_duty, merges and retirements are the only other changes. The rate is computed
element by element, so the rates of an unchanged leading run of cohorts are the same bits
whether computed alone or with the rest (`elementary.power`'s scalar and array paths agree,
tests/test_scalar_fast_paths.py); only the cohorts after that run are looked at, and those
whose duty was seen before (a fleet has a few distinct duties) take that duty's rate.
"""

from __future__ import annotations

import numpy as np

from abm.batteries.fade import FadeParams, fade_rate_per_year


def _kept_prefix(kept: tuple[np.ndarray, ...], inputs: tuple[np.ndarray, ...]) -> int:
    """Length of the kept inputs if they equal the leading part of `inputs`, else 0."""
    n = len(kept[0])
    if n > len(inputs[0]):
        return 0
    if all(np.array_equal(old, new[:n]) for old, new in zip(kept, inputs, strict=True)):
        return n
    return 0


class CohortRates:
    """Each chemistry's last cohort rates with the duty they were computed for (a StorageFleet's memo)."""

    def __init__(self) -> None:
        """Start with nothing kept."""
        self._kept: dict[int, tuple[FadeParams, tuple[np.ndarray, ...], np.ndarray]] = {}
        # every rate computed, by parameters and the duty's exact bits (float.hex: -0.0 is its own)
        self._by_duty: dict[FadeParams, dict[tuple[str, ...], float]] = {}

    def rates(
        self,
        key: int,
        params: FadeParams,
        efc_per_month: np.ndarray,
        c_rate: np.ndarray,
        duty_multiplier: np.ndarray,
        second_life: np.ndarray,
    ) -> np.ndarray:
        """`fade_rate_per_year` of these cohorts at DoD = `params.dod_ref`, as `fade_step` computes it.

        `key` names the group (the chemistry); the inputs must not be changed by the caller
        afterwards (StorageFleet passes fresh copies selected by a mask).
        """
        inputs = (efc_per_month, c_rate, duty_multiplier, second_life)
        kept = self._kept.get(key)
        done = 0
        if kept is not None and kept[0] == params:
            done = _kept_prefix(kept[1], inputs)
        n = len(efc_per_month)
        if kept is not None and done == n:
            rate = kept[2]
        else:
            tail = self._tail_rates(params, tuple(a[done:] for a in inputs))
            rate = tail if done == 0 else np.concatenate([kept[2][:done], tail])  # type: ignore[index]
            rate.flags.writeable = False  # kept for the next month: nobody may change it
        self._kept[key] = (params, inputs, rate)
        return rate

    def _tail_rates(self, params: FadeParams, inputs: tuple[np.ndarray, ...]) -> np.ndarray:
        """The rates of cohorts not kept (`inputs` as in `rates`): from earlier cohorts of the same duty, else computed.

        A fleet has a few distinct duties, so a new cohort's duty has mostly been seen; a
        rate is one float64 of `fade_rate_per_year`, the same bits for the same duty.
        """
        efc_per_month, c_rate, duty_multiplier, second_life = inputs
        known = self._by_duty.setdefault(params, {})
        keys = [
            (e.hex(), c.hex(), d.hex(), str(sl))
            for e, c, d, sl in zip(
                efc_per_month.tolist(),
                c_rate.tolist(),
                duty_multiplier.tolist(),
                second_life.tolist(),
                strict=True,
            )
        ]
        found = [known.get(k) for k in keys]
        if None not in found:
            return np.array(found, dtype=float)
        rate = fade_rate_per_year(
            efc_per_month,
            c_rate,
            np.full(len(keys), params.dod_ref),
            params,
            duty_multiplier,
            second_life,
            below_knee=False,
        )
        known.update(zip(keys, np.asarray(rate, dtype=float).tolist(), strict=True))
        return rate
