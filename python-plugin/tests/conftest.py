"""Shared fixtures for the ndcodecs Python tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numcodecs.tests.common as numcodecs_common
import pytest

import ndcodecs

TESTS_DIR = Path(__file__).resolve().parent
FIXTURES_DIR = TESTS_DIR / "fixtures"
# Real arrays shared with the Rust tests (top-level tests/data of the repository).
DATA_DIR = TESTS_DIR.parent.parent / "tests" / "data"

# numcodecs' check_repr evaluates the repr in its own module namespace: make our classes visible.
for _name in ndcodecs.__all__:
    if not _name.startswith("_"):
        setattr(numcodecs_common, _name, getattr(ndcodecs, _name))


def run_fresh(code: str, cwd: Path | None = None, timeout: float = 120) -> str:
    """Runs ``code`` in a fresh interpreter (same venv) and returns its stdout; fails on error."""
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"fresh interpreter failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


@pytest.fixture
def fixture_dir(monkeypatch: pytest.MonkeyPatch) -> Path:
    """cwd for numcodecs' check_backwards_compatibility (which writes to ./fixture/<id>)."""
    FIXTURES_DIR.mkdir(exist_ok=True)
    monkeypatch.chdir(FIXTURES_DIR)
    return FIXTURES_DIR
