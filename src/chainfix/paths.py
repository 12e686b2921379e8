"""Where chainfix keeps its files. Everything lives under one user directory.

``CHAINFIX_HOME`` overrides the platform default (``platformdirs.user_data_dir("chainfix")``).
Nothing is ever written to the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_HOME = "CHAINFIX_HOME"
GARMIN_TOKEN_FILE = "garmin_tokens.json"
"""The file name garminconnect gives its token store."""


def user_dir(create: bool = True) -> Path:
    """The user data directory (created with mode 0700 when ``create``)."""
    env = os.environ.get(ENV_HOME)
    path = (
        Path(env).expanduser()
        if env
        else Path(platformdirs.user_data_dir("chainfix", appauthor=False))
    )
    if create:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def cache_path() -> Path:
    """SQLite cache of per-file read results."""
    return user_dir() / "cache.sqlite"


def profile_path() -> Path:
    """The athlete profile (TOML)."""
    return user_dir() / "profile.toml"


def model_override_dir() -> Path:
    """Folder where a coach may drop replacement coefficient tables."""
    return user_dir() / "model"


def garmin_dir(create: bool = True) -> Path:
    """Garmin Connect token store folder (mode 0700)."""
    path = user_dir(create) / "garmin"
    if create:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)
    return path


def ledger_path() -> Path:
    """SQLite ledger of workouts uploaded to Garmin Connect."""
    return user_dir() / "ledger.sqlite"


def plan_path() -> Path:
    """The current plan and its state (JSON)."""
    return user_dir() / "plan.json"


def assessments_path() -> Path:
    """Every self-test result, oldest first (JSON)."""
    return user_dir() / "assessments.json"


def override_file(name: str) -> Path:
    """A data file a coach drops into the user folder to replace a built-in one
    (``dosing.toml``, ``exercises.csv``, ``garmin-exercise-catalog.json`` ...)."""
    return user_dir(create=False) / name


def garmin_token_file(folder: Path | None = None) -> Path:
    """garminconnect's token store (in ``folder``, default :func:`garmin_dir`)."""
    return (folder or garmin_dir()) / GARMIN_TOKEN_FILE


def library_dir() -> Path:
    """Local library of activity files downloaded by source plugins."""
    return user_dir() / "library"
