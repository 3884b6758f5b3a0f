"""The broken-input corpus (tests/data/bad/) through the real CLI, plus overrides, --out and app safety.

Every corpus file must give exit code 2 and exactly one stderr line starting `error:` that names
the file and the key, with no traceback and nothing written. The first line of each file says
what is wrong and, after `expect:`, the text the message must contain (fragments separated by
` ... ` must appear in that order). Files that cannot carry a comment are listed below.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from abm.cli import build_parser, main
from abm.errors import InputError
from abm.scenario import load_scenario, scenarios_dir
from tests.cli_forks import Call, fresh_call, run_calls
from tests.conftest import slow_sample

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "bad"
SCENARIO_FILES = sorted((BAD / "scenarios").glob("*.toml"))
SWEEP_FILES = sorted((BAD / "sweeps").glob("*.toml"))
GRID_FILES = sorted(p for p in (BAD / "grids").iterdir() if p.suffix in (".json", ".graphml"))
# Files that cannot carry a comment line: what their message must say instead.
UNCOMMENTED = {
    "scenarios/empty.toml": "file is empty; expected a TOML scenario",
    "scenarios/whitespace.toml": "file is empty; expected a TOML scenario",
    "scenarios/binary.toml": "binary file; expected a TOML text scenario",
    "sweeps/empty.toml": "missing key 'scenario'",
    "sweeps/binary.toml": "not UTF-8 text; expected a TOML sweep spec",
}
# Gaps in the sweep spec checks (abm/sweeps/parsing.py) once marked here as strict xfails; all four are fixed (spec hardening).
SWEEP_GAPS: dict[str, str] = {}


Outcome = Call  # what one CLI call did: exit code, output, what it left in its folder


def expected_fragments(path: Path) -> list[str]:
    """The message fragments a corpus file promises in its first line (or the table above)."""
    key = f"{path.parent.name}/{path.name}"
    if key in UNCOMMENTED:
        return [UNCOMMENTED[key]]
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
    match = re.fullmatch(r"# (.+); expect: (.+)", first)
    assert match, f"{key}: first line must be '# <what is wrong>; expect: <message>'"
    return match.group(2).split(" ... ")


def cli(args: list[str], workdir: Path) -> Outcome:
    """Run `python -m abm ARGS` in an empty folder and report what it printed and wrote."""
    workdir.mkdir(parents=True)
    return fresh_call(args, workdir, {**os.environ, "PYTHONPATH": str(ROOT)}, timeout_s=300)


def corpus_calls(
    commands: tuple[str, ...], scenario_files: list[Path] = SCENARIO_FILES
) -> dict[str, list[str]]:
    """The CLI calls the corpus tests make in subprocesses, by id."""
    calls: dict[str, list[str]] = {}
    for path in scenario_files:
        if "validate" in commands:
            calls[f"validate:{path.name}"] = ["validate", str(path)]
        if "run" in commands:
            calls[f"run:{path.name}"] = ["run", str(path), "--months", "2", "--out", "out"]
    if "sweep" in commands:
        for path in SWEEP_FILES:
            calls[f"sweep:{path.name}"] = ["sweep", str(path), "--out", "out", "--workers", "1"]
    if "set" in commands:
        for case_id, (args, _, _) in SET_CASES.items():
            calls[f"set:{case_id}"] = args
    return calls


def run_all(calls: dict[str, list[str]], base: Path) -> dict[str, Outcome]:
    """Run CLI calls, each in its own process and empty working folder (tests/cli_forks.py).

    The processes fork from one interpreter that imported the CLI once; what it printed while
    importing must be nothing, as a fresh `python -m abm` prints nothing before its error line.
    """
    done = run_calls(calls, base, {**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.driver_stderr == "", done.driver_stderr
    return dict(done.calls)


def test_forked_calls_give_what_a_fresh_interpreter_gives(tmp_path: Path) -> None:
    """The fork driver (tests/cli_forks.py) is a stand-in for `python -m abm`: same code, same output."""
    calls = {
        "ok": ["validate", "baseline"],
        "bad file": ["run", str(SCENARIO_FILES[0]), "--months", "2", "--out", "out"],
        "bad flag": ["run", "baseline", "--seed", "x"],
    }
    forked = run_all(calls, tmp_path / "forked")
    for i, (key, args) in enumerate(calls.items()):
        assert forked[key] == cli(args, tmp_path / f"fresh{i}"), key
    assert [forked[k].returncode for k in calls] == [0, 2, 2]


# --set and flag values through the CLI: (arguments, what the line must name, fragments)
SET_CASES: dict[str, tuple[list[str], str, list[str]]] = {
    "grid_case": (
        ["validate", "baseline", "--set", "grid.source=pandapower:case_nope"],
        "baseline.toml with --set grid.source",
        ["grid.source = 'pandapower:case_nope'"],
    ),
    "grid_file_outside": (
        ["validate", "baseline", "--set", "grid.source=/nonexistent/grid.json"],
        "baseline.toml with --set grid.source",
        ["grid.source = '/nonexistent/grid.json': ", "not found"],
    ),
    "grid_disconnected": (
        [
            "run",
            "baseline",
            "--months",
            "2",
            "--set",
            f"grid.source={BAD / 'grids' / 'disconnected.json'}",
            "--out",
            "out",
        ],
        "baseline.toml with --set grid.source",
        ["grid.source = ", "2 islands"],
    ),
    "start_1989": (
        ["run", "baseline", "--months", "2", "--set", "run.start=1989-12", "--out", "out"],
        "baseline.toml with --set run.start",
        ["run.start = '1989-12'; expected a month as YYYY-MM"],
    ),
    "nan": (
        ["validate", "baseline", "--set", "demand.growth_multiplier=nan"],
        "--set",
        ["demand.growth_multiplier = nan; expected a finite number"],
    ),
    "huge_float": (
        ["validate", "baseline", "--set", "grid.n_buses=1e400"],
        "--set",
        ["grid.n_buses = inf; expected a finite number"],
    ),
    "negative": (
        ["validate", "baseline", "--set", "vendors.factory_mw_per_month=-1"],
        "--set vendors.factory_mw_per_month",
        ["vendors.factory_mw_per_month = -1; expected > 0"],
    ),
    "unsafe_name": (
        ["run", "baseline", "--months", "2", "--set", "name=../../escape", "--out", "out"],
        "--set name",
        ["name = '../../escape'; expected a name without '/'"],
    ),
    "misspelt": (
        ["run", "baseline", "--set", "queue.mod=cluster", "--out", "out"],
        "--set",
        ["unknown parameter 'queue.mod' (did you mean \"queue.mode\"?)"],
    ),
    "no_equals": (
        ["validate", "baseline", "--set", "queue.mode"],
        "--set 'queue.mode'",
        ["expected key=value"],
    ),
    "territories": (
        [
            "run",
            "baseline",
            "--months",
            "2",
            "--set",
            "grid.n_buses=20",
            "--set",
            "grid.n_territories=21",
            "--out",
            "out",
        ],
        "--set grid.n_buses, grid.n_territories",
        ["grid.n_territories = 21; expected at most grid.n_buses (20)"],
    ),
    "months_flag": (
        ["run", "baseline", "--months", "601", "--out", "out"],
        "--seed/--months",
        ["run.months = 601; expected >= 1 and <= 600"],
    ),
    "seed_flag": (
        ["run", "baseline", "--seed", "-3", "--out", "out"],
        "--seed/--months",
        ["run.seed = -3; expected >= 0"],
    ),
    "directory": (["validate", str(BAD)], str(BAD), ["scenario file not found"]),
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """`run` on every scenario file and the --set cases, each in a fresh process."""
    return run_all(corpus_calls(("run", "set")), tmp_path_factory.mktemp("corpus"))


def assert_clean_error(outcome: Outcome, fragments: list[str], names: str) -> None:
    """Exit 2, one `error:` line naming the file and holding the fragments in order, no traceback, nothing written."""
    assert outcome.returncode == 2, outcome.stderr
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert outcome.stdout == ""
    assert outcome.wrote == [], f"wrote {outcome.wrote}"
    line = lines[0]
    assert names in line, f"{names!r} not named in: {line}"
    position = 0
    for fragment in fragments:
        found = line.find(fragment, position)
        assert found >= 0, f"{fragment!r} not in (after position {position}): {line}"
        position = found + len(fragment)


def test_corpus_is_complete() -> None:
    assert len(SCENARIO_FILES) >= 80 and len(SWEEP_FILES) >= 20 and len(GRID_FILES) >= 18
    referenced = {
        m
        for p in SCENARIO_FILES
        for m in re.findall(r"grids/([\w.]+)", p.read_text(errors="replace"))
    }
    assert {p.name for p in GRID_FILES} <= referenced, (
        "every broken grid file is used by a scenario"
    )
    for path in [*SCENARIO_FILES, *SWEEP_FILES]:
        assert expected_fragments(path)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_scenario_corpus_run(outcomes: dict[str, Outcome], path: Path) -> None:
    assert_clean_error(outcomes[f"run:{path.name}"], expected_fragments(path), path.name)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_scenario_corpus_validate_in_process(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    wrote = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert_clean_error(
        Outcome(code, captured.out, captured.err, wrote), expected_fragments(path), path.name
    )


@pytest.mark.slow
def test_scenario_corpus_validate_subprocess(tmp_path: Path) -> None:
    """`python -m abm validate FILE`, each in a fresh interpreter (slow tier: a share slow_scale())."""
    files = slow_sample(SCENARIO_FILES, minimum=8)
    results = run_all(corpus_calls(("validate",), files), tmp_path)
    for path in files:
        assert_clean_error(results[f"validate:{path.name}"], expected_fragments(path), path.name)


SWEEP_PARAMS = [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=SWEEP_GAPS[p.name]))
    if p.name in SWEEP_GAPS
    else p
    for p in SWEEP_FILES
]


def sweep_names(path: Path) -> str:
    """The file a sweep spec's message must name (a broken base scenario names itself)."""
    return "type_months_string.toml" if path.name == "scenario_broken_file.toml" else path.name


