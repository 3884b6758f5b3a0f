"""`powerstack discover` output: the peeling trajectory, PRIM's box, CART's leaves; text or JSON."""

from __future__ import annotations

import math
from typing import Any

from abm.analysis.discovery import Discovery
from abm.analysis.prim import Box, box_ranges

MAX_TRAJECTORY_ROWS = 16  # longer trajectories print evenly spaced steps (and the chosen one)


def _num(x: float) -> float | None:
    """A float for JSON (NaN as None)."""
    return x if math.isfinite(x) else None


def _box_json(box: Box, full: Box) -> dict[str, Any]:
    """A box: its statistics and every restricted lever's limits or categories."""
    return {
        "coverage": _num(box.coverage),
        "density": _num(box.density),
        "mass": _num(box.mass),
        "n_cases": box.n_cases,
        "limits": {k: list(box.limits[k]) for k in box.restricted(full) if k in box.limits},
        "categories": {
            k: sorted(map(str, box.categories[k]))
            for k in box.restricted(full)
            if k in box.categories
        },
    }


def json_result(d: Discovery) -> dict[str, Any]:
    """The discovery as JSON-ready data (the app draws the boxes from it)."""
    p = d.prim
    return {
        "sweep": d.sweep,
        "where": [str(c) for c in d.conditions],
        "levers": d.levers,
        "runs": d.n_runs,
        "cases": d.n_cases,
        "hits": d.n_hits,
        "undefined": d.n_undefined,
        "sweep_ranges": d.ranges,
        "prim": {
            "trajectory": [_box_json(b, p.full) for b in p.trajectory],
            "chosen_step": p.chosen_step,
            "box": _box_json(p.box, p.full),
        },
        "cart": None
        if d.cart is None
        else [
            {
                "conditions": list(leaf.conditions),
                "coverage": leaf.coverage,
                "density": leaf.density,
                "mass": leaf.mass,
                "n_cases": leaf.n_cases,
            }
            for leaf in d.cart
        ],
        "cart_note": d.cart_note,
    }


def _steps(n: int, chosen: int) -> list[int]:
    """Which trajectory steps to print: all of a short one, else evenly spaced plus the chosen."""
    if n <= MAX_TRAJECTORY_ROWS:
        return list(range(n))
    picked = {round(i * (n - 1) / (MAX_TRAJECTORY_ROWS - 1)) for i in range(MAX_TRAJECTORY_ROWS)}
    return sorted(picked | {chosen})


def _trajectory(d: Discovery) -> list[str]:
    """The peeling trajectory as a table: coverage, density, mass, restricted levers."""
    p = d.prim
    lines = ["  step  coverage  density   mass  levers restricted"]
    for i in _steps(len(p.trajectory), p.chosen_step):
        b = p.trajectory[i]
        mark = " <- chosen" if i == p.chosen_step else ""
        names = ", ".join(b.restricted(p.full)) or "-"
        lines.append(
            f"  {i:>4}  {b.coverage:>8.3f}  {b.density:>7.3f}  {b.mass:>5.3f}  {names}{mark}"
        )
    return lines


def _box_lines(box: Box, d: Discovery) -> list[str]:
    """A box's lever ranges beside the sweep's, one line per restricted lever."""
    ranges = box_ranges(box, d.prim.full)
    if not ranges:
        return ["  (no lever restricted: the condition is spread over the whole sweep)"]
    width = max(len(k) for k in ranges)
    return [f"  {k.ljust(width)}  {v}   (sweep: {d.ranges[k]})" for k, v in ranges.items()]


def text_report(d: Discovery, min_coverage: float) -> str:
    """What a room reads: the condition's base rate, PRIM's trajectory and box, CART's leaves."""
    p = d.prim
    cond = " and ".join(map(str, d.conditions))
    head = [
        f"{d.sweep}: {d.n_cases} runs with the KPI defined (of {d.n_runs}; {d.n_undefined} "
        f"undefined), levers: {', '.join(d.levers)}",
        f"condition {cond}: holds in {d.n_hits} of {d.n_cases} runs "
        f"({100 * d.n_hits / d.n_cases:.1f} %, the density of the whole sweep)",
        "",
        "PRIM peeling trajectory (Friedman & Fisher 1999); coverage = share of the runs meeting "
        "the condition that lie in the box, density = share of the box's runs meeting it, "
        "mass = share of all runs in the box:",
        *_trajectory(d),
        "",
        f"PRIM box (densest step with coverage >= {min_coverage:g}: step {p.chosen_step}, "
        f"then pasted): coverage {p.box.coverage:.3f}, density {p.box.density:.3f}, "
        f"mass {p.box.mass:.3f} ({p.box.n_cases} runs)",
        *_box_lines(p.box, d),
    ]
    if d.cart is None:
        return "\n".join([*head, "", d.cart_note])
    cart = ["", "CART leaves where the condition holds in most runs (scikit-learn tree):"]
    for leaf in d.cart:
        cart.append(
            f"  coverage {leaf.coverage:.3f}, density {leaf.density:.3f}, mass {leaf.mass:.3f}: "
            + (" and ".join(leaf.conditions) or "(the whole sweep)")
        )
    if not d.cart:
        cart.append("  (none: no leaf has the condition in at least half its runs)")
    return "\n".join([*head, *cart])
