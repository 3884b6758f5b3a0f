"""A run folder's yearly variables as tables to take elsewhere: IAMC (wide) or long CSV.

`export_run` reads `timeseries.parquet`, `run.json` and `scenario.toml` of a `powerstack run`
folder and writes one CSV atomically (readers never see half a file). Both formats carry the
IAMC index columns: model (`powerstack <version>`), scenario (`<name>-s<seed>`, as the run
folder is named), region, variable and unit.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from abm import atomic
from abm.errors import InputError, did_you_mean
from abm.export.variables import variables_for
from abm.export.yearly import yearly

INDEX = ["model", "scenario", "region", "variable", "unit"]
#: Format -> (default file name in the run folder, what it holds).
FORMATS = {
    "iamc": (
        "yearly_iamc.csv",
        "IAMC wide: model, scenario, region, variable, unit, one column per year",
    ),
    "csv": (
        "yearly_long.csv",
        "long: model, scenario, region, variable, unit, year, value (one row per value)",
    ),
}
RUN_FILES = ("timeseries.parquet", "run.json", "scenario.toml")


@dataclass(frozen=True)
class Export:
    """What `export_run` wrote: the file, the years it holds and the partial years it left out."""

    path: Path
    years: list[int]
    partial_years: dict[int, int]
    n_variables: int


def check_format(fmt: str) -> str:
    """The format if known, else an InputError with the close match."""
    if fmt not in FORMATS:
        raise InputError(
            f"--format {fmt!r}: unknown format{did_you_mean(fmt, FORMATS)}; expected one of {', '.join(FORMATS)}"
        )
    return fmt


def check_out_file(path: Path) -> None:
    """Refuse an --out that cannot become a file: a folder, a file in its path, no write access."""
    if path.is_dir():
        raise InputError(f"--out {path}: is a folder; expected a file path")
    probe = path.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"--out {path}: {probe} is a file; expected a folder in the path")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"--out {path}: cannot create or write in {probe} (permission denied)")


def _index_values(run_dir: Path) -> dict[str, str]:
    """model, scenario and region of a run folder, from run.json and scenario.toml."""
    try:
        info: dict[str, Any] = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
        scenario = tomllib.loads((run_dir / "scenario.toml").read_text(encoding="utf-8"))
        name, seed = info["scenario"], info["seed"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{run_dir}: run.json or scenario.toml unreadable ({exc})") from None
    source = scenario.get("grid", {}).get("source", "synthetic")
    return {
        "model": f"powerstack {info.get('package_version', 'unknown')}",
        "scenario": f"{name}-s{seed}",
        "region": f"US ({Path(str(source)).stem} grid)",
    }


def read_run(run_dir: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The monthly table and the IAMC index values of a `powerstack run` output folder."""
    if not run_dir.is_dir():
        what = "is not a folder" if run_dir.exists() else "no such run folder"
        raise InputError(f"{run_dir}: {what}; expected the output folder of `powerstack run`")
    missing = [f for f in RUN_FILES if not (run_dir / f).is_file()]
    if missing:
        raise InputError(
            f"{run_dir}: missing {', '.join(missing)}; expected the output folder of `powerstack run`"
        )
    return pd.read_parquet(run_dir / "timeseries.parquet"), _index_values(run_dir)


def long_table(ts: pd.DataFrame, index: dict[str, str]) -> tuple[pd.DataFrame, dict[int, int]]:
    """One row per variable and year with a value (missing values, e.g. no trade, left out)."""
    result = yearly(ts, variables_for(set(ts.columns)))
    values = result.values.dropna(subset=["value"])
    for key in ("region", "scenario", "model"):
        values.insert(0, key, index[key])
    return values.reset_index(drop=True), result.partial_years


def iamc_table(long: pd.DataFrame) -> pd.DataFrame:
    """The long table pivoted to IAMC wide form: one column per year, variables in table order."""
    order = list(dict.fromkeys(long["variable"]))
    wide = long.pivot(index=INDEX, columns="year", values="value").reset_index()
    wide.columns.name = None
    wide["variable"] = pd.Categorical(wide["variable"], categories=order, ordered=True)
    wide = wide.sort_values("variable").reset_index(drop=True)
    wide["variable"] = wide["variable"].astype(str)
    return wide


def export_run(run_dir: Path, fmt: str, out: Path | None = None) -> Export:
    """Write a run folder's yearly variables as `fmt` (iamc or csv) to `out` (default: in the folder)."""
    check_format(fmt)
    ts, index = read_run(run_dir)
    path = out if out is not None else run_dir / FORMATS[fmt][0]
    check_out_file(path)
    long, partial = long_table(ts, index)
    if long.empty:
        raise InputError(
            f"{run_dir}: no complete calendar year in the run ({len(ts)} months); "
            "yearly tables need at least one January-to-December year"
        )
    table = iamc_table(long) if fmt == "iamc" else long
    atomic.write_text_atomic(path, table.to_csv(index=False, lineterminator="\n"))
    years = sorted(int(y) for y in long["year"].unique())
    return Export(path, years, partial, long["variable"].nunique())
