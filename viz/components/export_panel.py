"""Downloads: the monthly data, the KPIs and a re-runnable scenario file."""

from __future__ import annotations

from typing import Any

import solara

from abm.schema import ScenarioConfig
from viz import exports
from viz.components.base import Html
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
    solara.FileDownload(
        lambda: exports.scenario_toml(cfg, overrides, link),
        filename=exports.export_name(cfg, key, "scenario", "toml"),
        label="Scenario (TOML for powerstack run)",
        mime_type=exports.MIME["toml"],
    )
    complete = record is not None and record.complete and record.key == key
    if not complete:
        Html("div", "Data downloads appear when the run has finished.", "ps-kpi-delta ps-none")
        return
    assert record is not None
    frame = record.timeseries
    solara.FileDownload(
        lambda: exports.timeseries_csv(frame),
        filename=exports.export_name(cfg, key, "timeseries", "csv"),
        label="Monthly data (CSV)",
        mime_type=exports.MIME["csv"],
    )
    solara.FileDownload(
        lambda: exports.timeseries_parquet(frame),
        filename=exports.export_name(cfg, key, "timeseries", "parquet"),
        label="Monthly data (Parquet)",
        mime_type=exports.MIME["parquet"],
    )
    table = record.project_table
    if table is not None:
        solara.FileDownload(
            lambda: exports.projects_parquet(table),
            filename=exports.export_name(cfg, key, "projects", "parquet"),
            label="Projects, one row each (Parquet)",
            mime_type=exports.MIME["parquet"],
        )
    if kpis is not None:
        solara.FileDownload(
            lambda: exports.kpis_json(kpis),
            filename=exports.export_name(cfg, key, "kpis", "json"),
            label="KPIs (JSON)",
            mime_type=exports.MIME["json"],
        )
