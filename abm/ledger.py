"""The single place where money changes hands: double-entry transfers with a conservation check.

Accounts are agent unique_ids (ints) or strings. Strings starting with 'external:' are declared
flows across the model boundary (incentives, fuel, construction, materials); 'market:' accounts
are clearing houses that must net to zero every month.
"""

from __future__ import annotations

import math
from collections import defaultdict

Account = int | str


class LedgerError(AssertionError):
    """A transfer or balance broke an accounting invariant."""


class Ledger:
    """Double-entry money ledger with per-month totals by kind."""

    def __init__(self) -> None:
        self.balances: defaultdict[Account, float] = defaultdict(float)
        self.by_kind: defaultdict[str, float] = defaultdict(float)
        self.month_by_kind: defaultdict[str, float] = defaultdict(float)
        self.month = -1
        self.n_transfers = 0

    def start_month(self, month: int) -> None:
        """Check the clearing accounts and reset monthly totals."""
        self.check()
        self.month = month
        self.month_by_kind = defaultdict(float)

    def transfer(self, payer: Account, payee: Account, usd: float, kind: str) -> None:
        """Move `usd` from payer to payee; amounts must be finite and non-negative."""
        if not math.isfinite(usd) or usd < 0:
            raise LedgerError(
                f"transfer {kind!r} of {usd!r} USD from {payer} to {payee}: amounts must be finite and >= 0"
            )
        if usd == 0:
            return
        self.balances[payer] -= usd
        self.balances[payee] += usd
        self.by_kind[kind] += usd
        self.month_by_kind[kind] += usd
        self.n_transfers += 1

    def external_net_usd(self) -> float:
        """Net money that entered the model from declared external accounts."""
        return -sum(
            v for k, v in self.balances.items() if isinstance(k, str) and k.startswith("external:")
        )

    def check(self) -> None:
        """All balances sum to zero and every market clearing account is flat."""
        total = sum(self.balances.values())
        scale = max(1.0, sum(abs(v) for v in self.balances.values()))
        if abs(total) > 1e-9 * scale:
            raise LedgerError(f"money not conserved: balances sum to {total:.6g} USD")
        for account, value in self.balances.items():
            if (
                isinstance(account, str)
                and account.startswith("market:")
                and abs(value) > 1e-6 * scale
            ):
                raise LedgerError(
                    f"clearing account {account} holds {value:.6g} USD after clearing"
                )
        for account in self.balances:
            if isinstance(account, str) and not account.startswith(("external:", "market:")):
                raise LedgerError(
                    f"undeclared string account {account!r}: use 'external:' or 'market:'"
                )
