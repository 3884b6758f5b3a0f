"""Generate `docs/parameters.md` from the scenario schema, so the parameter table is never hand-copied.

`python -m abm.paramdoc` rewrites the page; `python -m abm.paramdoc --check` exits 1 when the
checked-in page differs from what the schema produces now (the staleness check CI runs).
Each row gives a parameter's unit (derived from its name by `UNIT_RULES`), default, allowed
range (`abm.schema.allowed_range`), meaning (the field's `doc`) and source; sources the
schema marks `unconfirmed=True` are flagged in the table.
"""

from __future__ import annotations

import argparse
import re
import sys
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from abm.bounds import bounds_of
from abm.schema import DEFAULT_TYPES, SECTIONS, FirmType, allowed_range, is_table

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "parameters.md"
REGENERATE = "python -m abm.paramdoc"
UNCONFIRMED_MARK = "⚠ **unconfirmed:**"

# Units from the parameter name: the first rule whose pattern matches (re.search) wins.
# Names without a unit fall back by type: bool -> flag, choice list -> choice, month string
# -> YYYY-MM, other string -> text, int -> count, float bounded by 1 -> fraction, else ratio.
UNIT_RULES: tuple[tuple[str, str], ...] = (
    (r"^seed$", "integer"),
    (r"(^|_)c_rate$", "C (1/h)"),
    (r"^representative_hours$", "count"),
    (r"_usd_per_mw_month$", "$/MW/month"),
    (r"_usd_per_kwh_month$", "$/kWh/month"),
    (r"_usd_per_kwh$", "$/kWh"),
    (r"_usd_per_kw$", "$/kW"),
    (r"_usd_per_mwh$", "$/MWh"),
    (r"_usd_per_mw$", "$/MW"),
    (r"_usd_per_t$", "$/t CO2"),
    (r"_usd_per_day$", "$/day"),
    (r"_usd$", "$"),
    (r"_t_per_mwh$", "t CO2/MWh"),
    (r"_gwh_per_month$", "GWh/month"),
    (r"_mw_per_month$", "MW/month"),
    (r"_gw_per_year$", "GW/yr"),
    (r"_mwh_per_mw$", "MWh/MW"),
    (r"_mw_per_mw$", "MW/MW"),
    (r"_twh_\d{4}$", "TWh/yr"),
    (r"(growth|hazard)_per_month$", "fraction/month"),
    (r"growth(_after_\d{4})?_per_year$", "fraction/yr"),
    (r"(^|_)discount_rate$", "fraction/yr"),
    (r"(^|_)learning_rate$", "fraction per doubling"),
    (r"(^|_)studies_per_month_per_territory$", "studies/month/territory"),
    (r"(^|_)studies_per_month(_us)?$", "studies/month"),
    (r"(^|_)projects_per_month$", "projects/month"),
    (r"(^|_)efc_per_month$", "EFC/month"),
    (r"(^|_)months(_|$)", "months"),
    (r"_years$", "years"),
    (r"_year$", "calendar year"),
    (r"_hours$", "h"),
    (r"_sigma$", "log-sd"),
    (r"_readiness_multiple$", "x readiness deposit"),
    (r"_filings$", "filings/project"),
    (r"_per_month(_\w+)?$", "per month"),
    (r"_per_year$", "per yr"),
    (r"_mw(_median)?$", "MW"),
    (r"_gwh$", "GWh"),
)

