"""Designs: the points of a sweep (factorial product, a list, or LHS / Sobol / Morris samples).

The points depend only on the spec (its parameters, design, sample size and seed), never on
how or where the runs execute. Sampled designs keep their raw sample matrix, which SALib's
analysers need; integer parameters are rounded in the points, not in the matrix.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from abm.bounds import value_type
from abm.sweeps.spec import Range, SweepSpec


@dataclass(frozen=True)
class Design:
    """Design points (override dicts) and, for sampled designs, the raw sample matrix."""

    names: tuple[str, ...]
    points: tuple[dict[str, Any], ...]
    samples: np.ndarray | None = None


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem dict (names and bounds) of a sampled design."""
    ranges = {k: v for k, v in spec.parameters.items() if isinstance(v, Range)}
    bounds = [[r.min, r.max] for r in ranges.values()]
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": bounds}


def normalise(key: str, value: Any) -> Any:
    """Coerce a value to the schema's type so 2 and 2.0 give the same point (and run id)."""
    kind = value_type(key)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def sampled_value(key: str, x: float) -> int | float:
    """A sampled coordinate as the parameter's value: rounded for integer parameters."""
    return int(round(float(x))) if value_type(key) is int else float(x)


def design_size(spec: SweepSpec) -> int:
    """Number of design points a spec asks for, computed without building them."""
    k = len(spec.parameters)
    if spec.design == "factorial":
        return math.prod(len(v) for v in spec.parameters.values())  # type: ignore[arg-type]
    if spec.design == "list":
        return len(spec.points)
    n = spec.samples or 0
    if spec.design == "sobol":
        return n * (2 * k + 2 if spec.second_order else k + 2)
    return n * (k + 1) if spec.design == "morris" else n


def _sample_matrix(spec: SweepSpec) -> np.ndarray:
    """The raw samples of an lhs (scipy), sobol (Saltelli) or morris (SALib) design."""
    problem = salib_problem(spec)
    if spec.design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(len(spec.parameters), rng=np.random.default_rng(spec.seed))
        lows = np.array([b[0] for b in problem["bounds"]])
        highs = np.array([b[1] for b in problem["bounds"]])
        return qmc.scale(unit.random(spec.samples), lows, highs)
    if spec.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(
            problem, spec.samples, calc_second_order=spec.second_order, seed=spec.seed
        )
    from SALib.sample import morris

    return morris.sample(problem, spec.samples, num_levels=spec.levels, seed=spec.seed)


def build_design(spec: SweepSpec) -> Design:
    """The design points of a spec, in a fixed order that depends only on the spec."""
    names = tuple(spec.parameters)
    if spec.design == "factorial":
        levels = [spec.parameters[n] for n in names]
        points = tuple(
            {n: normalise(n, v) for n, v in zip(names, combo, strict=True)}
            for combo in itertools.product(*levels)
        )
        return Design(names, points)
    if spec.design == "list":
        keys = tuple(dict.fromkeys(k for p in spec.points for k in p))
        return Design(keys, tuple({k: normalise(k, v) for k, v in p.items()} for p in spec.points))
    matrix = _sample_matrix(spec)
    sampled = tuple(
        {n: sampled_value(n, x) for n, x in zip(names, row, strict=True)} for row in matrix
    )
    return Design(names, sampled, np.asarray(matrix, dtype=float))
