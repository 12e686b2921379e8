"""Recognising a Strava export (``can_open``): ``activities.csv`` beside ``activities/``.

Kept apart from the reader and light, so chainfix's start-up does not load the reader.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

CSV_NAME = "activities.csv"
FOLDER = "activities/"
FOLDER_NAME = FOLDER.rstrip("/")


def zip_prefix(names: list[str]) -> str | None:
    """``""`` when ``activities.csv`` and ``activities/`` sit at the zip's root, ``"top/"`` when
    they sit in one top folder, None when this is not a Strava export."""
    lowered = [n.replace("\\", "/").lower() for n in names]
    candidates = sorted(
        {n[: -len(CSV_NAME)] for n in lowered if n.endswith(CSV_NAME) and n.count("/") <= 1},
        key=len,
    )
    for prefix in candidates:
        if not (prefix == "" or prefix.endswith("/")):
            continue
        if any(n.startswith(prefix + FOLDER) for n in lowered):
            return prefix
    return None


def is_export_dir(path: Path) -> bool:
    """A folder holding ``activities.csv`` and an ``activities`` folder (any letter case)."""
    has_csv = has_folder = False
    try:
        with os.scandir(path) as entries:  # no Path per child: folders may hold thousands
            for entry in entries:
                name = entry.name.lower()
                if name == CSV_NAME:
                    has_csv = has_csv or entry.is_file()
                elif name == FOLDER_NAME:
                    has_folder = has_folder or entry.is_dir()
    except OSError:
        return False
    return has_csv and has_folder


def export_root(path: Path) -> Path | None:
    """The export folder for ``path``: itself, its only export sub-folder, or the folder of an
    ``activities.csv`` given directly."""
    try:
        if path.is_file():
            if path.name.lower() == CSV_NAME and is_export_dir(path.parent):
                return path.parent
            return None
        if not path.is_dir():
            return None
        if is_export_dir(path):
            return path
        with os.scandir(path) as entries:
            subs = sorted(e.name for e in entries if e.is_dir() and not e.is_symlink())
        found = [path / name for name in subs if is_export_dir(path / name)]
        return found[0] if len(found) == 1 else None
    except OSError:
        return None


def can_open(path: Path) -> bool:
    """A Strava export: a zip or folder with ``activities.csv`` next to ``activities/``."""
    try:
        if path.is_dir() or path.name.lower() == CSV_NAME:
            return export_root(path) is not None
        if path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                return zip_prefix(zf.namelist()) is not None
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError):
        return False
    return False


TRACK_SUFFIXES = (".gpx", ".gpx.gz", ".tcx", ".tcx.gz")


def track_can_open(path: Path) -> bool:
    """A regular file named like a GPX or TCX track."""
    try:
        return path.name.lower().endswith(TRACK_SUFFIXES) and path.is_file()
    except OSError:
        return False
