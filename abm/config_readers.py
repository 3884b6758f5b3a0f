"""The model's registry of config readers: every object that holds the run's config, in its form.

A policy trigger makes a new config mid-run (abm.policy.book). Each service and agent holds the
config it was built with, either the scenario's own (the model) or the one scaled to the grid
(abm.schema.national, what everything else reads). Each registers here when built, so a
handover reaches every holder, including ones added later, instead of a hard-coded list.
"""

from __future__ import annotations

from typing import Literal, Protocol

from abm.errors import InputError
from abm.schema import ScenarioConfig

Form = Literal["scenario", "grid"]
"""Which config a reader holds: the scenario's own, or the one scaled to the grid."""


class ConfigHolder(Protocol):
    """Anything with a `config` attribute the model may replace."""

    config: ScenarioConfig


class ConfigReaders:
    """Objects holding the run's config, each with its form; `hand_over` gives each the new one."""

    def __init__(self) -> None:
        """An empty registry (the model fills it as it builds its services and agents)."""
        # a list, not a dict by id(): identity survives a pickled model, ids do not
        self._readers: list[tuple[ConfigHolder, Form]] = []

    def register[T: ConfigHolder](self, reader: T, form: Form = "grid") -> T:
        """Record that `reader` holds the config in `form`, and return it (a build wraps its constructor)."""
        if form not in ("scenario", "grid"):
            raise InputError(f"form = {form!r}; expected 'scenario' or 'grid'")
        self._readers = [(r, f) for r, f in self._readers if r is not reader]
        self._readers.append((reader, form))
        return reader

    def __contains__(self, reader: object) -> bool:
        """Whether `reader` is registered (by identity)."""
        return any(r is reader for r, _ in self._readers)

    def __len__(self) -> int:
        """How many readers are registered."""
        return len(self._readers)

    def hand_over(self, scenario: ScenarioConfig, grid: ScenarioConfig) -> None:
        """Every reader reads the new config from now on: the scenario's own or the grid's, by its form."""
        for reader, form in self._readers:
            reader.config = scenario if form == "scenario" else grid
