"""The validation report's checks: what each measures, its band, source and why the band is that wide.

A check is a `Fact`. `kind` says what it can show: "check" (can fail against an outside
source), "input check" (holds by construction: it re-measures an input, shown so a broken
input shows, never counted as validation). A check whose key is in
`abm.validation_targets.CALIBRATION_TARGETS` was fitted and is shown as a calibration target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from abm.numerics import exact_dot
from abm.runner import RunResult
from abm.validation_targets import held_out
from abm.validation_water import water_facts


@dataclass(frozen=True)
class Fact:
    """One stylised fact: how to compute it from a run, its target band and where the target comes from."""

    name: str
    unit: str
    low: float
    high: float
    source: str
    compute: Callable[[RunResult], float | None]
    note: str = ""
    fix: str = ""
    paired: bool = False
    """Reported with its paired interval over seeds (abm.metrics.paired), not checked against a band."""
    key: str = ""
    """Stable name of the check (abm.validation_targets lists the calibration targets by it)."""
    kind: str = "check"
    """'check' (can fail against an outside source) or 'input check' (holds by construction)."""
    band_why: str = ""
    """Why the band is as wide as it is."""

    @property
    def role(self) -> str:
        """'held out', 'calibration target', 'input check' or 'reported': how the report counts it."""
        if self.kind == "input check":
            return "input check"
        if self.paired:
            return "reported"
        return "held out" if held_out(self.key) else "calibration target"


def _at_year(result: RunResult, year: int, column: str) -> float:
    """Mean of a time-series column over one calendar year."""
    df = result.timeseries
    rows = df[df["date"].str.startswith(str(year))]
    return float(rows[column].mean()) if len(rows) else float("nan")


def _retirement_soh(result: RunResult) -> float:
    """Capacity-weighted mean state of health of retiring packs (the grading distribution)."""
    from abm.batteries import grade_fractions, grade_mean_soh

    p = result.config.packs
    return exact_dot(grade_fractions(p.soh_mean, p.soh_sd), grade_mean_soh(p.soh_mean, p.soh_sd))


def _attributional_kg_per_kwh(result: RunResult) -> float | None:
    """Attributional CO2 saved per second-life kWh used (kg CO2/kWh; positive = saving)."""
    return result.kpis["co2_mt"]["second_use_saving"]["attributional_kg_per_kwh"]


def _consequential_saving(result: RunResult) -> float | None:
    """Whole-system Mt CO2 of the recycle-first twin minus the run's (positive = saving)."""
    return result.kpis["co2_mt"]["second_use_saving"].get("consequential")


def _second_life_price_position(result: RunResult) -> float | None:
    """Mean grade-A second-life price as a share of the mean new-storage price (should lie between repurposing cost and new)."""
    prices = result.kpis["packs"]["price_usd_per_kwh_mean"]
    if prices.get("A") is None or prices.get("new") is None:
        return None
    return prices["A"] / prices["new"]


def _blast_lite_gap() -> tuple[float | None, str | None]:
    """(largest |SoH gap| at 5 years between our fade curves and BLAST-Lite on the test duties, why not run).

    The gap is None when the reference could not be computed; the reason then says why (the
    optional validation extra missing, or the error BLAST-Lite raised), so the report can show it.
    """
    try:
        from abm.batteries import FadeParams, blast_lite_soh, fade_step
    except ImportError as exc:
        return None, f"the validation extra is not installed ({_error(exc)})"
    try:
        duties = [(1.0, 0.2), (1.0, 0.5), (2.0, 0.5)]
        gaps = []
        params = FadeParams()
        for efc_per_day, c_rate in duties:
            ours_new = float(
                fade_step(np.array([1.0]), 60, efc_per_day * 365.25 / 12, c_rate, 0.8, params)[0]
            )
            _, soh = blast_lite_soh(
                "Lfp_Gr_250AhPrismatic", years=5, efc_per_day=efc_per_day, c_rate=c_rate, dod=0.8
            )
            ref_new = float(soh[-1])
            gaps.append(abs(ours_new - ref_new))
        return max(gaps), None
    except ImportError as exc:
        return None, f"the validation extra is not installed ({_error(exc)})"
    except Exception as exc:  # noqa: BLE001 - any reference failure is reported on the page, not raised
        return None, f"BLAST-Lite failed: {_error(exc)}"


def _error(exc: BaseException) -> str:
    """An exception as one short line for the report: 'ValueError: message'."""
    message = " ".join(str(exc).split())[:200] or "(no message)"
    return f"{type(exc).__name__}: {message}"


