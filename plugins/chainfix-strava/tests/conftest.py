"""Shared fixtures: an isolated chainfix home, generated exports, and the real track files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from chainfix import plugins
from exportgen import write_export

REAL_DIR = Path(
    os.environ.get(
        "CHAINFIX_REAL_FIXTURES",
        Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "real",
    )
)
"""chainfix's shared real-device fixtures (this plugin sits in ``plugins/chainfix-strava``)."""


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chainfix's cache and settings go to a fresh folder, never the user's."""
    monkeypatch.setenv("CHAINFIX_HOME", str(tmp_path_factory.mktemp("chainfix-home")))
    monkeypatch.delenv("CHAINFIX_LOAD_PLUGINS", raising=False)
    plugins.reset()


@pytest.fixture(scope="session")
def export_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated export, zipped (built once per session)."""
    return write_export(tmp_path_factory.mktemp("zip") / "export_12345.zip")


@pytest.fixture(scope="session")
def export_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated export, unzipped."""
    return write_export(tmp_path_factory.mktemp("folder") / "export_12345", zipped=False)


@pytest.fixture
def real_tracks() -> Path:
    """The real Strava GPX/TCX files of the shared fixtures; skips when they are absent."""
    folder = REAL_DIR / "jimmykane__sports-lib"
    if not folder.is_dir():
        pytest.skip(f"real GPX/TCX fixtures not present at {folder}")
    return folder
