"""Calibration without model runs: implausibility, wave sampling, spec errors, the target lists."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from abm.calibration.implausibility import (
    ensemble_variance,
    implausibility,
    implausibility_table,
    non_implausible,
)
from abm.calibration.parsing import load_spec, parse_spec
from abm.calibration.report import markdown
from abm.calibration.sampling import first_wave, next_wave
from abm.calibration.spec import Target
from abm.calibration.statistics import _series_stat, by_point
from abm.calibration.targets import (
    CALIBRATION_FACTS,
    CALIBRATION_TARGETS,
    is_calibration_target,
)
from abm.cli import main
from abm.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
BASELINE_SPEC = ROOT / "scenarios" / "calibration" / "baseline.toml"


def _spec(**over: Any) -> dict[str, Any]:
    """A minimal valid spec table, with keys replaced or added."""
    data: dict[str, Any] = {
        "scenario": "baseline",
        "parameters": {"queue.studies_per_month_us": {"min": 60.0, "max": 240.0}},
        "targets": {
            "wait": {
                "kpi": "queue.median_wait_months_generation",
                "value": 55.0,
                "sd": 5.0,
                "source": "LBNL",
            }
        },
    }
    data.update(over)
    return data


# ---------------------------------------------------------------------------- implausibility
def test_implausibility_is_distance_over_the_summed_uncertainties() -> None:
    """I = |mean - z| / sqrt(obs^2 + discrepancy^2 + s^2 (1 + 1/n)), by hand."""
    values = np.array([[50.0, 54.0]])  # mean 52, s^2 = 8, n = 2 -> ensemble var 12
    got = implausibility(values, 55.0, 2.0, 1.0)
    assert got[0] == pytest.approx(3.0 / np.sqrt(4.0 + 1.0 + 12.0))
    assert ensemble_variance(values)[0] == pytest.approx(12.0)


def test_a_failed_run_makes_the_point_implausible() -> None:
    """A NaN value (failed run, undefined KPI) gives I = inf, never a kept point."""
    table = implausibility_table([np.array([[1.0, 1.0], [1.0, np.nan]])], [1.0], [0.1], [0.0])
    assert table[0, 0] == 0.0 and np.isinf(table[1, 0])
    assert non_implausible(table, 3.0).tolist() == [True, False]


def test_every_target_must_pass_the_cutoff() -> None:
    """The largest I over targets decides: one target at 3.2 drops a point."""
    table = np.array([[0.1, 2.9], [0.1, 3.2]])
    assert non_implausible(table, 3.0).tolist() == [True, False]


# ---------------------------------------------------------------------------- sampling
def test_first_wave_fills_the_prior_box_and_depends_on_the_seed_only() -> None:
    """A Latin hypercube inside [min, max], the same for the same seed, another for another."""
    spec = parse_spec(_spec(seed=3))
    a, b = first_wave(spec, 20), first_wave(spec, 20)
    other = first_wave(parse_spec(_spec(seed=4)), 20)
    assert np.array_equal(a, b) and not np.array_equal(a, other)
    assert a.min() >= 60.0 and a.max() <= 240.0
    assert np.histogram(a[:, 0], bins=4, range=(60, 240))[0].tolist() == [5, 5, 5, 5]


def test_next_wave_samples_where_the_nearest_run_point_was_kept() -> None:
    """Wave 2 lies in the kept points' box, each point nearer a kept than a dropped run point."""
    params = {
        "queue.studies_per_month_us": {"min": 0.0, "max": 100.0},
        "queue.agreement_months": {"min": 0.0, "max": 60.0},
    }
    spec = parse_spec(_spec(parameters=params))
    run = np.array([[10.0, 10.0], [30.0, 20.0], [50.0, 30.0], [90.0, 50.0]])
    kept = np.array([True, True, False, False])
    new = next_wave(spec, 2, run, kept, np.ones(4, bool), 10)
    assert new.shape == (10, 2)
    assert (new >= [10.0, 10.0]).all() and (new <= [30.0, 20.0]).all()
    scaled = run / [100.0, 60.0]
    d = np.linalg.norm(new[:, None, :] / [100.0, 60.0] - scaled[None], axis=2)
    assert kept[d.argmin(axis=1)].all()


