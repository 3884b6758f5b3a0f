"""The second-use CO2 counterfactual: attributional saving, end-of-horizon credit, consequential saving.

Both arms follow one end-of-horizon rule: embodied storage CO2 is charged for the service used
inside the horizon, so packs still in service at the end are credited their salvage share, and
every pack still in service or held by a recycler is credited the recycling it will eventually
get (recycle-first gets it inside the horizon). The arithmetic is `abm.carbon`; this module
reads the run's fleet and stocks (docs/batteries.md, "The second-use CO2 counterfactual").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from abm.batteries.products import CHEMISTRIES
from abm.carbon import (
    displaced_new_t,
    end_of_horizon_credit_t,
    remaining_share,
    service_kwh_months,
)
from abm.vocabulary import Product

Model = Any  # the model's services, typed as Any so that metrics never imports abm.model


class SecondUseAccount:
    """Accumulates second-life storage service month by month; the counterfactual KPIs at the end."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.second_life_service_kwh_months = 0.0  # usable kWh-months of second-life storage
        self.displaced_new_t = 0.0  # new storage (net of its recycling) giving the same service
        self._new_life: dict[tuple[float, float, float], float] = {}
        self._shares: tuple[int, dict[str, np.ndarray]] | None = None  # (month, shares)

    def _new_life_kwh_months(self, duty: tuple[float, float, float]) -> float:
        """Lifetime service of one new nameplate kWh under a duty (efc/month, C-rate, multiplier)."""
        if duty not in self._new_life:
            m = self.model
            life = service_kwh_months(
                1.0, m.config.batteries.new_eol_soh, *duty, False, m.packs.fade_params
            )
            self._new_life[duty] = float(life[0])
        return self._new_life[duty]

    def observe_month(self) -> None:
        """Add this month's second-life usable kWh-months and the new storage they displace."""
        fleet, carbon = self.model.packs.fleet, self.model.carbon
        sl = fleet.product < Product.NEW
        if not sl.any():
            return
        usable_kwh = fleet.nameplate_gwh[sl] * fleet.soh[sl] * 1e6
        duties = np.stack([fleet.efc_per_month[sl], fleet.c_rate[sl], fleet.duty_multiplier[sl]])
        keys, which = np.unique(duties.round(9), axis=1, return_inverse=True)
        for i in range(keys.shape[1]):
            service = float(usable_kwh[which.ravel() == i].sum())
            duty = (float(keys[0, i]), float(keys[1, i]), float(keys[2, i]))
            self.displaced_new_t += displaced_new_t(
                service, self._new_life_kwh_months(duty), carbon
            )
            self.second_life_service_kwh_months += service

    def _fleet_shares(self) -> dict[str, np.ndarray]:
        """Per cohort in service: nameplate kWh, burden per nameplate kWh, salvage share (once a month)."""
        month = self.model.month
        if self._shares is None or self._shares[0] != month:
            self._shares = (month, self._compute_fleet_shares())
        return self._shares[1]

    def _compute_fleet_shares(self) -> dict[str, np.ndarray]:
        """Per cohort in service: nameplate kWh, burden per nameplate kWh, salvage share."""
        m = self.model
        f, b, c = m.packs.fleet, m.config.batteries, m.carbon
        sl = f.product < Product.NEW
        soh_install = m.packs.grade_soh[f.product]  # A, B, C at their grade's SoH; new at 1.0
        eol = np.where(sl, b.second_life_eol_soh, b.new_eol_soh)
        life, ahead = np.zeros(len(f)), np.zeros(len(f))
        for index, name in enumerate(
            CHEMISTRIES
        ):  # each cohort on its chemistry's fade, as it ages
            rows = f.chemistry == index
            if not rows.any():
                continue
            duty = (f.efc_per_month[rows], f.c_rate[rows], f.duty_multiplier[rows], sl[rows])
            params = m.packs.fade_by_chemistry[name]
            life[rows] = service_kwh_months(soh_install[rows], eol[rows], *duty, params)
            ahead[rows] = service_kwh_months(f.soh[rows], eol[rows], *duty, params)
        burden = np.where(sl, c.repurpose_kg_per_kwh * soh_install, c.new_storage_kg_per_kwh)
        return {
            "nameplate_kwh": f.nameplate_gwh * 1e6,
            "burden": burden,
            "share": remaining_share(ahead, life) if len(f) else np.zeros(0),
            "second_life": sl,
            "usable_at_install_kwh": f.nameplate_gwh * 1e6 * soh_install,
        }

    def _in_delivery(self) -> dict[str, float]:
        """Second-life packs bought but not yet installed: nameplate and usable kWh (none served yet).

        Their SoH is the mean of all second-life purchases (the stock does not keep grades).
        """
        packs = self.model.packs
        nameplate_kwh = max(0.0, packs.stocks["in_delivery_gwh"]) * 1e6
        bought_nameplate = float(packs.storage_bought_nameplate_kwh[: Product.NEW].sum())
        bought_usable = float(packs.storage_bought_kwh[: Product.NEW].sum())
        soh = bought_usable / bought_nameplate if bought_nameplate > 0 else 0.0
        return {"nameplate_kwh": nameplate_kwh, "usable_kwh": nameplate_kwh * soh}

    def end_of_horizon_credit_t(self) -> dict[str, float]:
        """The run's end-of-horizon credit (t, <= 0): fleet and in-delivery salvage and recycling, recyclers' stocks."""
        m = self.model
        s = self._fleet_shares()
        d = self._in_delivery()
        fleet = end_of_horizon_credit_t(
            np.append(s["nameplate_kwh"], d["nameplate_kwh"]),
            np.append(
                s["burden"],
                m.carbon.repurpose_kg_per_kwh * d["usable_kwh"] / max(d["nameplate_kwh"], 1.0),
            ),
            np.append(s["share"], 1.0),  # not yet in service: its whole burden is still ahead
            m.carbon,
        )
        held_kwh = sum(
            r.awaiting_test_gwh + float(r.inventory_gwh.sum()) for r in m.roster.recyclers
        )
        held_t = held_kwh * 1e6 * m.carbon.recycling_credit_kg_per_kwh / 1000.0
        return {**fleet, "held_by_recyclers": held_t, "total": fleet["total"] + held_t}

    def attributional(self) -> dict[str, float | None]:
        """Attributional saving: new storage displaced minus second-life storage, service held as in the run.

        Second-life side: repurposing of every second-life kWh bought (augmentation included)
        less the salvage of those still in service; the EV packs' own recycling credit is the
        same in both arms under the end-of-horizon rule and cancels. Per kWh: the saving per
        second-life kWh used up inside the horizon (kg CO2/kWh).
        """
        m = self.model
        s = self._fleet_shares()
        sl = s["second_life"]
        # bought but not yet installed: not used, so neither charged nor counted
        bought_kwh = float(m.packs.storage_bought_kwh[: Product.NEW].sum())
        bought_kwh -= self._in_delivery()["usable_kwh"]
        salvage_t = float(np.sum(s["nameplate_kwh"][sl] * s["burden"][sl] * s["share"][sl])) / 1e3
        second_life_t = bought_kwh * m.carbon.repurpose_kg_per_kwh / 1000.0 - salvage_t
        saving_t = self.displaced_new_t - second_life_t
        used_kwh = bought_kwh - float(np.sum(s["usable_at_install_kwh"][sl] * s["share"][sl]))
        return {
            "attributional": float(saving_t / 1e6),
            "attributional_kg_per_kwh": float(saving_t * 1e3 / used_kwh) if used_kwh > 0 else None,
            "second_life_kwh_used": float(used_kwh),
            "displaced_new": float(self.displaced_new_t / 1e6),
            "second_life_embodied": float(second_life_t / 1e6),
        }


def whole_system_mt(co2_mt: dict[str, Any]) -> float | None:
    """A run's total CO2 under the end-of-horizon rule (Mt): its total plus its end credit (<= 0)."""
    total, credit = co2_mt.get("total"), co2_mt.get("end_of_horizon_credit")
    return None if total is None or credit is None else float(total) + float(credit)


def consequential_saving_mt(
    co2_mt: dict[str, Any], counterfactual_co2_mt: dict[str, Any]
) -> float | None:
    """Whole-system CO2 of the recycle-first twin minus this run's, both under the end-of-horizon rule (Mt)."""
    run, twin = whole_system_mt(co2_mt), whole_system_mt(counterfactual_co2_mt)
    return None if run is None or twin is None else twin - run
