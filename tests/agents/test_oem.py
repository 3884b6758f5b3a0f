"""OEM decisions: who gets this month's retired packs, and what new storage it offers."""

from __future__ import annotations

import pytest

from abm.agents.oem import OEM


def build(model, cfg, clock, packs, ledger, recyclers, share=0.5, contract_months=12) -> OEM:
    partner = recyclers[0]
    return OEM(
        model,
        share,
        partner,
        contract_months,
        config=cfg,
        clock=clock,
        packs=packs,
        recyclers=recyclers,
        ledger=ledger,
    )


def test_contracted_share_to_partner_rest_to_the_highest_bidder(
    model, config, clock, packs, ledger, make_recycler
):
    cfg = config()
    partner, low, high = make_recycler(1, 20.0), make_recycler(2, 30.0), make_recycler(3, 50.0)
    oem = build(model, cfg, clock, packs, ledger, [partner, low, high], share=0.5)
    packs.retiring_gwh_this_month = 4.0
    oem.deliver_packs()
    mine = 0.5 * 4.0
    contracted = mine * cfg.packs.buyback_share
    assert partner.received_gwh == pytest.approx(contracted)
    assert high.received_gwh == pytest.approx(mine - contracted)
    assert low.received_gwh == 0.0
    assert oem.delivered_gwh == pytest.approx(mine)
    assert ledger.paid("buy-back contract") == pytest.approx(
        contracted * 1e6 * cfg.packs.buyback_price_usd_per_kwh
    )
    assert ledger.paid("spot pack sale") == pytest.approx((mine - contracted) * 1e6 * 50.0)


def test_packs_are_conserved_over_months(model, config, clock, packs, ledger, make_recycler):
    recyclers = [make_recycler(1, 10.0), make_recycler(2, 40.0, backlog_gwh=5.0)]
    oem = build(model, config(), clock, packs, ledger, recyclers, share=0.25, contract_months=2)
    sent = 0.0
    for month, gwh in enumerate([1.0, 3.0, 0.0, 2.5]):
        clock.month, packs.retiring_gwh_this_month = month, gwh
        oem.deliver_packs()
        sent += 0.25 * gwh
    assert sum(r.received_gwh for r in recyclers) == pytest.approx(sent)
    assert oem.delivered_gwh == pytest.approx(sent)


def test_spot_ties_go_to_the_smaller_backlog(model, config, clock, packs, ledger, make_recycler):
    busy, idle = make_recycler(1, 30.0, backlog_gwh=9.0), make_recycler(2, 30.0, backlog_gwh=1.0)
    cfg = config()
    oem = build(model, cfg, clock, packs, ledger, [busy, idle], share=1.0)
    packs.retiring_gwh_this_month = 1.0
    oem.deliver_packs()
    assert idle.received_gwh == pytest.approx(1.0 - cfg.packs.buyback_share)


def test_at_contract_end_the_best_bidder_becomes_the_partner(
    model, config, clock, packs, ledger, make_recycler
):
    cfg = config()
    old, best = make_recycler(1, 10.0), make_recycler(2, 60.0)
    oem = build(model, cfg, clock, packs, ledger, [old, best], contract_months=12)
    packs.retiring_gwh_this_month = 2.0
    clock.month = 11
    oem.deliver_packs()
    assert oem.contract_recycler is old
    clock.month = 12
    oem.deliver_packs()
    assert oem.contract_recycler is best
    assert oem.contract_end_month == 12 + cfg.packs.contract_months
    assert old.received_gwh == pytest.approx(0.5 * 2.0 * cfg.packs.buyback_share)  # month 11 only


def test_no_retirements_no_delivery(model, config, clock, packs, ledger, make_recycler):
    partner = make_recycler(1, 10.0)
    oem = build(model, config(), clock, packs, ledger, [partner])
    oem.deliver_packs()
    assert partner.received_gwh == 0.0 and ledger.transfers == []


def test_asks_offer_the_share_of_production_at_the_new_storage_price(
    model, config, clock, packs, ledger, make_recycler
):
    cfg = config()
    oem = build(model, cfg, clock, packs, ledger, [make_recycler(1, 10.0)], share=0.5)
    ((product, kwh, price),) = oem.asks()
    assert product == 3  # new storage
    assert kwh == pytest.approx(cfg.oems.production_gwh_per_month * 0.5 * 1e6)
    assert price == packs.new_storage_price_usd_per_kwh()
