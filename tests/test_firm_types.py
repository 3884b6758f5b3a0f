"""Hyperscaler types in the scenario: `[[hyperscalers.types]]` tables, their checks and messages, and the agents built from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from abm.errors import InputError
from abm.metrics import project_table_of
from abm.model import PowerStackModel
from abm.scenario import config_with, load_scenario, to_toml
from abm.schema import DEFAULT_TYPES, ScenarioConfig, parameter_keys
from abm.schema.firm_types import MOVED_KEYS


def scenario(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text('name = "s"\n' + text, encoding="utf-8")
    return path


def test_the_default_mix_sums_to_one_and_names_its_sources() -> None:
    assert sum(t.demand_share for t in DEFAULT_TYPES) == pytest.approx(1.0)
    assert len({t.name for t in DEFAULT_TYPES}) == len(DEFAULT_TYPES)
    assert all("DOMAIN-NUMBERS" in t.source for t in DEFAULT_TYPES)
    assert ScenarioConfig().hyperscalers.types == DEFAULT_TYPES


def test_a_scenario_table_of_types_replaces_the_default_mix(tmp_path: Path) -> None:
    cfg = load_scenario(
        scenario(
            tmp_path,
            '[[hyperscalers.types]]\nname = "fast"\ndemand_share = 0.3\n'
            "value_of_time_multiplier = 3.0\n"
            '[[hyperscalers.types]]\nname = "slow"\ndemand_share = 0.7\n',
        )
    )
    assert [(t.name, t.demand_share) for t in cfg.hyperscalers.types] == [
        ("fast", 0.3),
        ("slow", 0.7),
    ]
    assert cfg.hyperscalers.types[1].value_of_time_multiplier == 1.0  # the field's default


@pytest.mark.parametrize(
    "text, message",
    [
        (
            '[[hyperscalers.types]]\nname = "a"\ndemand_share = 0.6\n',
            "hyperscalers.types = [{'name': 'a', 'demand_share': 0.6}]; expected demand shares summing to 1; they sum to 0.6 (a 0.6)",
        ),
        (
            '[[hyperscalers.types]]\nname = "a"\ndemand_share = 0.5\n'
            '[[hyperscalers.types]]\nname = "a"\ndemand_share = 0.5\n',
            "expected each type name once; repeated: a",
        ),
        (
            '[[hyperscalers.types]]\nname = "a"\ndemand_share = 1.0\ncampus_mw_medain = 50.0\n',
            "unknown key 'hyperscalers.types[0].campus_mw_medain' (did you mean \"campus_mw_median\"?)",
        ),
        (
            '[[hyperscalers.types]]\nname = "a"\ndemand_share = 1.0\nqueue_risk_premium = -1.0\n',
            "hyperscalers.types[0].queue_risk_premium = -1.0; expected >= 0 and <= 5",
        ),
        (
            '[[hyperscalers.types]]\nname = "a"\ndemand_share = "all"\n',
            "hyperscalers.types[0].demand_share = 'all'; expected a number",
        ),
        ("[hyperscalers]\ntypes = 3\n", "hyperscalers.types must be an array of tables"),
        ("[hyperscalers]\ntypes = []\n", "hyperscalers.types = []; expected"),
        (
            "[hyperscalers]\nn_hyperscalers = 2\n",
            "expected at most hyperscalers.n_hyperscalers (2) types: each type needs an agent",
        ),
    ],
)
def test_bad_types_fail_with_one_line_naming_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(InputError) as err:
        load_scenario(scenario(tmp_path, text))
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("key", sorted(MOVED_KEYS))
def test_old_scalar_keys_say_where_they_moved(tmp_path: Path, key: str) -> None:
    section, _, name = key.partition(".")
    with pytest.raises(InputError, match=f"key '{key}' has moved: set "):
        load_scenario(scenario(tmp_path, f"[{section}]\n{name} = 1.0\n"))
    with pytest.raises(InputError, match="has moved"):
        load_scenario("baseline", [f"{key}=1.0"])


def test_one_field_of_one_type_is_set_from_the_command_line() -> None:
    cfg = load_scenario(
        "baseline",
        [
            "hyperscalers.types.ai_lab.demand_share=0.25",
            "hyperscalers.types.cloud.demand_share=0.35",
        ],
    )
    assert {t.name: t.demand_share for t in cfg.hyperscalers.types} == {
        "cloud": 0.35,
        "carbon_committed": 0.4,
        "ai_lab": 0.25,
    }
    with pytest.raises(InputError, match='no type named .ai_lb. \\(did you mean "ai_lab"\\?\\)'):
        load_scenario("baseline", ["hyperscalers.types.ai_lb.demand_share=0.2"])
    with pytest.raises(InputError, match='did you mean "value_of_time_multiplier"'):
        config_with(cfg, {"hyperscalers.types.ai_lab.value_of_time": 2.0})


def test_types_are_a_table_not_a_scalar_parameter_and_round_trip_as_toml(tmp_path: Path) -> None:
    assert "hyperscalers.types" not in parameter_keys()
    cfg = load_scenario("baseline", ["hyperscalers.types.ai_lab.campus_mw_median=800.0"])
    path = tmp_path / "round.toml"
    path.write_text(to_toml(cfg), encoding="utf-8")
    assert load_scenario(path) == cfg


def test_every_scenario_file_loads_with_the_default_mix() -> None:
    for name in ("baseline", "phantom_load", "queue_reform", "real_grid", "flexible_compute"):
        assert load_scenario(name).hyperscalers.types == DEFAULT_TYPES


def test_the_model_builds_each_types_agents_with_its_share_of_demand() -> None:
    model = PowerStackModel("baseline", rng=1, **{"grid.n_buses": 20, "run.months": 1})
    agents = model.roster.hyperscalers
    by_type: dict[str, list[float]] = {}
    for h in agents:
        by_type.setdefault(h.firm_type.name, []).append(h.share)
    assert {k: len(v) for k, v in by_type.items()} == {
        "cloud": 2,
        "carbon_committed": 2,
        "ai_lab": 2,
    }
    for t in DEFAULT_TYPES:
        assert sum(by_type[t.name]) == pytest.approx(t.demand_share)
    model.step()
    table = project_table_of(model)
    owners = {h.unique_id: h.firm_type.name for h in agents}
    assert table["owner_type"].tolist() == [owners[o] for o in table["owner"]]
