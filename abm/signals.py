"""What the market shows agents: the planning signals hyperscalers decide on and the path waits they learn from.

`Signals` is frozen and built once per stage, so every hyperscaler in a stage sees the same
prices; the wait signals are a plain dict {choice: months} composed from the three services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from abm.vocabulary import Choice, Path

if TYPE_CHECKING:
    from collections.abc import Iterable

    from abm.vocabulary import Project


@dataclass(frozen=True)
class Signals:
    """Planning signals of one month (stage 2): what a hyperscaler's path costs depend on."""

    month: int
    expected_lmp_usd_per_mwh: float
    grid_co2_t_per_mwh: float
    expected_upgrade_share: float
    modular_storage_cost_usd_per_kwh: float
    # utilities' capacity + network charges a grid load pays on top of energy (None: the 2025 adder)
    grid_charges_usd_per_mwh: float | None = None
    second_life_storage_cost_usd_per_kwh: float | None = None  # the modular second-life option's
    new_storage_cost_usd_per_kwh: float | None = None  # the modular new option's
    # fade of a modular site's usable storage per year (abm.contracts prices augmentation by it)
    second_life_fade_per_year: float = 0.0
    new_fade_per_year: float = 0.0


class _PowerSignals(Protocol):
    expected_lmp_usd_per_mwh: float
    dc_co2_charged_t_per_mwh: float
    grid_charges_usd_per_mwh: float


class _GridSignals(Protocol):
    expected_upgrade_share: float

    def grid_wait_months(self, projects: Iterable[Project]) -> float | None: ...


class _PackSignals(Protocol):
    def modular_storage_cost_usd_per_kwh(self) -> float: ...

    def modular_wait_months(self, path: str | None = None) -> float: ...

    def second_life_storage_cost_usd_per_kwh(self) -> float: ...

    def new_storage_cost_usd_per_kwh(self) -> float: ...

    def expected_fade_per_year(self, second_life: bool) -> float: ...


class _ProjectSignals(Protocol):
    def __iter__(self) -> Iterable[Project]: ...

    def direct_path_wait_months(self) -> dict[str, float]: ...


def planning_signals(
    month: int, power: _PowerSignals, grid: _GridSignals, packs: _PackSignals
) -> Signals:
    """This month's planning signals, read from the power exchange, the grid desk and the pack exchange."""
    return Signals(
        month=month,
        expected_lmp_usd_per_mwh=power.expected_lmp_usd_per_mwh,
        grid_co2_t_per_mwh=power.dc_co2_charged_t_per_mwh,
        expected_upgrade_share=grid.expected_upgrade_share,
        modular_storage_cost_usd_per_kwh=packs.modular_storage_cost_usd_per_kwh(),
        grid_charges_usd_per_mwh=power.grid_charges_usd_per_mwh,
        second_life_storage_cost_usd_per_kwh=packs.second_life_storage_cost_usd_per_kwh(),
        new_storage_cost_usd_per_kwh=packs.new_storage_cost_usd_per_kwh(),
        second_life_fade_per_year=packs.expected_fade_per_year(second_life=True),
        new_fade_per_year=packs.expected_fade_per_year(second_life=False),
    )


def path_wait_months(
    grid: _GridSignals, packs: _PackSignals, projects: _ProjectSignals
) -> dict[str, float]:
    """What the market shows this month about each choice's time-to-power (hyperscalers learn from it)."""
    waits: dict[str, float] = {}
    grid_wait = grid.grid_wait_months(projects)
    if grid_wait is not None:
        waits[Choice.GRID] = grid_wait
    waits[Choice.MODULAR] = packs.modular_wait_months()
    for option in (Path.MODULAR_SECOND_LIFE, Path.MODULAR_NEW):
        waits[option] = packs.modular_wait_months(option)
    waits.update(projects.direct_path_wait_months())
    return waits
