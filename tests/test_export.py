"""`powerstack export`: yearly IAMC and long CSV tables read back with pandas to the numbers of the
monthly table, the variable list covers every column and documents itself, bad input is refused."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm import atomic
from abm.cli import main
from abm.export import NOT_EXPORTED, VARIABLES, Aggregation, export_run
from abm.export.docpage import DOC_PATH, render
from abm.runner import run_scenario, write_outputs

MONTHS = 30  # 2025-01 to 2027-06: two whole years and a partial one
INDEX = ["model", "scenario", "region", "variable", "unit"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = run_scenario(
        "baseline", seed=3, months=MONTHS, overrides={"grid.n_buses": 80}, counterfactual=False
    )
    out = tmp_path_factory.mktemp("export") / "run"
    write_outputs(result, out)
    return out


def expected_value(
    ts: pd.DataFrame, columns: tuple[str, ...], how: Aggregation, year: int
) -> float:
    """The yearly value computed straight from the monthly table, by date labels."""
    have = [c for c in columns if c in ts.columns]
    month = ts.set_index("date")[have].astype(float).sum(axis=1, min_count=1)
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    if how is Aggregation.END:
        return float(month[f"{year}-12"])
    if how is Aggregation.MEAN:
        return float(month[months].mean())
    if how is Aggregation.SUM:
        return float(month[months].sum())
    before = month.get(f"{year - 1}-12", 0.0)
    return float(month[f"{year}-12"] - before)


def test_iamc_table_reads_back_to_the_monthly_numbers(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    assert main(["export", str(run_dir), "--format", "iamc", "--out", str(out)]) == 0
    wide = pd.read_csv(out)
    assert list(wide.columns) == [*INDEX, "2025", "2026"]
    assert set(wide["model"]) == {"powerstack 0.1.0"}
    assert set(wide["scenario"]) == {"baseline-s3"}
    assert set(wide["region"]) == {"US (synthetic grid)"}
    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    by_name = {v.name: v for v in VARIABLES}
    checked = 0
    for _, row in wide.iterrows():
        var = by_name[row["variable"]]
        assert row["unit"] == var.unit
        for year in (2025, 2026):
            want = expected_value(ts, var.columns, var.aggregation, year)
            got = row[str(year)]
            if np.isnan(want):
                assert np.isnan(got), (var.name, year)
            else:
                assert got == pytest.approx(want, rel=1e-12, abs=1e-12), (var.name, year)
                checked += 1
    assert len(wide) >= 25 and checked >= 50
    totals = wide.set_index("variable")
    assert totals.loc["Emissions|CO2|Data Centre", "2026"] > 0
    assert (
        totals.loc["Demand|Data Centre|AI", "2026"]
        == ts.set_index("date").loc["2026-12", "ai_demand_mw"]
    )


def test_long_csv_holds_the_same_numbers_as_the_iamc_table(run_dir: Path, tmp_path: Path) -> None:
    iamc = export_run(run_dir, "iamc", tmp_path / "w.csv")
    long = export_run(run_dir, "csv", tmp_path / "l.csv")
    assert iamc.years == long.years == [2025, 2026]
    frame = pd.read_csv(long.path, float_precision="round_trip")
    assert list(frame.columns) == [*INDEX, "year", "value"]
    assert frame["value"].notna().all()
    melted = (
        pd.read_csv(iamc.path, float_precision="round_trip")
        .melt(id_vars=INDEX, var_name="year", value_name="value")
        .dropna(subset=["value"])
        .astype({"year": int})
    )
    key = [*INDEX, "year"]
    pd.testing.assert_frame_equal(
        frame.sort_values(key).reset_index(drop=True),
        melted.sort_values(key).reset_index(drop=True),
    )


def test_children_add_up_to_their_parent(run_dir: Path, tmp_path: Path) -> None:
    wide = pd.read_csv(export_run(run_dir, "iamc", tmp_path / "w.csv").path).set_index("variable")
    years = ["2025", "2026"]
    parents = 0
    for parent in wide.index:
        children = [
            v for v in wide.index if v.startswith(parent + "|") and "|" not in v[len(parent) + 1 :]
        ]
        if children:
            parents += 1
            summed = wide.loc[children, years].sum()
            np.testing.assert_allclose(
                wide.loc[parent, years].astype(float),
                summed.astype(float),
                rtol=1e-9,
                err_msg=parent,
            )
    assert parents >= 2  # Capacity|Data Centre and Emissions|CO2|Data Centre


def test_partial_years_are_left_out_and_named(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert "left out 2027: 6 of 12 months" in out
    assert (run_dir / "yearly_iamc.csv").is_file()
    assert "2027" not in pd.read_csv(run_dir / "yearly_iamc.csv").columns


def test_every_monthly_column_is_exported_or_says_why(run_dir: Path) -> None:
    columns = set(pd.read_parquet(run_dir / "timeseries.parquet").columns)
    used = {c for v in VARIABLES for c in v.columns}
    assert columns - used - set(NOT_EXPORTED) == set()
    assert used - columns == {"energized_mw_other"}  # the wildcard path, off in the baseline
    names = [v.name for v in VARIABLES]
    assert len(names) == len(set(names))
    for var in VARIABLES:
        assert var.unit and var.doc and "|" in var.name and var.name == var.name.strip()
        if var.aggregation in (Aggregation.INCREASE, Aggregation.SUM):
            assert var.unit.endswith("/yr"), var.name  # a yearly flow says per year


def test_variables_page_is_current() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render(), (
        "docs/variables.md is stale: regenerate it with `python -m abm.export.docpage`"
    )


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{tmp}/missing"], "no such run folder"),
        (["{run}", "--format", "iamcc"], 'unknown format (did you mean "iamc"?)'),
        (["{run}", "--format", "xlsx"], "expected one of iamc, csv"),
        (["{run}/run.json"], "is not a folder"),
        (["{tmp}"], "missing timeseries.parquet, run.json, scenario.toml"),
        (["{run}", "--out", "{tmp}"], "is a folder; expected a file path"),
        (["{run}", "--out", "{run}/run.json/t.csv"], "run.json is a file; expected a folder"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    argv = ["export", *(a.format(run=run_dir, tmp=tmp_path) for a in args)]
    before = sorted(tmp_path.iterdir())
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and message in err, err
    assert sorted(tmp_path.iterdir()) == before


def test_a_run_without_a_whole_year_is_refused(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = tmp_path / "short"
    shutil.copytree(run_dir, short)
    ts = pd.read_parquet(short / "timeseries.parquet")
    ts.iloc[:11].to_parquet(short / "timeseries.parquet")
    assert main(["export", str(short), "--format", "csv"]) == 2
    assert "no complete calendar year" in capsys.readouterr().err
    assert not (short / "yearly_long.csv").exists()


def test_a_failed_write_leaves_nothing_behind(
    run_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def full_disk(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))

    monkeypatch.setattr(atomic.os, "replace", full_disk)
    out = tmp_path / "t.csv"
    assert main(["export", str(run_dir), "--out", str(out)]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
