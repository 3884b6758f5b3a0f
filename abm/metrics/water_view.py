"""Water the AI load consumes each month: direct (cooling on site) and indirect (its generators).

Columns in megalitres a month: `water_direct_ml`, `water_indirect_ml`, `water_ml_<path>` for every
enabled path, `water_ml_existing_fleet` (the data centres energised before the run, cooled at
the fleet's measured WUE and served by the grid) and `water_ml_stressed` / `water_ml_unstressed`
by the water-stress class of the site's bus. Bridge gas counts with the grid project it serves
(its cooling, on-site gas's water). KPIs: `water_bn_litres` over the run (docs/water.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from abm.grid.topology import TECHS
from abm.vocabulary import Path, Status
from abm.water_factors import (
    direct_l_per_mwh,
    grid_l_per_mwh,
    indirect_l_per_mwh,
    stressed_buses_of,
)
from abm.world import HOURS_PER_MONTH

Model = Any  # metrics never import abm.model
Reporter = Callable[[dict[str, Any]], Any]
FLEET = "existing_fleet"
CLASSES = ("stressed", "unstressed")


class WaterView:
    """This month's litres by kind, path and stress class, and their run sums."""

    def __init__(self, model: Model, paths: list[str]) -> None:
        """A view of `model`'s projects and power mix for the enabled `paths`, with zero sums."""
        self.model, self.paths = model, paths
        self.keys = ["direct", "indirect", *paths, FLEET, *CLASSES]
        self.sums_l = dict.fromkeys(self.keys, 0.0)
        self.month_l = dict.fromkeys(self.keys, 0.0)

    def _add(
        self,
        out: dict[str, float],
        path: str,
        mwh: float,
        stressed: bool,
        factors: dict[str, tuple[float, float]],
    ) -> None:
        """Book `mwh` of a path's load at a site of one stress class (litres per MWh from `factors`)."""
        direct_l, indirect_l = factors[path]
        direct = mwh * direct_l
        indirect = mwh * indirect_l
        out["direct"] += direct
        out["indirect"] += indirect
        out[path] += direct + indirect
        out[CLASSES[0] if stressed else CLASSES[1]] += direct + indirect

    def observe(self) -> dict[str, float]:
        """This month's litres (and add them to the run's sums)."""
        m = self.model
        cfg = m.config
        mwh_per_mw = HOURS_PER_MONTH * cfg.demand.load_factor
        stressed = stressed_buses_of(m.grid)
        grid_l = grid_l_per_mwh(cfg, TECHS, m.power.generation_share)
        out = dict.fromkeys(self.keys, 0.0)
        # (direct, indirect) litres per MWh of each path this month, the same floats for every site
        factors = {
            path: (direct_l_per_mwh(cfg, path), indirect_l_per_mwh(cfg, path, grid_l))
            for path in self.paths
        }
        for p in m.projects:
            if p.status is Status.ENERGIZED and p.path in out:
                self._add(out, p.path, p.mw * mwh_per_mw, bool(stressed[p.node]), factors)
            elif p.bridge_online(m.month):  # cooled as a grid DC, powered by on-site gas
                mwh = p.bridge_mw * mwh_per_mw
                direct = mwh * direct_l_per_mwh(cfg, Path.GRID)
                indirect = mwh * cfg.water.gen_onsite_gas_l_per_mwh
                out["direct"] += direct
                out["indirect"] += indirect
                out[Path.GRID] += direct + indirect
                out[CLASSES[0] if stressed[p.node] else CLASSES[1]] += direct + indirect
        self._add_fleet(out, m.projects.existing_mw * mwh_per_mw, stressed, grid_l)
        for k, v in out.items():
            self.sums_l[k] += v
        self.month_l = out
        return out

    def _add_fleet(
        self, out: dict[str, float], mwh: float, stressed: np.ndarray, grid_l: float
    ) -> None:
        """The pre-run fleet: fleet WUE on site, the grid's mix; split by the grid's load at stressed buses."""
        m = self.model
        direct = mwh * m.config.water.fleet_direct_l_per_kwh * 1000.0
        indirect = mwh * grid_l
        load = m.grid.base_load_mw
        share = float(load[stressed].sum() / load.sum()) if load.sum() > 0 else 0.0
        out["direct"] += direct
        out["indirect"] += indirect
        out[FLEET] += direct + indirect
        out[CLASSES[0]] += share * (direct + indirect)
        out[CLASSES[1]] += (1.0 - share) * (direct + indirect)

    def reporters(self) -> list[tuple[str, Reporter]]:
        """Columns (ML a month): direct, indirect, by path (the fleet included) and by stress class."""

        def ml(key: str) -> Reporter:
            return lambda _: self.month_l[key] / 1e6

        names = {"direct": "water_direct_ml", "indirect": "water_indirect_ml"}
        return [(names.get(k, f"water_ml_{k}"), ml(k)) for k in self.keys]

    def kpis(self) -> dict[str, Any]:
        """`water_bn_litres` over the run: direct, indirect, total, by path and by stress class."""
        bn = {k: v / 1e9 for k, v in self.sums_l.items()}
        return {
            "direct": bn["direct"],
            "indirect": bn["indirect"],
            "total": bn["direct"] + bn["indirect"],
            "by_path": {k: bn[k] for k in [*self.paths, FLEET]},
            "by_stress_class": {k: bn[k] for k in CLASSES},
        }