SECTION_INTROS: dict[str, str] = {
    "run": "Calendar, length and random seed of a run.",
    "demand": "How much data-centre power the US wants, anchored on LBNL 2023/2028 and IEA growth.",
    "grid": "The network the utilities run: synthetic, a pandapower case, or a GraphML/JSON file.",
    "queue": "Interconnection-queue rules (serial first-come-first-served or FERC Order 2023 clusters).",
    "hyperscalers": "Cloud and AI-lab agents: project sizes, path choice and phantom filings.",
    "vendors": "Modular off-grid data-centre vendors: factory output, site design and costs.",
    "gas": "On-site gas: engine and turbine lead times, cost, emissions and air permits.",
    "other": "The wildcard path (e.g. orbital compute); off in the baseline.",
    "packs": "Retiring EV packs: volumes, state of health, routing and buy-back contracts.",
    "recyclers": "Recyclers that test, grade and route packs.",
    "oems": "EV and battery makers: new stationary storage on a learning curve.",
    "batteries": "How storage ages at modular sites (AI duty) and when it retires.",
    "market": "The monthly power market: representative hours, marginal costs and emission factors.",
    "policy": "Carbon price and the IRA credits (45X, solar).",
    "utilities": "Utility planning: reserve margin, forecasts, build lead times and costs.",
    "fade": "Capacity fade of new stationary LFP packs at 25 °C (a linear-rate model with a knee).",
    "carbon": "Emission factors of the carbon ledger and the recycle-first counterfactual.",
    "tariff": "Large-load tariffs (AEP Ohio 2025): minimum bill, collateral and exit fee; off by default.",
    "planning": "Utilities' planning economics: build costs by technology, cost of capital, retirements, lead times.",
}


@dataclass(frozen=True)
class ParamRow:
    """One parameter as documented: dotted key, unit, default, range, meaning, source."""

    section: str
    name: str
    unit: str
    default: str
    allowed: str
    meaning: str
    source: str
    unconfirmed: bool

    @property
    def key(self) -> str:
        """Dotted key as used in TOML tables and `--set`, e.g. 'queue.mode'."""
        return f"{self.section}.{self.name}"


def _field(section: str, param: str) -> Any:
    """The pydantic FieldInfo of one parameter."""
    return SECTIONS[section].model_fields[param]


def unit_of(section: str, param: str) -> str:
    """Unit of a parameter from its name suffix (UNIT_RULES), else from its type and bounds."""
    for pattern, unit in UNIT_RULES:
        if re.search(pattern, param):
            return unit
    field = _field(section, param)
    annotation = field.annotation
    if annotation is bool:
        return "flag"
    if typing.get_origin(annotation) is typing.Literal:
        return "choice"
    if annotation is str:
        return "YYYY-MM" if allowed_range(section, param) == "a month YYYY-MM" else "text"
    if annotation is int:
        return "count"
    upper = bounds_of(f"{section}.{param}").upper
    return "fraction" if upper is not None and upper <= 1 else "ratio"


def format_default(value: Any, unit: str = "") -> str:
    """A default as it would be written in a scenario TOML file, with thousands separators (not in years or seeds)."""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, int):
        return str(value) if unit in ("calendar year", "integer") else f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:.6g}"
    return f"`{value!r}`"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, escaped pipes, no accidental HTML tags."""
    flat = " ".join(str(text).split()).replace("|", "\\|")
    return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", flat)


def _extra(field: Any) -> dict[str, Any]:
    """The field's json_schema_extra as a dict (empty when absent)."""
    extra = field.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def parameter_rows() -> list[ParamRow]:
    """Every parameter of the schema, in section and field order."""
    rows = []
    for section, cls in SECTIONS.items():
        for name, field in cls.model_fields.items():
            if is_table(section, name):
                continue  # tables of rows get a table of their own (_types_tables)
            extra = _extra(field)
            unit = unit_of(section, name)
            rows.append(
                ParamRow(
                    section=section,
                    name=name,
                    unit=unit,
                    default=format_default(field.default, unit),
                    allowed=allowed_range(section, name),
                    meaning=field.description or "",
                    source=str(extra.get("source") or "").strip(),
                    unconfirmed=bool(extra.get("unconfirmed", False)),
                )
            )
    return rows


def schema_problems() -> list[str]:
    """What makes the table untrustworthy: parameters without a source, or defaults their own field rejects."""
    problems = []
    for section, cls in SECTIONS.items():
        for name, field in cls.model_fields.items():
            key = f"{section}.{name}"
            if not str(_extra(field).get("source") or "").strip():
                problems.append(
                    f"{key}: no source (give P(..., source=...) a report, paper or 'Assumption: ...')"
                )
            if not (field.description or "").strip():
                problems.append(f"{key}: no meaning (give P(..., doc=...) one line)")
            try:
                cls.model_validate({name: field.default})
            except ValidationError as exc:
                msg = exc.errors(include_url=False)[0]["msg"]
                problems.append(
                    f"{key}: default {field.default!r} is outside its own range ({allowed_range(section, name)}): {msg}"
                )
    return problems


