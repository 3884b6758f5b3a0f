"""The result store of a sweep folder: Parquet parts written atomically, read back deduplicated.

Rows arrive one run at a time and are written in numbered parts (`runs/part-*.parquet`, and
`timeseries/` and `projects/` parts of the same name), each through `abm.atomic`, so a killed
sweep leaves only whole parts and hidden temporary files. A runs part is the commit point: its
time-series and projects parts are written first, so one without a runs part is an orphan.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from abm import atomic
from abm.errors import InputError


def write_parquet(table: pa.Table, path: Path) -> None:
    """A Parquet file (zstd) written atomically: never a torn file under its real name."""
    atomic.write_atomic(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def _to_number(value: Any) -> float | None:
    """KPI value as float (None stays None; non-numbers are a bug in the KPI dict)."""
    if value is None:
        return None
    return float(value)


class ChunkWriter:
    """Buffers result rows and writes them as numbered Parquet parts, each atomically."""

    def __init__(
        self,
        out_dir: Path,
        schema: pa.Schema,
        ts_schema: pa.Schema | None,
        flush_rows: int,
        flush_seconds: float,
        projects_schema: pa.Schema | None = None,
    ) -> None:
        self.runs_dir = out_dir / "runs"
        self.ts_dir = out_dir / "timeseries"
        self.projects_dir = out_dir / "projects"
        self.schema = schema
        self.ts_schema = ts_schema
        self.projects_schema = projects_schema
        self.project_frames: list[pd.DataFrame] = []
        self.flush_rows = flush_rows
        self.flush_seconds = flush_seconds
        self.session = f"{time.time_ns():x}-{os.getpid():x}"
        self.seq = 0
        self.rows: list[dict[str, Any]] = []
        self.frames: list[pd.DataFrame] = []
        self.last_flush = time.monotonic()
        self.written = 0

    def add(self, row: dict[str, Any]) -> None:
        """Buffer one row; flush when the buffer is big or old enough."""
        ts = row.pop("__timeseries__", None)
        if ts is not None and self.ts_schema is not None:
            self.frames.append(ts)
        projects = row.pop("__projects__", None)
        if projects is not None and self.projects_schema is not None:
            self.project_frames.append(projects)
        self.rows.append(row)
        if (
            len(self.rows) >= self.flush_rows
            or time.monotonic() - self.last_flush >= self.flush_seconds
        ):
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows (and their time series) as one part each."""
        self.last_flush = time.monotonic()
        if not self.rows:
            return
        name = f"part-{self.session}-{self.seq:06d}.parquet"
        if self.frames and self.ts_schema is not None:
            ts = pd.concat(self.frames, ignore_index=True)
            ts = ts.reindex(columns=self.ts_schema.names)
            write_parquet(
                pa.Table.from_pandas(ts, schema=self.ts_schema, preserve_index=False),
                self.ts_dir / name,
            )
        if self.project_frames and self.projects_schema is not None:
            projects = pd.concat(self.project_frames, ignore_index=True)
            write_parquet(
                pa.Table.from_pandas(
                    projects[self.projects_schema.names],
                    schema=self.projects_schema,
                    preserve_index=False,
                ),
                self.projects_dir / name,
            )
        columns: dict[str, list[Any]] = {}
        for f in self.schema:
            values = [row.get(f.name) for row in self.rows]
            columns[f.name] = (
                [_to_number(v) for v in values] if pa.types.is_floating(f.type) else values
            )
        write_parquet(pa.table(columns, schema=self.schema), self.runs_dir / name)
        self.written += len(self.rows)
        self.seq += 1
        self.rows = []
        self.frames = []
        self.project_frames = []


# ---------------------------------------------------------------------------- reading
def parts(folder: Path) -> list[Path]:
    """Committed Parquet parts in a folder (hidden temp files are not parts), in name order."""
    return sorted(p for p in folder.glob("part-*.parquet")) if folder.is_dir() else []


