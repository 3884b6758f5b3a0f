"""Modular vendor decisions: which storage a site gets, when it is built, what the vendor bids for."""

from __future__ import annotations

import pytest

from abm.agents.vendor import ModularVendor
from abm.agents.vendor_order import Order, factory_queue, gives_up_on_packs, storage_secured
from abm.shiftable import modular_storage_mwh_per_mw
from abm.vocabulary import SECOND_LIFE_PRODUCTS, Choice, Product, Project, Status


def build(model, cfg, clock, packs, desk) -> ModularVendor:
    return ModularVendor(model, config=cfg, clock=clock, packs=packs, projects=desk)


def order(vendor: ModularVendor, pid: int = 1, mw: float = 10.0) -> Project:
    project = Project(pid=pid, owner=1, mw=mw, path=Choice.MODULAR, node=0, month_opened=0)
    vendor.take_order(project)
    return project


def need_kwh(cfg, mw: float) -> float:
    return mw * modular_storage_mwh_per_mw(cfg) * 1000.0  # the design, less what shifting saves


@pytest.mark.parametrize(
    "preferred, room_share, path",
    [
        (True, 1.0, "modular_second_life"),
        (True, 0.5, "modular_new"),  # preferred, but the pack supply cannot cover the site
        (False, 2.0, "modular_new"),
    ],
)
def test_designate_storage(model, config, clock, packs, make_desk, preferred, room_share, path):
    cfg = config()
    vendor = build(model, cfg, clock, packs, make_desk())
    need = need_kwh(cfg, 10.0)
    packs.preferred, packs.room_kwh = preferred, room_share * need
    assert vendor.designate_storage(need) == path


def test_room_is_judged_at_the_factory_delivery(model, config, clock, packs, make_desk):
    vendor = build(model, config(), clock, packs, make_desk())
    order(vendor, 1, mw=40.0)  # a backlog lengthens the wait a new order sees
    vendor.designate_storage(1.0)
    assert packs.room_asked_months == vendor.factory_delivery_months()


def test_take_order_books_need_permit_and_path(model, config, clock, packs, make_desk):
    cfg = config()
    vendor = build(model, cfg, clock, packs, make_desk())
    packs.preferred, packs.room_kwh = True, 1e12
    clock.month = 5
    project = order(vendor, mw=10.0)
    (booked,) = vendor.orders
    assert project.path == "modular_second_life" and project.vendor == vendor.unique_id
    assert booked.storage_need_kwh == pytest.approx(need_kwh(cfg, 10.0))
    assert booked.permit_ready_month == 5 + cfg.vendors.solar_permit_months


def run_until(vendor: ModularVendor, clock, last_month: int) -> None:
    for month in range(clock.month, last_month + 1):
        clock.month = month
        vendor.build()


@pytest.mark.parametrize("missing", [None, "storage", "factory"])
def test_build_energises_only_with_factory_storage_and_permit(
    model, config, clock, packs, make_desk, missing
):
    cfg = config()
    desk = make_desk()
    vendor = build(model, cfg, clock, packs, desk)
    packs.preferred, packs.room_kwh = True, 1e12
    project = order(vendor, mw=10.0)  # within one month of factory output
    if missing != "storage":
        vendor.receive_storage(0, need_kwh(cfg, 10.0), 0.9)
    if missing == "factory":
        vendor.capacity_mw_per_month = 1.0  # ten months to build, then delivery
    v = cfg.vendors
    ready = int(max(v.delivery_months, v.solar_permit_months))  # the later of site and permit
    run_until(vendor, clock, ready - 1)
    assert desk.energized == []
    run_until(vendor, clock, ready)
    if missing is None:
        assert desk.energized == [project] and project.status is Status.ENERGIZED
        assert packs.installed == [("site", project.pid, pytest.approx(need_kwh(cfg, 10.0)))]
        assert vendor.orders == [] and vendor.delivered_mw == 10.0
    else:
        assert desk.energized == [] and vendor.orders


def test_new_storage_counts_only_once_it_has_arrived(model, config, clock, packs, make_desk):
    cfg = config(vendors={"solar_permit_months": 1.0})
    desk = make_desk()
    vendor = build(model, cfg, clock, packs, desk)
    packs.preferred = False
    project = order(vendor, mw=10.0)
    vendor.receive_storage(Product.NEW, need_kwh(cfg, 10.0), 1.0)
    arrival = int(cfg.oems.lead_time_months)
    assert arrival > cfg.vendors.delivery_months  # the site waits on its packs, not its factory
    run_until(vendor, clock, arrival - 1)
    assert desk.energized == []
    run_until(vendor, clock, arrival)
    assert desk.energized == [project]


