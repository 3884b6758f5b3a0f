"""The modular options' expected cost to a hyperscaler and the contract it chooses: fade and fuel are paid for, and its own risk loading decides."""

from __future__ import annotations

from dataclasses import replace

import pytest

from abm import contracts
from abm.agents.hyperscaler import Hyperscaler
from abm.signals import Signals
from abm.streams import Streams
from abm.vocabulary import Choice, Path

SIGNALS = Signals(
    month=0,
    expected_lmp_usd_per_mwh=60.0,
    grid_co2_t_per_mwh=0.4,
    expected_upgrade_share=0.3,
    modular_storage_cost_usd_per_kwh=100.0,
    second_life_storage_cost_usd_per_kwh=60.0,
    new_storage_cost_usd_per_kwh=150.0,
    second_life_fade_per_year=0.03,
    new_fade_per_year=0.02,
)


def _firm(model, config, make_desk, make_sites, **contract_keys) -> Hyperscaler:
    return Hyperscaler(
        model,
        1.0,
        config=config(contracts=contract_keys),
        streams=Streams(1),
        projects=make_desk(paths=("grid", Choice.MODULAR)),
        sites=make_sites(),
    )


def _costs(model, config, make_desk, make_sites, signals=SIGNALS, **keys) -> dict[str, float]:
    return _firm(model, config, make_desk, make_sites, **keys).path_costs_usd_per_mw_month(
        100.0, signals
    )


def test_an_option_costs_its_cheapest_contract(model, config, make_desk, make_sites):
    """The option's path cost moves with the contract it would take: BaaS's loading moves second life only while BaaS is the pick."""
    baas = {"owner_risk_per_sd": 1.1, "fuel_cost_cv": 0.0}  # second life on BaaS, new owned
    flat = _costs(model, config, make_desk, make_sites, risk_premium_per_sd=0.0, **baas)
    loaded = _costs(model, config, make_desk, make_sites, risk_premium_per_sd=0.2, **baas)
    assert loaded[Path.MODULAR_SECOND_LIFE] > flat[Path.MODULAR_SECOND_LIFE]
    assert loaded[Path.MODULAR_NEW] == flat[Path.MODULAR_NEW]  # new storage: owned, cv 0


def test_faster_fade_costs_an_owner_more(model, config, make_desk, make_sites):
    """Ownership (no risk loading): the expected augmentation enters the option's cost."""
    keys = {"owner_risk_per_sd": 0.0}
    slow = _costs(model, config, make_desk, make_sites, **keys)
    fast_signals = replace(SIGNALS, second_life_fade_per_year=0.10)
    fast = _costs(model, config, make_desk, make_sites, fast_signals, **keys)
    assert fast[Path.MODULAR_SECOND_LIFE] > slow[Path.MODULAR_SECOND_LIFE]
    assert fast[Path.MODULAR_NEW] == slow[Path.MODULAR_NEW]


@pytest.mark.parametrize(
    ("risk", "second_life", "new"),
    [
        (0.0, contracts.OWNERSHIP, contracts.OWNERSHIP),
        (1.2, contracts.BAAS, contracts.OWNERSHIP),
        (3.0, contracts.PPA, contracts.PPA),
    ],
)
def test_the_firm_chooses_a_sites_contract_by_its_risk_aversion(
    model, config, make_desk, make_sites, risk, second_life, new
):
    """Risk-neutral it owns; averse to fade it hands second life to a BaaS vendor; averse to fuel too, it buys power under a PPA."""
    firm = _firm(model, config, make_desk, make_sites, owner_risk_per_sd=risk)
    assert firm.choose_contract(Path.MODULAR_SECOND_LIFE, SIGNALS) == second_life
    assert firm.choose_contract(Path.MODULAR_NEW, SIGNALS) == new
    assert firm.choose_contract(Choice.GRID, SIGNALS) == ""


def test_an_opened_modular_project_carries_its_buyers_contract(
    model, config, make_desk, make_sites
):
    """open_project decides the contract before the desk hands the site to a vendor."""
    firm = _firm(model, config, make_desk, make_sites, owner_risk_per_sd=3.0)
    firm.choose_path = lambda *a, **k: Path.MODULAR_SECOND_LIFE  # type: ignore[method-assign]
    project = firm.open_project(1, 50.0, SIGNALS)
    assert firm.desk.started == [project] and project.contract == contracts.PPA


def test_the_risk_loading_picks_the_contract_but_the_path_compares_expected_payments(
    model, config, make_desk, make_sites
):
    """A loading that changes no pick changes no path cost (grid and gas bills carry none); one that flips the pick to a PPA moves it to the PPA's bill."""
    keys = {"fuel_cost_cv": 0.3}
    neutral = _costs(model, config, make_desk, make_sites, owner_risk_per_sd=0.0, **keys)
    averse = _costs(model, config, make_desk, make_sites, owner_risk_per_sd=0.9, **keys)
    assert averse[Path.MODULAR_NEW] == neutral[Path.MODULAR_NEW]  # both own: same payments
    firm = _firm(model, config, make_desk, make_sites, owner_risk_per_sd=3.0, **keys)
    assert firm.choose_contract(Path.MODULAR_NEW, SIGNALS) == contracts.PPA
    hedged = firm.path_costs_usd_per_mw_month(100.0, SIGNALS)
    assert hedged[Path.MODULAR_NEW] != neutral[Path.MODULAR_NEW]
    assert hedged["grid"] == neutral["grid"]
