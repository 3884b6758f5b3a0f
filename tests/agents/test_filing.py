"""Duplicate filing as the owner's decision: queue risk against the cost of a twin (abm.agents.filing)."""

from __future__ import annotations

import pytest

from abm.agents.filing import (
    FilingOutlook,
    filing_cap,
    filings_for,
    filings_wanted,
    twin_cost_with_tariff_usd,
)
from abm.agents.hyperscaler import Hyperscaler
from abm.agents.tariff import tariff_cost_usd_per_mw_month
from abm.grid.queue import InterconnectionQueue, Kind, QueueRules
from abm.streams import Streams
from abm.vocabulary import Choice, Project, Status

CLUSTER = {"mode": "cluster"}
SEEN = (200, 0)  # the market has seen 200 committed load filings sign and none fail


class Sites:
    """SiteDesk for the filing decision: a fixed record of load filings and four utilities."""

    n_territories = 4

    def __init__(self, record: tuple[int, int] = SEEN) -> None:
        self.record = record

    def load_filing_record(self) -> tuple[int, int]:
        return self.record


def wanted(cfg, wait_months: float = 44.0, record=SEEN, mw: float = 200.0) -> int:
    return filings_for(cfg, mw, wait_months, record, u=0.0, n_utilities=4)


def test_a_tenfold_readiness_deposit_files_fewer_twins(config):
    base = config(queue=CLUSTER, hyperscalers={"duplicate_filings": 3.0})
    dear = config(
        queue={**CLUSTER, "readiness_deposit_usd_per_mw": 40_000.0},
        hyperscalers={"duplicate_filings": 3.0},
    )
    assert wanted(base) == 2
    assert wanted(dear) == 1


def test_a_longer_observed_wait_files_more(config):
    cfg = config(queue={**CLUSTER, "readiness_deposit_usd_per_mw": 40_000.0})
    assert wanted(cfg, wait_months=44.0) == 1
    assert wanted(cfg, wait_months=200.0) == 2


def test_more_failures_seen_file_more(config):
    cfg = config(queue={**CLUSTER, "readiness_deposit_usd_per_mw": 40_000.0})
    assert wanted(cfg, record=SEEN) == 1
    assert wanted(cfg, record=(180, 20)) == 2


def test_with_no_outcomes_seen_a_cheap_serial_twin_is_filed_up_to_the_cap(config):
    cfg = config(hyperscalers={"duplicate_filings": 3.0})
    assert wanted(cfg, record=(0, 0)) == 3


def test_one_filing_per_project_when_the_cap_is_one(config):
    assert wanted(config(hyperscalers={"duplicate_filings": 1.0}), record=(0, 0)) == 1


def test_the_fewest_filings_on_a_tie():
    free = FilingOutlook(200.0, 44.0, 10, 10, 0.0, 0.0, max_filings=4)
    assert filings_wanted(free) == 1  # time is worth nothing: a twin adds nothing


@pytest.mark.parametrize(
    ("cap", "u", "n", "expected"),
    [(2.0, 0.9, 8, 2), (2.5, 0.4, 8, 3), (2.5, 0.6, 8, 2), (6.0, 0.0, 4, 4), (1.0, 0.0, 8, 1)],
)
def test_fractional_caps_round_by_the_projects_draw(cap, u, n, expected):
    assert filing_cap(cap, u, n) == expected


def test_tariff_collateral_raises_the_cost_of_a_twin(config):
    off, on = config(queue=CLUSTER), config(queue=CLUSTER, tariff={"large_load_tariff": True})
    rules = QueueRules.from_config(off.queue, 1.0)
    carry = off.hyperscalers.discount_rate / 12.0
    cost_off = twin_cost_with_tariff_usd(rules, off.tariff, 200.0, carry)
    cost_on = twin_cost_with_tariff_usd(rules, on.tariff, 200.0, carry)
    held_months = 12 / 2 + on.queue.cluster_study_months + on.queue.facilities_study_months
    assert cost_on - cost_off == pytest.approx(
        on.tariff.collateral_usd_per_mw * 200.0 * carry * held_months
    )
    # collateral worth carrying: a twin the deposits alone allow is no longer filed
    big = {"large_load_tariff": True, "collateral_usd_per_mw": 5e6}
    assert wanted(config(queue=CLUSTER)) == 2
    assert wanted(config(queue=CLUSTER, tariff=big)) == 1


