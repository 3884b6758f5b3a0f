"""Property-based fuzzing of scenario files and `--set` values (hypothesis).

Whatever a file or an override holds, loading it either gives a valid ScenarioConfig or raises
InputError with a one-line message naming where the input came from; never another exception.
A valid config written back as TOML loads to the same config. Each property runs a few hundred
examples in the fast tier and ten times as many (scaled by POWERSTACK_SLOW_SCALE) in the slow one.
"""

from __future__ import annotations

import datetime as dt
import math
import string
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from abm.bounds import Bounds, bounds_of, value_type
from abm.errors import InputError
from abm.scenario import (
    apply_overrides,
    build_config,
    load_scenario,
    parse_override_value,
    parse_overrides,
    scenarios_dir,
    to_toml,
)
from abm.schema import SECTIONS, ScenarioConfig, parameter_keys
from tests.conftest import slow_scale

KEYS = parameter_keys()
BASELINE = scenarios_dir() / "baseline.toml"
WORDS = [
    "serial",
    "cluster",
    "market",
    "second_use_first",
    "recycle_first",
    "2025-01",
    "1989-12",
    "2101-01",
    "2025-13",
    "synthetic",
    "synthetik",
    "pandapower:case_nope",
    "grids/example_5bus.json",
    "../../etc/passwd",
    "",
    " ",
    "nan",
    "inf",
    "true",
    "0x10",
    "1_000",
    "é",
    "\x00",
    "\n",
]
EXAMPLES = {"files": 300, "text": 200, "binary": 100, "set_strings": 300, "set_values": 300}
SLOW_FACTOR = 10


# ---------------------------------------------------------------------------- strategies
def mutated(word: str) -> st.SearchStrategy[str]:
    """A key with one typo: a character dropped, doubled, swapped or changed in case."""
    i = st.integers(0, max(len(word) - 1, 0))
    return st.one_of(
        i.map(lambda k: word[:k] + word[k + 1 :]),
        i.map(lambda k: word[:k] + word[k : k + 1] * 2 + word[k + 1 :]),
        i.map(lambda k: word[:k] + word[k + 1 : k + 2] + word[k : k + 1] + word[k + 2 :]),
        st.just(word.upper()),
    )


def keys() -> st.SearchStrategy[str]:
    """Mostly real dotted keys, some misspelt, some nonsense."""
    real = st.sampled_from(KEYS)
    return st.one_of(
        real,
        real,
        real,
        real.flatmap(mutated),
        st.sampled_from(["name", "description", "extends"]),
        st.text(string.ascii_letters + "._", max_size=12),
    )


def bounds(key: str) -> tuple[float, float, bool]:
    """(lower, upper, lower is strict) of a numeric parameter; wide defaults for anything else."""
    try:
        b = bounds_of(key)
    except KeyError:
        b = Bounds()
    lo = b.lower if b.lower is not None else -1e6
    hi = b.upper if b.upper is not None else 1e6
    return lo, hi, b.lower_strict


def bounded_numbers(key: str) -> st.SearchStrategy[Any]:
    """Numbers around a parameter's bounds (inside, on and just outside), as ints and floats."""
    lo, hi, _ = bounds(key)
    edges = st.sampled_from([lo, hi, lo - 1, hi + 1, lo - 1e-9, hi * 2 + 1, 0.0, -0.0])
    inside = st.floats(lo, hi, allow_nan=False)
    top = int(min(hi, 2**62)) + 2
    return st.one_of(edges, inside, inside.map(round), st.integers(int(lo) - 2, top))


def valid_values(key: str) -> st.SearchStrategy[Any]:
    """Values a parameter accepts: its choices, or numbers of its type inside its range."""
    annotation = value_type(key)
    choices = getattr(annotation, "__args__", None)
    lo, hi, strict = bounds(key)
    if choices:
        return st.sampled_from(choices)
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(int(lo) + strict, int(hi))
    if annotation is float:
        return st.floats(lo, hi, exclude_min=strict, allow_nan=False)
    if key == "grid.source":
        return st.sampled_from(
            ["synthetic", "grids/example_5bus.json", "grids/example_5bus.graphml"]
        )
    return st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(1990, 2100), st.integers(1, 12))


