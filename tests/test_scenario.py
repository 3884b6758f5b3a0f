"""Scenario files, `extends`, overrides and the one-line errors they must give."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from abm.errors import InputError
from abm.scenario import list_scenarios, load_scenario, parse_override_value, to_toml
from abm.schema import SECTIONS, ScenarioConfig, parameter_keys

CONTRACT_KEYS = [
    "run.months",
    "run.start",
    "demand.growth_multiplier",
    "grid.source",
    "grid.n_buses",
    "queue.mode",
    "hyperscalers.duplicate_filings",
    "packs.routing",
    "packs.retirement_multiplier",
    "batteries.ai_duty_fade_multiplier",
    "policy.carbon_price_usd_per_t",
    "policy.credit_45x_usd_per_kwh",
]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(*args, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        load_scenario(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_baseline_loads_with_sourced_defaults() -> None:
    cfg = load_scenario("baseline")
    assert cfg.name == "baseline"
    assert cfg.run.start == "2025-01" and cfg.run.months == 192
    assert cfg.description.strip()


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_contract_override_keys_exist(key: str) -> None:
    assert key in parameter_keys()


def test_every_parameter_has_unit_range_and_source() -> None:
    for section, cls in SECTIONS.items():
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra or {}
            assert extra.get("source"), f"{section}.{name} has no source"
            assert field.description, f"{section}.{name} has no description"


def test_list_scenarios_has_descriptions() -> None:
    names = dict(list_scenarios())
    assert "baseline" in names and names["baseline"]


def test_extends_inherits_and_overrides(tmp_path: Path) -> None:
    write(
        tmp_path,
        "parent.toml",
        'name = "parent"\ndescription = "p"\n[queue]\nmode = "cluster"\n[run]\nmonths = 24\n',
    )
    child = write(
        tmp_path, "child.toml", 'extends = "parent.toml"\nname = "child"\n[run]\nmonths = 12\n'
    )
    cfg = load_scenario(child)
    assert cfg.name == "child" and cfg.queue.mode == "cluster" and cfg.run.months == 12
    assert cfg.description == ""  # descriptions are not inherited: each story tells its own


def test_extends_builtin_baseline(tmp_path: Path) -> None:
    child = write(
        tmp_path,
        "mine.toml",
        'extends = "baseline.toml"\nname = "mine"\n[policy]\ncarbon_price_usd_per_t = 50.0\n',
    )
    cfg = load_scenario(child)
    assert cfg.policy.carbon_price_usd_per_t == 50.0
    assert cfg.grid.n_buses == load_scenario("baseline").grid.n_buses


def test_overrides_apply_and_parse_types(tmp_path: Path) -> None:
    cfg = load_scenario(
        "baseline",
        [
            "queue.mode=cluster",
            "run.months=12",
            "other.enabled=true",
            "policy.carbon_price_usd_per_t=75",
        ],
    )
    assert (
        cfg.queue.mode,
        cfg.run.months,
        cfg.other.enabled,
        cfg.policy.carbon_price_usd_per_t,
    ) == ("cluster", 12, True, 75.0)
    assert parse_override_value("cluster") == "cluster"
    assert parse_override_value("1.5") == 1.5 and parse_override_value("true") is True


def test_resolved_toml_round_trips(tmp_path: Path) -> None:
    cfg = load_scenario("baseline", {"queue.mode": "cluster", "run.seed": 7})
    again = load_scenario(write(tmp_path, "resolved.toml", to_toml(cfg)))
    assert again == cfg


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'name="x"\n[queue]\nmode="clustr"\n',
            "queue.mode = 'clustr'; expected one of: serial, cluster",
        ),
        ('name="x"\n[queu]\nmode="serial"\n', "unknown key 'queu' (did you mean \"queue\"?)"),
        (
            'name="x"\n[queue]\nmod="serial"\n',
            "unknown key 'queue.mod' (did you mean \"queue.mode\"?)",
        ),
        (
            'name="x"\n[demand]\ngrowth_multiplier=nan\n',
            "demand.growth_multiplier = nan; expected a finite number",
        ),
        (
            'name="x"\n[demand]\ngrowth_multiplier=inf\n',
            "demand.growth_multiplier = inf; expected a finite number",
        ),
        (
            'name="x"\n[demand]\ngrowth_multiplier=-1.0\n',
            "demand.growth_multiplier = -1.0; expected >= 0 and <= 5",
        ),
        (
            'name="x"\n[grid]\nn_buses=1e12\n',
            "grid.n_buses = 1000000000000.0; expected a whole number",
        ),
        ('name="x"\n[grid]\nn_buses=5\n', "grid.n_buses = 5; expected >= 20 and <= 10000"),
        ('name="x"\n[run]\nmonths="12"\n', "run.months = '12'; expected a whole number"),
        (
            'name="x"\n[run]\nstart="2025-13"\n',
            "run.start = '2025-13'; expected a month as YYYY-MM",
        ),
        ('name="x"\n[other]\nenabled=1\n', "other.enabled = 1; expected true or false"),
        ('name="x"\nqueue=3\n', "[queue] must be a table of parameters, got int 3"),
        ('name="x"\n[run\n', "invalid TOML"),
    ],
)
def test_bad_files_name_file_key_value_and_expectation(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, "bad.toml", text)
    message = error_of(path)
    assert str(path) in message
    assert expected in message


def test_empty_binary_and_missing_files(tmp_path: Path) -> None:
    assert "file is empty" in error_of(write(tmp_path, "empty.toml", ""))
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\x00\x01\x02")
    assert "binary file" in error_of(binary)
    assert "scenario file not found" in error_of(tmp_path / "nope.toml")
    assert "unknown scenario 'baselin' (did you mean \"baseline\"?)" in error_of("baselin")


def test_extends_cycle_and_escape(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", 'extends = "b.toml"\nname = "a"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\nname = "b"\n')
    assert "'extends' cycle: a.toml -> b.toml -> a.toml" in error_of(tmp_path / "a.toml")
    escape = write(tmp_path, "escape.toml", 'extends = "../baseline.toml"\nname = "e"\n')
    assert "escapes the scenario folder" in error_of(escape)
    missing = write(tmp_path, "missing.toml", 'extends = "baselin.toml"\nname = "m"\n')
    assert 'did you mean "baseline"?' in error_of(missing)


def test_bad_overrides() -> None:
    assert "--set: unknown parameter 'run.monhts' (did you mean \"run.months\"?)" in error_of(
        "baseline", ["run.monhts=3"]
    )
    assert "expected key=value" in error_of("baseline", ["queue.mode"])
    assert "expected a finite number" in error_of(
        "baseline", {"demand.growth_multiplier": math.inf}
    )
    assert "queue.mode = 'fifo'; expected one of: serial, cluster" in error_of(
        "baseline", ["queue.mode=fifo"]
    )


def test_defaults_validate() -> None:
    assert ScenarioConfig() == ScenarioConfig.model_validate(ScenarioConfig().model_dump())


def test_representative_hours_range_is_the_hours_the_market_has() -> None:
    """Every accepted count of representative hours clears that many distinct hours; one more is refused."""
    from abm.bounds import bounds_of
    from abm.markets.power_exchange import HOUR_NAMES, representative_hours

    upper = bounds_of("market.representative_hours").upper
    assert upper == len(HOUR_NAMES)
    for n in range(1, len(HOUR_NAMES) + 1):
        cfg = ScenarioConfig.model_validate({"market": {"representative_hours": n}})
        assert len(representative_hours(cfg.market)[: cfg.market.representative_hours]) == n
    with pytest.raises(InputError):
        load_scenario("baseline", overrides={"market.representative_hours": len(HOUR_NAMES) + 1})
