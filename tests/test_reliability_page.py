"""docs/reliability.md is generated from the tests and the code: never stale, never hand-typed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "docs" / "scripts"
# docs/reliability.md against its generator, byte for byte: tests/test_generated_pages.py


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """docs/scripts/reliability_page.py imported as a module (its sibling importable too)."""
    monkeypatch.syspath_prepend(str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(
        "reliability_page", SCRIPTS / "reliability_page.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "reliability_page", module)
    spec.loader.exec_module(module)
    return module


def test_counts_come_from_the_corpus_and_the_tests(page: ModuleType) -> None:
    """The page's counts are those of the corpus folders and the test modules."""
    facts = sys.modules["reliability_facts"]
    text = page.render()
    n_scenarios = len(list((facts.BAD / "scenarios").glob("*.toml")))
    assert f"**{n_scenarios} scenario files:**" in text
    assert f"**{len(facts.set_cases())} cases**" in text
    assert str(facts.ROOT) not in text  # the same bytes on every checkout


def test_a_test_named_on_the_page_must_exist(page: ModuleType) -> None:
    facts = sys.modules["reliability_facts"]
    with pytest.raises(SystemExit, match="does not exist"):
        facts.named_test("tests/test_faults.py::test_that_was_renamed")


def test_check_flag_reports_stale_and_fresh(
    page: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "reliability.md"
    assert page.main(["--check", "--output", str(target)]) == 1
    assert page.main(["--output", str(target)]) == 0
    assert page.main(["--check", "--output", str(target)]) == 0
    target.write_text(target.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    assert page.main(["--check", "--output", str(target)]) == 1
    assert "stale" in capsys.readouterr().err
