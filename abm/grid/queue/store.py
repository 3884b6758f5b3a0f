"""Request store of the interconnection queue: states, kinds and the growable request columns.

Every request sits in exactly one `State` and remembers the month it entered each state. The
columns are numpy arrays that grow by amortised doubling, so the rules can move every active
request with array operations only.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from abm.errors import InputError

if TYPE_CHECKING:  # pandas is imported where a table is made: `import abm` stays without it
    import pandas as pd

NO_MONTH = -(10**6)
"""Month of a state never entered, or of a clock that is not running.

Far below any month a run reaches: the spin-up runs at negative months (down to
-`queue.spin_up_months`), so -1 would read a phase due in the spin-up's last month as "no
clock" and leave the request in that phase for good."""

ORDER_UNSET = np.iinfo(np.int64).max
"""Queue-order key of a request not yet in line (cluster mode, before its window closes)."""


class State(IntEnum):
    """Lifecycle of a request; only forward moves, or to WITHDRAWN from any active state."""

    SUBMITTED = 0
    SYSTEM_STUDY = 1
    FACILITIES_STUDY = 2
    AGREEMENT = 3
    CONSTRUCTION = 4
    ENERGIZED = 5
    WITHDRAWN = 6


class Kind(IntEnum):
    """What is being connected: a load (data centre), a generator, or storage."""

    LOAD = 0
    GENERATION = 1
    STORAGE = 2


class Reason(IntEnum):
    """Why a request left the queue without being energised (NONE while it has not)."""

    NONE = 0
    VOLUNTARY = 1
    ATTRITION = 2
    UPGRADE_COST = 3
    TWIN = 4  # a twin filing of the same project signed or energised
    SWITCH = 5  # the owner moved the project to another path (or refiled it)
    CANCELLED = 6  # the owner cancelled the project


N_STATES = len(State)

REQUEST_COLUMNS: dict[str, tuple[type, object]] = {
    "kind": (np.int8, 0),
    "mw": (np.float64, 0.0),
    "node": (np.int64, 0),
    "territory": (np.int64, 0),
    "requester": (np.int64, 0),
    "project": (np.int64, 0),
    "dup_group": (np.int64, -1),
    "flexible": (np.bool_, False),
    "speculative": (np.bool_, False),
    "draw_key": (np.int64, 0),  # what its random draws are keyed by (abm.streams.entity_key)
    "utility_build": (np.bool_, False),  # a utility's own plant: leaves only by its decision
    "submit_month": (np.int64, NO_MONTH),
    "state": (np.int8, 0),
    "due_month": (np.int64, NO_MONTH),
    "order_key": (np.int64, ORDER_UNSET),
    "cluster_id": (np.int64, -1),
    "restudies": (np.int64, 0),
    "last_restudy_month": (np.int64, NO_MONTH),
    "waiting_since_month": (np.int64, NO_MONTH),
    "upgrade_mw": (np.float64, 0.0),
    "upgrade_cost_usd": (np.float64, 0.0),
    "upgrade_lead_months": (np.float64, 0.0),
    "build_months": (np.float64, 0.0),
    "upgrade_in_service_month": (np.int64, NO_MONTH),
    "curtailable_mw": (np.float64, 0.0),
    "deposits_usd": (np.float64, 0.0),
    "refunded_usd": (np.float64, 0.0),
    "penalty_usd": (np.float64, 0.0),
    "late_penalty_credit_usd": (np.float64, 0.0),
    "withdraw_reason": (np.int8, 0),
    "withdrawn_from_state": (np.int8, -1),
    "resolved_month": (np.int64, NO_MONTH),
}
"""One column per request attribute: (dtype, value of a new row)."""

CLUSTER_COLUMNS: dict[str, tuple[type, object]] = {
    "territory": (np.int64, 0),
    "is_load": (np.bool_, False),
    "close_month": (np.int64, 0),
    "deadline_month": (np.int64, 0),
    "late_until_month": (np.int64, 0),
    "n_members": (np.int64, 0),
    "deposits_usd": (np.float64, 0.0),
    "late_penalty_usd": (np.float64, 0.0),
}
"""One column per cluster study attribute (cluster mode): (dtype, value of a new row)."""

_REQUEST_INPUTS: dict[str, type] = {
    "kind": np.int64,
    "mw": np.float64,
    "node": np.int64,
    "territory": np.int64,
    "requester": np.int64,
    "project": np.int64,
    "dup_group": np.int64,
    "flexible": np.bool_,
    "speculative": np.bool_,
    "draw_key": np.int64,
    "utility_build": np.bool_,
}
"""What a filing gives, and the dtype it is read as before broadcasting."""


def whole_months(x: np.ndarray | float) -> np.ndarray:
    """Round a duration to whole months, at least one step, so every phase takes a month or more."""
    return np.maximum(1, np.rint(np.asarray(x, dtype=np.float64))).astype(np.int64)


