"""Modular vendor decisions: which storage a site gets, when it is built, what the vendor bids for."""

from __future__ import annotations

import pytest

from abm.agents.vendor import ModularVendor
from abm.vocabulary import SECOND_LIFE_PRODUCTS, Choice, Product, Project, Status


def build(model, cfg, clock, packs, desk) -> ModularVendor:
    return ModularVendor(model, config=cfg, clock=clock, packs=packs, projects=desk)


def order(vendor: ModularVendor, pid: int = 1, mw: float = 10.0) -> Project:
    project = Project(pid=pid, owner=1, mw=mw, path=Choice.MODULAR, node=0, month_opened=0)
    vendor.take_order(project)
    return project


def need_kwh(cfg, mw: float) -> float:
    return mw * cfg.vendors.storage_mwh_per_mw * 1000.0


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


def test_room_is_judged_at_the_expected_delivery(model, config, clock, packs, make_desk):
    vendor = build(model, config(), clock, packs, make_desk())
    order(vendor, 1, mw=40.0)  # a backlog lengthens the wait a new order sees
    vendor.designate_storage(1.0)
    assert packs.room_asked_months == vendor.expected_delivery_months()


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