@pytest.mark.parametrize("path", SWEEP_PARAMS, ids=lambda p: p.stem)
def test_sweep_corpus_in_process(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["sweep", str(path), "--out", "out", "--workers", "1"])
    captured = capsys.readouterr()
    wrote = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert_clean_error(
        Outcome(code, captured.out, captured.err, wrote),
        expected_fragments(path),
        sweep_names(path),
    )


SWEEP_SAMPLE = slow_sample(SWEEP_PARAMS, minimum=4)


@pytest.fixture(scope="module")
def sweep_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """`sweep` on the slow tier's share of the sweep corpus, each in its own process."""
    paths = [p.values[0] if hasattr(p, "values") else p for p in SWEEP_SAMPLE]
    calls = {p.name: ["sweep", str(p), "--out", "out", "--workers", "1"] for p in paths}
    return run_all(calls, tmp_path_factory.mktemp("sweeps"))


@pytest.mark.slow
@pytest.mark.parametrize("path", SWEEP_SAMPLE, ids=lambda p: p.stem)
def test_sweep_corpus_subprocess(path: Path, sweep_outcomes: dict[str, Outcome]) -> None:
    assert_clean_error(sweep_outcomes[path.name], expected_fragments(path), sweep_names(path))


@pytest.mark.parametrize("case_id", SET_CASES)
def test_bad_set_values(outcomes: dict[str, Outcome], case_id: str) -> None:
    _, names, fragments = SET_CASES[case_id]
    assert_clean_error(outcomes[f"set:{case_id}"], fragments, names)


