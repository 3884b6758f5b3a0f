"""Downloads: the monthly data, the KPIs and a re-runnable scenario file."""

from __future__ import annotations

from typing import Any

import solara

from abm.schema import ScenarioConfig
from viz import exports
from viz.components.base import Html
from viz.components.download import Download
from viz.runs import RunRecord, config_key


@solara.component
def ExportPanel(
    record: RunRecord | None,
    cfg: ScenarioConfig,
    overrides: dict[str, Any],
    kpis: dict[str, Any] | None,
    link: str,
) -> None:
    """Downloads: the monthly data (CSV, Parquet), the projects (Parquet), KPIs (JSON) and the scenario (TOML)."""
    key = config_key(cfg)
    Download(
        lambda: exports.scenario_toml(cfg, overrides, link),
        exports.export_name(cfg, key, "scenario", "toml"),
        "Scenario (TOML for powerstack run)",
        exports.MIME["toml"],
    )
    complete = record is not None and record.complete and record.key == key
    if not complete:
        Html("div", "Data downloads appear when the run has finished.", "ps-kpi-delta ps-none")
        return
    assert record is not None
    frame = record.timeseries
    Download(
        lambda: exports.timeseries_csv(frame),
        exports.export_name(cfg, key, "timeseries", "csv"),
        "Monthly data (CSV)",
        exports.MIME["csv"],
    )
    Download(
        lambda: exports.timeseries_parquet(frame),
        exports.export_name(cfg, key, "timeseries", "parquet"),
        "Monthly data (Parquet)",
        exports.MIME["parquet"],
    )
    table = record.project_table
    if table is not None:
        Download(
            lambda: exports.projects_parquet(table),
            exports.export_name(cfg, key, "projects", "parquet"),
            "Projects, one row each (Parquet)",
            exports.MIME["parquet"],
        )
    if kpis is not None:
        Download(
            lambda: exports.kpis_json(kpis),
            exports.export_name(cfg, key, "kpis", "json"),
            "KPIs (JSON)",
            exports.MIME["json"],
        )