def test_next_wave_refuses_an_empty_region() -> None:
    """Nothing kept: no region to sample (the calibration stops and says so)."""
    spec = parse_spec(_spec())
    with pytest.raises(ValueError, match="no non-implausible"):
        next_wave(spec, 2, np.array([[100.0]]), np.array([False]), np.array([True]), 4)


# ---------------------------------------------------------------------------- statistics
def test_a_series_target_reduces_one_year_of_a_column_minus_another() -> None:
    """first / mean / last of column - subtract over the months of the target's year."""
    ts = pd.DataFrame(
        {
            "run_id": ["r"] * 4,
            "month": [0, 1, 2, 3],
            "date": ["2024-12", "2025-01", "2025-02", "2026-01"],
            "a": [9.0, 10.0, 14.0, 99.0],
            "b": [1.0, 2.0, 2.0, 1.0],
        }
    )
    target = Target("t", 1.0, 1.0, "s", column="a", subtract="b", year=2025, stat="first")
    assert _series_stat(ts, target)["r"] == 8.0
    mean = Target("t", 1.0, 1.0, "s", column="a", year=2025, stat="mean")
    assert _series_stat(ts, mean)["r"] == 12.0


def test_values_by_point_leave_missing_runs_as_nan() -> None:
    """(points, seeds) array; a run not recorded stays NaN."""
    values = pd.DataFrame({"point": [0, 0, 1], "replicate": [0, 1, 0], "t": [1.0, 2.0, 3.0]})
    arr = by_point(values, "t", 2, 2)
    assert arr[0].tolist() == [1.0, 2.0] and arr[1, 0] == 3.0 and np.isnan(arr[1, 1])


# ---------------------------------------------------------------------------- spec errors
@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"wavez": 2}, "unknown key 'wavez' (did you mean \"waves\"?)"),
        (
            {"parameters": {"queue.studies_per_month": {"min": 1.0, "max": 2.0}}},
            "unknown parameter 'queue.studies_per_month' (did you mean \"queue.studies_per_month_us\"?)",
        ),
        (
            {"parameters": {"queue.system_study_months": {"min": 1.0, "max": 2.0}}},
            "queue.system_study_months has a confirmed source",
        ),
        (
            {"parameters": {"queue.mode": {"min": 1.0, "max": 2.0}}},
            "queue.mode is not numeric",
        ),
        (
            {"parameters": {"queue.studies_per_month_us": {"min": 5.0, "max": 2.0}}},
            "min = 5.0 >= max = 2.0; expected min < max",
        ),
        ({"seeds_per_point": 1}, "seeds_per_point = 1; expected a whole number from 2"),
        ({"targets": {"w": {"kpi": "x", "value": 1.0, "source": "s"}}}, "missing key 'sd'"),
        (
            {"targets": {"w": {"kpi": "x", "column": "y", "value": 1.0, "sd": 1.0, "source": "s"}}},
            "needs exactly one of kpi or column",
        ),
        (
            {
                "targets": {
                    "w": {
                        "column": "y",
                        "year": 2025,
                        "stat": "meen",
                        "value": 1,
                        "sd": 1,
                        "source": "s",
                    }
                }
            },
            "stat = 'meen' (did you mean \"mean\"?)",
        ),
        ({"fixed": {"queue.studies_per_month_us": 100.0}}, "both fixed and sampled"),
    ],
)
def test_a_bad_spec_names_the_key_the_value_and_what_was_expected(
    over: dict[str, Any], message: str
) -> None:
    """One InputError line per mistake, with the closest match where there is one."""
    with pytest.raises(InputError) as err:
        parse_spec(_spec(**over), "spec.toml")
    assert message in str(err.value) and str(err.value).startswith("spec.toml")