def test_oversized_scenario_file(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_text("# a scenario file over the 1 MB limit\n" + "#" * 1_000_000 + '\nname = "big"\n')
    outcome = cli(["run", str(big), "--months", "2", "--out", "out"], tmp_path / "work")
    assert_clean_error(outcome, ["file is over 1,000,000 bytes"], "big.toml")


def test_run_out_into_an_existing_file(tmp_path: Path) -> None:
    work = tmp_path / "work"
    taken = tmp_path / "taken.txt"
    taken.write_text("keep me\n")
    outcome = cli(
        ["run", "baseline", "--months", "2", "--set", "grid.n_buses=20", "--out", str(taken)], work
    )
    assert_clean_error(
        outcome, ["--out ", "taken.txt: is an existing file; expected a folder"], "taken.txt"
    )
    nested = cli(
        [
            "run",
            "baseline",
            "--months",
            "2",
            "--set",
            "grid.n_buses=20",
            "--out",
            str(taken / "sub"),
        ],
        tmp_path / "work2",
    )
    assert_clean_error(nested, ["taken.txt is a file; expected a folder path"], "taken.txt")
    assert taken.read_text() == "keep me\n"


# ---------------------------------------------------------------------------- app safety
def test_app_binds_to_localhost_by_default() -> None:
    assert build_parser().parse_args(["app"]).host == "127.0.0.1"


def test_untrusted_names_only_builtin_scenarios(tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text('name = "outside"\n')
    assert load_scenario(outside).name == "outside"  # the command line may read any file
    for name in (
        str(outside),
        "../scenarios/baseline",
        "/etc/passwd",
        "baseline.toml",
        "tests/data/bad/scenarios/nan_multiplier.toml",
    ):
        with pytest.raises(InputError, match="expected the name of a built-in scenario"):
            load_scenario(name, untrusted=True)
    assert load_scenario("baseline", untrusted=True).name == "baseline"


@pytest.mark.parametrize(
    "source",
    [
        "/etc/hosts.json",
        "../tests/data/bad/grids/disconnected.json",
        "grids/../../pyproject.json",
        str(ROOT / "scenarios" / ".." / "x.graphml"),
    ],
)
def test_untrusted_grid_files_stay_in_the_scenario_folder(source: str) -> None:
    with pytest.raises(InputError, match="is outside the scenario folder"):
        load_scenario("baseline", {"grid.source": source}, untrusted=True)


def test_untrusted_grid_file_inside_the_folder_and_symlinks_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_scenario(
        "baseline", {"grid.source": "grids/example_5bus.json"}, untrusted=True, check_grid=True
    )
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "baseline.toml").write_text((scenarios_dir() / "baseline.toml").read_text())
    secret = tmp_path / "secret.json"
    secret.write_text("{}")
    (folder / "link.json").symlink_to(secret)
    monkeypatch.setenv("POWERSTACK_SCENARIOS", str(folder))
    with pytest.raises(InputError, match="is outside the scenario folder"):
        load_scenario("baseline", {"grid.source": "link.json"}, untrusted=True)


def test_app_links_cannot_name_files_outside_the_scenario_folder(tmp_path: Path) -> None:
    viz_state = pytest.importorskip("viz.state")
    outside = tmp_path / "outside.toml"
    outside.write_text('name = "outside"\n')
    for query in (f"?s={outside}", "?s=../../etc/passwd", "?s=baseline&cmp=/etc/passwd.toml"):
        settings, _ = viz_state.from_query(query)
        with pytest.raises(InputError, match="expected the name of a built-in scenario"):
            viz_state.resolve_config(settings)
            viz_state.compare_config(settings)


def test_app_links_cannot_point_the_grid_outside_the_scenario_folder() -> None:
    viz_state = pytest.importorskip("viz.state")
    for source in (BAD / "grids" / "disconnected.json", "../pyproject.json", "/etc/grid.graphml"):
        settings, _ = viz_state.from_query(f"?s=baseline&grid.source={source}")
        with pytest.raises(InputError, match="is outside the scenario folder"):
            viz_state.resolve_config(settings)
