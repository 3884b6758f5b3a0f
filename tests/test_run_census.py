"""The run census (tests/run_census.py) sees every model a process builds, and finds repeats."""

from __future__ import annotations

import pytest

from abm.model import PowerStackModel
from tests import run_census


def test_census_counts_models_months_and_repeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PowerStackModel, "__init__", PowerStackModel.__init__)
    monkeypatch.setattr(PowerStackModel, "step", PowerStackModel.step)
    census: list[dict] = []
    run_census.install(census)
    for seed in (1, 1, 2):
        model = PowerStackModel("baseline", rng=seed, **{"run.months": 2})
        while model.running:
            model.step()
    assert [e["months"] for e in census] == [2, 2, 2]
    assert census[0]["digest"] == census[1]["digest"] != census[2]["digest"]
    assert all(e["cpu_s"] > 0 for e in census)
    text = run_census.summary(census)
    assert text.startswith("3 models, 6 months")
    assert "1 configs run more than once" in text


def test_census_command_names_an_empty_folder(tmp_path, capsys) -> None:
    assert run_census.main([str(tmp_path)]) == 2
    assert "no run-census-*.json" in capsys.readouterr().err
