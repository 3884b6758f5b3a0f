"""Solara components of the dashboard, one module per responsibility.

No `solara.Markdown` on purpose: it loads KaTeX from a public CDN, which fails offline.
"""

from viz.components.base import CSS, Html, pretty_name
from viz.components.chart_tabs import ChartTabs, build_chart
from viz.components.ensemble_panel import EnsemblePanel
from viz.components.export_panel import ExportPanel
from viz.components.footer import Footer, footer_text
from viz.components.hooks import use_ensemble, use_futures_watch, use_job_watch, use_run
from viz.components.kpi_grid import KpiGrid
from viz.components.lever_controls import LeverPanel, LeverSelect, LeverSlider
from viz.components.run_status import RunStatus, run_state, status_line
from viz.components.stable import use_stable_callback, use_stable_callbacks
from viz.components.story import ScenarioPicker, Story
from viz.components.why_panel import WhyPanel

__all__ = [
    "CSS",
    "ChartTabs",
    "EnsemblePanel",
    "ExportPanel",
    "WhyPanel",
    "Footer",
    "Html",
    "KpiGrid",
    "LeverPanel",
    "LeverSelect",
    "LeverSlider",
    "RunStatus",
    "ScenarioPicker",
    "Story",
    "build_chart",
    "footer_text",
    "pretty_name",
    "run_state",
    "status_line",
    "use_job_watch",
    "use_ensemble",
    "use_futures_watch",
    "use_run",
    "use_stable_callback",
    "use_stable_callbacks",
]
