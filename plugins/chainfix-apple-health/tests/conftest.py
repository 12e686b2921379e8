"""Shared fixtures: an isolated chainfix home and generated Health exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from healthgen import write_export


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chainfix's cache and settings go to a fresh folder, never the user's."""
    monkeypatch.setenv("CHAINFIX_HOME", str(tmp_path_factory.mktemp("chainfix-home")))
    monkeypatch.delenv("CHAINFIX_LOAD_PLUGINS", raising=False)


@pytest.fixture(scope="session")
def export_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated export, zipped, with 2 MB of filler Records (built once per session)."""
    return write_export(tmp_path_factory.mktemp("zip") / "export.zip", filler_bytes=2 * 1024**2)


@pytest.fixture(scope="session")
def export_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated export, unzipped."""
    return write_export(tmp_path_factory.mktemp("folder") / "unzipped", zipped=False)