FACTS: tuple[Fact, ...] = (
    Fact(
        "Median request-to-operation, generation",
        "months",
        45,
        65,
        "LBNL Queued Up 2025: ~55 months for projects built 2023-24 (DOMAIN-NUMBERS #3)",
        lambda r: r.kpis["queue"]["median_wait_months_generation"],
        fix="queue.studies_per_month_us and base_withdrawal_hazard_per_month set it (docs/grid.md)",
        key="queue.median_wait_months_generation",
        band_why="LBNL's ~55 months is a median over projects built 2023-24; ±10 months is the spread between the 2024 and 2025 editions' medians (~5 years) and the model's finite sample",
    ),
    Fact(
        "Median wait of data-centre loads",
        "months",
        36,
        84,
        "Dominion: 4-7 years at constrained hubs, historic 3-4 (DOMAIN-NUMBERS #5)",
        lambda r: r.kpis["queue"]["median_wait_months"],
        note="all loads, constrained or not",
        key="queue.median_wait_months",
        band_why="Dominion's 4-7 years at constrained hubs and 3-4 years historic: the model's loads sit on constrained and unconstrained nodes alike, so the band spans both",
    ),
    Fact(
        "Share of resolved generation MW that withdraws",
        "fraction",
        0.69,
        0.87,
        "LBNL: completion 13-31 % by MW for 2000-18 requests, ~70-80 % withdraw (DOMAIN-NUMBERS #4, §1)",
        lambda r: r.kpis["queue"]["withdrawn_share_generation"],
        note="generation requests; the all-kind KPI `queue.withdrawn_share` also counts duplicate load filings",
        fix="base_withdrawal_hazard_per_month (0.012) and studies_per_month_us were calibrated together for the share and the 55-month median (docs/grid.md)",
        key="queue.withdrawn_share_generation",
        band_why="completion 13-31 % by kind (LBNL 2000-18 cohort) is 69-87 % withdrawn",
    ),
    Fact(
        "Share of resolved storage MW that withdraws",
        "fraction",
        0.80,
        0.95,
        "LBNL: storage completion ~11 %, the lowest (DOMAIN-NUMBERS #4)",
        lambda r: r.kpis["queue"]["withdrawn_share_storage"],
        key="queue.withdrawn_share_storage",
        band_why="storage completion ~11 % (LBNL) is ~89 % withdrawn; ±5-9 points for a 2000-18 cohort against the model's 2021-2034 requests",
    ),
    Fact(
        "Phantom share of requested data-centre MW",
        "fraction",
        0.30,
        0.90,
        "Dominion 50 GW / industry estimates 50-90 % speculative (DOMAIN-NUMBERS #7)",
        lambda r: r.kpis["queue"]["phantom_share_of_requested_mw"],
        key="queue.phantom_share",
        kind="input check",
        band_why="re-measures `hyperscalers.duplicate_filings` (2 filings per project give 0.5 exactly): an input check",
    ),
    Fact(
        "US data-centre electricity served in 2028",
        "TWh",
        325,
        580,
        "LBNL 2024: 325-580 TWh in 2028 (DOMAIN-NUMBERS #8)",
        lambda r: _at_year(r, 2028, "dc_electricity_twh_served"),
        note="demand is an input (176 TWh in 2023, LBNL); this is what the agents managed to power",
        fix="the 2027-29 shortfall comes from queue, factory and pack limits together; faster vendor factory growth or a larger 2025 pipeline (both unconfirmed) would close it",
        key="demand.dc_served_twh_2028",
        band_why="LBNL 2024's own low and high scenarios for 2028",
    ),
    Fact(
        "Mean state of health of retiring packs",
        "fraction",
        0.70,
        0.80,
        "ADL; Gharebaghi 2024; Redwood: 0.70-0.80 (DOMAIN-NUMBERS #16)",
        _retirement_soh,
        key="packs.retirement_soh",
        kind="input check",
        band_why="computed from `packs.soh_mean` and `packs.soh_sd` (the grading distribution), not from the run: an input check",
    ),
    Fact(
        "Median time-to-power, modular with new storage",
        "months",
        3,
        24,
        "Crusoe Spark ~3 months vs 12-24 months for a conventional DC (DOMAIN.md); solar permits add 6-12",
        lambda r: r.kpis["time_to_power_months_median"]["modular_new"],
        note="includes the factory queue when orders outrun factories",
        key="time_to_power.modular_new",
        band_why="Crusoe's ~3 months at best to the 24 months of a conventional data centre: a modular build slower than a conventional one fails",
    ),
    Fact(
        "Median time-to-power, modular with second-life packs",
        "months",
        3,
        24,
        "As above: modular deployment in months (DOMAIN.md)",
        lambda r: r.kpis["time_to_power_months_median"]["modular_second_life"],
        note="includes waiting for packs and for factory slots",
        fix="second-life orders wait for graded packs: EV-pack test capacity (0.5 GWh/month) and Busch retirements make packs scarce until the 2030s; vendors designate by expected supply, which lags; a stricter designation rule or the second_life_boom levers shorten it",
        key="time_to_power.modular_second_life",
        band_why="as for new storage: 3 months at best, never slower than a conventional build's 24",
    ),
    Fact(
        "Mean new-storage price",
        "USD/kWh",
        50,
        200,
        "BNEF: $165/kWh turnkey 2024, falling; stationary LFP pack $70 (2025) (DOMAIN-NUMBERS #18)",
        lambda r: r.kpis["packs"]["price_usd_per_kwh_mean"]["new"],
        note="mean clearing price over the run's horizon, net of 45X",
        key="packs.new_price",
        band_why="the model's clearing price lies between the stationary pack ($70, 2025) and the turnkey system ($165, 2024) and falls over the horizon; 50-200 spans both with the decline",
    ),
    Fact(
        "Grade-A second-life price / new price",
        "ratio",
        0.25,
        1.0,
        "Repurposing 27-38 EUR/kWh (Lieskoski 2024) below new storage (DOMAIN-NUMBERS #17-#18)",
        _second_life_price_position,
        key="packs.grade_a_price_ratio",
        band_why="repurposing 27-38 EUR/kWh over a new price of $70-165/kWh is at least ~0.25; a second-life kWh cannot sell above a new one (1.0)",
    ),
    Fact(
        "Attributional CO2 saved per second-life kWh (service held as in the run)",
        "kg CO2/kWh",
        4,
        33,
        "No per-kWh second-life LCA figure in DOMAIN-NUMBERS. Basis: DOMAIN.md, repurposed storage ~30 % lower manufacturing CO2 than new, times new storage 61-106 kg/kWh (IVL C 444) = 18-32; Kamath et al. 2020 (Waste Management 113:497) 7-31 % lower life-cycle CO2 (not in DOMAIN-NUMBERS) = 4-33",
        _attributional_kg_per_kwh,
        note="new storage displaced (made, recycled at its end, charged for the service the second-life packs gave) less the repurposing of every second-life kWh bought, augmentation included, with the salvage of packs still in service credited; per second-life kWh used inside the horizon (docs/batteries.md, The second-use CO2 counterfactual)",
        fix="a second-life kWh displaces less than a new kWh (it starts at its grade's SoH and retires at batteries.second_life_eol_soh, new storage runs from 1.0 to 0.7, each cohort on its chemistry's fade); the saving breaks even where carbon.repurpose_kg_per_kwh (cut-off: the repurposing processes only, 0.25 x new, unconfirmed) reaches the new storage a kWh displaces (docs/batteries.md)",
        key="co2.attributional_kg_per_kwh",
        band_why="two sources and two scopes: 7 % (Kamath) to 30 % (DOMAIN.md) of new storage's 61-106 kg/kWh",
    ),
    Fact(
        "Consequential CO2 saved by second use vs recycle-first (whole system, paired)",
        "Mt",
        float("nan"),
        float("nan"),
        "Reported, not checked: no source gives this model's US 2025-2040 scope (the California 56 Mt to 2050 is 48 Mt recycling itself)",
        _consequential_saving,
        note="recycle-first twin on common random numbers minus the run, both under the end-of-horizon rule (packs in service credited salvage and eventual recycling); operational CO2 of the paths that differ counts too; mean with its paired 95 % t-interval over seeds",
        paired=True,
        key="co2.consequential_mt",
    ),
    Fact(
        "Grid CO2 intensity in 2025",
        "t/MWh",
        0.30,
        0.45,
        "EIA FAQ 74: US grid 0.367 t/MWh (2023) (DOMAIN-NUMBERS #25)",
        lambda r: _at_year(r, 2025, "grid_co2_t_per_mwh"),
        note="dispatch with carbon in offers, coal and nuclear must-run, energy-limited hydro and storage (docs/power-market.md 'Generation mix'); issue 18 asks for 0.33-0.40",
        fix="coal runs less than in the US fleet where congestion on the synthetic grid strands rural coal; line upgrades (issue 18 item 4) and thermal availability would move it",
        key="grid.co2_t_per_mwh_2025",
        band_why="EIA 0.367 t/MWh (2023) and 0.39 (2022); ±0.07 allows for the synthetic grid's fleet and the 2023-2025 decline",
    ),
    Fact(
        "Coal share of generation in 2025",
        "%",
        10.0,
        20.0,
        "EIA Electric Power Annual 2023: coal 16 % of US utility-scale generation (gas 43, nuclear 19, wind 10, hydro 6, solar 4 %)",
        lambda r: 100.0 * _at_year(r, 2025, "generation_share_coal"),
        note="share of the month's generation in the power market's representative hours, storage discharge included",
        fix="gas combined cycle at $25/MWh undercuts coal at $35: coal runs its must-run minimum where committed and above it only where peakers set the price; congestion strands rural coal",
        key="grid.coal_share_2025",
        band_why="EIA 16 % (2023), falling about a point a year; ±5 points for the synthetic fleet",
    ),
    *(replace(f, key=f"water.{f.name.lower().replace(' ', '_')}") for f in water_facts(Fact)),
)


BLAST_FACT = Fact(
    "Fade vs BLAST-Lite (new LFP, 5 years, 3 duties): largest SoH gap",
    "SoH",
    0,
    0.05,
    "NREL BLAST-Lite Lfp_Gr_250AhPrismatic (docs/batteries.md)",
    lambda r: None,
    note="needs the validation extra",
    key="batteries.blast_lite_gap",
    band_why="BLAST-Lite's fits are qualitative (its README) and pack life is 20-30 % shorter than cell life; 0.05 SoH at five years is about a year of fade",
)