def _empty_results(manifest: Path) -> pd.DataFrame:
    """The results table of a sweep that has recorded no run yet, with its columns and types."""
    recorded = json.loads(manifest.read_text())["schema"]
    schema = pa.schema([pa.field(n, pa.type_for_alias(t)) for n, t in recorded])
    return schema.empty_table().to_pandas()


def load_results(out_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """One row per recorded run of a sweep folder, sorted by run id (first record wins)."""
    out = Path(out_dir)
    found = parts(out / "runs")
    if not found:
        if (out / "sweep.json").is_file():
            return _empty_results(out / "sweep.json")
        raise InputError(f"{out}: no sweep results here (expected runs/part-*.parquet)")
    table = pa.concat_tables([pq.read_table(p) for p in found], promote_options="permissive")
    df = table.to_pandas()
    df = df.drop_duplicates("run_id", keep="first").sort_values("run_id", kind="stable")
    return df.reset_index(drop=True)


def load_timeseries(
    out_dir: str | os.PathLike[str], run_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per-run monthly tables of a sweep (committed parts only), optionally for some runs."""
    df = _committed_table(Path(out_dir), "timeseries", "time series", run_ids)
    return df.drop_duplicates(["run_id", "month"], keep="first").reset_index(drop=True)


def _committed_table(
    out: Path, folder: str, what: str, run_ids: Sequence[str] | None
) -> pd.DataFrame:
    """The parts of `out/folder` whose runs part was committed, concatenated (some runs only)."""
    committed = {p.name for p in parts(out / "runs")}
    found = [p for p in parts(out / folder) if p.name in committed]
    if not found:
        raise InputError(f"{out}: no {what} recorded (set {folder} = true in the spec)")
    filters = [("run_id", "in", list(run_ids))] if run_ids is not None else None
    return pa.concat_tables([pq.read_table(p, filters=filters) for p in found]).to_pandas()


def load_projects(
    out_dir: str | os.PathLike[str], run_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per-run project tables of a sweep (committed parts only), optionally for some runs."""
    from abm.metrics import PROJECT_DTYPES  # the model's packages load only when asked

    df = _committed_table(Path(out_dir), "projects", "project tables", run_ids)
    df = df.drop_duplicates(["run_id", "project_id"], keep="first").reset_index(drop=True)
    return df.astype(PROJECT_DTYPES)


def load_design(out_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """The design table of a sweep folder: one row per (point, replicate) with its run id."""
    path = Path(out_dir) / "design.parquet"
    if not path.is_file():
        raise InputError(f"{out_dir}: no design.parquet; not a sweep folder")
    return pq.read_table(path).to_pandas()


def load_manifest(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The sweep.json of a sweep folder (spec, design kind, SALib problem, schema)."""
    path = Path(out_dir) / "sweep.json"
    if not path.is_file():
        raise InputError(
            f"{out_dir}: no sweep.json; not a sweep folder (run `powerstack sweep` first)"
        )
    return json.loads(path.read_text())


def recorded_ids(out_dir: Path) -> set[str]:
    """Run ids already committed to the results dataset."""
    ids: set[str] = set()
    for part in parts(out_dir / "runs"):
        ids.update(pq.read_table(part, columns=["run_id"]).column("run_id").to_pylist())
    return ids


def clean_torn(out_dir: Path) -> int:
    """Delete temp files and orphan time-series and projects parts left by a killed sweep; return the count."""
    removed = 0
    for folder in (out_dir / "runs", out_dir / "timeseries", out_dir / "projects", out_dir):
        if folder.is_dir():
            for tmp in folder.glob(".*.tmp"):
                tmp.unlink()
                removed += 1
    committed = {p.name for p in parts(out_dir / "runs")}
    for part in [*parts(out_dir / "timeseries"), *parts(out_dir / "projects")]:
        if part.name not in committed:
            part.unlink()
            removed += 1
    return removed
