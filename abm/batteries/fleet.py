"""The installed storage fleet as cohort arrays: install, re-duty, age, retire, and totals."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from abm.batteries.fade import FadeParams, fade_step_at_rate
from abm.batteries.fleet_rates import CohortRates
from abm.batteries.products import CHEMISTRIES, LFP, Product
from abm.errors import InputError

_FLEET_FIELDS = (
    "product",
    "owner",
    "installed_month",
    "nameplate_gwh",
    "soh",
    "c_rate",
    "efc_per_month",
    "duty_multiplier",
    "chemistry",
)


def _check_lot(
    product: int,
    chemistry: int,
    soh: float,
    nameplate_gwh: float,
    c_rate: float,
    efc_per_month: float,
    duty_multiplier: float,
) -> None:
    """Raise InputError for an unknown product or chemistry, or a negative or non-finite lot."""
    if not 0 <= int(product) < len(Product):
        raise InputError(f"product must be 0..{len(Product) - 1}, got {product}")
    if not 0 <= int(chemistry) < len(CHEMISTRIES):
        raise InputError(f"chemistry must be 0..{len(CHEMISTRIES) - 1}, got {chemistry}")
    for name, value in (
        ("nameplate_gwh", nameplate_gwh),
        ("c_rate", c_rate),
        ("efc_per_month", efc_per_month),
        ("duty_multiplier", duty_multiplier),
    ):
        if not np.isfinite(value) or value < 0:
            raise InputError(f"StorageFleet.add: {name} must be finite and >= 0, got {value}")
    if not 0.0 <= soh <= 1.0:
        raise InputError(f"StorageFleet.add: soh must be in [0, 1], got {soh}")


class StorageFleet:
    """Installed storage as cohort arrays (never one object per pack).

    Arrays: product (0..3, see `abm.batteries.products.Product`), owner (int), installed_month, nameplate_gwh, soh, c_rate,
    efc_per_month, duty_multiplier, chemistry (index into `CHEMISTRIES`). Cohorts with the same
    (product, owner, installed_month, chemistry) merge:
    nameplate adds, SoH is nameplate-weighted (so usable GWh is exact) and the duty attributes are
    nameplate-weighted too. The array length is thus bounded by owners × products × install months.
    """

    def __init__(self) -> None:
        """Start empty, with running totals for the conservation check."""
        self.product = np.zeros(0, dtype=np.int64)
        self.owner = np.zeros(0, dtype=np.int64)
        self.installed_month = np.zeros(0, dtype=np.int64)
        self.nameplate_gwh = np.zeros(0)
        self.soh = np.zeros(0)
        self.c_rate = np.zeros(0)
        self.efc_per_month = np.zeros(0)
        self.duty_multiplier = np.zeros(0)
        self.chemistry = np.zeros(0, dtype=np.int64)
        self.added_nameplate_gwh = 0.0
        self.retired_nameplate_gwh = 0.0
        self._rates = CohortRates()  # cohort fade rates kept while their duty stays (`age`)

    def __len__(self) -> int:
        """Number of cohorts."""
        return int(self.product.size)

    def add(
        self,
        product: int,
        owner: int,
        nameplate_gwh: float,
        soh: float,
        month: int,
        c_rate: float,
        efc_per_month: float,
        duty_multiplier: float,
        chemistry: int = LFP,
    ) -> None:
        """Install one lot; merges into an existing cohort with the same (product, owner, month, chemistry)."""
        _check_lot(product, chemistry, soh, nameplate_gwh, c_rate, efc_per_month, duty_multiplier)
        if nameplate_gwh == 0:
            return
        self.added_nameplate_gwh += float(nameplate_gwh)
        hit = np.flatnonzero(
            (self.product == product)
            & (self.owner == owner)
            & (self.installed_month == month)
            & (self.chemistry == chemistry)
        )
        if hit.size:
            i = int(hit[0])
            old, new = self.nameplate_gwh[i], float(nameplate_gwh)
            total = old + new
            for name, value in (
                ("soh", soh),
                ("c_rate", c_rate),
                ("efc_per_month", efc_per_month),
                ("duty_multiplier", duty_multiplier),
            ):
                arr = getattr(self, name)
                arr[i] = (arr[i] * old + value * new) / total
            self.nameplate_gwh[i] = total
            return
        values = {
            "product": product,
            "owner": owner,
            "installed_month": month,
            "nameplate_gwh": nameplate_gwh,
            "soh": soh,
            "c_rate": c_rate,
            "efc_per_month": efc_per_month,
            "duty_multiplier": duty_multiplier,
            "chemistry": chemistry,
        }
        for name in _FLEET_FIELDS:
            arr = getattr(self, name)
            setattr(self, name, np.append(arr, np.asarray(values[name], dtype=arr.dtype)))

    def add_many(
        self,
        product: int,
        owners: np.ndarray,
        nameplate_gwh: np.ndarray,
        soh: float,
        month: int,
        c_rate: float,
        efc_per_month: float,
        duty_multiplier: float,
        chemistry: int = LFP,
    ) -> None:
        """Install one product and chemistry for many owners in one month (e.g. augmentation), vectorised.

        Same result as calling `add` per owner: lots for an existing (product, owner, month) cohort
        merge into it, the rest are appended in one concatenation.
        """
        owners = np.asarray(owners, dtype=np.int64)
        gwh = np.asarray(nameplate_gwh, dtype=float)
        if owners.shape != gwh.shape:
            raise InputError(
                "StorageFleet.add_many: owners and nameplate_gwh must have the same shape"
            )
        keep = gwh > 0
        owners, gwh = owners[keep], gwh[keep]
        if not owners.size:
            return
        existing = (
            (self.product == product)
            & (self.installed_month == month)
            & (self.chemistry == chemistry)
        )
        clash = np.isin(owners, self.owner[existing])
        duty = (c_rate, efc_per_month, duty_multiplier, chemistry)
        for owner, lot in zip(owners[clash], gwh[clash], strict=True):
            self.add(product, int(owner), float(lot), soh, month, *duty)
        owners, gwh = owners[~clash], gwh[~clash]
        if not owners.size:
            return
        if not np.all(np.isfinite(gwh)) or not 0.0 <= soh <= 1.0:
            raise InputError("StorageFleet.add_many: nameplate must be finite and soh in [0, 1]")
        n = owners.size
        self.added_nameplate_gwh += float(gwh.sum())
        values = {
            "product": np.full(n, product),
            "owner": owners,
            "installed_month": np.full(n, month),
            "nameplate_gwh": gwh,
            "soh": np.full(n, soh),
            "c_rate": np.full(n, c_rate),
            "efc_per_month": np.full(n, efc_per_month),
            "duty_multiplier": np.full(n, duty_multiplier),
            "chemistry": np.full(n, chemistry),
        }
        for name in _FLEET_FIELDS:
            arr = getattr(self, name)
            setattr(self, name, np.concatenate([arr, values[name].astype(arr.dtype)]))

    def set_duty(
        self,
        owner: int,
        c_rate: float,
        efc_per_month: float,
        duty_multiplier: float,
        product: int | None = None,
    ) -> None:
        """Change how an owner runs its storage (all products, or one), e.g. when AI load changes."""
        mask = self.owner == owner
        if product is not None:
            mask &= self.product == product
        self.c_rate[mask] = c_rate
        self.efc_per_month[mask] = efc_per_month
        self.duty_multiplier[mask] = duty_multiplier

    def age(self, months: float, params: FadeParams | Mapping[str, FadeParams]) -> None:
        """Fade every cohort by ``months`` of its own duty; second-life products use the SL multiplier.

        ``params`` is one FadeParams for every cohort, or one per chemistry name (``CHEMISTRIES``).
        """
        if len(self) == 0:
            return
        by_chem = params if isinstance(params, Mapping) else dict.fromkeys(CHEMISTRIES, params)
        soh = self.soh.copy()
        for index, name in enumerate(CHEMISTRIES):
            rows = self.chemistry == index
            if not rows.any():
                continue
            p = by_chem[name]
            rate = self._rates.rates(
                index,
                p,
                self.efc_per_month[rows],
                self.c_rate[rows],
                self.duty_multiplier[rows],
                self.product[rows] != Product.NEW,
            )
            soh[rows] = fade_step_at_rate(self.soh[rows], months, rate, p)
        self.soh = soh

    def retire_cohorts(self, eol_soh: float) -> dict[str, np.ndarray]:
        """Remove cohorts with soh < eol_soh and return their arrays (for routing back to recyclers)."""
        gone = self.soh < eol_soh
        out = {name: getattr(self, name)[gone].copy() for name in _FLEET_FIELDS}
        keep = ~gone
        for name in _FLEET_FIELDS:
            setattr(self, name, getattr(self, name)[keep])
        self.retired_nameplate_gwh += float(out["nameplate_gwh"].sum())
        return out

    def retire(self, eol_soh: float) -> np.ndarray:
        """Remove cohorts with soh < eol_soh; return nameplate GWh retired per product, (4,)."""
        out = self.retire_cohorts(eol_soh)
        return np.bincount(out["product"], weights=out["nameplate_gwh"], minlength=len(Product))

    def retire_by_eol(self, second_life_eol_soh: float, new_eol_soh: float) -> np.ndarray:
        """Retire second-life cohorts below one SoH and new-storage cohorts below another; (4,) GWh."""
        eol = np.where(self.product == Product.NEW, new_eol_soh, second_life_eol_soh)
        gone = self.soh < eol
        out = {name: getattr(self, name)[gone] for name in ("product", "nameplate_gwh")}
        for name in _FLEET_FIELDS:
            setattr(self, name, getattr(self, name)[~gone])
        self.retired_nameplate_gwh += float(out["nameplate_gwh"].sum())
        return np.bincount(out["product"], weights=out["nameplate_gwh"], minlength=len(Product))

    def usable_gwh(self, owner: int | None = None) -> float:
        """Usable energy, sum of nameplate × SoH, for one owner or the whole fleet."""
        usable = self.nameplate_gwh * self.soh
        if owner is not None:
            usable = usable[self.owner == owner]
        return float(usable.sum())

    def usable_gwh_by_owner(self, n_owners: int) -> np.ndarray:
        """Usable GWh per owner 0..n_owners-1, (n_owners,)."""
        if len(self) and (self.owner.min() < 0 or self.owner.max() >= n_owners):
            raise InputError(f"owner ids must be in 0..{n_owners - 1}")
        return np.bincount(self.owner, weights=self.nameplate_gwh * self.soh, minlength=n_owners)

    def nameplate_gwh_by_product(self) -> np.ndarray:
        """Nameplate GWh in service per product, (4,)."""
        return np.bincount(self.product, weights=self.nameplate_gwh, minlength=len(Product))
