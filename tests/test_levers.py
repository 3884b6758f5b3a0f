"""Every lever moves something: each schema key, moved inside its range, changes a published output.

For every key of the schema (iterated, never listed: a key added later is covered) a short run at
the base value and one at a moved value, on the same seed, must differ in the monthly table or the
KPIs (`tests/lever_helpers.py` says how keys are moved and which need a context). Keys that move
nothing today sit in `INERT` with the reason and the issue that wires them; a second test keeps
that list honest (a key that starts moving must leave it). Keys that are not levers by nature sit
in `NOT_LEVERS`. The runs are in the slow tier (about one per key); POWERSTACK_SLOW_SCALE below 1 checks a fixed
share of the keys (same assertion per key).
"""

from __future__ import annotations

import zlib

import pytest

from tests import lever_helpers
from tests.conftest import slow_scale

NOT_LEVERS: dict[str, str] = {
    "name": "a label: names the scenario, changes no result",
    "description": "a label: the scenario's story for people, changes no result",
    "run.seed": "picks the random world, not a lever: comparisons hold it fixed",
    "run.months": "the run's length, not a lever: this test sets it",
}

_BOOKS_DEPOSIT = (
    "books money only (queue deposits and penalties go to a ledger no output reads); "
    "issue 16 'Projects and queues that behave like the real thing' makes them behavioural"
)
_NEVER_READ = "never read by the model; issue 15 item 5 wires it"
_CARBON_UNUSED = (
    "no output changes at either end of its range: the CarbonFactors field it sets is not used "
    "by the run's emissions (grid CO2 comes from market.co2_*, on-site gas from gas.co2_t_per_mwh)"
)
_FLAT_BOTH_ENDS = "no output changes at either end of its range in the 36-month run"
_FLAT_SHORT = "no output changes at x 1.5 in the 36-month run (found with issue 14's new keys)"

INERT: dict[str, str] = {
    **{
        f"queue.{key}": _BOOKS_DEPOSIT
        for key in (
            "readiness_deposit_usd_per_mw",
            "submitted_deposit_readiness_multiple",
            "system_study_deposit_readiness_multiple",
            "facilities_study_deposit_readiness_multiple",
            "agreement_deposit_readiness_multiple",
            "construction_deposit_readiness_multiple",
            "agreement_deposit_fraction_of_upgrade",
            "withdrawal_penalty_fraction_of_upgrade",
            "submitted_withdrawal_penalty_readiness_multiple",
            "system_study_withdrawal_penalty_readiness_multiple",
            "facilities_study_withdrawal_penalty_readiness_multiple",
            "agreement_withdrawal_penalty_readiness_multiple",
            "construction_withdrawal_penalty_readiness_multiple",
            "late_study_penalty_usd_per_day",
            "late_study_penalty_cap_fraction_of_deposits",
            "serial_deposit_usd",
        )
    },
    "utilities.gas_capex_usd_per_kw": "books money only (utility gas builds' cost in the ledger)",
    "packs.buyback_price_usd_per_kwh": "books money only (OEM buyback payments in the ledger)",
    "recyclers.holding_cost_usd_per_kwh_month": "books money only (recyclers' holding cost)",
    **{
        f"carbon.{k}_t_per_mwh": _CARBON_UNUSED
        for k in ("grid", "gas_ccgt", "gas_ct", "recip_engine")
    },
    "fade.dod_ref": _FLAT_BOTH_ENDS + " (the depth-of-discharge term)",
    "fade.dod_exponent": _FLAT_BOTH_ENDS + " (the depth-of-discharge term)",
    "utilities.storage_c_rate": _FLAT_BOTH_ENDS + " (grid storage fade; built from 2028)",
    "utilities.storage_efc_per_month": _FLAT_BOTH_ENDS + " (grid storage fade; built from 2028)",
    **{
        key: _FLAT_SHORT
        for key in (
            "hyperscalers.campus_mw_max",
            "hyperscalers.surplus_cancel_factor",
            "hyperscalers.initial_expected_upgrade_share",
            "hyperscalers.wait_signal_window_months",
            "vendors.site_solar_weight_exponent",
            "recyclers.stale_months",
            "recyclers.backlog_trigger_months",
            "market.initial_price_merit_point",
        )
    },
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
    assert lever_helpers.changed_outputs(key), (
        f"{key} moved to {moved!r} changes no output: wire it, give it a context or a move in "
        "tests/lever_helpers.py, or list it in INERT with the reason and the issue that wires it"
    )


@pytest.mark.slow
@pytest.mark.parametrize("key", _at_scale(sorted(INERT)))
def test_inert_keys_are_still_inert(key: str) -> None:
    """A key listed as inert still moves nothing; once wired it must leave the list."""
    moved, _ = lever_helpers.moved_config(key)
    changed = lever_helpers.changed_outputs(key)
    assert not changed, f"{key} moved to {moved!r} now changes {changed}: remove it from INERT"


def test_lists_name_schema_keys() -> None:
    """Every listed key exists in the schema, and no key is both inert and not a lever."""
    keys = set(lever_helpers.schema_keys())
    assert not (set(INERT) | set(NOT_LEVERS)) - keys
    assert not set(INERT) & set(NOT_LEVERS)
    for table in (lever_helpers.CONTEXTS, lever_helpers.MOVES, lever_helpers.COUPLED):
        assert all(any(k.startswith(prefix) for k in keys) for prefix in table)
