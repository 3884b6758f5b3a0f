"""Every lever moves something: each schema key, moved inside its range, changes a published output.

For every key of the schema (iterated, never listed: a key added later is covered) a short run at
the base value and one at a moved value, on the same seed, must differ in the monthly table, the
KPIs or the project table (`tests/lever_helpers.py` says how keys are moved and which need a
context). The moved run steps beside its base run's rows and stops at the first month whose row
differs, which no later month can undo; only a run whose rows never differ runs to its end and has
its whole published text compared (`tests/lever_runs.py`; base runs of contexts that differ only in
length share their months). Keys that move nothing today sit in `INERT` with the reason and the
issue that wires them; a second test keeps that list honest (a key that starts moving must leave
it): its runs reach their end, since only a full-length comparison can say "moves nothing". Keys
that are not levers by nature sit in `NOT_LEVERS`. The last tests show that the early stop keeps
the assertion's meaning: a label, an inert key and a fake move still fail the lever test, rows
are final, and runs of other lengths share their first months. The runs are in the slow tier
(about one per key); POWERSTACK_SLOW_SCALE below 1 checks a fixed share of the keys (same
assertion per key).
"""

from __future__ import annotations

import functools
import math
import zlib
from types import SimpleNamespace

import pandas as pd
import pytest

from abm.scenario import config_with
from tests import lever_helpers, lever_runs
from tests.conftest import slow_scale

NOT_LEVERS: dict[str, str] = {
    "name": "a label: names the scenario, changes no result",
    "description": "a label: the scenario's story for people, changes no result",
    "run.seed": "picks the random world, not a lever: comparisons hold it fixed",
    "run.months": "the run's length, not a lever: this test sets it",
    "triggers": (
        "a list of rules, not a value (no dotted override reaches it): each trigger sets keys "
        "this test moves one by one, and tests/test_triggers.py shows one firing and acting"
    ),
}

_BOOKS_DEPOSIT = (
    "books money only: owners price a twin at the phase it leaves in (it withdraws in its "
    "facilities study when its lead signs, abm/agents/filing.py) and never withdraw a signed "
    "project, so deposits and penalties of later phases reach no decision"
)
_DEPOSIT_CARRY = (
    "a twin holds this phase's deposit only until its lead signs: its carrying cost at the "
    "discount rate (under $0.05 M per MW even at 100 x) is small against what a twin is worth "
    "(~$0.15 M per MW once a hundred filings have signed), so no filing decision flips"
)
_PROVIDER_PAYS = (
    "the transmission provider's late-study penalty is booked to the cluster, and no "
    "requester's decision reads it"
)
_NO_CASH_RULE = "no rule reads an agent's cash"
_DOD_UNMODELLED = (
    "every duty is aged and valued at DoD = fade.dod_ref (abm/batteries/fleet.py, valuation.py), "
    "so the factor (DoD/dod_ref)^dod_exponent is 1: no duty has a depth of discharge of its own, "
    "and deriving one (EFC / cycles) needs a cycles-per-day number per duty the schema lacks"
)

