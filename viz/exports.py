"""File contents the page offers for download: charts, data, KPIs and a re-runnable scenario."""

from __future__ import annotations

import io
import json
import tempfile
import textwrap
import threading
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from abm.runner import write_parquet_deterministic, write_projects_parquet
from abm.scenario import config_with, to_toml
from abm.schema import ScenarioConfig

MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "toml": "application/toml",
    "json": "application/json",
}
# Matplotlib is not thread-safe: the page draws its chart in one thread while a download renders
# another, and two figures drawn at once crashed ("Invalid affine transformation matrix").
_DRAW_LOCK = threading.Lock()


def stamp_text(scenario: str, changes: str, seeds: str, compare: str | None, version: str) -> str:
    """What a hand-out must carry to be read later: scenario, page changes, seed(s), comparison, version."""
    parts = [
        f"Scenario: {scenario}",
        f"changed on the page: {changes or 'nothing'}",
        f"seed {seeds}",
    ]
    if compare:
        parts.append(f"compared with: {compare}")
    parts.append(f"powerstack {version}")
    return " | ".join(parts)


def figure_bytes(fig: Figure, fmt: str, stamp: str = "") -> bytes:
    """A chart as PNG (150 dpi, for slides) or SVG (scalable).

    A `stamp` is written under the chart in small type and into the file's metadata (PNG text
    chunks Title/Description/Software, SVG Title/Description), so a hand-out keeps its context.
    """
    if fmt not in ("png", "svg"):
        raise ValueError(f"chart format {fmt!r}; expected png or svg")
    buf = io.BytesIO()
    if not stamp:
        with _DRAW_LOCK:
            fig.savefig(buf, format=fmt, dpi=150 if fmt == "png" else None)
        return buf.getvalue()
    lines = textwrap.wrap(stamp, width=int(fig.get_figwidth() * 16))
    fig.text(0.01, -0.01, "\n".join(lines), ha="left", va="top", fontsize=7, color="#333")
    metadata = {"Title": stamp.split(" | ")[0], "Description": stamp}
    if fmt == "png":
        metadata["Software"] = stamp.rsplit(" | ", 1)[-1]
    with _DRAW_LOCK:
        fig.savefig(
            buf,
            format=fmt,
            dpi=150 if fmt == "png" else None,
            bbox_inches="tight",
            metadata=metadata,
        )
    return buf.getvalue()


def timeseries_csv(frame: pd.DataFrame) -> str:
    """The monthly table as CSV (one row per month, the run contract's columns)."""
    return frame.to_csv(index=False, lineterminator="\n")


def timeseries_parquet(frame: pd.DataFrame) -> bytes:
    """The monthly table as Parquet, byte-identical to `powerstack run`'s timeseries.parquet."""
    with tempfile.TemporaryDirectory(prefix="powerstack-export-") as tmp:
        path = Path(tmp) / "timeseries.parquet"
        write_parquet_deterministic(frame, path)
        return path.read_bytes()


def projects_parquet(table: pd.DataFrame) -> bytes:
    """The per-project table as Parquet, byte-identical to `powerstack run`'s projects.parquet."""
    with tempfile.TemporaryDirectory(prefix="powerstack-export-") as tmp:
        path = Path(tmp) / "projects.parquet"
        write_projects_parquet(table, path)
        return path.read_bytes()


def kpis_json(kpis: dict[str, Any]) -> str:
    """KPIs as stable JSON (sorted keys; None for what could not be computed)."""
    return json.dumps(kpis, indent=2, sort_keys=True, allow_nan=False) + "\n"


def scenario_toml(cfg: ScenarioConfig, overrides: dict[str, Any], link: str = "") -> str:
    """The resolved scenario as TOML that `powerstack run <file>` accepts, noting what the app changed."""
    if overrides:
        changed = ", ".join(f"{k}={v}" for k, v in sorted(overrides.items()))
        note = f"\n\nChanged in the app: {changed}."
        description = (
            (cfg.description[: 4000 - len(note)] + note) if cfg.description else note.strip()
        )
        cfg = config_with(cfg, {"description": description}, "export")
    header = "# Exported from the powerstack app; run it with: powerstack run <this file>\n"
    if link:
        header += f"# View: {link}\n"
    return header + to_toml(cfg)


def export_name(cfg: ScenarioConfig, key: str, what: str, ext: str) -> str:
    """A file name that says which scenario and settings it came from, e.g. baseline-3fa2c1-energy.png."""
    return f"{cfg.name}-{key[:6]}-{what}.{ext}"