def test_a_bad_spec_exits_2_and_writes_nothing(tmp_path: Path, capsys: Any) -> None:
    """`powerstack calibrate` on a bad spec: one `error:` line, exit 2, no output folder."""
    bad = tmp_path / "bad.toml"
    bad.write_text('scenario = "baseline"\nwaves = 0\n[parameters]\n')
    out = tmp_path / "out"
    assert main(["calibrate", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert not out.exists()


def test_an_override_is_checked_and_named(tmp_path: Path, capsys: Any) -> None:
    """--seeds 1 is refused (an ensemble needs two seeds for its variance), naming the override."""
    out = tmp_path / "out"
    assert main(["calibrate", str(BASELINE_SPEC), "--seeds", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "seeds_per_point = 1" in err and "(with seeds_per_point = 1)" in err
    assert not out.exists()


# ---------------------------------------------------------------------------- target lists
def test_the_baseline_spec_fits_exactly_the_listed_calibration_targets() -> None:
    """scenarios/calibration/baseline.toml's targets are abm/calibration/targets.py's list."""
    spec = load_spec(BASELINE_SPEC)
    assert [t.name for t in spec.targets] == list(CALIBRATION_TARGETS)
    for t in spec.targets:
        if t.kpi is not None:
            assert CALIBRATION_TARGETS[t.name] == t.kpi


def test_calibration_facts_are_validation_checks_and_the_rest_is_held_out() -> None:
    """Every listed fact is a check of abm/validation.py; the checks not listed are held out."""
    from abm.validation import FACTS

    names = {f.name for f in FACTS}
    assert names >= CALIBRATION_FACTS
    held_out = [n for n in names if not is_calibration_target(n)]
    assert held_out and not set(held_out) & CALIBRATION_FACTS
    assert is_calibration_target("queue.withdrawn_share_storage")
    assert is_calibration_target("queue_active_gw_gen_storage", 2024)
    assert not is_calibration_target("queue_active_gw_gen_storage", 2022)
    # validation counts as fitted only checks behind adopted defaults, all of them spec targets
    fitted = {f.name for f in FACTS if f.role == "calibration target"}
    assert fitted and fitted <= CALIBRATION_FACTS


def test_every_calibration_spec_parses() -> None:
    """Each spec under scenarios/calibration/ is valid TOML and a valid spec."""
    for path in sorted((ROOT / "scenarios" / "calibration").glob("*.toml")):
        tomllib.loads(path.read_text())
        assert load_spec(path).targets


def test_the_report_renders_a_result_with_an_empty_region() -> None:
    """A calibration whose region emptied still reports its chosen point and says none is left."""
    result = {
        "spec": {
            "name": "x",
            "scenario": "baseline",
            "description": "d",
            "points_per_wave": 2,
            "seeds_per_point": 2,
            "months": 6,
            "cutoff": 3.0,
            "parameters": [{"key": "queue.a", "min": 1.0, "max": 2.0, "reason": "r"}],
            "targets": [
                {
                    "name": "w",
                    "kpi": "k",
                    "value": 55.0,
                    "sd": 5.0,
                    "discrepancy_sd": 0.0,
                    "source": "LBNL",
                }
            ],
        },
        "runs": 4,
        "failed_runs": 0,
        "wall_time_s": 60.0,
        "stopped": "no point of wave 1 is non-implausible",
        "waves": [{"wave": 1, "points": 2, "non_implausible": 0}],
        "posterior": {"queue.a": {"prior_min": 1.0, "prior_max": 2.0, "reason": "r"}},
        "chosen": {
            "wave": 1,
            "point": 0,
            "max_I": 4.0,
            "parameters": {"queue.a": 1.5},
            "targets": {"w": {"model_mean": 35.0, "model_sd": 1.0, "I": 4.0}},
        },
    }
    text = markdown(result)
    assert "none left" in text and "Stopped early" in text and "| w | KPI `k` | 55 |" in text


def test_a_wave_with_lost_runs_stops_the_calibration(tmp_path: Path, monkeypatch: Any) -> None:
    """Runs lost to a dead worker: the wave is not scored and no next wave is sampled from it."""
    import abm.calibration.waves as waves
    import abm.sweeps

    def partial_sweep(table: dict[str, Any], out: Path, **options: Any) -> pd.DataFrame:
        df = pd.DataFrame({"status": ["ok"]})
        df.attrs["sweep"] = {"remaining": 3, "planned_runs": 4}
        return df

    monkeypatch.setattr(waves, "check_spec", lambda spec: None)
    monkeypatch.setattr(abm.sweeps, "run_sweep", partial_sweep)
    with pytest.raises(waves.IncompleteWaveError, match="3 of 4 runs not recorded"):
        waves.run_calibration(parse_spec(_spec()), tmp_path / "out")
