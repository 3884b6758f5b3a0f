"""Which lever did it? In compare mode, split each headline KPI's difference over the changed levers.

The split is `abm.analysis.attribution.attribute_configs` (the code of `powerstack attribute`):
every subset of the levers in which the shown run differs from its comparison runs on the same
seeds, and each KPI's paired difference is split into Shapley values plus the interaction of
levers acting together, which add up exactly to the total. It costs 2^k runs per seed, so it
runs only when asked, in a background thread, and says how many runs it takes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import solara

from abm.analysis.attribution import (
    MAX_LEVERS,
    Attribution,
    Runner,
    attribute_configs,
    changed_levers,
)
from abm.errors import InputError
from abm.schema import ScenarioConfig
from viz.components.base import Html, pretty_name


@dataclass(frozen=True)
class Headline:
    """One KPI the panel splits: its flat key in the runs' KPIs, label, unit and scale."""

    key: str
    label: str
    unit: str
    scale: float = 1.0


HEADLINES: tuple[Headline, ...] = (
    Headline("unserved_compute_mw_months", "Unserved AI compute", "GW-years", 1e-3 / 12.0),
    Headline("energized_mw.grid", "Energised through the grid", "GW", 1e-3),
    Headline("energized_mw.modular_second_life", "Energised, modular second life", "GW", 1e-3),
    Headline("energized_mw.modular_new", "Energised, modular new batteries", "GW", 1e-3),
    Headline("energized_mw.onsite_gas", "Energised, on-site gas", "GW", 1e-3),
    Headline("co2_mt.total", "CO2 over the run", "Mt"),
)


def _number(x: float, scale: float) -> str:
    """A scaled value with a sign, or a dash when it is not computable."""
    return "–" if x is None or not math.isfinite(x) else f"{x * scale:+,.2f}"


def _interval(lo: float, hi: float, scale: float) -> str:
    """The 95 % interval as text, or a dash."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "–"
    return f"{lo * scale:+,.2f} to {hi * scale:+,.2f}"


def attribution_markdown(result: Attribution) -> str:
    """The split as a Markdown table: one row per headline KPI, one column per lever."""
    keys = [lv.key for lv in result.levers]
    head = ["KPI", "total (95 % interval)", *(f"`{k}`" for k in keys), "levers together"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for h in HEADLINES:
        a = result.kpis.get(h.key)
        if a is None or not a.total.n:
            continue
        total = a.total
        cells = [
            f"{h.label} ({h.unit})",
            f"{_number(total.difference, h.scale)} ({_interval(total.low, total.high, h.scale)})",
            *(_number(a.contributions.get(k, math.nan), h.scale) for k in keys),
            _number(a.interaction, h.scale),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    seeds = f"seeds {result.seeds[0]}-{result.seeds[-1]}" if len(result.seeds) > 1 else "seed 1"
    lines += [
        "",
        f"{result.runs} runs on {seeds}, paired. Each lever's share is its Shapley value; "
        "the shares and the last column add up to the total exactly.",
    ]
    return "\n".join(lines)


def _levers_line(base: ScenarioConfig, target: ScenarioConfig) -> tuple[list[str], str]:
    """The changed lever keys and a line that names them (or why nothing can be split)."""
    keys = [lv.key for lv in changed_levers(base, target)]
    if not keys:
        return keys, "The two runs differ in no lever: there is nothing to split."
    if len(keys) > MAX_LEVERS:
        return keys, (
            f"The runs differ in {len(keys)} levers; an exact split needs 2^{len(keys)} runs per "
            f"seed, so the app splits at most {MAX_LEVERS}: compare scenarios closer together."
        )
    return keys, "They differ in: " + ", ".join(f"`{k}`" for k in keys) + "."


@solara.component
def AttributionPanel(
    shown: ScenarioConfig | None,
    compare: ScenarioConfig | None,
    seeds: int,
    runner: Runner | None = None,
    on_error: Callable[[str], None] | None = None,
) -> None:
    """Compare mode: a button that splits the KPI differences over the changed levers."""
    asked, set_asked = solara.use_state(0)

    def split() -> tuple[str, str]:
        if not asked or shown is None or compare is None:
            return "", ""
        try:
            result = attribute_configs(compare, shown, seeds, runner=runner, workers=None)
        except InputError as why:
            return "", str(why)
        return attribution_markdown(result), ""

    deps = [asked, shown, compare, seeds]
    job = solara.use_thread(split, dependencies=deps, intrusive_cancel=False)
    if shown is None or compare is None:
        return
    keys, line = _levers_line(compare, shown)
    with solara.Details("Which lever did it? (split the difference over the levers)", expand=False):
        Html(
            "div",
            f"{pretty_name(shown.name)} against {pretty_name(compare.name)}. {line}",
            "ps-attribution-levers",
        )
        if not keys or len(keys) > MAX_LEVERS:
            return
        runs = (1 << len(keys)) * seeds
        solara.Button(
            f"Split it ({runs} runs)",
            on_click=lambda: set_asked(asked + 1),
            disabled=job.state == solara.ResultState.RUNNING and bool(asked),
            outlined=True,
        )
        if not asked:
            return
        if job.state == solara.ResultState.RUNNING or job.value is None:
            Html("div", f"running {runs} runs…", "ps-attribution-status")
            return
        table, error = job.value
        if error:
            Html("div", error, "ps-attribution-error")
            if on_error is not None:
                on_error(error)
            return
        solara.Markdown(table)
