"""The page footer: which powerstack version made these results, and how to cite it."""

from __future__ import annotations

import solara

from abm.version import __version__
from viz.components.base import Html


def footer_text(version: str = __version__) -> str:
    """The footer's sentence: 'powerstack 0.1.0 · cite with CITATION.cff · changes in CHANGELOG.md · built with ...'."""
    return (
        f"powerstack {version} · cite with CITATION.cff · changes in CHANGELOG.md"
        " · built with Mesa and Solara"
    )


@solara.component
def Footer() -> None:
    """The version of the model behind the page, so a screenshot or export says what made it."""
    Html("div", footer_text(), "ps-footer")