def test_orders_are_due_within_their_storage_lead_time(model, config, clock, packs, make_desk):
    cfg = config()
    vendor = build(model, cfg, clock, packs, make_desk())
    packs.preferred, packs.room_kwh = True, 1e12
    mw = cfg.vendors.max_site_mw
    first, second = order(vendor, 1, mw), order(vendor, 2, mw)
    months_to_build = [k * mw / vendor.capacity_mw_per_month for k in (1, 2)]
    sl_lead = cfg.vendors.delivery_months + 1.0
    expect_due = [t <= sl_lead for t in months_to_build]
    assert expect_due == [True, False]  # the factory reaches only the first in time
    assert [o.project for o in vendor.orders_due()] == [first]
    assert second.path == "modular_second_life"


def test_augmentation_demand_follows_the_wish_and_is_served_first(
    model, config, clock, packs, make_desk
):
    vendor = build(model, config(), clock, packs, make_desk())
    vendor.plan_augmentation(second_life_kwh=800.0, new_kwh=300.0)
    bids = vendor.storage_bids()
    assert [(p, kwh) for p, kwh, _ in bids] == [(p, 800.0) for p in SECOND_LIFE_PRODUCTS] + [
        (Product.NEW, 300.0)
    ]
    assert all(price == packs.storage_wtp_usd_per_kwh(p) for p, _, price in bids)
    vendor.receive_storage(0, 1000.0, 0.8)
    assert packs.installed == [("augmentation", 0, 800.0)]
    assert packs.returned == [(0, pytest.approx(200.0), 0.8)]  # no order to take the rest
    assert [p for p, _, _ in vendor.storage_bids()] == [Product.NEW]


def test_no_orders_no_wish_no_bids(model, config, clock, packs, make_desk):
    assert build(model, config(), clock, packs, make_desk()).storage_bids() == []


# --- adapting: giving up on packs, factory priority, quotes, pack waits ----------------------


@pytest.mark.parametrize(
    "waited, expected, gives_up",
    [
        (0.0, 5.0, False),  # packs expected within the patience: wait
        (0.0, 7.0, True),  # expected later than new storage plus tolerance: buy new now
        (6.0, 1.0, True),  # waited as long as the patience: stop, however close they look
        (5.0, 6.0, False),
    ],
)
def test_gives_up_on_packs(waited, expected, gives_up):
    assert gives_up_on_packs(waited, expected, patience_months=6.0) is gives_up


def sl_order(cfg, pid: int = 1, mw: float = 10.0) -> Order:
    project = Project(pid=pid, owner=1, mw=mw, path="modular_second_life", node=0, month_opened=0)
    need = need_kwh(cfg, mw)
    return Order(project, need, permit_ready_month=0.0, second_life_need_kwh=need)


@pytest.mark.parametrize(
    "bought_share, path", [(0.0, "modular_new"), (0.3, "modular_new"), (0.6, "modular_second_life")]
)
def test_redesignation_keeps_bought_packs_and_paths_by_majority(config, bought_share, path):
    cfg = config()
    o = sl_order(cfg)
    o.acquired_kwh[Product.A] = bought_share * o.storage_need_kwh
    o.redesignate_rest_to_new()
    assert o.second_life_outstanding_kwh() == 0.0
    assert o.new_outstanding_kwh() == pytest.approx((1 - bought_share) * o.storage_need_kwh)
    assert o.acquired_kwh[Product.A] == pytest.approx(bought_share * o.storage_need_kwh)
    assert o.project.path == path
    assert o.project.second_life_storage_share == pytest.approx(bought_share)


def due_second_life_vendor(model, cfg, clock, packs, make_desk) -> ModularVendor:
    vendor = build(model, cfg, clock, packs, make_desk())
    packs.preferred, packs.room_kwh = True, 1e12
    order(vendor, 1, mw=10.0)
    vendor.storage_bids()  # the order falls due at month 0
    return vendor