def test_serial_withdrawal_forfeits_the_serial_deposit(config):
    rules = QueueRules.from_config(config().queue, 1.0)
    queue = InterconnectionQueue(rules, 1, Streams(1))
    ids = queue.submit(0, Kind.LOAD, 100.0, 0, 0, 0, 0)
    assert queue.withdraw(ids, 0) == pytest.approx(rules.serial_deposit_usd)


def test_the_tariff_adds_its_collateral_and_unused_minimum_bill_to_the_grid_path(config):
    assert tariff_cost_usd_per_mw_month(config()) == 0.0
    on = config(tariff={"large_load_tariff": True, "minimum_bill_share": 1.0})
    t, h = on.tariff, on.hyperscalers
    unused = 1.0 - on.demand.load_factor
    expected = t.collateral_usd_per_mw * h.discount_rate / 12.0
    expected += unused * t.demand_charge_usd_per_kw_month * 1000.0
    expected *= min(t.minimum_bill_years * 12.0, h.planning_horizon_months)
    expected /= h.planning_horizon_months
    assert tariff_cost_usd_per_mw_month(on) == pytest.approx(expected)


def test_the_hyperscaler_asks_for_the_filings_it_decides(model, config, make_desk):
    cfg = config(queue={**CLUSTER, "readiness_deposit_usd_per_mw": 40_000.0})
    h = Hyperscaler(model, 1.0, config=cfg, streams=Streams(1), projects=make_desk(), sites=Sites())
    project = Project(pid=1, owner=h.unique_id, mw=200.0, path="grid", node=0, month_opened=0)
    h.expected_wait_months[Choice.GRID] = 44.0
    h.request_filings(project)
    assert project.filings == 1
    h.expected_wait_months[Choice.GRID] = 200.0  # the queue looks slower: a twin is worth it
    h.request_filings(project)
    assert project.filings == 2


class GrowingDesk:
    """ProjectDesk for the exit decision: demand grows by `slope` MW a month from zero."""

    existing_mw = 0.0

    def __init__(self, slope_mw_per_month: float) -> None:
        self.slope = slope_mw_per_month

    def demand_mw(self, month: int) -> float:
        return self.slope * month

    def cancel_project(self, project: Project) -> None:
        project.status = Status.CANCELLED


def signed_surplus(model, cfg, make_sites, slope_mw_per_month: float) -> Project:
    """A 100 MW signed grid project all of whose MW is surplus now, after `cancel_surplus`."""
    h = Hyperscaler(
        model,
        1.0,
        config=cfg,
        streams=Streams(1),
        projects=GrowingDesk(slope_mw_per_month),
        sites=make_sites(signed=(1,)),
    )
    h.expected_wait_months[Choice.GRID] = 0.0
    project = Project(pid=1, owner=h.unique_id, mw=100.0, path="grid", node=0, month_opened=0)
    h.projects.append(project)
    h.cancel_surplus(0.0, month=0)
    return project


TARIFF = {"large_load_tariff": True}


def test_the_exit_fee_keeps_a_signed_project_that_idles_less_than_the_fee(
    model, config, make_sites
):
    # demand reaches the project's 100 MW in 10 months: ten minimum bills beat 36 of exit fee
    kept = signed_surplus(model, config(tariff=TARIFF), make_sites, 10.0)
    assert kept.status is Status.WAITING
    free_exit = config(tariff={**TARIFF, "exit_fee_months": 0.0})
    assert signed_surplus(model, free_exit, make_sites, 10.0).status is Status.CANCELLED


def test_a_signed_project_idle_beyond_the_fee_is_cancelled(model, config, make_sites):
    # demand never comes: the whole minimum-bill term idle costs more than the exit fee
    assert signed_surplus(model, config(tariff=TARIFF), make_sites, 0.0).status is Status.CANCELLED


def test_without_a_tariff_a_signed_project_is_kept(model, config, make_sites):
    assert signed_surplus(model, config(), make_sites, 0.0).status is Status.WAITING
