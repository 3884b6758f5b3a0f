"""Common random numbers: independent named streams and entity-keyed draws, all from the run seed.

Two scenarios run on the same seed should differ only where their decisions differ, so no
random process shares a generator with another (docs/randomness.md lists who draws what):

- `Streams.generator(name, *key)`: a numpy Generator seeded by
  `SeedSequence(seed, spawn_key=(stable_id(name), *key))`, for a process that draws a
  sequence in a fixed order (the synthetic grid, one month's merchant arrivals, one project's
  duplicate filings).
- `Streams.uniform(name, *keys)` and `Streams.normal(...)`: stateless, counter-based draws, a
  splitmix64 hash of (seed, name, keys) per element in numpy uint64, so a draw depends on its
  keys alone, never on what else was drawn or in which order. Integer arithmetic only (the
  normal is `scipy.special.ndtri` of the uniform), so the same bits on every machine.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Sequence

import numpy as np

from abm.numerics import elementary, special
from abm.numerics.gumbel import gumbel_argmax

_GOLDEN, _M1, _M2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_MASK = (1 << 64) - 1
_U53 = 2.0**-53
_SMALL_CHOICE = 16  # up to this many alternatives, `Streams.choice` runs in scalar Python
# the uint64 words of `_mix` as numpy scalars, built once (the same bits as `_mix_int`)
_G64, _M1_64, _M2_64 = np.uint64(_GOLDEN), np.uint64(_M1), np.uint64(_M2)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)

Key = int | np.integer | np.ndarray


@functools.cache
def stable_id(name: str) -> int:
    """A 64-bit id of a stream name, the same in every process (unlike Python's salted `hash`)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def _zigzag(key: int) -> int:
    """A signed 64-bit integer as an unsigned one (0, -1, 1, -2 ... -> 0, 1, 2, 3 ...)."""
    return (2 * key if key >= 0 else -2 * key - 1) & _MASK


def _mix_int(x: int) -> int:
    """The splitmix64 finaliser on a Python int: every input bit flips about half the output bits."""
    x = (x + _GOLDEN) & _MASK
    x = ((x ^ (x >> 30)) * _M1) & _MASK
    x = ((x ^ (x >> 27)) * _M2) & _MASK
    return x ^ (x >> 31)


def _mix(x: np.ndarray) -> np.ndarray:
    """`_mix_int` on uint64 arrays (wrapping arithmetic, the same bits); `x` itself is left alone."""
    x = x + _G64
    if x.ndim == 0:  # a numpy scalar: no in-place operations
        x = (x ^ (x >> _S30)) * _M1_64
        x = (x ^ (x >> _S27)) * _M2_64
        return x ^ (x >> _S31)
    x ^= x >> _S30
    x *= _M1_64
    x ^= x >> _S27
    x *= _M2_64
    x ^= x >> _S31
    return x


def _as_u64(key: np.ndarray) -> np.ndarray:
    """Integer keys (negatives allowed) as zigzag-encoded uint64 words, like `_zigzag`."""
    k = np.asarray(key).astype(np.int64)
    return ((k << np.int64(1)) ^ (k >> np.int64(63))).view(np.uint64)


def _is_scalar(keys: tuple[Key, ...]) -> bool:
    """Whether every key is one integer (the pure-Python path, much faster than 0-d arrays)."""
    return all(isinstance(k, (int, np.integer)) for k in keys)


def hash_keys(start: int, *keys: Key) -> int | np.ndarray:
    """The chained splitmix64 hash of `start` (a 64-bit word) and integer keys.

    All-scalar keys give a Python int; otherwise the keys broadcast and give uint64 array.
    """
    return _hash_from(_mix_int(start & _MASK), keys)


def _hash_from(h: int, keys: tuple[Key, ...]) -> int | np.ndarray:
    """`hash_keys` continued from `h`, its start word already mixed."""
    if _is_scalar(keys):
        for k in keys:
            h = _mix_int(h ^ _zigzag(int(k)))
        return h
    arrays = [k for k in keys if not isinstance(k, (int, np.integer))]
    shape = np.shape(arrays[0]) if len(arrays) == 1 else np.broadcast_shapes(*map(np.shape, keys))
    # leading 64-bit integer keys fold into `h` in Python: the same bits, fewer array passes
    lead = 0
    while lead < len(keys) and _is_int64(keys[lead]):
        h = _mix_int(h ^ _zigzag(int(keys[lead])))
        lead += 1
    out = np.full(shape, h, np.uint64)
    with np.errstate(over="ignore"):
        for k in keys[lead:]:
            out = _mix(out ^ _as_u64(k))
    return out


def _unit(h: int) -> float:
    """A 64-bit hash as a uniform in (0, 1): its top 53 bits, centred in their cell."""
    return ((h >> 11) + 0.5) * _U53


def _is_int64(key: Key) -> bool:
    """Whether `key` is one integer in int64 range (where `_zigzag` and `_as_u64` agree)."""
    return isinstance(key, (int, np.integer)) and -(2**63) <= int(key) < 2**63


def label_ids(names: Sequence[str]) -> np.ndarray:
    """Stable int64 labels of named alternatives (paths, say), for `Streams.choice`."""
    return np.array([stable_id(n) >> 1 for n in names], np.int64)


def entity_key(name: str, *parts: Key) -> np.ndarray:
    """64-bit keys (int64) of entities, a queue request's origin say: seed-free, broadcast over parts."""
    h = hash_keys(stable_id(name), *parts)
    if isinstance(h, int):
        return np.array(h, np.uint64).view(np.int64)
    return h.view(np.int64)


class Streams:
    """The run's random streams, all derived from one seed."""

    def __init__(self, seed: int) -> None:
        """Streams of the run seeded `seed` (a non-negative integer)."""
        if int(seed) < 0:
            raise ValueError(f"seed = {seed}: expected >= 0")
        self.seed = int(seed)
        self._heads: dict[str, int] = {}  # per stream name, its start word mixed (`_hash`)

    def generator(self, name: str, *key: int) -> np.random.Generator:
        """A fresh Generator for stream `name` (and integer `key`s): same arguments, same draws."""
        spawn_key = (stable_id(name), *(_zigzag(int(k)) for k in key))
        seq = np.random.SeedSequence(self.seed, spawn_key=spawn_key)
        return np.random.Generator(np.random.PCG64(seq))

    def _start(self, name: str) -> int:
        """The 64-bit word stream `name`'s keyed hashes start from (the seed mixed with the name)."""
        return _mix_int(self.seed) ^ stable_id(name)

    def _hash(self, name: str, keys: tuple[Key, ...]) -> int | np.ndarray:
        """`hash_keys(self._start(name), *keys)`, the name's mixed start word kept per name."""
        head = self._heads.get(name)
        if head is None:
            head = self._heads[name] = _mix_int(self._start(name) & _MASK)
        return _hash_from(head, keys)

    def uniform(self, name: str, *keys: Key) -> float | np.ndarray:
        """Uniforms in (0, 1) from stream `name`: one float for scalar keys, else one per element."""
        h = self._hash(name, keys)
        if isinstance(h, int):
            return _unit(h)
        return ((h >> _S11).astype(np.float64) + 0.5) * _U53

    def normal(self, name: str, *keys: Key) -> float | np.ndarray:
        """Standard normals from stream `name` (the inverse normal CDF of `uniform`)."""
        u = self.uniform(name, *keys)
        return special.ndtri(u)

    def choice(
        self,
        name: str,
        weights: Sequence[float] | np.ndarray,
        *keys: int,
        labels: Sequence[int] | np.ndarray | None = None,
    ) -> int:
        """An index drawn with probability proportional to `weights`, by a keyed Gumbel-max race.

        Alternative i gets its own uniform keyed by (`keys`, `labels[i]`) (labels default to the
        positions) and the largest `log w_i - log(-log u_i)` wins. So a small change in the
        weights changes the pick only when the two best are nearly tied, and an alternative that
        appears or goes away leaves the others' draws alone (unlike one inverse-CDF uniform).
        """
        w = np.asarray(weights, np.float64)
        if w.size <= _SMALL_CHOICE:  # a few paths or techs: scalar Python is several times faster
            alts = range(w.size) if labels is None else np.asarray(labels, np.int64).tolist()
            # integer keys: the chained hash of (seed, name, keys) once, each label continues it
            prefix = self._hash(name, keys)
            log = elementary.log_float
            best, pick = -math.inf, 0
            for i, (wi, label) in enumerate(zip(w.tolist(), alts, strict=True)):
                if wi > 0:
                    if isinstance(prefix, int):  # `uniform(name, *keys, label)`, bit for bit
                        u = _unit(_mix_int(prefix ^ _zigzag(label)))
                    else:
                        u = self.uniform(name, *keys, label)
                    score = log(wi) - log(-log(u))
                    if score > best:
                        best, pick = score, i
            return pick
        alt = np.arange(w.size) if labels is None else np.asarray(labels, np.int64)
        return gumbel_argmax(w, np.asarray(self.uniform(name, *keys, alt)))

    def order(self, name: str, ids: Sequence[int] | np.ndarray, *keys: int) -> np.ndarray:
        """Positions that sort `ids` into a random order keyed by each id (and `keys`)."""
        ids = np.asarray(ids, np.int64)
        if ids.size <= _SMALL_CHOICE and ids.ndim == 1 and _is_scalar(keys):  # a few agents
            prefix = self._hash(name, keys)
            assert isinstance(prefix, int)
            u = [_unit(_mix_int(prefix ^ _zigzag(i))) for i in ids.tolist()]
            return np.lexsort((ids, np.array(u, np.float64)))  # `uniform(name, *keys, ids)`
        return np.lexsort((ids, self.uniform(name, *keys, ids)))
