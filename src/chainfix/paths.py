"""Where chainfix keeps its files. Everything lives under one user directory.

``CHAINFIX_HOME`` overrides the platform default (``platformdirs.user_data_dir("chainfix")``).
Nothing is ever written to the working directory.

The user folder is created with mode 0700; an existing one open to others is tightened to 0700,
with a note. A folder that cannot be used (read-only, a file in its place, a full disk) raises
:class:`UserFolderError`, one line that says what to do; commands that only read go on without
the cache and say so with a :class:`UserFolderWarning`.
"""

from __future__ import annotations

import errno
import os
import stat
import warnings
from pathlib import Path

import platformdirs

from chainfix.errors import ChainfixError

ENV_HOME = "CHAINFIX_HOME"
GARMIN_TOKEN_FILE = "garmin_tokens.json"
"""The file name garminconnect gives its token store."""
PRIVATE = 0o700


class UserFolderError(ChainfixError):
    """The chainfix user folder cannot be created or written."""


class UserFolderWarning(UserWarning):
    """Shown by the CLI as one ``Warning:`` line: chainfix goes on without part of the folder."""


class UserFolderNote(UserFolderWarning):
    """Shown by the CLI as one ``Note:`` line: chainfix changed something about the folder."""


def home_path() -> Path:
    """The user folder's path, without touching the disk."""
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("chainfix", appauthor=False))


def user_dir(create: bool = True) -> Path:
    """The user data directory (created with mode 0700 when ``create``; UserFolderError when it
    cannot be)."""
    path = home_path()
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True, mode=PRIVATE)
        except OSError as exc:
            raise folder_error(exc, path) from exc
        _tighten(path)
    return path


def _tighten(path: Path) -> None:
    """Mode 0700 for a folder open to others (where the file system has modes), with a note."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077 and os.name == "posix":
            path.chmod(PRIVATE)
            warnings.warn(
                UserFolderNote(
                    f"the chainfix user folder {path} was open to other users (mode "
                    f"{mode:04o}); it is now private (0700)"
                ),
                stacklevel=3,
            )
    except OSError:
        pass  # a read-only folder keeps its mode; writing into it fails with its own message


_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NOT_FOLDER = {errno.ENOTDIR, errno.EEXIST}


def folder_error(exc: OSError, folder: Path | None = None) -> UserFolderError:
    """The one-line error for an OSError met in (or while creating) the user folder."""
    folder = folder or home_path()
    if exc.errno in _NOT_FOLDER or (folder.exists() and not folder.is_dir()):
        return UserFolderError(
            f"the chainfix user folder {folder} is a file, not a folder",
            hint=f"Move that file away, or point {ENV_HOME} at a folder.",
        )
    if exc.errno in _FULL:
        return UserFolderError(
            f"the disk holding the chainfix user folder {folder} is full",
            hint=f"Free some space, or point {ENV_HOME} at a folder on another disk.",
        )
    if exc.errno in _READ_ONLY:
        return UserFolderError(
            f"the chainfix user folder {folder} is read-only",
            hint=f"Make it writable, or point {ENV_HOME} at a folder you can write to.",
        )
    return UserFolderError(
        f"the chainfix user folder {folder} cannot be used: {exc.strerror or exc}",
        hint=f"Check the folder, or point {ENV_HOME} at another one.",
    )


def user_folder_error(exc: OSError) -> UserFolderError | None:
    """The one-line error for an OSError about the user folder (a path inside it, or a full
    disk), or None when the error is about something else."""
    home = home_path()
    names = [n for n in (exc.filename, exc.filename2) if n]
    inside = any(_under(Path(os.fsdecode(n)), home) for n in names)
    if inside or (not names and exc.errno in _FULL):
        return folder_error(exc, home)
    return None


def _under(path: Path, folder: Path) -> bool:
    try:
        return path.absolute().is_relative_to(folder.absolute())
    except (OSError, ValueError):
        return False


def cache_path() -> Path:
    """SQLite cache of per-file read results."""
    return user_dir() / "cache.sqlite"


def plugin_index_path() -> Path:
    """The installed plugins' entry points, remembered between runs (JSON)."""
    return user_dir() / "plugins.json"


def profile_path(create: bool = True) -> Path:
    """The athlete profile (TOML); ``create=False`` to read without making the folder."""
    return user_dir(create) / "profile.toml"


def model_override_dir() -> Path:
    """Folder where a coach may drop replacement coefficient tables (only ever read: not
    created, so reading works on a user folder that cannot be written)."""
    return user_dir(create=False) / "model"


def garmin_dir(create: bool = True) -> Path:
    """Garmin Connect token store folder (mode 0700)."""
    path = user_dir(create) / "garmin"
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True, mode=PRIVATE)
            os.chmod(path, PRIVATE)
        except OSError as exc:
            raise folder_error(exc) from exc
    return path


def ledger_path() -> Path:
    """SQLite ledger of workouts uploaded to Garmin Connect."""
    return user_dir() / "ledger.sqlite"


def plan_path(create: bool = True) -> Path:
    """The current plan and its state (JSON); ``create=False`` to read only."""
    return user_dir(create) / "plan.json"


def advice_path(create: bool = True) -> Path:
    """The advice ``analyze`` last gave and what it was made from (JSON), so an unchanged
    history builds no plan; ``create=False`` to read only."""
    return user_dir(create) / "advice.json"


def checkins_path(create: bool = True) -> Path:
    """Pain and soreness check-ins (JSON); ``create=False`` to read only."""
    return user_dir(create) / "checkins.json"


def assessments_path(create: bool = True) -> Path:
    """Every self-test result, oldest first (JSON); ``create=False`` to read only."""
    return user_dir(create) / "assessments.json"


def override_file(name: str) -> Path:
    """A data file a coach drops into the user folder to replace a built-in one
    (``dosing.toml``, ``exercises.csv``, ``garmin-exercise-catalogue.json`` ...)."""
    return user_dir(create=False) / name


def garmin_token_file(folder: Path | None = None) -> Path:
    """garminconnect's token store (in ``folder``, default :func:`garmin_dir`)."""
    return (folder or garmin_dir()) / GARMIN_TOKEN_FILE


def library_dir() -> Path:
    """Local library of activity files downloaded by source plugins."""
    return user_dir() / "library"
