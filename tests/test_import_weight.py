"""What importing the model loads: heavy libraries come in where they are used (issue 22).

Every sweep worker, every spawned counterfactual and every cold `powerstack run` pays for
`import abm.model`; the target is at most 1 s (`import mesa` alone costs about that on the
benchmark machine, docs/performance-notes.md). Each check runs a fresh interpreter and asserts on
the `sys.modules` it ends with, never on a time: the machine is shared, and a module that is not
loaded costs nothing on any machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Libraries no model import needs: each is imported by the one path that uses it (the Weibull
#: fit of the battery constants, paired intervals, parquet writing, sweeps on a cluster, the app,
#: pandapower grids), or the grid build (csgraph), and each costs tens of ms to seconds.
HEAVY = (
    "scipy.optimize",
    "scipy.stats",
    "scipy.sparse.csgraph",
    "scipy.interpolate",
    "scipy.integrate",
    "pyarrow.parquet",
    "dask",
    "distributed",
    "matplotlib",
    "solara",
    "pandapower",
    "sklearn",
    "SALib",
)
#: What the scenario schema and the command line's parser do not need on top of HEAVY: the
#: data-frame and model libraries (`import abm` and `powerstack --help` stay fast).
MODEL_LIBRARIES = ("pandas", "pyarrow", "scipy", "mesa", "networkx", "highspy")


def loaded_after(code: str, candidates: tuple[str, ...]) -> list[str]:
    """Which of `candidates` are in `sys.modules` after running `code` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {candidates!r} if m in sys.modules]))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_model_import_loads_no_heavy_library() -> None:
    assert loaded_after("import abm.model", HEAVY) == []


@pytest.mark.parametrize("code", ["import abm", "import abm.cli"])
def test_scenario_and_cli_import_load_no_model_library(code: str) -> None:
    assert loaded_after(code, HEAVY + MODEL_LIBRARIES) == []


def test_the_probe_sees_a_lazy_import_when_it_happens() -> None:
    """Reading the Busch Weibull constant solves it, which is when scipy.optimize comes in."""
    code = "import abm.batteries as b\nassert b.EV_PACK_WEIBULL_SHAPE > 0"
    assert loaded_after("import abm.batteries", ("scipy.optimize",)) == []
    assert loaded_after(code, ("scipy.optimize",)) == ["scipy.optimize"]


def test_a_model_run_needs_no_optimiser_or_statistics() -> None:
    """Two months of the baseline: the run reads the scenario's Weibull, never solves one."""
    code = (
        "from abm.model import PowerStackModel\n"
        "m = PowerStackModel('baseline', rng=1, **{'run.months': 2})\n"
        "m.step()\nm.step()"
    )
    assert loaded_after(code, ("scipy.optimize", "scipy.stats")) == []


def test_lazy_weibull_constants_are_the_solved_fit() -> None:
    import abm.batteries as b
    from abm.batteries import retirements

    fit = b.weibull_from_mean_sd(b.EV_PACK_LIFETIME_MEAN_YEARS, b.EV_PACK_LIFETIME_SD_YEARS)
    assert fit == (b.EV_PACK_WEIBULL_SHAPE, b.EV_PACK_WEIBULL_SCALE_YEARS)
    assert fit[0] == retirements.EV_PACK_WEIBULL_SHAPE
    sales = {2015: 10.0, 2020: 40.0}
    default = b.ev_retirements_gwh(sales, 2020, 1, 24)
    assert default.tolist() == b.ev_retirements_gwh(sales, 2020, 1, 24, *fit).tolist()
    with pytest.raises(AttributeError, match="NO_SUCH_CONSTANT"):
        _ = b.NO_SUCH_CONSTANT
    with pytest.raises(AttributeError, match="NO_SUCH_CONSTANT"):
        _ = retirements.NO_SUCH_CONSTANT