def scalars() -> st.SearchStrategy[Any]:
    """Values of every TOML type, plus NaN, inf, huge integers and awkward strings."""
    return st.one_of(
        st.booleans(),
        st.integers(),
        st.integers(-(10**40), 10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(WORDS),
        st.text(max_size=20),
        st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
        st.datetimes(),
        st.times(),
    )


def values() -> st.SearchStrategy[Any]:
    """Scalars, and small arrays and tables of them."""
    tables = st.dictionaries(st.text(string.ascii_lowercase, max_size=6), st.deferred(scalars))
    return st.recursive(scalars(), lambda inner: st.lists(inner, max_size=3) | tables, max_leaves=6)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[str, Any]:
    """A key (maybe misspelt) and a value near its range, a typical word, or anything."""
    key = draw(keys())
    value = draw(st.one_of(bounded_numbers(key), st.sampled_from(WORDS), values()))
    return key, value


@st.composite
def valid_pairs(draw: st.DrawFn) -> tuple[str, Any]:
    """A real key and a value inside its range."""
    key = draw(st.sampled_from(KEYS))
    return key, draw(valid_values(key))


@st.composite
def scenario_tables(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario as TOML data: mostly valid parameters, often a bad one, sometimes `extends`."""
    data: dict[str, Any] = {}
    if draw(st.booleans()):
        names = st.sampled_from(["fuzz", "a b", "../x", "x" * 90])
        data["name"] = draw(st.one_of(names, st.text(max_size=12), scalars()))
    if draw(st.integers(0, 9)) == 0:
        targets = ["baseline", "fuzz.toml", "../baseline.toml", "/etc/passwd", "baselin", 5, ""]
        data["extends"] = draw(st.sampled_from(targets))
    entries = draw(st.lists(valid_pairs(), max_size=8))
    if draw(st.booleans()):
        entries += draw(st.lists(pairs(), min_size=1, max_size=3))
    for key, value in entries:
        section, dot, param = key.partition(".")
        if dot and section in SECTIONS and isinstance(data.get(section, {}), dict):
            data.setdefault(section, {})[param] = value
        else:
            data[key] = value
    return data


def toml_text(data: dict[str, Any]) -> str | None:
    """TOML for the data, or None where TOML cannot express it."""
    try:
        return tomli_w.dumps(data)
    except (TypeError, ValueError):
        return None


def toml_ish() -> st.SearchStrategy[str]:
    """Lines that look like TOML: headers, assignments with odd values, broken syntax."""
    header = st.sampled_from(
        [f"[{s}]" for s in SECTIONS] + ["[queue", "[[packs]]", "[queue.rules]", "[]", "[queu]"]
    )
    value = st.sampled_from(
        [
            '"serial"',
            "12",
            "1e400",
            "-1",
            "nan",
            "inf",
            "true",
            "[1, 2]",
            "{ a = 1 }",
            "2025-01-01",
            '"2025-01"',
            "'x'",
            '"""x"""',
            "0o17",
            "1__0",
            "",
            "=",
            "9" * 5000,
        ]
    )
    assignment = st.builds(
        lambda k, v: f"{k} = {v}",
        keys().map(lambda k: k.rpartition(".")[2] if "." in k else k),
        value,
    )
    line = st.one_of(header, assignment, assignment, st.text(max_size=15))
    return st.lists(line, max_size=10).map("\n".join)


# ---------------------------------------------------------------------------- checks
def one_line_error(exc: InputError, where: str) -> None:
    """The message is one non-empty line that starts with where the input came from."""
    message = str(exc)
    assert message and "\n" not in message and "\r" not in message, repr(message)
    assert message.startswith(where), f"{message!r} does not start with {where!r}"


def load_or_input_error(path: Path) -> ScenarioConfig | None:
    """Load a file: a config, or None after checking the InputError."""
    try:
        cfg = load_scenario(path)
    except InputError as exc:
        one_line_error(exc, str(path))
        event("InputError")
        return None
    event("valid config")
    return cfg


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    """A scratch folder reused by every example (hypothesis runs many examples per test)."""
    with tempfile.TemporaryDirectory(prefix="powerstack-fuzz-") as tmp:
        yield Path(tmp)


def fuzz(
    strategy: st.SearchStrategy[Any], examples: int
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """given(strategy) with a fixed example budget, no deadline and module fixtures allowed."""

    def wrap(fn: Callable[..., None]) -> Callable[..., None]:
        return settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )(given(strategy)(fn))

    return wrap


# ---------------------------------------------------------------------------- properties
def check_generated_file(folder: Path, data: dict[str, Any]) -> None:
    """A generated scenario file validates or fails with one line naming the file; valid ones round-trip."""
    text = toml_text(data)
    if text is None:
        return
    path = folder / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    cfg = load_or_input_error(path)
    if cfg is not None:
        again = folder / "again.toml"
        again.write_text(to_toml(cfg), encoding="utf-8")
        assert load_scenario(again) == cfg


def check_text_file(folder: Path, text: str) -> None:
    """Any text in a scenario file validates or fails with one line naming the file."""
    path = folder / "text.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    load_or_input_error(path)


def check_binary_file(folder: Path, raw: bytes) -> None:
    """Any bytes in a scenario file validate or fail with one line naming the file."""
    path = folder / "raw.toml"
    path.write_bytes(raw)
    load_or_input_error(path)


def check_set_strings(items: list[str]) -> None:
    """`--set` strings: parsed and applied to the baseline, or one InputError line naming --set or the file."""
    try:
        parsed = parse_overrides(items)
    except InputError as exc:
        one_line_error(exc, "--set")
        event("InputError")
        return
    try:
        cfg = load_scenario("baseline", items)
    except InputError as exc:
        message = str(exc)
        assert "\n" not in message
        assert message.startswith(("--set", f"{BASELINE} with --set")), message
        event("InputError")
        return
    event("valid config")
    for key, value in parsed.items():
        if key not in ("name", "description"):
            section, _, param = key.partition(".")
            stored = getattr(getattr(cfg, section), param)
            assert stored == value or (isinstance(value, float) and math.isclose(stored, value)), (
                key,
                value,
                stored,
            )


def check_set_values(overrides: dict[str, Any]) -> None:
    """Override values of any Python type: a config or one InputError line naming --set."""
    base = load_scenario("baseline").model_dump()
    try:
        data = apply_overrides(base, parse_overrides(overrides))
        build_config(data, "--set")
    except InputError as exc:
        one_line_error(exc, "--set")
        event("InputError")
        return
    event("valid config")


def as_set_item(key: str, value: Any) -> str:
    """`key=value` as typed on the command line (TOML literals, bare words for strings)."""
    if isinstance(value, str):
        return f"{key}={value}"
    text = toml_text({"v": value})
    return f"{key}={text[4:].strip() if text else value}"


set_items = st.lists(
    st.one_of(
        valid_pairs().map(lambda kv: as_set_item(*kv)),
        pairs().map(lambda kv: as_set_item(*kv)),
        st.builds(as_set_item, keys(), st.one_of(st.sampled_from(WORDS), st.text(max_size=12))),
        st.text(max_size=15),
    ),
    max_size=4,
)
ODD_OBJECTS = [
    None,
    object(),
    b"bytes",
    (1, 2),
    {1, 2},
    Decimal("1.5"),
    Decimal("NaN"),
    np.float64("nan"),
    np.int64(7),
    np.float32(0.5),
    complex(1, 1),
    float("-inf"),
    10**400,
    dt.timedelta(days=1),
    frozenset(),
    Path("x"),
]
set_values = st.one_of(
    st.lists(valid_pairs(), max_size=6).map(dict),
    st.dictionaries(
        keys(), st.one_of(pairs().map(lambda kv: kv[1]), st.sampled_from(ODD_OBJECTS)), max_size=4
    ),
)


@fuzz(scenario_tables(), EXAMPLES["files"])
def test_generated_scenario_files(folder: Path, data: dict[str, Any]) -> None:
    check_generated_file(folder, data)


@fuzz(st.one_of(toml_ish(), st.text(max_size=200)), EXAMPLES["text"])
def test_text_scenario_files(folder: Path, text: str) -> None:
    check_text_file(folder, text)


@fuzz(st.binary(max_size=300), EXAMPLES["binary"])
def test_binary_scenario_files(folder: Path, raw: bytes) -> None:
    check_binary_file(folder, raw)


@fuzz(set_items, EXAMPLES["set_strings"])
def test_set_strings(items: list[str]) -> None:
    check_set_strings(items)


@fuzz(set_values, EXAMPLES["set_values"])
def test_set_values_of_any_type(overrides: dict[str, Any]) -> None:
    check_set_values(overrides)


@fuzz(st.text(max_size=40), 200)
def test_parse_override_value_never_raises(text: str) -> None:
    value = parse_override_value(text)
    assert value is not None


def slow_examples(kind: str) -> int:
    """The slow tier's example budget for one property."""
    return max(EXAMPLES[kind], int(EXAMPLES[kind] * SLOW_FACTOR * slow_scale()))


@pytest.mark.slow
@fuzz(scenario_tables(), slow_examples("files"))
def test_generated_scenario_files_slow(folder: Path, data: dict[str, Any]) -> None:
    check_generated_file(folder, data)


@pytest.mark.slow
@fuzz(st.one_of(toml_ish(), st.text(max_size=400)), slow_examples("text"))
def test_text_scenario_files_slow(folder: Path, text: str) -> None:
    check_text_file(folder, text)


@pytest.mark.slow
@fuzz(st.binary(max_size=2000), slow_examples("binary"))
def test_binary_scenario_files_slow(folder: Path, raw: bytes) -> None:
    check_binary_file(folder, raw)


@pytest.mark.slow
@fuzz(set_items, slow_examples("set_strings"))
def test_set_strings_slow(items: list[str]) -> None:
    check_set_strings(items)


@pytest.mark.slow
@fuzz(set_values, slow_examples("set_values"))
def test_set_values_of_any_type_slow(overrides: dict[str, Any]) -> None:
    check_set_values(overrides)