@pytest.mark.parametrize("pack_months, redesignated", [(3.0, False), (30.0, True)])
def test_late_packs_send_the_order_to_new_storage(
    model, config, clock, packs, make_desk, pack_months, redesignated
):
    cfg = config()
    vendor = due_second_life_vendor(model, cfg, clock, packs, make_desk)
    packs.pack_delivery_months = pack_months
    vendor.build()
    (o,) = vendor.orders
    assert o.project.path == ("modular_new" if redesignated else "modular_second_life")
    assert [p for p, _, _ in vendor.storage_bids()] == (
        [Product.NEW] if redesignated else list(SECOND_LIFE_PRODUCTS)
    )
    assert o.pack_wait_months == (0.0 if redesignated else None)


def test_pack_wait_is_judged_on_the_vendor_share_of_competing_demand(
    model, config, clock, packs, make_desk
):
    cfg = config()
    vendor = due_second_life_vendor(model, cfg, clock, packs, make_desk)
    need = need_kwh(cfg, 10.0)
    packs.competing_kwh = 4 * need  # other buyers bid three times this vendor's demand
    vendor.build()
    assert packs.delivery_asked_kwh == [pytest.approx(4 * need)]


def test_waiting_orders_give_up_after_the_patience(model, config, clock, packs, make_desk):
    cfg = config(vendors={"second_life_wait_tolerance_months": 2.0})
    vendor = due_second_life_vendor(model, cfg, clock, packs, make_desk)
    patience = int(cfg.oems.lead_time_months + 2.0)
    run_until(vendor, clock, patience - 1)
    assert vendor.orders[0].second_life and vendor.pack_waits_months() == [patience - 1.0]
    run_until(vendor, clock, patience)
    assert not vendor.orders[0].second_life and vendor.pack_waits_months() == [float(patience)]


def test_pack_wait_runs_from_due_to_packs_bought(model, config, clock, packs, make_desk):
    cfg = config()
    vendor = build(model, cfg, clock, packs, make_desk())
    packs.preferred, packs.room_kwh = True, 1e12
    order(vendor, 1, mw=10.0)
    clock.month = 2
    vendor.storage_bids()
    clock.month = 5
    vendor.receive_storage(Product.A, need_kwh(cfg, 10.0), 0.9)
    assert vendor.orders[0].pack_wait_months == 3.0 and vendor.orders_waiting_for_packs() == 0


def test_factory_builds_secured_orders_first_and_never_idles(config):
    cfg = config()
    waiting, secured = sl_order(cfg, 1), sl_order(cfg, 2)
    secured.acquired_kwh[Product.A] = secured.storage_need_kwh
    delivery = cfg.vendors.delivery_months
    assert factory_queue([waiting, secured], 0, 15.0, delivery) == [secured, waiting]
    both = sl_order(cfg, 3)
    both.acquired_kwh[Product.A] = both.storage_need_kwh
    assert factory_queue([both, secured], 0, 15.0, delivery) == [both, secured]  # booking order


@pytest.mark.parametrize("arrival, secured", [(3, True), (30, False)])
def test_new_storage_in_transit_is_secured_within_the_factory_lead(config, arrival, secured):
    cfg = config()
    o = sl_order(cfg)
    o.redesignate_rest_to_new()
    o.pending_new_kwh.append((arrival, o.storage_need_kwh))
    # 10 MW at 10 MW/month plus delivery: the site could be ready in 1 + delivery months
    assert storage_secured(o, 0, 10.0, cfg.vendors.delivery_months) is secured


def test_factory_passes_over_an_order_waiting_for_packs(model, config, clock, packs, make_desk):
    cfg = config()
    vendor = build(model, cfg, clock, packs, make_desk())
    vendor.capacity_mw_per_month = 10.0
    packs.preferred, packs.room_kwh = True, 1e12
    first, second = order(vendor, 1, mw=10.0), order(vendor, 2, mw=10.0)
    vendor.storage_bids()
    vendor.receive_storage(Product.A, need_kwh(cfg, 10.0) * 0.5, 0.9)  # half of the first
    vendor.orders[1].acquired_kwh[Product.A] = vendor.orders[1].storage_need_kwh  # second secured
    vendor.build()
    assert [o.factory_mw_done for o in vendor.orders] == [0.0, 10.0]
    assert first.path == second.path == "modular_second_life"


