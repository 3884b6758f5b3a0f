"""The modular options' expected cost to a hyperscaler: fade is paid for, and under BaaS fade risk loads second life."""

from __future__ import annotations

from dataclasses import replace

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


def _costs(model, config, make_desk, make_sites, signals=SIGNALS, **contracts) -> dict[str, float]:
    h = Hyperscaler(
        model,
        1.0,
        config=config(contracts=contracts),
        streams=Streams(1),
        projects=make_desk(paths=("grid", Choice.MODULAR)),
        sites=make_sites(),
    )
    return h.path_costs_usd_per_mw_month(100.0, signals)


def test_under_baas_the_risk_loading_raises_only_the_second_life_option(
    model, config, make_desk, make_sites
):
    """All sites on BaaS: a loading per sd of fade raises second life's cost; new storage (cv 0) stays."""
    flat = _costs(model, config, make_desk, make_sites, baas_share=1.0, risk_premium_per_sd=0.0)
    loaded = _costs(model, config, make_desk, make_sites, baas_share=1.0, risk_premium_per_sd=2.0)
    assert loaded[Path.MODULAR_SECOND_LIFE] > flat[Path.MODULAR_SECOND_LIFE]
    assert loaded[Path.MODULAR_NEW] == flat[Path.MODULAR_NEW]
    owned = _costs(model, config, make_desk, make_sites, baas_share=0.0, risk_premium_per_sd=2.0)
    owned_flat = _costs(
        model, config, make_desk, make_sites, baas_share=0.0, risk_premium_per_sd=0.0
    )
    assert owned[Path.MODULAR_SECOND_LIFE] == owned_flat[Path.MODULAR_SECOND_LIFE]  # owners bear it


def test_faster_fade_costs_an_owner_more(model, config, make_desk, make_sites):
    """Ownership: the expected augmentation enters the option's cost."""
    slow = _costs(model, config, make_desk, make_sites, baas_share=0.0)
    fast_signals = replace(SIGNALS, second_life_fade_per_year=0.10)
    fast = _costs(model, config, make_desk, make_sites, fast_signals, baas_share=0.0)
    assert fast[Path.MODULAR_SECOND_LIFE] > slow[Path.MODULAR_SECOND_LIFE]
    assert fast[Path.MODULAR_NEW] == slow[Path.MODULAR_NEW]
