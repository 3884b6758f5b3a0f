"""Shiftable compute's results: MWh moved within the day, on the grid and at modular sites, and the storage it saved.

Columns: `shifted_grid_mwh` (data-centre load the power market moved out of dear hours),
`shifted_peak_cut_mw` (what that took out of the peak hour) and `shifted_modular_mwh` (load
energised modular sites moved into their sun hours). KPIs under `shiftable_compute`: the run's
shifted GWh by kind (and between an owner's grid sites), the price spread the grid shifts
captured, the shift cost paid, the largest peak-hour cut, the usable storage per MW the
vendors' energised sites were built with, and the design storage shifting saved
(docs/shiftable-compute.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from abm.shiftable import HOURS_PER_DAY, modular_shifted_mwh_per_mw_day, modular_storage_mwh_per_mw
from abm.vocabulary import Path
from abm.world import HOURS_PER_MONTH

Model = Any  # metrics never import abm.model
Reporter = Callable[[dict[str, Any]], Any]
KINDS = ("grid", "modular")
#: Money sums: the spread captured in time and in space, the shift cost by where it was paid.
MONEY = ("grid_saving", "spatial_saving", "cost_grid", "cost_modular")
MODULAR_PATHS = (Path.MODULAR_SECOND_LIFE, Path.MODULAR_NEW)


class ShiftView:
    """This month's shifted MWh by kind, and their run sums."""

    def __init__(self, model: Model) -> None:
        """A view of `model`'s power market and modular sites, with zero sums."""
        self.model = model
        self.month_mwh = dict.fromkeys(KINDS, 0.0)
        self.sums_mwh = dict.fromkeys(KINDS, 0.0)
        self.money_usd = dict.fromkeys(MONEY, 0.0)  # run sums
        self.spatial_mwh = 0.0  # run sum
        self.peak_cut_mw = 0.0  # this month's
        self.peak_cut_mw_max = 0.0

    def observe(self, energized: dict[str, float]) -> None:
        """Book this month's shifted MWh: the market's total and the modular MW's daily shift."""
        cfg = self.model.config
        modular_mw = sum(energized.get(p, 0.0) for p in MODULAR_PATHS)
        days = HOURS_PER_MONTH / HOURS_PER_DAY
        self.month_mwh = {
            "grid": float(self.model.power.totals.get("shifted_mwh", 0.0)),
            "modular": modular_mw * modular_shifted_mwh_per_mw_day(cfg) * days,
        }
        for k, v in self.month_mwh.items():
            self.sums_mwh[k] += v
        tot = self.model.power.totals
        self.spatial_mwh += float(tot.get("spatial_shifted_mwh", 0.0))
        month_usd = {
            "grid_saving": tot.get("shifted_saving_usd", 0.0),
            "spatial_saving": tot.get("spatial_shifted_saving_usd", 0.0),
            "cost_grid": tot.get("shift_cost_usd", 0.0),
            "cost_modular": self.month_mwh["modular"] * cfg.demand.shift_cost_usd_per_mwh,
        }
        for k, v in month_usd.items():
            self.money_usd[k] += float(v)
        self.peak_cut_mw = float(self.model.power.totals.get("shifted_peak_cut_mw", 0.0))
        self.peak_cut_mw_max = max(self.peak_cut_mw_max, self.peak_cut_mw)

    def reporters(self) -> list[tuple[str, Reporter]]:
        """Columns `shifted_grid_mwh`, `shifted_peak_cut_mw` and `shifted_modular_mwh`."""

        def mwh(kind: str) -> Reporter:
            return lambda _: self.month_mwh[kind]

        grid, modular = (f"shifted_{k}_mwh" for k in KINDS)
        peak = ("shifted_peak_cut_mw", lambda _: self.peak_cut_mw)
        return [(grid, mwh("grid")), peak, (modular, mwh("modular"))]

    def kpis(self) -> dict[str, Any]:
        """Shifted GWh by kind; modular storage built per MW, its design without shifting, the GWh saved."""
        cfg = self.model.config
        vendors = self.model.roster.vendors
        mw = sum(v.delivered_mw for v in vendors)
        kwh = sum(v.installed_storage_kwh for v in vendors)
        saved_mwh_per_mw = cfg.vendors.storage_mwh_per_mw - modular_storage_mwh_per_mw(cfg)
        return {
            "shifted_gwh": {k: round(v / 1000.0, 6) for k, v in self.sums_mwh.items()},
            "spatial_shifted_gwh": round(self.spatial_mwh / 1000.0, 6),
            "spread_captured_musd": {
                "grid": round(self.money_usd["grid_saving"] / 1e6, 6),
                "spatial": round(self.money_usd["spatial_saving"] / 1e6, 6),
            },
            "shift_cost_musd": {
                "grid": round(self.money_usd["cost_grid"] / 1e6, 6),
                "modular": round(self.money_usd["cost_modular"] / 1e6, 6),
            },
            "grid_peak_cut_mw_max": round(self.peak_cut_mw_max, 6),
            "modular_storage_mwh_per_mw": round(kwh / 1000.0 / mw, 6) if mw > 0 else None,
            "modular_storage_mwh_per_mw_unshifted": cfg.vendors.storage_mwh_per_mw,
            "modular_storage_saved_gwh": round(mw * saved_mwh_per_mw / 1000.0, 6),
        }
