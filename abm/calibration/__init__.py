"""Calibration with uncertainty: history matching of unconfirmed parameters on the sweep engine.

`powerstack calibrate SPEC` (docs/calibration.md) samples the parameters a spec names within
their ranges, runs a small ensemble per point through `abm.sweeps` (process pool or Dask),
scores every point by its implausibility against targets with stated uncertainties, keeps the
non-implausible region over waves, and writes posterior ranges and a chosen parameter set.

Modules: `spec` (what a calibration is), `parsing` (spec files), `checks` (before any run),
`sampling` (each wave's points), `statistics` (targets from a sweep folder), `implausibility`
(the measure), `waves` (`run_calibration`), `results` and `report` (the files), `targets` (the
names of the baseline's calibration targets, for validation), `cli` (the subcommand).
"""