INERT: dict[str, str] = {
    "market.must_run_offer_usd_per_mwh": (
        "since storage recharging became an interruptible bid no bus clears at the must-run floor "
        "in the lever run's months, so the floor's level sets no price (issue 18 item 1)"
    ),
    **{
        f"queue.{key}": _BOOKS_DEPOSIT
        for key in (
            "agreement_deposit_readiness_multiple",
            "construction_deposit_readiness_multiple",
            "agreement_deposit_fraction_of_upgrade",
            "withdrawal_penalty_fraction_of_upgrade",
            "submitted_withdrawal_penalty_readiness_multiple",
            "system_study_withdrawal_penalty_readiness_multiple",
            "agreement_withdrawal_penalty_readiness_multiple",
            "construction_withdrawal_penalty_readiness_multiple",
        )
    },
    **{
        f"queue.{key}": _DEPOSIT_CARRY
        for key in (
            "submitted_deposit_readiness_multiple",
            "system_study_deposit_readiness_multiple",
            "facilities_study_deposit_readiness_multiple",
        )
    },
    **{
        f"tariff.{key}": (
            "enters only the grid path's cost, as the contracted share the minimum bill charges "
            "above the campus's load factor (none at AEP's 0.85 against our 0.86), and no owner "
            "chooses the grid during a baseline run (every grid filing is the initial pipeline), "
            "so no keyed choice flips; issue 16 item 3 (firms that differ) reshapes the choice"
        )
        for key in ("minimum_bill_share", "demand_charge_usd_per_kw_month")
    },
    "queue.late_study_penalty_usd_per_day": _PROVIDER_PAYS,
    "queue.late_study_penalty_cap_fraction_of_deposits": _PROVIDER_PAYS,
    "packs.buyback_price_usd_per_kwh": (
        "books OEM buy-back payments until the first renegotiation sets the price from bids "
        "(abm/agents/buyback.py); the price is sunk when recyclers grade, route and invest (their "
        "margins are second-life price minus repurposing cost), and " + _NO_CASH_RULE
    ),
    "carbon.grid_t_per_mwh": (
        "the grid's CO2 is computed from each month's dispatch (market.co2_* per technology); this "
        "US average (EIA 2023) would duplicate that result, and no rule reads it"
    ),
    "carbon.recip_engine_t_per_mwh": (
        "on-site gas books one factor (gas.co2_t_per_mwh) whether a project got engines or "
        "turbines; a factor by the technology a project got needs the project to carry it"
    ),
    "planning.gas_cc_capacity_factor": (
        "a combined cycle's energy costs what the fleet gas it displaces costs "
        "(market.cost_gas_usd_per_mwh), so its capacity factor weighs only the carbon "
        "difference (0.35 vs 0.435 t/MWh): at no carbon price it changes no cost, and the "
        "tariff recovers fixed costs only; issue 18 item 1 (offers with heat rates) separates them"
    ),
    "fade.dod_ref": _DOD_UNMODELLED,
    "fade.dod_exponent": _DOD_UNMODELLED,
    "fade_nmc.dod_exponent": _DOD_UNMODELLED,
    "fade_other.dod_exponent": _DOD_UNMODELLED,
    "hyperscalers.initial_expected_upgrade_share": (
        "the grid path's expected upgrade share is this constant for the whole run (nothing "
        "updates it from the queue, despite its name); at 0.0 instead of 0.5 the grid's cost "
        "falls by upgrade_cost x annuity x 0.5, yet no keyed path choice flips in 36-, 60- or "
        "96-month baseline runs (measured): learning the share from studied upgrades belongs to "
        "issue 18 'Economics in the grid'"
    ),
    "hyperscalers.types.ai_lab.queue_risk_premium": (
        "the premium weighs only the grid's queue wait, and an AI lab (value of time 2.8 x) never "
        "has the grid in the running: in 120 months it files on the grid only in the initial "
        "pipeline (5 projects, 114 modular, seed 1), so 0.75 instead of 0.5 flips no keyed "
        "choice in 72 or 120 months, nor at 72 with on-site gas at $100/MWh, nor 2.5 in 72 "
        "(measured); the "
        "cloud and carbon-committed types' premiums (0 -> 2.5) do move choices"
    ),
    "market.cost_storage_usd_per_mwh": (
        "storage now offers its charging price over market.storage_round_trip_efficiency "
        "(abm/markets/storage_day.py, issue 18 item 1); this key prices storage only in the "
        "first month's merit-order seed of the expected LMP, whose marginal plant it never is; "
        "retire it with the catalogue's storage cost key"
    ),
    "market.initial_price_merit_point": (
        "seeds the first month's expected LMP only; the market's prices replace it (by "
        "hyperscalers.expectation_weight a month) and no path choice in the 36-month run flips, "
        "even at 0.1 (LMP 0) or 1.0"
    ),
}


def _at_scale(keys: list[str]) -> list[str]:
    """All keys at full size; below it a fixed share, chosen by a stable hash of the key."""
    share = min(1.0, slow_scale())
    return [k for k in keys if zlib.crc32(k.encode()) % 1000 < share * 1000]


LEVERS = [k for k in lever_helpers.schema_keys() if k not in INERT and k not in NOT_LEVERS]


@pytest.mark.slow
@pytest.mark.parametrize("key", _at_scale(LEVERS))
def test_every_lever_moves_an_output(key: str) -> None:
    """Moving a key inside its range changes the monthly table or the KPIs."""
    moved, _ = lever_helpers.moved_config(key)
    assert lever_runs.changed_outputs(key), (
        f"{key} moved to {moved!r} changes no output: wire it, give it a context or a move in "
        "tests/lever_helpers.py, or list it in INERT with the reason and the issue that wires it"
    )


