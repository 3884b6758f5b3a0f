"""OEM decisions: buy-back terms, who gets this month's retired packs, and what new storage it offers."""

from __future__ import annotations

import numpy as np
import pytest

from abm.agents.buyback import Terms, negotiate_terms, pack_value_usd_per_kwh
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


@pytest.mark.parametrize(
    "own, keep, price",
    [
        (0.0, 0.0, 30.0),  # no own option: the partner pays the second-best bid
        (40.0, 0.0, 40.0),  # its own use, below the best bid, sets the price
        (70.0, 0.5, 50.0),  # its own use beats every bid: it keeps what its line takes
    ],
)
def test_terms_follow_the_bids_and_the_own_option(own, keep, price):
    terms = negotiate_terms([30.0, 50.0, 20.0], [0.0, 0.0, 0.0], own, 0.5, 0.6)
    assert terms == Terms(partner=1, share=0.6, price_usd_per_kwh=price, keep_gwh_per_month=keep)


def test_tied_bids_contract_the_smaller_backlog():
    assert negotiate_terms([40.0, 40.0], [9.0, 1.0], 0.0, 0.0, 0.6).partner == 1


def test_pack_value_recycles_grades_that_do_not_pay():
    soh, share = np.array([0.9, 0.8, 0.7]), np.array([0.4, 0.3, 0.2, 0.1])
    # grade C's margin 0.7 x (20 - 15) = 3.5 is below the recycling value 10: it is recycled
    value = pack_value_usd_per_kwh(np.array([60.0, 40.0, 20.0]), soh, share, 1.0, 15.0, 10.0, 0.0)
    assert value == pytest.approx(0.4 * 0.9 * 45 + 0.3 * 0.8 * 25 + 0.2 * 10 + 0.1 * 10)


def test_at_renewal_an_oem_whose_line_pays_more_keeps_what_it_takes(
    model, config, clock, packs, ledger, make_recycler
):
    cfg = config()
    partner, line = make_recycler(1, 20.0), make_recycler(9, 80.0)  # its line values packs at 80
    line.capacity_gwh_per_month = 0.3
    oem = build(model, cfg, clock, packs, ledger, [partner], share=1.0, contract_months=1)
    oem.open_line(line)
    packs.retiring_gwh_this_month = 1.0
    clock.month = 1  # the contract ends: renegotiate
    oem.deliver_packs()
    assert line.received_gwh == pytest.approx(0.3)
    assert partner.received_gwh == pytest.approx(0.7)  # contracted share of the rest, and spot
    assert oem.terms.price_usd_per_kwh == pytest.approx(20.0)  # capped at the partner's bid
    assert ledger.paid("buy-back contract") == pytest.approx(0.7 * cfg.packs.buyback_share * 20e6)
