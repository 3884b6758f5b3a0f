"""The summary of a sweep execution: the `df.attrs['sweep']` dict and the CLI's closing lines."""

from __future__ import annotations

from typing import Any

import pandas as pd

from abm.sweeps.callbacks import Tally


def sweep_summary(
    df: pd.DataFrame, tally: Tally, context: dict[str, Any], wall_s: float
) -> dict[str, Any]:
    """Counts, throughput and mean run cost; `context` names the sweep, folder and executor."""
    done_now = tally.ok + tally.failed
    return {
        **context,
        "ran": done_now,
        "ok": tally.ok,
        "failed": tally.failed,
        "lost": tally.lost,
        "lost_examples": tally.lost_messages,
        "remaining": context["planned_runs"] - len(df),
        "wall_time_s": wall_s,
        "runs_per_minute": done_now / wall_s * 60.0 if wall_s > 0 else float("nan"),
        "mean_run_wall_s": tally.run_wall_s / done_now if done_now else float("nan"),
        "mean_run_cpu_s": tally.run_cpu_s / done_now if done_now else float("nan"),
    }


def summary_text(df: pd.DataFrame) -> str:
    """A few lines for the end of `powerstack sweep`: counts, throughput, where results are."""
    s = df.attrs.get("sweep", {})
    failed_total = int((df["status"] == "failed").sum()) if "status" in df else 0
    lines = [
        f"sweep {s.get('name')}: {s.get('ran', 0)} runs in {s.get('wall_time_s', 0):.1f} s "
        f"({s.get('runs_per_minute', 0):.1f} runs/min, {s.get('executor')}"
        + (f", {s['workers']} workers" if s.get("workers") else "")
        + f"); {s.get('ok', 0)} ok, {s.get('failed', 0)} failed",
        f"  recorded {len(df)} of {s.get('planned_runs', len(df))} runs ({failed_total} failed) in {s.get('out_dir')}/",
    ]
    if s.get("ran"):
        lines.append(
            f"  mean run {s['mean_run_wall_s']:.2f} s wall, {s['mean_run_cpu_s']:.2f} s CPU"
        )
    if s.get("already_recorded"):
        lines.append(f"  {s['already_recorded']} runs were already recorded and skipped")
    if s.get("lost"):
        lines.append(
            f"  {s['lost']} runs lost to worker failures (e.g. {s['lost_examples'][0]}); rerun with --resume"
        )
    if s.get("remaining"):
        lines.append(f"  {s['remaining']} runs still to do: rerun with --resume")
    return "\n".join(lines)


def failure_line(df: pd.DataFrame) -> str | None:
    """The `error:` line of a sweep with failed or lost runs (None when every run succeeded).

    Counts every recorded failure (also those of earlier sessions of a resumed sweep) against
    the planned runs, and says where each run's error is recorded.
    """
    s = df.attrs.get("sweep", {})
    failed = int((df["status"] == "failed").sum()) if "status" in df else 0
    lost = int(s.get("lost", 0))
    if not failed and not lost:
        return None
    planned = s.get("planned_runs", len(df))
    parts = []
    if failed:
        parts.append(
            f"{failed} of {planned} runs failed (status 'failed', the error column of "
            f"{s.get('out_dir')}/runs/); their KPIs are missing"
        )
    if lost:
        parts.append(f"{lost} of {planned} runs were lost to worker failures (rerun with --resume)")
    return "error: sweep " + f"{s.get('name')}: " + "; ".join(parts)
