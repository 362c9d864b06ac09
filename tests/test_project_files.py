"""The project files agree with what the packages declare: the licence texts Cargo.toml and
pyproject.toml name are there, CITATION.cff is complete and carries the workspace's version, and
CHANGELOG.md has an Unreleased section and one for that version."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CARGO = tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["package"]
PYPROJECT = tomllib.loads((ROOT / "python-plugin" / "pyproject.toml").read_text())["project"]


def test_every_declared_licence_has_its_text():
    assert CARGO["license"] == PYPROJECT["license"] == "MIT OR Apache-2.0"
    mit = (ROOT / "LICENSE-MIT").read_text()
    assert mit.startswith("MIT License\n\nCopyright (c) ")
    assert "ndcodecs developers" in mit
    assert "Permission is hereby granted, free of charge" in mit
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in mit
    apache = (ROOT / "LICENSE-APACHE").read_text()
    assert re.match(r"\s*Apache License\s+Version 2\.0, January 2004\n", apache)
    assert "END OF TERMS AND CONDITIONS" in apache
    assert "Copyright 2026 ndcodecs developers" in apache
    assert "[yyyy]" not in apache


def test_citation_names_the_project_and_its_version():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "abstract"):
        assert isinstance(cff[key], str) and cff[key]
    assert cff["type"] == "software"
    assert cff["authors"] == [{"name": CARGO["authors"][0]}]
    assert cff["version"] == CARGO["version"]
    assert sorted(cff["license"]) == ["Apache-2.0", "MIT"]
    assert cff["repository-code"] == CARGO["repository"]


def test_changelog_has_unreleased_and_the_current_version():
    headings = re.findall(r"^## (.+)$", (ROOT / "CHANGELOG.md").read_text(), flags=re.M)
    assert headings[0] == "Unreleased"
    assert any(h.split(" ")[0] == CARGO["version"] for h in headings[1:]), headings