def _section_table(rows: Sequence[ParamRow]) -> list[str]:
    """The Markdown table of one section."""
    lines = [
        "| Parameter | Unit | Default | Allowed | Meaning | Source |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        source = _cell(r.source) if r.source else "**no source given**"
        if r.unconfirmed:
            source = f"{UNCONFIRMED_MARK} {source}"
        lines.append(
            f"| `{r.key}` | {_cell(r.unit)} | {r.default} | {_cell(r.allowed)} | {_cell(r.meaning)} | {source} |"
        )
    return lines


def _type_unit(name: str) -> str:
    """Unit of a hyperscaler type's field: the name rules, else fraction or ratio by its bounds."""
    for pattern, unit in UNIT_RULES:
        if re.search(pattern, name):
            return unit
    upper = bounds_of(f"hyperscalers.types.x.{name}").upper
    return "fraction" if upper is not None and upper <= 1 else "ratio"


def _types_tables() -> list[str]:
    """The fields of a hyperscaler type, and the default mix with each type's sources."""
    numeric = [n for n, f in FirmType.model_fields.items() if f.annotation is float]
    out = [
        "### hyperscalers.types",
        "",
        "An array of tables `[[hyperscalers.types]]`, one per kind of hyperscaler ([hyperscalers.md](hyperscalers.md), "
        '"Firms that differ"); `name` labels it, `source` says where its numbers come from. A '
        "scenario that sets the array replaces the whole default mix; `--set "
        "hyperscalers.types.<name>.<field>=value` changes one field of one type.",
        "",
        "| Field | Unit | Default | Allowed | Meaning | Source |",
        "|---|---|---|---|---|---|",
    ]
    for name in numeric:
        field = FirmType.model_fields[name]
        extra, unit = _extra(field), _type_unit(name)
        b = bounds_of(f"hyperscalers.types.x.{name}")
        allowed = " and ".join(
            f"{sym} {format_default(v)}"
            for sym, v in ((">" if b.lower_strict else ">=", b.lower), ("<=", b.upper))
            if v is not None
        )
        source = _cell(str(extra.get("source", "")))
        if extra.get("unconfirmed"):
            source = f"{UNCONFIRMED_MARK} {source}"
        out.append(
            f"| `{name}` | {_cell(unit)} | {format_default(field.default, unit)} | {allowed} | {_cell(field.description or '')} | {source} |"
        )
    out += [
        "",
        "Default mix:",
        "",
        "| Type | " + " | ".join(f"`{n}`" for n in numeric) + " | Source |",
    ]
    out.append("|---|" + "---|" * (len(numeric) + 1))
    for t in DEFAULT_TYPES:
        values = " | ".join(format_default(getattr(t, n)) for n in numeric)
        out.append(f"| `{t.name}` | {values} | {_cell(t.source)} |")
    return [*out, ""]


def _unit_rule_table() -> list[str]:
    """The unit-derivation rules as a Markdown table, so readers can check any unit."""
    lines = ["| Name matches (regular expression) | Unit |", "|---|---|"]
    for pattern, unit in UNIT_RULES:
        lines.append(f"| `{pattern.replace('|', '\\|')}` | {_cell(unit)} |")
    return lines


def _preamble(rows: list[ParamRow]) -> list[str]:
    """Title, provenance, how many sources are unconfirmed, and how to set a parameter."""
    n_unconfirmed = sum(r.unconfirmed for r in rows)
    return [
        "# Scenario parameters",
        "",
        f"<!-- Generated by `{REGENERATE}` from abm/schema/. Do not edit by hand: "
        "change the schema and regenerate; tests/test_generated_pages.py fails when this page is stale. -->",
        "",
        f"Every number the model runs on is one of these {len(rows)} parameters. Each has a unit, "
        "a default (the value the `baseline` scenario uses unless `scenarios/baseline.toml` sets "
        "it), the range a scenario may set it to, and the source the default stands on: a report, "
        "paper or company figure (most listed in `shared/DOMAIN-NUMBERS.md`), a calibration, or a "
        f"stated assumption. **{n_unconfirmed} of the {len(rows)} sources are marked "
        "⚠ unconfirmed**: the figure is an assumption, a secondary "
        "or single source, or a recollection not yet checked against the primary text. Treat "
        "results that hinge on them as exploratory, and test them in a sensitivity sweep.",
        "",
        "Set a parameter in a scenario file under its section, e.g. `[queue]` then "
        '`mode = "cluster"`, or on the command line with `--set queue.mode=cluster`. A scenario '
        'file may start from another with `extends = "baseline.toml"` and change only what its '
        "story needs. Values outside the allowed range are rejected with a one-line error.",
        "",
        f"Regenerate this page with `{REGENERATE}` (or `make docs`); "
        f"`{REGENERATE} --check` exits 1 when it is out of date.",
        "",
    ]


def _section_index(by_section: dict[str, list[ParamRow]]) -> list[str]:
    """The table of sections with their parameter and unconfirmed counts."""
    out = [
        "## Sections",
        "",
        "| Section | Parameters | Unconfirmed | What it covers |",
        "|---|---|---|---|",
    ]
    for section, srows in by_section.items():
        intro = SECTION_INTROS.get(section, "")
        out.append(
            f"| [{section}](#{section}) | {len(srows)} | {sum(r.unconfirmed for r in srows)} | {_cell(intro)} |"
        )
    return out


def _units_section() -> list[str]:
    """How a parameter's unit follows from its name, with the rule table."""
    return [
        "",
        "## Units",
        "",
        "Units come from the parameter name: money is in US dollars (`_usd`), power in MW, "
        "energy in GWh or TWh, time in months unless the name says otherwise, and CO2 in metric "
        "tonnes. The first rule below whose pattern occurs in the name gives the unit (`^` is the start of the name, `$` its end). Names without a "
        "unit are **flag** (true/false), **choice** (one of a list), **YYYY-MM** (a month), "
        "**text**, **count** (a whole number), **fraction** (a share between 0 and 1, bounded "
        "by 1) or **ratio** (a multiplier, spread or other dimensionless number).",
        "",
        *_unit_rule_table(),
        "",
    ]


def render() -> str:
    """The whole of docs/parameters.md as text (deterministic: no dates, versions or paths)."""
    rows = parameter_rows()
    by_section: dict[str, list[ParamRow]] = {s: [] for s in SECTIONS}
    for r in rows:
        by_section[r.section].append(r)
    out = [*_preamble(rows), *_section_index(by_section), *_units_section()]
    for section, srows in by_section.items():
        out += [f"## {section}", ""]
        intro = SECTION_INTROS.get(section)
        if intro:
            out += [intro, ""]
        out += [*_section_table(srows), ""]
        if section == "hyperscalers":
            out += _types_tables()
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Write docs/parameters.md, or with --check report whether it is stale (exit 1)."""
    parser = argparse.ArgumentParser(
        prog="python -m abm.paramdoc", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the page is stale"
    )
    parser.add_argument(
        "--output", type=Path, default=DOC_PATH, help=f"page to write or check (default {DOC_PATH})"
    )
    args = parser.parse_args(argv)
    text = render()
    problems = schema_problems()
    for p in problems:
        print(f"schema problem: {p}", file=sys.stderr)
    current = args.output.read_text(encoding="utf-8") if args.output.is_file() else None
    if args.check:
        if current != text:
            state = "missing" if current is None else "stale"
            print(
                f"{args.output} is {state}: regenerate it with `{REGENERATE}` (or `make docs`) and commit it",
                file=sys.stderr,
            )
            return 1
        print(f"{args.output} is up to date")
        return 1 if problems else 0
    if current != text:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output} ({len(parameter_rows())} parameters)")
    else:
        print(f"{args.output} is already up to date")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
