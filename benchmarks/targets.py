"""The performance targets of issue 10 and how each measured figure stands against them."""

from __future__ import annotations

from typing import Any

#: Targets of issue 10: seconds, MB, speed-up ratios, fitted cost exponents, efficiency.
TARGETS = {
    "national_wall_s": 60.0,
    "national_peak_rss_mb": 2048.0,
    "power_market_speedup_vs_rundcopp": 5.0,
    "power_market_over_bare": 1.5,
    "scaling_exponent": 1.2,
    "parallel_efficiency": 0.8,
    "make_bench_s": 600.0,
    "baseline_round_trip_s": 1.0,
    # issue 22: `powerstack run baseline` from a cold shell, counterfactual included, and the import
    "cold_run_over_reference": 3.0,
    "model_import_s": 1.0,
}

#: One row of the targets table: target, measured, verdict, by how much.
Row = tuple[str, str, str, str]


def _verdict(ok: bool) -> str:
    """Met / missed label."""
    return "met" if ok else "**missed**"


def _national_rows(nat: dict[str, Any], t: dict[str, float]) -> list[Row]:
    """Wall time and peak memory of one national-scale run."""
    wall, rss = nat["wall_s"], nat["peak_rss_mb"]
    return [
        (
            f"national run < {t['national_wall_s']:.0f} s ({nat['label']})",
            f"{wall:.1f} s wall, {nat['cpu_s']:.1f} s CPU",
            _verdict(wall < t["national_wall_s"]),
            f"{wall / t['national_wall_s']:.2f}x the target",
        ),
        (
            f"national run < 2 GB ({nat['label']})",
            f"{rss:,.0f} MB peak RSS",
            _verdict(rss < t["national_peak_rss_mb"]),
            f"{rss / t['national_peak_rss_mb']:.2f}x the limit",
        ),
    ]


def _baseline_row(base: dict[str, Any], t: dict[str, float]) -> Row:
    """The baseline run against the app's one-second round trip."""
    return (
        "baseline slider-to-chart round trip ~1 s",
        f"{base['wall_s']:.2f} s wall, {base['cpu_s']:.2f} s CPU ({base['months']} months)",
        _verdict(base["wall_s"] <= 1.5 * t["baseline_round_trip_s"]),
        f"{base['wall_s'] / t['baseline_round_trip_s']:.1f}x",
    )


def _power_market_rows(row: dict[str, Any], t: dict[str, float]) -> list[Row]:
    """One power-market case against rundcopp and against a bare HiGHS solve."""
    return [
        (
            f"power market >= 5x faster than rundcopp ({row['case']})",
            f"{row['speedup_vs_rundcopp_warm']:.0f}x per warm hour, "
            f"{row['speedup_vs_rundcopp_cold']:.0f}x cold",
            _verdict(row["speedup_vs_rundcopp_cold"] >= t["power_market_speedup_vs_rundcopp"]),
            f"cold {row['speedup_vs_rundcopp_cold'] / 5:.1f}x the bar",
        ),
        (
            f"power market within 1.5x of bare HiGHS ({row['case']})",
            f"warm hour {row['warm_over_bare_cold']:.2f}x a bare cold solve; "
            f"{row['warm_over_its_highs_run']:.2f}x its own HiGHS time; cold {row['cold_over_bare_cold']:.2f}x",
            _verdict(row["warm_over_bare_cold"] <= t["power_market_over_bare"]),
            "per representative hour",
        ),
    ]


def _scaling_rows(sc: dict[str, Any], t: dict[str, float]) -> list[Row]:
    """The fitted cost exponents in buses and in queue requests."""
    rows = []
    for name, label in (("buses", "buses"), ("queue_requests", "queue requests")):
        e = sc[name]["exponent_wall"]
        rows.append(
            (
                f"cost exponent in {label} <= 1.2",
                f"{e:.2f} (whole run), {sc[name]['exponent_step']:.2f} (monthly steps)",
                _verdict(e <= t["scaling_exponent"]),
                f"{e - t['scaling_exponent']:+.2f}",
            )
        )
    return rows


def _sweep_and_total_rows(r: dict[str, Any], t: dict[str, float]) -> list[Row]:
    """Parallel efficiency of the sweep and the wall time of the whole `make bench`."""
    eff = r["sweep"]["parallel_efficiency_2_workers"]
    total = r["total_wall_s"]
    return [
        (
            "parallel efficiency at 2 workers >= 0.8",
            f"{eff:.2f}",
            _verdict(eff >= t["parallel_efficiency"]),
            f"{eff - t['parallel_efficiency']:+.2f}",
        ),
        (
            "`make bench` < 10 minutes",
            f"{total / 60:.1f} min",
            _verdict(total < t["make_bench_s"]),
            f"{total / t['make_bench_s']:.2f}x",
        ),
    ]


def _cold_shell_rows(cold: dict[str, Any], t: dict[str, float]) -> list[Row]:
    """Issue 22: the cold-shell run against the reference, and the import of the model."""
    ratio, imp = cold["run_over_reference"], cold["import_model_s"]
    return [
        (
            f"`powerstack run baseline` from a cold shell, counterfactual included, "
            f"<= {t['cold_run_over_reference']:.0f}x the reference ({cold['months']} months)",
            f"{cold['run_baseline_s']:.1f} s wall = {ratio:.1f}x the reference",
            _verdict(ratio <= t["cold_run_over_reference"]),
            f"{ratio / t['cold_run_over_reference']:.2f}x the target",
        ),
        (
            f"import of the model <= {t['model_import_s']:.0f} s",
            f"{imp:.2f} s (`import mesa` alone {cold['import_mesa_s']:.2f} s, "
            f"bare interpreter {cold['python_s']:.2f} s)",
            _verdict(imp <= t["model_import_s"]),
            f"{imp / t['model_import_s']:.2f}x the target",
        ),
    ]


def target_rows(r: dict[str, Any]) -> list[Row]:
    """(target, measured, verdict, by how much) for every target of issue 10."""
    t = r["targets"]
    rows: list[Row] = []
    for nat in r["national"]:
        rows += _national_rows(nat, t)
    rows.append(_baseline_row(r["baseline"], t))
    if "cold_shell" in r and "cold_run_over_reference" in t:
        rows += _cold_shell_rows(r["cold_shell"], t)
    for row in r.get("power_market", {}).get("rows", []):
        rows += _power_market_rows(row, t)
    rows += _scaling_rows(r["scaling"], t)
    rows += _sweep_and_total_rows(r, t)
    return rows
