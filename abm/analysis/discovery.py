"""`powerstack discover SWEEP_DIR --where "KPI > value"`: where in a sweep's levers a condition holds.

Reads a finished sweep folder (`abm.sweeps` layout: `sweep.json` names the levers and KPIs,
`runs/part-*.parquet` holds one row per run with its lever values and KPIs). Each successful run
is a case; the condition (one or more `KPI OP VALUE`, all of which must hold) marks the cases of
interest; runs where a condition's KPI is undefined are left out and counted. PRIM
(`abm.analysis.prim`) finds the lever box where the condition is dense, and CART
(`abm.analysis.cart`, scikit-learn) gives its leaves for comparison.
"""

from __future__ import annotations

import json
import math
import operator
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from abm.analysis.cart import DEPTH, Leaf, cart_boxes
from abm.analysis.prim import ALPHA, MIN_MASS, PrimResult, prim
from abm.errors import InputError, did_you_mean
from abm.sweeps.store import load_results

OPERATORS: dict[str, Callable[[object, object], object]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
_CONDITION = re.compile(r"^\s*(?P<kpi>[^<>=!\s]+)\s*(?P<op>[<>=!]+)\s*(?P<value>\S+)\s*$")


@dataclass(frozen=True)
class Condition:
    """One `KPI OP VALUE` test on a run's KPI."""

    kpi: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.kpi} {self.op} {self.value:g}"

    def holds(self, values: pd.Series) -> np.ndarray:
        """Per run, whether the condition holds (NaN values are handled by the caller)."""
        return np.asarray(OPERATORS[self.op](values.to_numpy(dtype=float), self.value), dtype=bool)


@dataclass
class Discovery:
    """What `discover` found: the cases, the condition, PRIM's trajectory and box, CART's leaves."""

    sweep: str
    conditions: list[Condition]
    levers: list[str]
    n_runs: int
    n_cases: int
    n_hits: int
    n_undefined: int
    prim: PrimResult
    cart: list[Leaf] | None
    cart_note: str = ""
    ranges: dict[str, str] = field(default_factory=dict)


def parse_condition(text: str, kpis: Sequence[str]) -> Condition:
    """`"unserved_compute_mw_months > 5000"` -> Condition; bad KPI, operator or value: InputError."""
    match = _CONDITION.match(text)
    if match is None:
        raise InputError(
            f'--where {text!r}: expected KPI OP VALUE, e.g. "unserved_compute_mw_months > 5000", '
            f"with OP one of {' '.join(OPERATORS)}"
        )
    kpi, op, raw = match["kpi"], match["op"], match["value"]
    if op not in OPERATORS:
        hint = {"=": "==", "=>": ">=", "=<": "<=", "<>": "!="}.get(op)
        suggestion = f' (did you mean "{hint}"?)' if hint else ""
        raise InputError(
            f"--where {text!r}: bad operator {op!r}{suggestion}; expected one of {' '.join(OPERATORS)}"
        )
    if kpi not in kpis:
        raise InputError(
            f"--where {text!r}: unknown KPI {kpi!r}{did_you_mean(kpi, kpis)}; "
            f"this sweep recorded {len(kpis)} KPIs (see its sweep.json)"
        )
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"--where {text!r}: {raw!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"--where {text!r}: expected a finite number, got {raw!r}")
    return Condition(kpi, op, value)


def _manifest(folder: Path) -> dict:
    """The sweep's sweep.json, or an InputError saying the folder is not a sweep."""
    path = folder / "sweep.json"
    if not path.is_file():
        raise InputError(
            f"{folder}: not a sweep folder (no sweep.json); run `powerstack sweep` first"
        )
    return json.loads(path.read_text())


def load_cases(folder: Path) -> tuple[pd.DataFrame, list[str], list[str], int]:
    """Successful runs, the levers that vary in them, the recorded KPIs and the number of runs."""
    manifest = _manifest(folder)
    df = load_results(folder)
    ok = df[df["status"] == "ok"].reset_index(drop=True)
    levers = [p for p in manifest["parameters"] if p in ok and ok[p].nunique(dropna=False) > 1]
    return ok, levers, list(manifest["kpis"]), len(df)


def discover(
    sweep_dir: str | os.PathLike[str],
    where: Sequence[str],
    *,
    alpha: float = ALPHA,
    min_mass: float = MIN_MASS,
    min_coverage: float = 0.5,
    depth: int = DEPTH,
) -> Discovery:
    """Run PRIM (and CART, when scikit-learn is installed) on a finished sweep for a condition."""
    folder = Path(sweep_dir)
    if not where:
        raise InputError('--where: give a condition, e.g. --where "unserved_compute_mw_months > 0"')
    if not 0 < alpha < 0.5:
        raise InputError(f"--alpha {alpha}: expected a fraction between 0 and 0.5")
    ok, levers, kpis, n_runs = load_cases(folder)
    conditions = [parse_condition(text, kpis) for text in where]
    if not levers:
        raise InputError(f"{folder}: no lever varies across its successful runs; nothing to find")
    defined = np.ones(len(ok), dtype=bool)
    for c in conditions:
        defined &= ok[c.kpi].notna().to_numpy()
    cases = ok[defined].reset_index(drop=True)
    hits = np.ones(len(cases), dtype=bool)
    for c in conditions:
        hits &= c.holds(cases[c.kpi])
    if len(cases) == 0 or not hits.any() or hits.all():
        share = "no" if len(cases) == 0 or not hits.any() else "every"
        raise InputError(
            f"{folder}: {' and '.join(map(str, conditions))} holds in {share} one of the "
            f"{len(cases)} runs where it is defined; nothing to separate"
        )
    x = cases[levers]
    found = prim(x, hits, alpha=alpha, min_mass=min_mass, min_coverage=min_coverage)
    cart, note = None, ""
    try:
        cart = cart_boxes(x, hits, depth=depth, min_mass=min_mass)
    except ImportError:
        note = "CART skipped: scikit-learn is not installed (pip install 'powerstack[analysis]')"
    return Discovery(
        sweep=str(folder),
        conditions=conditions,
        levers=levers,
        n_runs=n_runs,
        n_cases=len(cases),
        n_hits=int(hits.sum()),
        n_undefined=int((~defined).sum()),
        prim=found,
        cart=cart,
        cart_note=note,
        ranges=_sweep_ranges(x),
    )


def _sweep_ranges(x: pd.DataFrame) -> dict[str, str]:
    """Each lever's range (or categories) over the sweep's cases, to print beside a box."""
    out = {}
    for c in x.columns:
        if pd.api.types.is_numeric_dtype(x[c]) and not pd.api.types.is_bool_dtype(x[c]):
            out[c] = f"{x[c].min():.4g} .. {x[c].max():.4g}"
        else:
            out[c] = ", ".join(sorted(map(str, x[c].unique())))
    return out
