"""The identity memo: one value per live object and rest, recomputed for a new object even at a reused id."""

from __future__ import annotations

from abm.numerics.identity_memo import IdentityMemo


class _Frozen:
    """Stands for a frozen config: compared by identity only."""


def test_a_value_is_computed_once_per_object_and_rest() -> None:
    memo: IdentityMemo[int] = IdentityMemo(8)
    calls: list[tuple[int, str]] = []
    a, b = _Frozen(), _Frozen()

    def compute(obj: _Frozen, rest: str) -> int:
        calls.append((id(obj), rest))
        return len(calls)

    assert memo.get((a,), "x", lambda: compute(a, "x")) == 1
    assert memo.get((a,), "x", lambda: compute(a, "x")) == 1  # remembered
    assert memo.get((a,), "y", lambda: compute(a, "y")) == 2  # another rest
    assert memo.get((b,), "x", lambda: compute(b, "x")) == 3  # another object
    assert len(calls) == 3


def test_a_full_memo_starts_afresh_and_never_answers_for_a_stranger() -> None:
    memo: IdentityMemo[str] = IdentityMemo(2)
    held = [_Frozen() for _ in range(3)]
    for i, obj in enumerate(held):
        memo.get((obj,), None, lambda i=i: f"v{i}")
    # the third entry cleared the first two; the first is computed again
    assert memo.get((held[0],), None, lambda: "again") == "again"
    stranger = _Frozen()
    key_owner = held[1]
    memo.get((key_owner,), None, lambda: "owner")
    # an entry stored for one object is not returned for another, whatever their ids
    assert memo.get((stranger,), None, lambda: "stranger") == "stranger"
