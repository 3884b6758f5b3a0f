"""Load scenarios from TOML: `extends` inheritance, `key=value` overrides, and one-line errors.

Every failure raises `InputError` with a message that names the file, the key, the value and
what was expected (with a "did you mean" for typos), so the CLI can print it and exit 2.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from abm.errors import InputError, did_you_mean
from abm.policy.triggers import check_triggers
from abm.schema import SECTIONS, ScenarioConfig, allowed_range, firm_types, is_table, parameter_keys

MAX_FILE_BYTES = 1_000_000
TOP_LEVEL_KEYS = ("name", "description", "extends", *SECTIONS, "triggers")
GRID_FILE_SUFFIXES = (".json", ".graphml")
MAX_VALUE_CHARS = 60
_UNSAFE_NAME_CHARS = frozenset("/\\") | {chr(c) for c in (*range(32), 127)}


def scenarios_dir() -> Path:
    """The built-in scenario folder (`scenarios/` beside the package), or $POWERSTACK_SCENARIOS."""
    env = os.environ.get("POWERSTACK_SCENARIOS")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "scenarios"


def list_scenarios() -> list[tuple[str, str]]:
    """(name, description) of every scenario file in the built-in folder, sorted by name."""
    out = []
    for path in sorted(scenarios_dir().glob("*.toml")):
        cfg = load_scenario(path)
        out.append((path.stem, cfg.description))
    return out


def resolve_scenario_path(name_or_path: str | os.PathLike[str], untrusted: bool = False) -> Path:
    """A scenario name ('baseline') or a path to a .toml file -> an existing file path.

    With `untrusted` (names sent by a browser) only the built-in scenarios' names are accepted.
    """
    text = str(name_or_path)
    path = Path(text)
    if untrusted and text not in {p.stem for p in scenarios_dir().glob("*.toml")}:
        names = [p.stem for p in scenarios_dir().glob("*.toml")]
        raise InputError(
            f"scenario {_short(text)}: expected the name of a built-in scenario{did_you_mean(text, names)}; known: {', '.join(sorted(names))}"
        )
    if path.suffix == ".toml" or os.sep in text or "/" in text:
        if not path.is_file():
            raise InputError(f"{text}: scenario file not found")
        return path
    candidate = scenarios_dir() / f"{text}.toml"
    if candidate.is_file():
        return candidate
    names = [p.stem for p in scenarios_dir().glob("*.toml")]
    raise InputError(
        f"unknown scenario {text!r}{did_you_mean(text, names)}; known: {', '.join(sorted(names))}"
    )


def _read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file, turning every way it can be broken into an InputError."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(
                MAX_FILE_BYTES + 1
            )  # never read more than the limit, however big the file
    except OSError as exc:
        raise InputError(f"{path}: cannot read scenario file ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(
            f"{path}: file is over {MAX_FILE_BYTES:,} bytes; expected a scenario file within that limit"
        )
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark, as some editors write
    if not raw.strip():
        raise InputError(f"{path}: file is empty; expected a TOML scenario with at least a name")
    if b"\x00" in raw:
        raise InputError(f"{path}: binary file; expected a TOML text scenario")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; expected a TOML scenario") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    except ValueError as exc:  # e.g. an integer literal longer than Python's 4,300-digit limit
        if "integer string conversion" in str(exc):
            raise InputError(
                f"{path}: invalid TOML: an integer literal with more than 4,300 digits; expected numbers in the parameters' ranges"
            ) from None
        raise InputError(f"{path}: invalid TOML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise InputError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None


def _deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """Return base updated by top, merging nested tables key by key."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _resolve_extends(path: Path, target: Any) -> Path:
    """Find the file an `extends` names: beside the extending file, else the built-in folder."""
    if not isinstance(target, str) or not target:
        raise InputError(
            f"{path}: key 'extends' = {_short(target)}; expected a scenario file name such as \"baseline.toml\""
        )
    name = target if target.endswith(".toml") else f"{target}.toml"
    if Path(name).is_absolute() or ".." in Path(name).parts:
        raise InputError(
            f"{path}: key 'extends' = {_short(target)} escapes the scenario folder; name a file beside it"
        )
    for folder in (path.parent, scenarios_dir()):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    names = [p.stem for p in scenarios_dir().glob("*.toml")]
    raise InputError(
        f"{path}: key 'extends' = {_short(target)}: no such scenario{did_you_mean(Path(name).stem, names)}"
    )


