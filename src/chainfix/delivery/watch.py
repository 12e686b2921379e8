"""Finding a Garmin watch mounted over USB: its ``GARMIN/NewFiles`` folder, where it imports
workout files when it is disconnected."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from chainfix.errors import DeliveryError

MOUNT_PARENTS: tuple[str, ...] = (
    "/media/{user}",
    "/run/media/{user}",
    "/Volumes",
    "/mnt",
    "/media",
)
"""Folders whose sub-folders are mounted USB drives (udisks on Debian/Ubuntu and on
Fedora/Arch, macOS, by hand, older udisks); ``{user}`` is the login name."""


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no USER/LOGNAME and no passwd entry (containers)
        return os.environ.get("USER", "")


def mount_roots(parents: Sequence[str] | None = None) -> list[Path]:
    """Mounted volumes: the sub-folders of :data:`MOUNT_PARENTS` (or ``parents``)."""
    user = _user()
    roots: list[Path] = []
    for template in MOUNT_PARENTS if parents is None else parents:
        if "{user}" in template and not user:
            continue
        try:
            children = sorted(p for p in Path(template.format(user=user)).iterdir() if p.is_dir())
        except OSError:
            continue
        roots.extend(children)
    return roots


def _child(folder: Path, name: str) -> Path | None:
    """The sub-folder ``name`` of ``folder``, matched case-insensitively (FAT volumes)."""
    exact = folder / name
    try:
        if exact.is_dir():
            return exact
        for entry in folder.iterdir():
            if entry.name.lower() == name.lower() and entry.is_dir():
                return entry
    except OSError:
        return None
    return None


def _new_files(volume: Path) -> Path | None:
    garmin = _child(volume, "GARMIN")
    return _child(garmin, "NewFiles") if garmin is not None else None


def find_watch_dirs(roots: Iterable[Path] | None = None) -> list[Path]:
    """Every ``GARMIN/NewFiles`` folder on a mounted volume (``roots``: the volumes to look at)."""
    found: list[Path] = []
    for volume in mount_roots() if roots is None else roots:
        folder = _new_files(Path(volume))
        if folder is not None and folder not in found:
            found.append(folder)
    return found


def resolve_watch_dir(watch_dir: Path | None = None, roots: Iterable[Path] | None = None) -> Path:
    """The ``GARMIN/NewFiles`` folder to write to.

    ``watch_dir`` may be the watch's volume, its ``GARMIN`` folder or ``NewFiles`` itself.
    Without it, exactly one mounted watch must be found.
    """
    if watch_dir is not None:
        path = Path(watch_dir)
        if not path.is_dir():
            raise DeliveryError(f"--watch-dir {path} is not a folder")
        if path.name.lower() == "newfiles":
            return path
        found = _new_files(path) or _child(path, "NewFiles")
        if found is None:
            raise DeliveryError(
                f"{path} has no GARMIN/NewFiles folder, so the watch would not import the files",
                hint="Point --watch-dir at the watch's drive, or use "
                "`chainfix sync fit DIR PATHS` to write the files anywhere.",
            )
        return found
    searched = ", ".join(p.replace("{user}", _user() or "$USER") + "/*" for p in MOUNT_PARENTS)
    found_dirs = find_watch_dirs(roots)
    if not found_dirs:
        raise DeliveryError(
            f"no Garmin watch found: no GARMIN/NewFiles folder under {searched}",
            hint="Connect the watch by USB and wait until its drive is mounted, or give the "
            "folder with --watch-dir. Watches that connect over MTP have no drive: write the "
            "files with `chainfix sync fit DIR PATHS` and copy them into GARMIN/NewFiles with an "
            "MTP file manager.",
        )
    if len(found_dirs) > 1:
        listed = ", ".join(str(p) for p in found_dirs)
        raise DeliveryError(
            f"{len(found_dirs)} Garmin devices found ({listed})",
            hint="Choose one with --watch-dir.",
        )
    return found_dirs[0]
