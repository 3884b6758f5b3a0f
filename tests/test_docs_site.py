"""The docs site: every page under docs/ builds into one offline MkDocs site with --strict (broken
links and anchors fail), the menu lists every page, and no page loads anything from the network."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXCLUDED = ("scripts/",)  # mkdocs.yml's exclude_docs
# an asset fetched from elsewhere: a script, stylesheet, image, frame or font with an absolute URL
REMOTE_ASSET = re.compile(
    r"""<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=["'](?:https?:)?//"""
    r"""|<link\b[^>]*\bhref=["'](?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//|@import\s+["'](?:https?:)?//""",
    re.IGNORECASE,
)


def _need_mkdocs() -> None:
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("mkdocs is missing: CI installs the [docs] extra (Makefile EXTRAS)")
        pytest.skip("mkdocs not installed (pip install -c constraints.txt -e '.[docs]')")


def nav_pages(nav: list) -> list[str]:
    """Every page file named in mkdocs.yml's nav, in order."""
    out: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        out += nav_pages(value) if isinstance(value, list) else [value]
    return out


def build(root: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of root/mkdocs.yml into out (no --quiet: it hides strict's warnings)."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need_mkdocs()
    out = tmp_path_factory.mktemp("site")
    proc = build(ROOT, out)
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stderr[-3000:]}"
    return out


def test_nav_lists_every_page_once() -> None:
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    pages = nav_pages(config["nav"])
    on_disk = sorted(
        p.relative_to(DOCS).as_posix()
        for p in DOCS.rglob("*.md")
        if not p.relative_to(DOCS).as_posix().startswith(EXCLUDED)
    )
    assert sorted(pages) == on_disk, "mkdocs.yml nav must list every page under docs/ once"
    assert pages[0] == "index.md"


def test_site_builds_strict_with_every_page(site: Path) -> None:
    for page in (DOCS).rglob("*.md"):
        rel = page.relative_to(DOCS)
        if not rel.as_posix().startswith(EXCLUDED):
            assert (site / rel.with_suffix(".html")).is_file(), rel
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="architecture.html#where-to-change-what"' in index


def test_site_loads_nothing_from_the_network(site: Path) -> None:
    remote = []
    for path in site.rglob("*"):
        if path.suffix in (".html", ".css", ".js"):
            text = path.read_text(encoding="utf-8", errors="replace")
            remote += [
                f"{path.relative_to(site)}: {m.group(0)}" for m in REMOTE_ASSET.finditer(text)
            ]
    assert remote == [], remote[:5]
    assert REMOTE_ASSET.search('<script src="https://cdn.example/x.js">')  # the pattern bites


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    _need_mkdocs()
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(DOCS, tmp_path / "docs", ignore=shutil.ignore_patterns("scripts"))
    with (tmp_path / "docs" / "index.md").open("a", encoding="utf-8") as page:
        page.write("\n[a page that is not there](missing.md)\n")
    proc = build(tmp_path, tmp_path / "site")
    assert proc.returncode != 0 and "missing.md" in proc.stderr
