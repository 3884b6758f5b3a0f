"""Moving a running queue to new rules (a policy trigger): which requests keep which order keys.

Requests keep the phase they are in; only their place in line is re-expressed in the new
mode's key. Serial keys are request ids (filing order); cluster keys are the month a window
closed, and requests not yet in a cluster carry `ORDER_UNSET` (behind every cluster).
"""

from __future__ import annotations

import numpy as np

from abm.grid.queue.store import ORDER_UNSET, RequestStore, State


def rekey_for_mode(store: RequestStore, old_mode: str, new_mode: str) -> None:
    """Re-express the active requests' order keys when the study mode changes.

    Serial -> cluster: requests already in study keep precedence, keyed by their filing month
    (earlier than any window still to close); those not in study wait for the next window.
    Cluster -> serial: requests waiting for a window line up first-come-first-served by id.
    """
    if old_mode == new_mode:
        return
    c, act = store.requests, store.active
    if new_mode == "cluster":
        started = act[c["state"][act] > State.SUBMITTED]
        c["order_key"][started] = c["submit_month"][started]
        c["order_key"][act[c["state"][act] == State.SUBMITTED]] = ORDER_UNSET
    else:
        unset = act[c["order_key"][act] == ORDER_UNSET]
        c["order_key"][unset] = unset.astype(np.int64)
