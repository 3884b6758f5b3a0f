"""Modular second life and modular new as separate options of the path logit, each with its own cost and wait."""

from __future__ import annotations

import pytest

from abm.agents.hyperscaler import Hyperscaler
from abm.agents.modular_choice import logit_options, storage_cost_usd_per_kwh, wait_key
from abm.signals import Signals
from abm.streams import Streams
from abm.vocabulary import Choice, Path


def signals(second_life: float | None = 60.0, new: float | None = 150.0) -> Signals:
    return Signals(
        month=0,
        expected_lmp_usd_per_mwh=60.0,
        grid_co2_t_per_mwh=0.4,
        expected_upgrade_share=0.3,
        modular_storage_cost_usd_per_kwh=100.0,
        second_life_storage_cost_usd_per_kwh=second_life,
        new_storage_cost_usd_per_kwh=new,
    )


def test_modular_splits_into_its_two_storage_options(config):
    assert logit_options(["grid", Choice.MODULAR, "onsite_gas"], config()) == [
        "grid",
        Path.MODULAR_SECOND_LIFE,
        Path.MODULAR_NEW,
        "onsite_gas",
    ]


def test_no_second_life_option_when_every_pack_is_recycled(config):
    cfg = config(packs={"routing": "recycle_first"})
    assert logit_options([Choice.MODULAR], cfg) == [Path.MODULAR_NEW]


def test_each_option_plans_on_its_own_storage_cost():
    sig = signals()
    assert storage_cost_usd_per_kwh(Path.MODULAR_SECOND_LIFE, sig) == 60.0
    assert storage_cost_usd_per_kwh(Path.MODULAR_NEW, sig) == 150.0
    assert storage_cost_usd_per_kwh(Path.MODULAR_NEW, signals(None, None)) == 100.0


def test_a_project_is_judged_by_its_option_s_wait():
    waits = {Path.MODULAR_NEW: 10.0, Choice.MODULAR: 20.0}
    assert wait_key(Path.MODULAR_NEW, waits) == Path.MODULAR_NEW
    assert wait_key(Path.MODULAR_SECOND_LIFE, waits) == Choice.MODULAR


def build(model, cfg, desk, sites) -> Hyperscaler:
    return Hyperscaler(model, 1.0, config=cfg, streams=Streams(1), projects=desk, sites=sites)


def test_cheaper_storage_lowers_only_its_option_s_cost(model, config, make_desk, make_sites):
    h = build(model, config(), make_desk(paths=("grid", Choice.MODULAR)), make_sites())
    dear, cheap = (
        h.path_costs_usd_per_mw_month(100.0, signals(second_life=s)) for s in (150.0, 60.0)
    )
    assert cheap[Path.MODULAR_SECOND_LIFE] < dear[Path.MODULAR_SECOND_LIFE]
    assert cheap[Path.MODULAR_NEW] == dear[Path.MODULAR_NEW]


def test_a_longer_learned_pack_wait_moves_choices_to_new_storage(
    model, config, make_desk, make_sites
):
    h = build(model, config(), make_desk(paths=("grid", Choice.MODULAR)), make_sites())
    h.expected_wait_months["grid"] = 200.0
    sig = signals(second_life=140.0, new=150.0)  # nearly the same storage cost

    def second_life_share() -> float:
        picks = [h.choose_path(100.0, sig, pid) for pid in range(300)]
        return picks.count(Path.MODULAR_SECOND_LIFE) / len(picks)

    h.expected_wait_months.update(modular_second_life=12.0, modular_new=12.0)
    even = second_life_share()
    h.observe({Path.MODULAR_SECOND_LIFE: 60.0})  # the market shows long pack waits
    h.observe({Path.MODULAR_SECOND_LIFE: 60.0})
    assert h.expected_wait_months[Path.MODULAR_SECOND_LIFE] > 12.0
    assert second_life_share() < even
    assert even == pytest.approx(0.5, abs=0.15)
