"""Every generated docs page, regenerated into a temporary folder, has the committed bytes.

One test per page of the registry (docs/scripts/pages.py), pages and figures alike. Pages that run
the model (validation, baseline, scenarios, the BLAST-Lite comparison) run at full size whatever
POWERSTACK_SLOW_SCALE says (a smaller run would be another page), so they carry the `pages`
marker: CI and `make test-full` regenerate them byte for byte, while `make test` checks their
fingerprints (docs/fingerprints.json against the checkout's inputs) in a second.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "docs" / "scripts"


def _load(name: str) -> ModuleType:
    """A module of docs/scripts/ by file (its siblings importable too)."""
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


pages = _load("pages")
fingerprints = _load("page_fingerprints")
MODEL_PAGES = [p for p in pages.PAGES if p.runs_model]


def _param(page: Any) -> object:
    marks = [pytest.mark.slow, pytest.mark.pages] if page.runs_model else []
    return pytest.param(page, id=page.name, marks=marks)


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("page", [_param(p) for p in pages.PAGES])
def test_committed_page_is_what_its_generator_writes(page: Any, tmp_path: Path) -> None:
    """Regenerate the page into tmp_path and compare every file it owns, byte for byte."""
    if page.needs:
        pytest.importorskip(page.needs)
    pages.generate(page, tmp_path)
    problems = pages.differences(page, tmp_path)
    assert not problems, (
        f"docs page {page.name} is stale: {'; '.join(problems)}. Regenerate it with "
        f"`make docs` (or `python docs/scripts/pages.py --only {page.name}`) and commit it"
    )


@pytest.mark.parametrize("page", MODEL_PAGES, ids=[p.name for p in MODEL_PAGES])
def test_model_page_was_generated_from_this_tree(page: Any) -> None:
    """The fingerprint recorded when the page was installed is that of the checkout's inputs."""
    committed = fingerprints.recorded().get(page.name)
    current = fingerprints.fingerprint(page.argv)
    assert committed == current, (
        f"docs page {page.name} was generated from other inputs (recorded {committed}, this "
        f"tree {current}): the model, a scenario, a generator or a pinned version changed since. "
        f"Regenerate it with `python docs/scripts/pages.py --only {page.name}` and commit it"
    )


def test_fingerprint_moves_with_any_input_byte(tmp_path: Path) -> None:
    """Changing, adding or renaming an input file changes the hash; caches do not."""
    (tmp_path / "abm" / "__pycache__").mkdir(parents=True)
    (tmp_path / "abm" / "model.py").write_text("x = 1\n")
    (tmp_path / "constraints.txt").write_text("mesa==3.5\n")
    first = fingerprints.fingerprint(("a",), tmp_path)
    assert fingerprints.fingerprint(("a",), tmp_path) == first
    (tmp_path / "abm" / "__pycache__" / "model.pyc").write_bytes(b"cache")
    assert fingerprints.fingerprint(("a",), tmp_path) == first
    assert fingerprints.fingerprint(("b",), tmp_path) != first
    (tmp_path / "abm" / "model.py").write_text("x = 2\n")
    second = fingerprints.fingerprint(("a",), tmp_path)
    assert second != first
    (tmp_path / "abm" / "model.py").rename(tmp_path / "abm" / "world.py")
    assert fingerprints.fingerprint(("a",), tmp_path) not in {first, second}
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "new.toml").write_text("")
    assert fingerprints.fingerprint(("a",), tmp_path) != second


def test_record_keeps_other_pages(tmp_path: Path) -> None:
    path = tmp_path / "fingerprints.json"
    fingerprints.record("scenarios", "aaa", path)
    fingerprints.record("baseline", "bbb", path)
    fingerprints.record("scenarios", "ccc", path)
    assert fingerprints.recorded(path) == {"baseline": "bbb", "scenarios": "ccc"}
    assert path.read_text().index("baseline") < path.read_text().index("scenarios")


def _classes(path: str) -> list[str]:
    """What claims a docs/ file: registered pages, the not-generated list, the hand-written."""
    claims = [p.name for p in pages.PAGES if any(fnmatch.fnmatchcase(path, g) for g in p.outputs)]
    claims += [g for g in pages.NOT_GENERATED if fnmatch.fnmatchcase(path, g)]
    return claims + ([path] if path in pages.HAND_WRITTEN else [])


def test_every_docs_file_is_claimed_once() -> None:
    """Each file under docs/ is a page's output, hand-written or listed as not generated, once."""
    files = [p.relative_to(pages.DOCS).as_posix() for p in pages.DOCS.rglob("*") if p.is_file()]
    claims = {f: _classes(f) for f in files if "__pycache__" not in f}
    unclaimed = sorted(f for f, c in claims.items() if not c)
    twice = sorted(f"{f} ({', '.join(c)})" for f, c in claims.items() if len(c) > 1)
    assert not unclaimed, f"register these in docs/scripts/pages.py: {unclaimed}"
    assert not twice, f"claimed more than once: {twice}"
    for page in pages.PAGES:
        assert pages.owned(page, pages.DOCS), f"{page.name} owns no committed file"


def _fake_docs(folder: Path, page_text: str, chart: bytes) -> None:
    (folder / "img").mkdir(parents=True)
    (folder / "baseline.md").write_text(page_text, encoding="utf-8")
    (folder / "img" / "baseline_deployment.png").write_bytes(chart)


def test_differences_finds_stale_missing_orphan_and_undeclared_files(tmp_path: Path) -> None:
    """The comparison names each kind of mismatch, and a faithful copy has none."""
    page = pages.by_name(["baseline"])[0]
    committed, fresh = tmp_path / "docs", tmp_path / "fresh"
    _fake_docs(committed, "# story\n", b"png 1")
    _fake_docs(fresh, "# story\n", b"png 1")
    assert pages.differences(page, fresh, committed) == []
    (fresh / "img" / "baseline_deployment.png").write_bytes(b"png 2")
    (fresh / "img" / "baseline_new.png").write_bytes(b"new")
    (committed / "img" / "baseline_gone.png").write_bytes(b"old")
    (fresh / "stray.md").write_text("x", encoding="utf-8")
    assert pages.differences(page, fresh, committed) == [
        "stray.md: written but not among the page's outputs",
        "img/baseline_gone.png: the generator no longer writes it",
        "img/baseline_new.png: missing from docs/",
        "img/baseline_deployment.png: stale (differs from what the generator writes)",
    ]


def test_install_replaces_changed_files_and_deletes_orphans(tmp_path: Path) -> None:
    page = pages.by_name(["baseline"])[0]
    committed, fresh = tmp_path / "docs", tmp_path / "fresh"
    _fake_docs(committed, "# old story\n", b"png 1")
    _fake_docs(fresh, "# old story\n", b"png 2")
    (committed / "img" / "baseline_gone.png").write_bytes(b"old")
    changed = pages.install(page, fresh, committed)
    assert changed == ["img/baseline_gone.png (deleted)", "img/baseline_deployment.png"]
    assert pages.differences(page, fresh, committed) == []


def test_page_blocks_replace_only_their_block() -> None:
    blocks = _load("page_blocks")
    script = "docs/scripts/x.py"
    text = f"intro\n{blocks.begin_marker(script)}\nold\n{blocks.END}\nrest\n"
    assert blocks.splice(text, script, "new\n") == text.replace("old", "new")
    with pytest.raises(SystemExit, match="no block"):
        blocks.splice("intro\nrest\n", script, "new")
