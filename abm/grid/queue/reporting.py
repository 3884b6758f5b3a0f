"""Summaries of the queue for metrics, utilities and the app: counts, backlogs, waits, shares.

Pure reads of a `RequestStore`; nothing here changes a request.
"""

from __future__ import annotations

import numpy as np

from abm.grid.queue.store import N_STATES, NO_MONTH, Kind, RequestStore, State


def _kind_mask(store: RequestStore, kind: int | None) -> np.ndarray:
    """Mask over all requests of one kind (all when None)."""
    k = store.requests["kind"][: store.requests.n]
    return np.ones(k.size, np.bool_) if kind is None else k == int(kind)


def months_in_queue(store: RequestStore, month: int) -> np.ndarray:
    """Months from submission to `month` (active) or to energisation/withdrawal (resolved), per id."""
    c = store.requests
    end = c["resolved_month"][: c.n]
    end = np.where(end == NO_MONTH, int(month), end)
    return end - c["submit_month"][: c.n]


def counts_by_state(store: RequestStore) -> np.ndarray:
    """Number of requests in each state, shape (7,); sums to the number of requests."""
    c = store.requests
    return np.bincount(c["state"][: c.n], minlength=N_STATES).astype(np.int64)


def backlog_mw(store: RequestStore, kind: int | None = None) -> float:
    """Active (not energised or withdrawn) MW, optionally of one kind."""
    act = store.active
    mw = store.requests["mw"][act]
    if kind is not None:
        mw = mw[store.requests["kind"][act] == int(kind)]
    return float(mw.sum())


def mw_by_node(
    store: RequestStore,
    n_nodes: int,
    kind: int | None = None,
    states: tuple[int, ...] = (State.ENERGIZED,),
) -> np.ndarray:
    """MW per node of requests in `states` (energised by default), optionally of one kind."""
    c = store.requests
    mask = np.isin(c["state"][: c.n], np.asarray(states)) & _kind_mask(store, kind)
    return np.bincount(c["node"][: c.n][mask], weights=c["mw"][: c.n][mask], minlength=int(n_nodes))


def curtailable_mw_by_node(store: RequestStore, n_nodes: int, month: int) -> np.ndarray:
    """MW per node of energised flexible loads that must curtail until their upgrade is in service."""
    c = store.requests
    n = c.n
    mask = (
        (c["state"][:n] == State.ENERGIZED)
        & (c["curtailable_mw"][:n] > 0)
        & (c["upgrade_in_service_month"][:n] > int(month))
    )
    return np.bincount(
        c["node"][:n][mask], weights=c["curtailable_mw"][:n][mask], minlength=int(n_nodes)
    )


def median_wait_months(
    store: RequestStore,
    kind: int | None = None,
    month: int | None = None,
    window_months: int | None = None,
) -> float:
    """Median months from request to energisation, over requests energised by `month`.

    With `window_months`, only those energised in the last `window_months` up to `month`
    (LBNL reports the median for projects built in given years). NaN when there are none.
    """
    c = store.requests
    n = c.n
    e = c.entered[:n, State.ENERGIZED]
    mask = (c["state"][:n] == State.ENERGIZED) & _kind_mask(store, kind)
    if month is not None:
        mask &= e <= int(month)
        if window_months is not None:
            mask &= e > int(month) - int(window_months)
    if not mask.any():
        return float("nan")
    return float(np.median(e[mask] - c["submit_month"][:n][mask]))


def withdrawn_share(store: RequestStore, kind: int | None = None, by_mw: bool = True) -> float:
    """Share of resolved requests (energised or withdrawn) that withdrew, by MW or by count."""
    c = store.requests
    n = c.n
    st = c["state"][:n]
    mask = _kind_mask(store, kind)
    w = np.where(by_mw, c["mw"][:n], 1.0)
    gone = float(w[mask & (st == State.WITHDRAWN)].sum())
    done = float(w[mask & (st == State.ENERGIZED)].sum())
    return gone / (gone + done) if gone + done > 0 else float("nan")


def phantom_mask(store: RequestStore) -> np.ndarray:
    """True for each duplicate twin beyond one real project per group (loads only).

    In each duplicate group of loads the member that reached AGREEMENT is the real project;
    in groups where none did, the first-filed member stands for it. Every other member is
    phantom.
    """
    c = store.requests
    n = c.n
    mask = np.zeros(n, np.bool_)
    idx = np.flatnonzero((c["kind"][:n] == Kind.LOAD) & (c["dup_group"][:n] >= 0))
    if idx.size == 0:
        return mask
    group = c["dup_group"][idx]
    proceeded = c.entered[idx, State.AGREEMENT] != NO_MONTH
    order = np.lexsort((idx, ~proceeded, group))
    g_sorted = group[order]
    first = np.ones(order.size, np.bool_)
    first[1:] = g_sorted[1:] != g_sorted[:-1]
    mask[idx[order[~first]]] = True
    return mask


def phantom_share_of_requested_mw(store: RequestStore, include_speculative: bool = False) -> float:
    """MW of phantom twins (see `phantom_mask`) over all requested load MW.

    With `include_speculative`, load requests flagged speculative count as phantom too.
    """
    c = store.requests
    n = c.n
    load = c["kind"][:n] == Kind.LOAD
    total = float(c["mw"][:n][load].sum())
    if total <= 0:
        return 0.0
    mask = phantom_mask(store)
    if include_speculative:
        mask |= load & c["speculative"][:n]
    return float(c["mw"][:n][mask].sum()) / total


def forecast_mw_by_territory(store: RequestStore, probability: float) -> np.ndarray:
    """A utility's queue-based load forecast: active load MW per territory, twins counted, x probability."""
    c = store.requests
    act = store.active
    load = act[c["kind"][act] == Kind.LOAD]
    mw = np.bincount(c["territory"][load], weights=c["mw"][load], minlength=store.n_territories)
    return float(probability) * mw
