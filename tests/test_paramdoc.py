"""The parameter table: every parameter sourced and in range, and docs/parameters.md never stale."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from abm import paramdoc
from abm.schema import SECTIONS, parameter_keys

# docs/parameters.md against its generator, byte for byte: tests/test_generated_pages.py


def _fields():
    """(dotted key, section class, field name, FieldInfo) for every parameter."""
    return [
        (f"{s}.{n}", cls, n, f) for s, cls in SECTIONS.items() for n, f in cls.model_fields.items()
    ]


def test_every_parameter_has_a_non_empty_source():
    """A parameter without a source cannot be argued with: name the report, calibration or assumption."""
    missing = [
        key
        for key, _, _, f in _fields()
        if not str((f.json_schema_extra or {}).get("source") or "").strip()
    ]
    assert not missing, f"parameters without a source in abm/schema/: {', '.join(missing)}"


def test_every_parameter_has_a_meaning():
    """The table's Meaning column comes from P(doc=...)."""
    missing = [key for key, _, _, f in _fields() if not (f.description or "").strip()]
    assert not missing, f"parameters without a doc in abm/schema/: {', '.join(missing)}"


def test_every_default_is_inside_its_own_allowed_range():
    """pydantic does not validate defaults; validate each one explicitly against its own field."""
    bad = []
    for key, cls, name, field in _fields():
        try:
            cls.model_validate({name: field.default})
        except ValidationError as exc:
            bad.append(f"{key} = {field.default!r}: {exc.errors()[0]['msg']}")
    assert not bad, "defaults outside their range:\n" + "\n".join(bad)


def test_schema_problems_is_empty():
    """The generator's own check agrees (it is what `python -m abm.paramdoc` prints)."""
    assert paramdoc.schema_problems() == []


def test_every_parameter_gets_a_unit_and_a_row():
    """One row per dotted key, in schema order, each with a unit."""
    rows = paramdoc.parameter_rows()
    assert [r.key for r in rows] == parameter_keys()
    assert all(r.unit for r in rows)


@pytest.mark.parametrize(
    ("section", "param", "unit"),
    [
        ("demand", "dc_twh_2023", "TWh/yr"),
        ("demand", "value_of_lost_compute_usd_per_mw_month", "$/MW/month"),
        ("queue", "mode", "choice"),
        ("queue", "flexible_connections", "flag"),
        ("queue", "upgrade_lead_months", "months"),
        ("queue", "construction_months_load", "months"),
        ("queue", "withdraw_if_upgrade_cost_above_usd_per_kw", "$/kW"),
        ("queue", "base_withdrawal_hazard_per_month", "fraction/month"),
        ("hyperscalers", "initial_grid_pipeline_mw", "MW"),
        ("hyperscalers", "pue", "ratio"),
        ("hyperscalers", "flexible_share", "fraction"),
        ("vendors", "storage_mwh_per_mw", "MWh/MW"),
        ("gas", "co2_t_per_mwh", "t CO2/MWh"),
        ("gas", "recip_capacity_mw_per_month", "MW/month"),
        ("other", "available_from", "YYYY-MM"),
        ("grid", "source", "text"),
        ("grid", "n_buses", "count"),
        ("packs", "repurpose_cost_usd_per_kwh", "$/kWh"),
        ("recyclers", "test_capacity_gwh_per_month", "GWh/month"),
        ("batteries", "c_rate", "C (1/h)"),
        ("policy", "carbon_price_usd_per_t", "$/t CO2"),
        ("policy", "credit_45x_phaseout_start_year", "calendar year"),
        ("utilities", "storage_hours", "h"),
    ],
)
def test_unit_mapping(section, param, unit):
    """Units follow the documented name rules (UNIT_RULES, then type and bounds)."""
    if param not in SECTIONS[section].model_fields:
        pytest.skip(f"{section}.{param} is no longer in the schema")
    assert paramdoc.unit_of(section, param) == unit


def test_unconfirmed_sources_are_flagged_in_the_table():
    """Rows whose source is unconfirmed carry the visible mark; confirmed rows do not."""
    text = paramdoc.render()
    for r in paramdoc.parameter_rows():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"| `{r.key}` |"))
        assert (paramdoc.UNCONFIRMED_MARK in line) == r.unconfirmed, line


def test_cells_never_break_the_table():
    """Pipes are escaped and '<tag>'-like text cannot turn into HTML."""
    assert paramdoc._cell("a | b") == "a \\| b"
    assert paramdoc._cell("pandapower:<case>") == "pandapower:&lt;case>"
    assert paramdoc._cell("<= 5") == "<= 5"
    for line in paramdoc.render().splitlines():
        if line.startswith("| `") and "." in line.split("`")[1]:
            assert line.replace("\\|", "").count("|") == 7, line


def test_render_is_deterministic():
    """Same schema, same bytes."""
    assert paramdoc.render() == paramdoc.render()


def test_check_flag_reports_stale_and_fresh(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """`--check` exits 1 with a regenerate hint when stale or missing, 0 when fresh; writing makes it fresh."""
    page = tmp_path / "parameters.md"
    assert paramdoc.main(["--check", "--output", str(page)]) == 1
    assert "python -m abm.paramdoc" in capsys.readouterr().err
    assert paramdoc.main(["--output", str(page)]) == 0
    assert page.read_text(encoding="utf-8") == paramdoc.render()
    assert paramdoc.main(["--check", "--output", str(page)]) == 0
    page.write_text(page.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    assert paramdoc.main(["--check", "--output", str(page)]) == 1
    assert "stale" in capsys.readouterr().err
