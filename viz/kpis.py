"""KPI cards: which end-of-run numbers the page shows, in which units, and which way is better."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from abm.metrics.paired import IDENTICAL, NO_DATA, WITHIN, PairedDifference
from viz.charts.frame import PATH_LABELS

DASH = "–"  # shown when a KPI is not computable (None), never a placeholder zero


@dataclass(frozen=True)
class KpiSpec:
    """How to read, scale and judge one KPI."""

    key: str
    label: str
    unit: str
    read: Callable[[dict[str, Any]], float | None]
    higher_is_better: bool | None
    help: str
    decimals: int = 1
    optional: bool = False  # hidden when neither run has it (e.g. the wildcard path when it is off)


@dataclass(frozen=True)
class KpiCard:
    """One formatted card: value, and the change against the comparison run."""

    key: str
    label: str
    value: str
    unit: str
    delta: str
    tone: str  # "better", "worse" (beyond noise only), "same", "noise" (within noise) or "none"
    help: str  # the plain-language caption under the card
    detail: str = ""  # a second line of numbers (time to power: every path with its project count)


def _get(*path: str, scale: float = 1.0) -> Callable[[dict[str, Any]], float | None]:
    """A reader for a nested KPI (None when absent or not computable)."""

    def read(kpis: dict[str, Any]) -> float | None:
        value: Any = kpis
        for part in path:
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return None if value is None else float(value) * scale

    return read


def _energised_total_gw(kpis: dict[str, Any]) -> float | None:
    """All MW energised during the run, in GW."""
    values = kpis.get("energized_mw") or {}
    return sum(float(v) for v in values.values()) / 1000.0 if values else None


def _modular_gw(kpis: dict[str, Any]) -> float | None:
    """Modular (second-life + new) MW energised, in GW."""
    values = kpis.get("energized_mw") or {}
    parts = [values.get("modular_second_life"), values.get("modular_new")]
    return sum(float(v) for v in parts if v is not None) / 1000.0 if values else None


def _co2_saving_mt(kpis: dict[str, Any]) -> float | None:
    """Consequential CO2 saving: the recycle-first twin minus this run, under the end-of-horizon rule.

    Read from `co2_mt.second_use_saving.consequential` (abm.metrics.second_use_saving); a run
    saved before that key existed shows the dash, not the old end-truncated difference.
    """
    return _get("co2_mt", "second_use_saving", "consequential")(kpis)


SPECS: tuple[KpiSpec, ...] = (
    KpiSpec(
        "energised_total",
        "AI load energised",
        "GW",
        _energised_total_gw,
        True,
        "New AI data-centre load that got power during the run, by any path (the 2025 fleet is not counted).",
    ),
    KpiSpec(
        "energised_grid",
        f"{PATH_LABELS['grid']}",
        "GW",
        _get("energized_mw", "grid", scale=1e-3),
        None,
        "New load powered through a utility grid connection.",
    ),
    KpiSpec(
        "energised_modular",
        "Modular (second life + new)",
        "GW",
        _modular_gw,
        None,
        "New load powered off-grid: modular sites on second-life or new batteries with solar.",
    ),
    KpiSpec(
        "energised_gas",
        PATH_LABELS["onsite_gas"],
        "GW",
        _get("energized_mw", "onsite_gas", scale=1e-3),
        None,
        "New load powered by gas turbines or engines on site.",
    ),
    KpiSpec(
        "energised_other",
        PATH_LABELS["other"],
        "GW",
        _get("energized_mw", "other", scale=1e-3),
        None,
        "The scenario's wildcard path (orbital compute), when it is switched on.",
        optional=True,
    ),
    KpiSpec(
        "unserved",
        "Unserved AI compute",
        "GW-years",
        _get("unserved_compute_mw_months", scale=1e-3 / 12.0),
        False,
        "AI demand that found no power, added up over the run: 1 GW left unpowered for a year is 1 GW-year.",
    ),
    KpiSpec(
        "flex_curtailed",
        "Flexible connections curtailed",
        "GWh",
        _get("flex_curtailed_gwh"),
        False,
        "Energy that data centres connected early on flexible terms had to give up when the grid was short.",
        0,
    ),
    KpiSpec(
        "ttp_grid",
        "Time to power, grid (every path below)",
        "months",
        _get("time_to_power_months_median", "grid"),
        False,
        "Typical wait (median) from deciding to build to getting power, grid projects.",
        0,
    ),
    KpiSpec(
        "ttp_second_life",
        "Time to power, second-life modular",
        "months",
        _get("time_to_power_months_median", "modular_second_life"),
        False,
        "Typical wait (median) from deciding to build to getting power, second-life battery sites.",
        0,
    ),
    KpiSpec(
        "queue_wait",
        "Queue median wait (data centres)",
        "months",
        _get("queue", "median_wait_months"),
        False,
        "Typical wait (median) of a data-centre request in the grid queue, from filing to power.",
    ),
    KpiSpec(
        "queue_backlog",
        "Queue backlog at the end",
        "GW",
        _get("queue", "backlog_gw_end"),
        False,
        "Every request still waiting for a grid connection at the end, of every kind (generators and storage too), so it is larger than the AI load.",
        0,
    ),
    KpiSpec(
        "phantom",
        "Phantom share of requested MW",
        "%",
        _get("queue", "phantom_share_of_requested_mw", scale=100.0),
        False,
        "Share of the data-centre MW asked for that were duplicate filings for the same project.",
        0,
    ),
    KpiSpec(
        "second_life",
        "Packs to second life",
        "GWh",
        _get("packs", "second_life_gwh"),
        True,
        "Retired electric-car batteries reused as stationary storage (GWh of capacity).",
        0,
    ),
    KpiSpec(
        "recycled",
        "Packs recycled",
        "GWh",
        _get("packs", "recycled_gwh"),
        None,
        "Retired electric-car batteries sent to recycling for their materials.",
        0,
    ),
    KpiSpec(
        "co2_total",
        "CO2, operational + embodied",
        "Mt",
        _get("co2_mt", "total"),
        False,
        "CO2 from running the new AI load plus building its equipment, added up over the run.",
        0,
    ),
    KpiSpec(
        "co2_saving",
        "CO2 saved vs recycle-first (whole system)",
        "Mt",
        _co2_saving_mt,
        True,
        "CO2 this run saved against the same run with every pack recycled at once (same seed), "
        "counting every path; it appears shortly after the run, when that second run is done.",
        1,
    ),
    KpiSpec(
        "co2_saving_attributional",
        "CO2 saved by second-life packs (attributional)",
        "Mt",
        _get("co2_mt", "second_use_saving", "attributional"),
        True,
        "CO2 of the new batteries the reused packs replaced, minus the CO2 of reusing them.",
        2,
        optional=True,
    ),
    KpiSpec(
        "co2_saving_per_kwh",
        "Attributional saving per second-life kWh",
        "kg/kWh",
        _get("co2_mt", "second_use_saving", "attributional_kg_per_kwh"),
        True,
        "The saving above per kWh of reused battery (published studies: 4-33 kg/kWh).",
        1,
        optional=True,
    ),
    KpiSpec(
        "overshoot",
        "Utility forecast overshoot",
        "%",
        _get("utility_forecast_overshoot_pct"),
        False,
        "How far utilities' load forecasts ran above the load that arrived.",
    ),
    KpiSpec(
        "incentives",
        "Incentives paid",
        "$ bn",
        _get("incentives_usd", scale=1e-9),
        None,
        "Public money paid out as battery-manufacturing (45X) and solar tax credits.",
    ),
)
SPECS_BY_KEY = {s.key: s for s in SPECS}
WORKSHOP_KPIS = (
    "energised_total",
    "unserved",
    "ttp_grid",
    "ttp_second_life",
    "second_life",
    "co2_saving",
)


TTP_PATHS = (  # path key, short name on the card
    ("grid", "grid"),
    ("modular_second_life", "second-life"),
    ("modular_new", "new batteries"),
    ("onsite_gas", "gas"),
    ("other", "other"),
)


def time_to_power_detail(kpis: dict[str, Any] | None) -> str:
    """Every path's median time to power with its project count: 'grid 40 mo (12) · gas 16 mo (4)'.

    Counts are the projects energised on that path (`energized_projects`, added by the app);
    a path nobody used shows its dash, so the fast paths are never hidden.
    """
    if not kpis:
        return ""
    medians = {str(k): v for k, v in (kpis.get("time_to_power_months_median") or {}).items()}
    counts = {str(k): v for k, v in (kpis.get("energized_projects") or {}).items()}
    parts = []
    for key, name in TTP_PATHS:
        if key not in medians and key not in counts:
            continue
        value = medians.get(key)
        shown = DASH if value is None else f"{float(value):.0f} mo"
        parts.append(f"{name} {shown} ({int(counts.get(key, 0))} projects)")
    return " · ".join(parts)


def format_number(value: float | None, decimals: int) -> str:
    """Thousands separators and fixed decimals; the dash for None."""
    if value is None:
        return DASH
    return f"{value:,.{decimals}f}"


def _noise_delta(spec: KpiSpec, d: PairedDifference) -> tuple[str, str]:
    """A card's change once every seed is in: the paired mean with its interval and a mark.

    Within noise is said in words, in grey: a signed number in colour would read as a finding.
    """
    unit, dec = spec.unit, spec.decimals
    if d.verdict == IDENTICAL:
        return "no change on any seed", "same"
    if d.n < 2:
        return f"{DASH} (fewer than two seeds with a value)", "none"
    interval = f"[{d.low:+,.{dec}f}, {d.high:+,.{dec}f}]"
    seeds = f"{d.n} seeds" + (f", {d.n_missing} without a value" if d.n_missing else "")
    if d.verdict == WITHIN:
        return f"within noise: {interval} {unit} ({seeds})", "noise"
    tone = "none"
    if spec.higher_is_better is not None:
        tone = "better" if (d.difference > 0) == spec.higher_is_better else "worse"
    return f"{d.difference:+,.{dec}f} {unit} {interval}, beyond noise ({seeds})", tone


def _single_delta(spec: KpiSpec, diff: float, pending_seeds: str | None) -> tuple[str, str]:
    """A card's change of two single runs.

    On the page (`pending_seeds` given: the other seeds are not all in) it is one seed's
    difference, in grey; only a caller without an ensemble colours it by its sign.
    """
    shown = f"{diff:+,.{spec.decimals}f}"
    if float(shown.replace(",", "")) == 0.0:  # nothing visible at the card's precision
        return (
            "no change" if pending_seeds is None else f"no change on this seed{pending_seeds}"
        ), "same"
    if pending_seeds is not None:
        return f"{shown} {spec.unit} on this seed{pending_seeds}", "none"
    tone = "none"
    if spec.higher_is_better is not None:
        tone = "better" if (diff > 0) == spec.higher_is_better else "worse"
    return f"{shown} {spec.unit}", tone


def cards(
    kpis: dict[str, Any] | None,
    compare: dict[str, Any] | None = None,
    keys: tuple[str, ...] | None = None,
    noise: dict[str, PairedDifference] | None = None,
    pending_seeds: str | None = None,
) -> list[KpiCard]:
    """Formatted cards for `keys` (all by default), with changes when a comparison is given.

    `noise`: per card key, the paired difference over the ensemble's seeds (every seed in).
    Until then `pending_seeds` (e.g. "; 2 of 5 seeds in") makes a card show its one-seed
    difference in grey; with neither (no ensemble at all) the difference is coloured by sign.
    """
    out = []
    for spec in SPECS if keys is None else [SPECS_BY_KEY[k] for k in keys]:
        value = spec.read(kpis) if kpis else None
        other = spec.read(compare) if compare else None
        if spec.optional and value is None and other is None:
            continue
        delta, tone = "", "none"
        d = noise.get(spec.key) if noise else None
        if compare is not None and d is not None and d.verdict != NO_DATA:
            delta, tone = _noise_delta(spec, d)
        elif value is not None and other is not None:
            delta, tone = _single_delta(spec, value - other, pending_seeds)
        elif compare is not None and value is not None:
            delta = f"{DASH} vs comparison"
        out.append(
            KpiCard(
                spec.key,
                spec.label,
                format_number(value, spec.decimals),
                spec.unit,
                delta,
                tone,
                spec.help,
                time_to_power_detail(kpis) if spec.key == "ttp_grid" else "",
            )
        )
    return out