@pytest.mark.parametrize(
    "path, pack_months, new_months, storage_is",
    [
        ("modular_second_life", 4.0, 6.0, "packs"),  # packs within patience: their wait adds
        ("modular_second_life", 40.0, 6.0, "new"),  # the vendor would give up: new storage's lead
        ("modular_new", 40.0, 30.0, "new lead"),  # ordered ahead: the later of factory and lead
        ("modular_new", 40.0, 0.0, "factory"),
    ],
)
def test_quote_includes_the_storage_wait_of_the_chosen_option(
    model, config, clock, packs, make_desk, path, pack_months, new_months, storage_is
):
    cfg = config()
    vendor = build(model, cfg, clock, packs, make_desk())
    assert cfg.oems.lead_time_months + cfg.vendors.second_life_wait_tolerance_months == 6.0
    packs.pack_delivery_months, packs.new_wait_months = pack_months, new_months
    factory = vendor.factory_delivery_months()
    expect = {
        "packs": factory + pack_months,
        "new": factory + new_months,
        "new lead": max(factory, new_months),
        "factory": factory,
    }[storage_is]
    assert vendor.expected_delivery_months(path) == expect


@pytest.mark.parametrize("preferred", [True, False])
def test_quote_without_a_path_is_that_of_the_storage_the_vendor_would_pick(
    model, config, clock, packs, make_desk, preferred
):
    vendor = build(model, config(), clock, packs, make_desk())
    packs.preferred, packs.room_kwh = preferred, 1e12
    packs.pack_delivery_months, packs.new_wait_months = 4.0, 20.0
    picked = "modular_second_life" if preferred else "modular_new"
    assert vendor.expected_delivery_months() == vendor.expected_delivery_months(picked)


@pytest.mark.parametrize("chosen", ["modular_second_life", "modular_new"])
def test_the_vendor_takes_the_storage_its_buyer_chose(
    model, config, clock, packs, make_desk, chosen
):
    cfg = config()
    vendor = build(model, cfg, clock, packs, make_desk())
    packs.preferred, packs.room_kwh = chosen == "modular_new", 1e12  # its own pick would differ
    project = Project(pid=1, owner=1, mw=10.0, path=chosen, node=0, month_opened=0)
    vendor.take_order(project)
    (booked,) = vendor.orders
    assert project.path == chosen
    assert booked.second_life is (chosen == "modular_second_life")


def test_orders_stalled_for_packs_do_not_hold_back_later_orders(
    model, config, clock, packs, make_desk
):
    cfg = config()
    vendor = build(model, cfg, clock, packs, make_desk())
    mw = cfg.vendors.max_site_mw
    packs.preferred, packs.room_kwh = True, 1e12
    stalled = order(vendor, 1, mw)
    packs.preferred = False
    second, third = order(vendor, 2, mw), order(vendor, 3, mw)
    new_lead = cfg.oems.lead_time_months + cfg.vendors.order_ahead_months
    assert 3 * mw / vendor.capacity_mw_per_month > new_lead >= 2 * mw / vendor.capacity_mw_per_month
    assert [o.project for o in vendor.orders_due()] == [stalled, second]
    vendor.storage_bids()  # the first falls due and gets no packs this month
    assert [o.project for o in vendor.orders_due()] == [stalled, second, third]


def test_orders_waiting_for_packs_bid_their_value_of_time(model, config, clock, packs, make_desk):
    """A due order bids a month of delay above the pack's value, a month more per month waited,
    never more months than new storage would take."""
    cfg = config()
    v = cfg.vendors
    per_month = v.late_delivery_damages_usd_per_mw_month / (
        modular_storage_mwh_per_mw(cfg) * 1000.0
    )
    vendor = due_second_life_vendor(model, cfg, clock, packs, make_desk)
    packs.new_wait_months = 3.0

    def bids() -> list[float]:
        return [price for _, _, price in vendor.storage_bids()]

    values = packs.wtp_usd_per_kwh[:3]
    assert bids() == pytest.approx([w + per_month * 1.0 for w in values])  # just due
    clock.month = 1
    assert bids() == pytest.approx([w + per_month * 2.0 for w in values])  # waited a month
    clock.month = 10
    assert bids() == pytest.approx([w + per_month * 3.0 for w in values])  # capped by new's wait


def test_augmentation_alone_bids_the_packs_value(model, config, clock, packs, make_desk):
    vendor = build(model, config(), clock, packs, make_desk())
    vendor.plan_augmentation(1000.0, 0.0)
    assert [price for _, _, price in vendor.storage_bids()] == packs.wtp_usd_per_kwh[:3]
