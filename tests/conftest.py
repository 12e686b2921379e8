"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# In CI, property tests and fuzzers run a fixed, reproducible sample (derandomized), so a green
# run stays green for the same code; random exploration is for local and long runs.
settings.register_profile("chainfix-ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("chainfix-ci")

pytest_plugins = ["tests.garmin_support"]

REPO = Path(__file__).resolve().parents[1]
REAL_DIR = Path(
    os.environ.get("CHAINFIX_REAL_FIXTURES", REPO.parent / "shared" / "fixtures" / "real")
)


def real_fit_files() -> list[Path]:
    """Every real FIT fixture, or [] when the shared folder is absent."""
    if not REAL_DIR.is_dir():
        return []
    return sorted(p for p in REAL_DIR.rglob("*") if p.suffix.lower() == ".fit")


@pytest.fixture
def real_dir() -> Path:
    """The shared real-device fixtures folder; skips the test when it is absent."""
    if not REAL_DIR.is_dir():
        pytest.skip(f"real fixtures not present at {REAL_DIR}")
    return REAL_DIR


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own CHAINFIX_HOME so nothing touches the real user directory."""
    home = tmp_path_factory.mktemp("chainfix-home")
    monkeypatch.setenv("CHAINFIX_HOME", str(home))
    return home
