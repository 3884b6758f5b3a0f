"""`powerstack calibrate` end to end on the small CI spec: files, implausibility, waves, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from abm.cli import main

ROOT = Path(__file__).resolve().parents[1]
CI_SPEC = ROOT / "scenarios" / "calibration" / "ci_small.toml"
KEYS = ("queue.studies_per_month_us", "queue.base_withdrawal_hazard_per_month")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CI spec calibrated serially into a fresh folder (two waves of three points)."""
    out = tmp_path_factory.mktemp("calibration") / "ci"
    assert main(["calibrate", str(CI_SPEC), "--out", str(out), "--workers", "1"]) == 0
    return out


def test_the_folder_holds_json_csv_and_report_that_agree(calibrated: Path) -> None:
    """calibration.json, points.csv and report.md; counts and the chosen point agree."""
    result = json.loads((calibrated / "calibration.json").read_text())
    points = pd.read_csv(calibrated / "points.csv")
    assert (calibrated / "report.md").read_text().startswith("# Calibration `ci_small`")
    assert len(points) == sum(w["points"] for w in result["waves"])
    assert result["runs"] == sum(w["runs"] for w in result["waves"]) > 0
    i_cols = [c for c in points.columns if c.endswith(".I")]
    assert len(i_cols) == 2
    assert np.allclose(points[i_cols].max(axis=1), points["max_I"])
    assert (points["non_implausible"] == (points["max_I"] < 3.0)).all()
    assert result["chosen"]["max_I"] == pytest.approx(points["max_I"].min())


def test_posterior_ranges_are_the_last_waves_kept_points(calibrated: Path) -> None:
    """Each posterior range is the min-max of the last wave's non-implausible points, in the prior."""
    result = json.loads((calibrated / "calibration.json").read_text())
    points = pd.read_csv(calibrated / "points.csv")
    last = points[(points["wave"] == points["wave"].max()) & points["non_implausible"]]
    for key in KEYS:
        post = result["posterior"][key]
        assert post["prior_min"] <= points[key].min() and points[key].max() <= post["prior_max"]
        if len(last):
            assert (post["min"], post["max"]) == (last[key].min(), last[key].max())
        else:
            assert "min" not in post


def test_wave_two_samples_inside_wave_ones_region(calibrated: Path) -> None:
    """Wave 2 runs only after a kept point, and its points lie in the kept points' box."""
    result = json.loads((calibrated / "calibration.json").read_text())
    points = pd.read_csv(calibrated / "points.csv")
    first = points[(points["wave"] == 1) & points["non_implausible"]]
    second = points[points["wave"] == 2]
    if first.empty:
        assert second.empty and "wave 1" in result["stopped"]
        return
    for key in KEYS:
        assert first[key].min() <= second[key].min() and second[key].max() <= first[key].max()


def test_a_second_calibration_into_the_same_folder_needs_resume(
    calibrated: Path, capsys: Any
) -> None:
    """Without --resume an existing folder is refused (exit 2); with it nothing reruns."""
    assert main(["calibrate", str(CI_SPEC), "--out", str(calibrated)]) == 2
    assert "pass --resume" in capsys.readouterr().err
    before = json.loads((calibrated / "calibration.json").read_text())
    assert (
        main(["calibrate", str(CI_SPEC), "--out", str(calibrated), "--resume", "--workers", "1"])
        == 0
    )
    after = json.loads((calibrated / "calibration.json").read_text())
    assert after["chosen"] == before["chosen"] and after["posterior"] == before["posterior"]


def test_an_unknown_kpi_is_refused_before_any_run(tmp_path: Path, capsys: Any) -> None:
    """A target naming a KPI no run reports: exit 2 with the closest name, nothing written."""
    text = CI_SPEC.read_text().replace(
        'kpi = "queue.withdrawn_share_generation"', 'kpi = "queue.withdrawn_share_generatio"'
    )
    spec = tmp_path / "bad.toml"
    spec.write_text(text)
    out = tmp_path / "out"
    assert main(["calibrate", str(spec), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert (
        "unknown KPI 'queue.withdrawn_share_generatio' (did you mean \"queue.withdrawn_share_generation\"?)"
        in err
    )
    assert not out.exists()


def test_sweep_time_series_store_every_column_but_month_as_float() -> None:
    """A column whole in the probe's one month (vendor capacity 0 MW) may hold fractions later.

    Calibration targets read the sweep's time series; an int64 column inferred from month 1
    made a 13-month sweep fail when the column turned fractional (regression).
    """
    import pyarrow as pa

    from abm.sweeps import plan_sweep
    from abm.sweeps.outputs import probe

    table = {
        "scenario": "baseline",
        "design": "list",
        "timeseries": True,
        "points": [{"queue.studies_per_month_us": 120.0}],
    }
    _, schema = probe(plan_sweep(table))
    assert schema is not None
    ints = [f.name for f in schema if pa.types.is_integer(f.type)]
    assert ints == ["month"]
    assert schema.field("vendor_capacity_building_mw_per_month").type == pa.float64()
