"""The catalogues: built-in rows match the vocabulary, and a sixth path needs only its row.

Registering a path (a direct path with its own lead time, energy cost and emission factor) must
reach every loop over paths and choices: hyperscalers weigh it, the project book powers it after
its lead time, and the recorder reports it; the model's invariants hold every month.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from abm.catalogue import (
    PATH_CATALOGUE,
    PRODUCTS,
    TECHS,
    PathSpec,
    choice_of,
    choices,
    paths,
    register_path,
    unregister_path,
)
from abm.model import PowerStackModel
from abm.scenario import load_scenario
from abm.vocabulary import Choice, Path, Product, Status

DUMMY = "dummy"


def test_built_in_rows_follow_the_vocabulary() -> None:
    """Paths, choices and products are the enums' values, in the enums' order."""
    assert paths() == tuple(Path)
    assert choices() == tuple(Choice)
    assert PRODUCTS == ("A", "B", "C", "new")
    assert [int(p) for p in Product] == [0, 1, 2, 3]
    assert TECHS == ("gas", "coal", "nuclear", "wind", "solar", "hydro", "storage", "other")
    assert choice_of(Path.MODULAR_NEW) == Choice.MODULAR == choice_of(Choice.MODULAR)


def test_built_in_paths_cannot_be_unregistered() -> None:
    """The registry refuses to drop a built-in path or register one twice."""
    with pytest.raises(ValueError, match="built in"):
        unregister_path(Path.GRID)
    with pytest.raises(ValueError, match="already"):
        register_path(PATH_CATALOGUE[Path.GRID])


@pytest.fixture
def dummy_path() -> Iterator[str]:
    """A cheap, clean direct path with a lead time of a vendor delivery, registered for one test."""
    register_path(
        PathSpec(
            DUMMY,
            "Dummy path",
            "#000000",
            DUMMY,
            cost_key="market.cost_nuclear_usd_per_mwh",
            co2_key="market.co2_other_t_per_mwh",
            lead_key="vendors.delivery_months",
        )
    )
    try:
        yield DUMMY
    finally:
        unregister_path(DUMMY)


def test_a_registered_path_runs_with_the_invariants(dummy_path: str) -> None:
    """A sixth path, added only through the registry, is chosen, powered and reported."""
    cfg = load_scenario("baseline", overrides=["run.months=30", "run.seed=1"])
    model = PowerStackModel(cfg)
    assert dummy_path in model.projects.available_paths()
    for _ in range(cfg.run.months):
        model.step()
        model.recorder.check_invariants()
    on_dummy = [p for p in model.projects if p.path == dummy_path]
    assert on_dummy, "the dummy path was never chosen"
    assert any(p.status is Status.ENERGIZED for p in on_dummy)
    assert f"energized_mw_{dummy_path}" in model.recorder.columns
    kpis = model.recorder.kpis()
    assert kpis["energized_mw"][dummy_path] > 0