def _load_raw(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a file and everything it extends, returning one merged dict without `extends`."""
    real = path.resolve()
    if real in chain:
        cycle = " -> ".join(p.name for p in (*chain, real))
        raise InputError(f"{path}: 'extends' cycle: {cycle}")
    data = _read_toml(path)
    _check_structure(data, path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    try:
        base = _load_raw(_resolve_extends(path, parent), (*chain, real))
    except InputError as exc:  # a broken parent: name the file the user gave as well
        if chain or str(exc).startswith(str(path)):
            raise
        raise InputError(f"{path}: extends {_short(parent)}, which fails: {exc}") from None
    base.pop("name", None)
    base.pop("description", None)
    return _deep_merge(base, data)


def _check_structure(data: Mapping[str, Any], where: Path | str) -> None:
    """Unknown sections or keys, and sections that are not tables, fail with a suggestion."""
    for key, value in data.items():
        if key not in TOP_LEVEL_KEYS:
            section, _, param = str(key).partition(".")
            if section in SECTIONS and param in SECTIONS[section].model_fields:
                raise InputError(
                    f"{where}: key {key!r} at the top level; expected it inside its table: [{section}] {param} = ..."
                )
            raise InputError(
                f"{where}: unknown key {_short(key)}{did_you_mean(key, TOP_LEVEL_KEYS)}; expected one of: {', '.join(TOP_LEVEL_KEYS)}"
            )
        if key in SECTIONS:
            if not isinstance(value, Mapping):
                raise InputError(
                    f"{where}: [{key}] must be a table of parameters, got {type(value).__name__} {_short(value)}"
                )
            fields = SECTIONS[key].model_fields
            for sub in value:
                moved = firm_types.moved_key_message(f"{key}.{sub}", str(where))
                if moved:
                    raise InputError(moved)
                if sub not in fields:
                    suggestion = did_you_mean(f"{key}.{sub}", [f"{key}.{f}" for f in fields])
                    raise InputError(f"{where}: unknown key {_short(f'{key}.{sub}')}{suggestion}")
                if is_table(key, sub) and (bad := firm_types.type_problems(value[sub], str(where))):
                    raise InputError(bad)


def parse_override_value(text: str) -> Any:
    """Parse the value of `--set key=value` as a TOML literal; bare words stay strings."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_overrides(items: Iterable[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """Accept ['queue.mode=cluster', ...] or {'queue.mode': 'cluster'} -> {'queue.mode': 'cluster'}."""
    if items is None:
        return {}
    if isinstance(items, Mapping):
        return {str(k).replace("__", "."): v for k, v in items.items()}
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise InputError(f"--set {item!r}: expected key=value, e.g. --set queue.mode=cluster")
        key, _, value = item.partition("=")
        out[key.strip()] = parse_override_value(value.strip())
    return out


def apply_overrides(
    data: dict[str, Any], overrides: Mapping[str, Any], where: str = "--set"
) -> dict[str, Any]:
    """Set dotted keys ('queue.mode') in a scenario dict, rejecting unknown keys with a suggestion."""
    data = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in data.items()}
    keys = parameter_keys()
    for key, value in overrides.items():
        if key in ("name", "description"):
            data[key] = value
            continue
        section, _, param = key.partition(".")
        if firm_types.split_type_key(key):
            data[section] = _with_type_field(data.get(section, {}), key, value, where)
            continue
        if moved := firm_types.moved_key_message(key, where):
            raise InputError(moved)
        if section not in SECTIONS or param not in SECTIONS[section].model_fields:
            raise InputError(f"{where}: unknown parameter {_short(key)}{did_you_mean(key, keys)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"{where}: {key} = {value!r}; expected a finite number")
        data.setdefault(section, {})[param] = value
    return data


def _with_type_field(
    section: Mapping[str, Any], key: str, value: Any, where: str
) -> dict[str, Any]:
    """The hyperscalers table with one `hyperscalers.types.<name>.<field>` override applied."""
    types = section.get("types", [t.model_dump() for t in firm_types.DEFAULT_TYPES])
    if bad := firm_types.type_problems(types, where):
        raise InputError(bad)
    try:
        rows = firm_types.set_type_field(types, key, value)
    except ValueError as exc:
        raise InputError(f"{where}: {key}: {exc}") from None
    return {**section, "types": rows}


def _short(value: Any) -> str:
    """The repr of a value, cut to MAX_VALUE_CHARS so a message stays one readable line."""
    text = repr(value)
    return text if len(text) <= MAX_VALUE_CHARS else f"{text[: MAX_VALUE_CHARS - 5]}...{text[-2:]}"


def _expected(err: dict[str, Any], section: str | None, param: str | None) -> str:
    """A short phrase saying what a failed field expects (type, range or choices)."""
    if err["type"] == "finite_number":
        return "a finite number"
    if err["type"] == "string_too_short":
        return f"a string of at least {err['ctx']['min_length']} character(s)"
    if err["type"] == "string_too_long":
        return f"a string of at most {err['ctx']['max_length']} characters"
    if err["type"] == "string_type" and param in ("start", "available_from"):
        return 'a month as a quoted string "YYYY-MM", e.g. "2025-01"'
    if (
        section
        and param
        and err["type"] not in ("bool_type", "int_type", "float_type", "string_type", "value_error")
    ):
        return allowed_range(section, param)
    if section and param and err["type"] == "value_error":
        return str(err["ctx"].get("error", err["msg"])).removeprefix("expected ")
    kinds = {
        "bool_type": "true or false",
        "int_type": "a whole number",
        "float_type": "a number",
        "string_type": "a string",
    }
    return kinds.get(err["type"], err["msg"].lower())


def _type_expected(err: dict[str, Any], field: str) -> str:
    """What one field of a hyperscaler type expects (its range, or its kind of value)."""
    if err["type"] == "string_pattern_mismatch":
        return "a name of lower-case letters, digits and underscores, starting with a letter"
    info = firm_types.FirmType.model_fields.get(field)
    if info is None or err["type"] in ("bool_type", "int_type", "float_type", "string_type"):
        return _expected(err, None, None)
    parts = [
        f"{symbol} {getattr(meta, name):g}"
        for meta in info.metadata
        for name, symbol in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))
        if isinstance(getattr(meta, name, None), (int, float))
    ]
    return " and ".join(parts) if parts else _expected(err, None, None)


def _format_validation_error(exc: ValidationError, where: str) -> InputError:
    """The first pydantic error as one line naming file, key, value and expectation."""
    err = exc.errors(include_url=False)[0]
    loc = [str(p) for p in err["loc"]]
    if loc[:2] == ["hyperscalers", "types"] and len(loc) == 4:  # one field of one type
        return InputError(
            f"{where}: hyperscalers.types[{loc[2]}].{loc[3]} = {_short(err.get('input'))}; expected {_type_expected(err, loc[3])}"
        )
    key = ".".join(loc)
    section = loc[0] if loc and loc[0] in SECTIONS else None
    param = (
        loc[1] if section and len(loc) > 1 and loc[1] in SECTIONS[section].model_fields else None
    )
    value = err.get("input")
    return InputError(
        f"{where}: {key} = {_short(value)}; expected {_expected(err, section, param)}"
    )


def build_config(data: Mapping[str, Any], where: str) -> ScenarioConfig:
    """Validate a merged scenario dict into a ScenarioConfig, or raise one clear InputError."""
    _check_structure(data, where)
    name = data.get("name")
    if isinstance(name, str) and (set(name) & _UNSAFE_NAME_CHARS or name.startswith(".")):
        raise InputError(
            f"{where}: name = {_short(name)}; expected a name without '/', '\\', control characters or a leading dot (it names the output folder)"
        )
    clean = {k: v for k, v in data.items() if k != "extends"}
    try:
        cfg = ScenarioConfig.model_validate(clean)
    except ValidationError as exc:
        raise _format_validation_error(exc, where) from None
    if cfg.triggers:
        check_triggers(cfg.triggers, where, _is_key, partial(_check_set, clean))
    return cfg


def _is_key(key: str) -> bool:
    """Whether a dotted key names a scenario parameter."""
    section, _, param = key.partition(".")
    return section in SECTIONS and param in SECTIONS[section].model_fields


def _check_set(data: Mapping[str, Any], overrides: Mapping[str, Any], where: str) -> None:
    """A trigger's `set` validated as `--set` would be: known keys, and values in their ranges."""
    build_config(apply_overrides({**data, "triggers": []}, overrides, where), where)


def source_label(path: Path, overrides: Mapping[str, Any]) -> str:
    """How messages name a scenario: its file, plus the keys `--set` changed."""
    return f"{path}" if not overrides else f"{path} with --set {', '.join(overrides)}"


def load_scenario(
    name_or_path: str | os.PathLike[str] = "baseline",
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    *,
    check_grid: bool = False,
    untrusted: bool = False,
) -> ScenarioConfig:
    """Load a scenario by name or path, follow `extends`, apply overrides, and validate it.

    `check_grid` also opens the grid the scenario names (file or pandapower case), as
    `powerstack validate` and `run` do. `untrusted` is for input from a browser: only built-in
    scenario names, and grid files only inside the scenario folder.
    """
    path = resolve_scenario_path(name_or_path, untrusted)
    data = _load_raw(path)
    data.setdefault("name", path.stem)
    parsed = parse_overrides(overrides)
    data = apply_overrides(data, parsed)
    where = source_label(path, parsed)
    cfg = build_config(data, where)
    if untrusted:
        grid_file_path(cfg.grid.source, where, confine=True)
    if check_grid:
        check_grid_source(cfg, where)
    return cfg


def grid_file_path(source: str, where: str, confine: bool = False) -> Path | None:
    """The file a `grid.source` names (relative paths from the scenario folder, as the model reads them).

    None for "synthetic" and "pandapower:<case>". With `confine`, a path that leaves the scenario
    folder (absolute, `..` or a symlink out) is an InputError.
    """
    if source == "synthetic" or source.startswith("pandapower:"):
        return None
    path = Path(source)
    if path.suffix.lower() not in GRID_FILE_SUFFIXES:
        hint = did_you_mean(source, ["synthetic", "pandapower:case118"])
        raise InputError(
            f'{where}: grid.source = {_short(source)}; expected "synthetic", "pandapower:<case>" or a path ending in .json or .graphml{hint}'
        )
    full = path if path.is_absolute() else scenarios_dir() / path
    if confine:
        root = scenarios_dir().resolve()
        if not full.resolve().is_relative_to(root):
            raise InputError(
                f"{where}: grid.source = {_short(source)} is outside the scenario folder; expected a grid file under {root.name}/"
            )
    return full


def check_grid_source(cfg: ScenarioConfig, where: str) -> None:
    """Open the grid a scenario names and check it, so a bad one fails before any run.

    Grid files are read and validated; a pandapower case name is looked up (not built); a
    synthetic grid's size arguments are checked against each other.
    """
    grid = cfg.grid
    if grid.source == "synthetic":
        if grid.n_territories > grid.n_buses:
            raise InputError(
                f"{where}: grid.n_territories = {grid.n_territories}; expected at most grid.n_buses ({grid.n_buses})"
            )
        return
    from abm.grid import topology

    label = f"{where}: grid.source = {_short(grid.source)}"
    if grid.source.startswith("pandapower:"):
        case = grid.source.split(":", 1)[1]
        try:
            known = topology.pandapower_cases()
        except InputError as exc:
            raise InputError(f"{label}: {exc}") from None
        if case not in known:
            raise InputError(
                f"{label}: unknown pandapower case{did_you_mean(case, known)}; expected one of the {len(known)} cases in pandapower.networks, e.g. case118 or GBnetwork"
            )
        return
    path = grid_file_path(grid.source, where)
    try:
        topology.load_grid_file(path)
    except InputError as exc:
        raise InputError(f"{label}: {exc}") from None
    except (
        OSError,
        ValueError,
        RecursionError,
    ) as exc:  # unreadable or pathological files the reader does not catch
        raise InputError(
            f"{label}: grid file {path}: cannot be read ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"
        ) from None


def config_with(
    cfg: ScenarioConfig, overrides: Mapping[str, Any], where: str = "overrides"
) -> ScenarioConfig:
    """A copy of a validated config with dotted-key overrides applied and re-validated."""
    data = apply_overrides(cfg.model_dump(), parse_overrides(overrides), where)
    return build_config(data, where)


def to_toml(cfg: ScenarioConfig) -> str:
    """The fully resolved scenario as TOML text that `powerstack run` accepts as is."""
    data = cfg.model_dump()
    if not data["triggers"]:  # a scenario without triggers reads as it always did
        del data["triggers"]
    return tomli_w.dumps(data)