@pytest.mark.slow
@pytest.mark.parametrize("key", _at_scale(sorted(INERT)))
def test_inert_keys_are_still_inert(key: str) -> None:
    """A key listed as inert still moves nothing; once wired it must leave the list."""
    moved, _ = lever_helpers.moved_config(key)
    changed = lever_runs.changed_outputs(key)
    assert not changed, f"{key} moved to {moved!r} now changes {changed}: remove it from INERT"


def test_lists_name_schema_keys() -> None:
    """Every listed key exists in the schema, and no key is both inert and not a lever."""
    keys = set(lever_helpers.schema_keys())
    assert not (set(INERT) | set(NOT_LEVERS)) - keys
    assert not set(INERT) & set(NOT_LEVERS)
    for table in (lever_helpers.CONTEXTS, lever_helpers.MOVES, lever_helpers.COUPLED):
        assert all(any(k.startswith(prefix) for k in keys) for prefix in table)


def test_a_row_that_surely_differs_prints_differently() -> None:
    """The moved run stops at the first row `surely_differs` flags: such values must give the
    monthly table another text (1 ulp apart, ints, strings), and the rule leaves NaN and mixed
    types to the finished run's text."""
    pairs = [(0.1, math.nextafter(0.1, 1.0)), (3, 4), ("2025-01", "2025-02"), (1e-300, 2e-300)]
    for a, b in pairs:
        assert lever_runs.surely_differs(a, b)
        texts = [pd.DataFrame({"x": [v, 1.5]}).to_csv(index=False) for v in (a, b)]
        assert texts[0] != texts[1], (a, b)
    for a, b in [(math.nan, math.nan), (1, 1.0), (None, math.nan), (0.0, -0.0), (2.5, 2.5)]:
        assert not lever_runs.surely_differs(a, b)


def test_a_row_with_a_mutable_value_is_refused() -> None:
    """A row is final only if it holds immutable scalars: a list or an array the model could
    still change makes the comparison error instead of stopping early on it."""
    for value in ([1.0], pd.Series([1.0]).to_numpy(), {"a": 1.0}):
        model = SimpleNamespace(datacollector=SimpleNamespace(model_vars={"x": [value]}))
        with pytest.raises(AssertionError, match="mutable"):
            lever_runs._final_row(model, ["x"])  # type: ignore[arg-type]


@pytest.mark.slow
def test_runs_of_other_lengths_share_their_first_months() -> None:
    """A run's first months do not depend on its length: a 2-month run repeats, value for value,
    the first rows of its lineage (the longer run whose rows the base runs of every length share)."""
    cfg = config_with(lever_helpers.base_config("demand.growth_multiplier"), {"run.months": 2})
    shared = lever_runs.shared_rows(cfg)
    assert shared.cfg.run.months > 2
    assert repr(lever_runs.exact_run(cfg).rows) == repr([shared.row(m) for m in range(2)])


@pytest.fixture
def short_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lever runs of two months, a move for the scenario's name (a label), each key's comparison
    made once (both lever tests call it)."""
    monkeypatch.setattr(lever_helpers, "SHORT_RUN", {"run.months": 2})
    monkeypatch.setitem(lever_helpers.MOVES, "name", "another name")
    monkeypatch.setattr(lever_runs, "changed_outputs", functools.cache(lever_runs.changed_outputs))


@pytest.mark.slow
@pytest.mark.usefixtures("short_runs")
@pytest.mark.parametrize("key", ["name", "carbon.grid_t_per_mwh", "demand.growth_multiplier"])
def test_the_lever_test_fails_a_key_that_moves_nothing(key: str) -> None:
    """The early stop keeps the assertion's meaning: a label (NOT_LEVERS) and a key no rule reads
    (INERT) run to their end, are reported as moving nothing and fail the lever test (the inert
    test passes them); a key that moves passes it, and the inert test fails it."""
    moves = key == "demand.growth_multiplier"
    assert (key in INERT or key in NOT_LEVERS) is not moves
    lever, inert = test_every_lever_moves_an_output, test_inert_keys_are_still_inert
    failing, passing = (inert, lever) if moves else (lever, inert)
    with pytest.raises(AssertionError, match="remove it from INERT" if moves else "changes no"):
        failing(key)
    passing(key)