class Columns:
    """Named growable numpy columns of equal length with amortised doubling."""

    def __init__(self, spec: dict[str, tuple[type, object]], extra_2d: int = 0) -> None:
        """Allocate empty columns; `extra_2d` > 0 adds an (n, extra_2d) int64 `entered` block."""
        self.spec = spec
        self.n = 0
        self.cap = 0
        self.data: dict[str, np.ndarray] = {k: np.empty(0, dt) for k, (dt, _) in spec.items()}
        self.extra_2d = extra_2d
        self.entered = np.empty((0, extra_2d), np.int64)

    def append(self, k: int) -> np.ndarray:
        """Add k rows filled with defaults and return their indices."""
        need = self.n + k
        if need > self.cap:
            new_cap = max(need, 2 * self.cap, 64)
            for name, (dt, default) in self.spec.items():
                grown = np.full(new_cap, default, dtype=dt)
                grown[: self.n] = self.data[name][: self.n]
                self.data[name] = grown
            if self.extra_2d:
                grown2 = np.full((new_cap, self.extra_2d), NO_MONTH, np.int64)
                grown2[: self.n] = self.entered[: self.n]
                self.entered = grown2
            self.cap = new_cap
        ids = np.arange(self.n, need, dtype=np.int64)
        self.n = need
        return ids

    def __getitem__(self, name: str) -> np.ndarray:
        """The full-capacity array of a column (index it with ids)."""
        return self.data[name]


def _as_columns(filing: dict[str, object]) -> dict[str, np.ndarray]:
    """Broadcast a filing's scalars and arrays to equal-length 1-d columns."""
    arrays = np.broadcast_arrays(*(np.asarray(filing[k], dt) for k, dt in _REQUEST_INPUTS.items()))
    return {k: np.atleast_1d(a).ravel() for k, a in zip(_REQUEST_INPUTS, arrays, strict=True)}


def _check_filing(new: dict[str, np.ndarray], n_territories: int) -> None:
    """Reject kinds, sizes, territories and nodes the queue cannot hold."""
    kind, mw, node, territory = new["kind"], new["mw"], new["node"], new["territory"]
    if kind.size and (kind.min() < 0 or kind.max() >= len(Kind)):
        raise InputError(
            f"request kind {np.unique(kind)}: expected 0 (load), 1 (generation) or 2 (storage)"
        )
    if mw.size and (not np.all(np.isfinite(mw)) or mw.min() <= 0):
        raise InputError("request mw: expected finite values > 0")
    if territory.size and (territory.min() < 0 or territory.max() >= n_territories):
        raise InputError(f"request territory: expected 0..{n_territories - 1}")
    if node.size and node.min() < 0:
        raise InputError("request node: expected ids >= 0")


class RequestStore:
    """Every request of a run (and every cluster study) as columns, plus the ids still active."""

    def __init__(self, n_territories: int) -> None:
        """Create an empty store for requests in territories 0..n_territories-1."""
        self.n_territories = int(n_territories)
        self.requests = Columns(REQUEST_COLUMNS, extra_2d=N_STATES)
        self.clusters = Columns(CLUSTER_COLUMNS)
        self.active = np.empty(0, np.int64)
        self.max_node = -1

    def add(self, month: int, filing: dict[str, object]) -> np.ndarray:
        """Check and append new requests in SUBMITTED at `month`; return their ids in FCFS order."""
        new = _as_columns(filing)
        _check_filing(new, self.n_territories)
        c = self.requests
        if new["node"].size:
            self.max_node = max(self.max_node, int(new["node"].max()))
        ids = c.append(new["kind"].size)
        for name, values in new.items():
            c[name][ids] = values
        c["submit_month"][ids] = month
        self.enter(ids, State.SUBMITTED, month)
        self.active = np.concatenate([self.active, ids])
        return ids

    def enter(self, ids: np.ndarray, state: State, month: int) -> None:
        """Move requests into `state` at `month` and record the entry month."""
        self.requests["state"][ids] = state
        self.requests.entered[ids, state] = month

    def drop_resolved(self) -> None:
        """Forget energised and withdrawn requests in the active list (the rows stay)."""
        self.active = self.active[self.requests["state"][self.active] < State.ENERGIZED]

    def column(self, name: str, ids: np.ndarray | None = None) -> np.ndarray:
        """A copy of one column (see `table()` for the names), for all requests or for `ids`."""
        c = self.requests
        if name not in c.data:
            raise InputError(
                f'queue column "{name}" does not exist; expected one of {sorted(c.data)}'
            )
        data = c[name][: c.n]
        return data.copy() if ids is None else data[np.asarray(ids, np.int64)]

    def entered_month(self, ids: np.ndarray | int | None = None) -> np.ndarray:
        """Month each request entered each state, shape (n, 7); NO_MONTH where never entered."""
        block = self.requests.entered[: self.requests.n]
        return block.copy() if ids is None else block[np.asarray(ids, np.int64)]

    def table(self) -> pd.DataFrame:
        """Every request, one row each, all columns plus the month it entered each state."""
        import pandas as pd

        c = self.requests
        df = pd.DataFrame({name: arr[: c.n].copy() for name, arr in c.data.items()})
        df.insert(0, "id", np.arange(c.n, dtype=np.int64))
        for s in State:
            df[f"entered_{s.name.lower()}"] = c.entered[: c.n, s]
        return df

    def cluster_table(self) -> pd.DataFrame:
        """Every cluster study formed so far (cluster mode), one row each."""
        import pandas as pd

        cl = self.clusters
        df = pd.DataFrame({name: arr[: cl.n].copy() for name, arr in cl.data.items()})
        df.insert(0, "cluster_id", np.arange(cl.n, dtype=np.int64))
        return df
