"""Generate docs/baseline.md and its charts: the baseline's story told with the run's own numbers.

Run: .venv/bin/python docs/scripts/baseline_story.py [--seed 1]
Every number in the text is read from the run; nothing is typed in by hand.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from abm.runner import run_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
IMG = ROOT / "docs" / "img"
PATH_COLORS = {
    "grid": "#4c72b0",
    "modular_second_life": "#55a868",
    "modular_new": "#8172b2",
    "onsite_gas": "#c44e52",
    "other": "#ccb974",
}
PATH_LABELS = {
    "grid": "Grid (queue)",
    "modular_second_life": "Modular, second-life packs",
    "modular_new": "Modular, new storage",
    "onsite_gas": "On-site gas",
    "other": "Wildcard",
}


def _year(df: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(df["date"] + "-01")


def chart_deployment(df: pd.DataFrame, path: Path) -> None:
    """Stacked energised MW by path on top of the existing fleet, against demand."""
    fig, ax = plt.subplots(figsize=(11, 6))
    x = _year(df)
    paths = [p for p in PATH_COLORS if f"energized_mw_{p}" in df]
    stack = [df["existing_mw"] / 1000] + [df[f"energized_mw_{p}"] / 1000 for p in paths]
    ax.stackplot(
        x,
        *stack,
        labels=["Existing (2025)"] + [PATH_LABELS[p] for p in paths],
        colors=["#bbbbbb"] + [PATH_COLORS[p] for p in paths],
        alpha=0.9,
    )
    ax.plot(x, df["ai_demand_mw"] / 1000, color="black", lw=2.5, label="Data-centre demand")
    ax.set_title("Baseline: data-centre capacity energised by path vs demand", fontsize=16)
    ax.set_ylabel("GW (facility peak)", fontsize=14)
    ax.tick_params(labelsize=12)
    ax.legend(loc="upper left", fontsize=11)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_packs(df: pd.DataFrame, path: Path) -> None:
    """Cumulative pack flows and pack prices by grade."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(13, 5))
    x = _year(df)
    a.plot(x, df["packs_retired_gwh_cum"], label="Retired", color="black", lw=2)
    a.plot(
        x,
        df["packs_second_life_gwh_cum"],
        label="To second life",
        color=PATH_COLORS["modular_second_life"],
        lw=2,
    )
    a.plot(x, df["packs_recycled_gwh_cum"], label="Recycled", color="#dd8452", lw=2)
    a.set_title("Retired EV packs (cumulative)", fontsize=14)
    a.set_ylabel("GWh (nameplate)", fontsize=12)
    a.legend(fontsize=11)
    a.grid(alpha=0.3)
    for grade, color in (("A", "#2ca02c"), ("B", "#98df8a"), ("C", "#bcbd22"), ("new", "#7f7f7f")):
        b.plot(x, df[f"pack_price_usd_per_kwh_{grade}"], ".", ms=4, color=color, label=f"{grade}")
    b.set_title("Pack-market clearing prices", fontsize=14)
    b.set_ylabel("USD per usable kWh", fontsize=12)
    b.legend(fontsize=11)
    b.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def chart_queue_co2(df: pd.DataFrame, co2_cf: float | None, path: Path) -> None:
    """Queue backlog and cumulative CO2."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(13, 5))
    x = _year(df)
    a.plot(x, df["queue_backlog_gw"], color="#4c72b0", lw=2, label="All requests")
    a.plot(x, df["queue_load_backlog_gw"], color="#c44e52", lw=2, label="Data-centre loads")
    a.set_title("Interconnection queue backlog", fontsize=14)
    a.set_ylabel("GW", fontsize=12)
    a.legend(fontsize=11)
    a.grid(alpha=0.3)
    b.plot(x, df["co2_operational_mt_cum"], lw=2, label="Operational")
    b.plot(x, df["co2_embodied_mt_cum"], lw=2, label="Embodied (storage, PV)")
    b.plot(x, df["co2_mt_cum"], lw=2.5, color="black", label="Total")
    if co2_cf is not None:
        b.axhline(
            co2_cf, ls="--", color="#dd8452", label="Recycle-first counterfactual (total, 2040)"
        )
    b.set_title("Cumulative CO2 of the AI load energised in the run", fontsize=14)
    b.set_ylabel("Mt CO2", fontsize=12)
    b.legend(fontsize=11)
    b.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    """Run the baseline and write the page."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = run_scenario("baseline", seed=args.seed)
    df, k = result.timeseries, result.kpis
    IMG.mkdir(parents=True, exist_ok=True)
    chart_deployment(df, IMG / "baseline_deployment.png")
    chart_packs(df, IMG / "baseline_packs.png")
    chart_queue_co2(
        df, k["co2_mt"].get("recycle_first_counterfactual_total"), IMG / "baseline_queue_co2.png"
    )

    e, t, q, p, c = (
        k["energized_mw"],
        k["time_to_power_months_median"],
        k["queue"],
        k["packs"],
        k["co2_mt"],
    )
    total_new = sum(e.values())
    peak_unserved = df.loc[df["unserved_mw"].idxmax()]
    share = (
        {path: v / total_new * 100 for path, v in e.items()} if total_new else dict.fromkeys(e, 0.0)
    )

    def ttp(path: str) -> str:
        return "—" if t[path] is None else f"{t[path]:.0f}"

    text = f"""# The baseline story

Generated by `docs/scripts/baseline_story.py` (seed {args.seed}); every number below comes from that run.
The baseline is US-like, January 2025 to December 2040 (`scenarios/baseline.toml`).

![Energised capacity by path](img/baseline_deployment.png)

**Demand outruns power.** Data-centre demand grows from {df["ai_demand_mw"].iloc[0] / 1000:,.0f} GW in
{df["date"].iloc[0]} to {df["ai_demand_mw"].iloc[-1] / 1000:,.0f} GW in {df["date"].iloc[-1]} (facility peak,
LBNL and IEA paths). New capacity cannot keep up at first: the gap between demand and
what is powered peaks at {peak_unserved["unserved_mw"] / 1000:,.1f} GW in {peak_unserved["date"]}, and
{k["unserved_compute_mw_months"] / 1000:,.0f} GW-months of demand go unserved over the run.

**Every path is used, for different reasons.** Of the {total_new / 1000:,.1f} GW energised during the run,
the grid supplies {e["grid"] / 1000:,.1f} GW ({share["grid"]:.0f} %), mostly the pipeline that was already
in queues in 2025; modular sites with second-life packs {e["modular_second_life"] / 1000:,.1f} GW
({share["modular_second_life"]:.0f} %) and with new storage {e["modular_new"] / 1000:,.1f} GW
({share["modular_new"]:.0f} %); on-site gas {e["onsite_gas"] / 1000:,.1f} GW ({share["onsite_gas"]:.0f} %).
Median time-to-power: grid {ttp("grid")} months, modular with new storage {ttp("modular_new")}, modular with
second-life packs {ttp("modular_second_life")}, on-site gas {ttp("onsite_gas")}. Hyperscalers learn these
waits from what the market shows them and shift new projects toward the faster paths; modular
vendors' factories and the supply of graded packs then become the limits.

![Pack flows and prices](img/baseline_packs.png)

**Second life is limited by packs early and by cheap new storage later.** {p["retired_gwh"]:,.0f} GWh of EV
packs retire over the run; {p["second_life_gwh"]:,.0f} GWh go to second life and {p["recycled_gwh"]:,.0f} GWh are
recycled. Grade-A second-life packs clear at ${p["price_usd_per_kwh_mean"]["A"] or float("nan"):,.0f} per usable kWh on
average against ${p["price_usd_per_kwh_mean"]["new"] or float("nan"):,.0f} for new storage; as new storage
falls along its learning curve, second life stops paying for the lower grades and recyclers route
more to material recovery.

![Queue and CO2](img/baseline_queue_co2.png)

**Queues and phantom load.** The interconnection queue holds {q["backlog_gw_end"]:,.0f} GW at the end;
data-centre loads wait a median {q["median_wait_months"] or float("nan"):.0f} months and generation
{q["median_wait_months_generation"] or float("nan"):.0f} months from request to operation.
{q["phantom_share_of_requested_mw"] * 100:.0f} % of the data-centre MW requested are duplicate filings, and
utilities' forecasts overshoot the load that came by {k["utility_forecast_overshoot_pct"] or float("nan"):.1f} %
on average.

**Carbon.** The AI load energised in the run emits {c["operational"]:,.0f} Mt CO2 in operation and
{c["embodied"]:,.0f} Mt embodied in storage and PV (net of recycling credits), {c["total"]:,.0f} Mt in all.
The same scenario and seed with every pack recycled first totals
{c.get("recycle_first_counterfactual_total", float("nan")):,.0f} Mt
({c.get("recycle_first_counterfactual_embodied", float("nan")):,.0f} Mt embodied); see `docs/validation.md`
for how this comparison varies across seeds.
"""
    (ROOT / "docs" / "baseline.md").write_text(text)
    print("wrote docs/baseline.md")


if __name__ == "__main__":
    main()
