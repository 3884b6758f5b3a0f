"""The recorder's views of the story's further parts, composed so the recorder holds one hook per stage.

Water (`water_view`), stranded capacity and cancellations (`stranded_view`), shiftable compute
(`shift_view`) and the speculative wildcard (`wildcard_view`): each month's observation, their monthly columns and their KPIs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from abm.metrics.shift_view import ShiftView
from abm.metrics.stranded_view import StrandedView
from abm.metrics.water_view import WaterView
from abm.metrics.wildcard_view import launch_co2_t, wildcard_kpis

Model = Any  # metrics never import abm.model
Reporter = Callable[[dict[str, Any]], Any]

__all__ = ["StoryViews", "launch_co2_t"]


class StoryViews:
    """Water, stranded capacity, shifted compute and the wildcard, for the enabled paths of one model."""

    def __init__(self, model: Model, paths: list[str]) -> None:
        """Views of `model` over its enabled `paths`."""
        self.model = model
        self.water, self.stranded = WaterView(model, paths), StrandedView(model, paths)
        self.shift = ShiftView(model)

    def observe(self, demand_mw: float, energized: dict[str, float], bridge_mw: float) -> None:
        """This month's water, idle MW and shifted MWh."""
        self.water.observe()
        self.stranded.observe(demand_mw, energized, bridge_mw)
        self.shift.observe(energized)

    def reporters(self) -> list[tuple[str, Reporter]]:
        """Their monthly columns: water, stranded MW, then shifted MWh."""
        return [*self.water.reporters(), *self.stranded.reporters(), *self.shift.reporters()]

    def kpis(self) -> dict[str, Any]:
        """`water_bn_litres`, `wildcard`, `shiftable_compute`, and the stranded-capacity and cancellation KPIs."""
        return {
            "water_bn_litres": self.water.kpis(),
            "wildcard": wildcard_kpis(self.model),
            "shiftable_compute": self.shift.kpis(),
            **self.stranded.kpis(),
        }
