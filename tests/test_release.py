"""Citable and versioned: one version (abm.__version__) in pyproject, CITATION.cff, CHANGELOG.md and
every run.json; CITATION.cff keeps to the Citation File Format 1.2.0."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

import abm
from abm.runner import package_version, run_scenario, write_outputs

ROOT = Path(__file__).resolve().parent.parent
# Citation File Format 1.2.0: the top-level keys its schema allows, and the ones it requires
CFF_KEYS = {
    "abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi",
    "identifiers", "keywords", "license", "license-url", "message", "preferred-citation",
    "references", "repository", "repository-artifact", "repository-code", "title", "type",
    "url", "version",
}  # fmt: skip
CFF_REQUIRED = {"authors", "cff-version", "message", "title"}


def citation() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_pyproject_reads_the_version_from_abm() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["dynamic"] == ["version"] and "version" not in project["project"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "abm.version.__version__"
    }
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+|rc\d+)?", abm.__version__)
    assert package_version() == abm.__version__


def test_citation_file_is_cff_1_2_0_with_this_version() -> None:
    cff = citation()
    assert CFF_REQUIRED <= set(cff) <= CFF_KEYS, set(cff) ^ CFF_KEYS
    assert cff["cff-version"] == "1.2.0"
    assert cff["version"] == abm.__version__
    assert cff["type"] in ("software", "dataset")
    assert cff["authors"] and all(
        isinstance(a, dict) and (a.get("name") or a.get("family-names")) for a in cff["authors"]
    )
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert cff["license"] == project["project"]["license"]


def test_changelog_has_unreleased_and_this_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, flags=re.M)
    assert headings[0] == ("Unreleased", "")
    assert (abm.__version__, headings[1][1]) == headings[1] and headings[1][1]


def test_run_json_records_the_version(tmp_path: Path) -> None:
    result = run_scenario(
        "baseline", months=1, overrides={"grid.n_buses": 20}, counterfactual=False
    )
    write_outputs(result, tmp_path)
    info = json.loads((tmp_path / "run.json").read_text())
    assert info["package_version"] == abm.__version__
