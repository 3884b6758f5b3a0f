"""Modular second life or modular new: the two options a hyperscaler weighs in place of one modular choice.

Each option has its own storage cost (the pack market's value-equivalent second-life cost, or
new storage's expected price) and its own learned wait (what the vendors quote for it: factory
plus pack wait, or factory and new-storage lead). Both stay under the `modular` choice in the
catalogue, so every modular total still adds them up. The vendor takes the order with the
storage chosen; a second-life order falls back to new storage when its packs come too late
(`abm.agents.vendor_order.gives_up_on_packs`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from abm.catalogue import choice_of
from abm.vocabulary import Choice, Path

if TYPE_CHECKING:
    from collections.abc import Iterable

    from abm.schema import ScenarioConfig
    from abm.signals import Signals

MODULAR_OPTIONS: tuple[str, ...] = (Path.MODULAR_SECOND_LIFE, Path.MODULAR_NEW)


def second_life_offered(config: ScenarioConfig) -> bool:
    """Vendors offer second-life sites unless every retired pack is routed to recycling."""
    return config.packs.routing != "recycle_first"


def logit_options(choices: Iterable[str], config: ScenarioConfig) -> list[str]:
    """The options of the path logit: each choice as it is, `modular` split into its storage options."""
    out: list[str] = []
    for choice in choices:
        if choice != Choice.MODULAR:
            out.append(choice)
            continue
        out.extend(
            o
            for o in MODULAR_OPTIONS
            if o != Path.MODULAR_SECOND_LIFE or second_life_offered(config)
        )
    return out


def storage_cost_usd_per_kwh(option: str, signals: Signals) -> float:
    """The storage cost per usable kWh a modular option plans on (the combined modular signal if the split is absent)."""
    if option == Path.MODULAR_SECOND_LIFE and signals.second_life_storage_cost_usd_per_kwh:
        return signals.second_life_storage_cost_usd_per_kwh
    if option == Path.MODULAR_NEW and signals.new_storage_cost_usd_per_kwh:
        return signals.new_storage_cost_usd_per_kwh
    return signals.modular_storage_cost_usd_per_kwh


def prior_waits_months(config: ScenarioConfig) -> dict[str, float]:
    """Each modular option's prior wait: vendor delivery plus solar permitting (schema sources)."""
    v = config.vendors
    return dict.fromkeys(MODULAR_OPTIONS, v.delivery_months + v.solar_permit_months)


def wait_key(path: str, expected_wait_months: dict[str, float]) -> str:
    """The key of a project's path in a firm's learned waits: the option itself, else its choice."""
    return path if path in expected_wait_months else choice_of(path)
