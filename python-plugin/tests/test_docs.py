"""The package's README examples and docstring examples run."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import ndcodecs
from ndcodecs import _codecs

README = Path(__file__).resolve().parent.parent / "README.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


@pytest.mark.parametrize("code", EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_readme_example(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(code, str(README), "exec"), {})


def test_docstring_examples() -> None:
    result = doctest.testmod(_codecs, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("name", ["SpatialDelta", "LinearQuantize", "Lilcom", "Crc32"])
def test_docstrings_document_every_config_field(name: str) -> None:
    cls = getattr(ndcodecs, name)
    config = cls(max_abs_error=0.1) if name == "LinearQuantize" else cls()
    doc = cls.__doc__ or ""
    for field in config.get_config():
        if field != "id":
            assert f"{field} :" in doc, f"{name} does not document {field}"
    assert "Errors" in doc
