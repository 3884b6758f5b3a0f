"""What every component shares: the page's CSS, plain-text HTML elements and display names.

No `solara.Markdown` on purpose: it loads KaTeX from a public CDN, which fails offline.
"""

from __future__ import annotations

import reacton.ipyvuetify as rv
import solara

CSS = """
.ps-story { font-size: 1.05rem; line-height: 1.5; max-width: 70em; margin: 0 0 0.5em 0; }
.ps-title { font-size: 1.7rem; font-weight: 700; margin: 0.2em 0 0.3em 0; }
.ps-changed { font-size: 0.95rem; color: #8a4b00; margin: 0 0 0.6em 0; }
.ps-kpi { padding: 10px 14px; min-width: 12.5em; flex: 1 1 12.5em; border-radius: 6px; }
.ps-kpi-label { font-size: 0.9rem; color: #444; }
.ps-kpi-value { font-size: 1.9rem; font-weight: 700; line-height: 1.2; }
.ps-kpi-unit { font-size: 1rem; font-weight: 400; color: #555; margin-left: 0.25em; }
.ps-kpi-delta { font-size: 0.95rem; }
.ps-kpi-detail { font-size: 0.85rem; color: #333; margin-top: 2px; }
.ps-kpi-caption { font-size: 0.8rem; color: #555; line-height: 1.3; margin-top: 4px; max-width: 22em; }
.ps-better { color: #00734d; }
.ps-worse { color: #b23c00; }
.ps-same, .ps-none { color: #666; }
.ps-noise { color: #666; font-style: italic; }
.ps-story-folded { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; min-width: 0; flex: 1 1 auto; }
.ps-ensemble-status { font-size: 0.95rem; color: #444; margin: 4px 0; }
.ps-lever-label { font-size: 0.95rem; font-weight: 600; margin-top: 6px; }
.ps-lever-value { font-weight: 400; color: #0b5394; }
.ps-status { font-size: 1rem; }
.ps-why { font-size: 1rem; line-height: 1.5; max-width: 70em; margin: 6px 0 10px 0; }
.ps-footer { font-size: 0.85rem; color: #555; margin: 2em 12px 1em 12px; }
.ps-workshop .ps-story { font-size: 1.55rem; line-height: 1.45; }
.ps-workshop .ps-title { display: none; }
.ps-workshop .ps-story { margin: 0; }
.ps-workshop-main { flex-wrap: nowrap !important; gap: 16px; align-items: flex-start; }
.ps-workshop-cards { flex: 1 1 44%; min-width: 0; }
.ps-workshop-chart { flex: 1 1 56%; min-width: 0; }
.ps-workshop .ps-chart img { max-height: 62vh; max-width: 100%; width: auto; height: auto; }
.ps-workshop .ps-kpi { padding: 6px 12px; min-width: 15em; flex: 1 1 15em; }
.ps-workshop .ps-kpi-value { line-height: 1.1; }
.ps-workshop .ps-kpi-label { font-size: 1.25rem; }
.ps-workshop .ps-kpi-value { font-size: 2.6rem; }
.ps-workshop .ps-kpi-unit { font-size: 1.4rem; }
.ps-workshop .ps-kpi-delta { font-size: 1.3rem; }
.ps-workshop .ps-kpi-detail { font-size: 1.05rem; }
.ps-workshop .ps-kpi-caption { font-size: 0.9rem; max-width: 26em; }
.ps-workshop .ps-lever-label { font-size: 1.3rem; }
.ps-workshop .ps-status { font-size: 1.3rem; }
.ps-workshop .v-btn { font-size: 1.05rem; }
.ps-workshop .v-select__selection { font-size: 1.25rem; }
"""


def pretty_name(name: str) -> str:
    """'queue_reform' -> 'Queue reform'."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@solara.component
def Html(tag: str, text: str, classes: str = "") -> None:
    """One element of plain text (escaped by the front end), with CSS classes."""
    rv.Html(tag=tag, children=[text], class_=classes)
