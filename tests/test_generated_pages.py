"""Every generated docs page, regenerated into a temporary folder, has the committed bytes.

One test per page of the registry (docs/scripts/pages.py), pages and figures alike; pages that run
the model (validation, baseline, scenarios, the BLAST-Lite comparison) are in the slow tier and
run at full size whatever POWERSTACK_SLOW_SCALE says: a smaller run would be another page.
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


def _param(page: Any) -> object:
    marks = [pytest.mark.slow] if page.runs_model else []
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
