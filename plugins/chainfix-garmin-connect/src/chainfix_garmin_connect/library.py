"""The local library of activities pulled from Garmin Connect: its layout and atomic writes.

One folder (by default ``<chainfix user dir>/library/garmin-connect``) holding::

    chainfix-library.json     the marker: what this folder is, and whose activities it holds
    <activityId>.fit          the original FIT file, exactly as Garmin Connect stores it
    <activityId>.json         the activity's summary from Connect's activity list (API units)

A ``<activityId>.json`` is written last, after the FIT file: its presence means "this activity is
complete in the library", so a pull never downloads it again. Every file is written atomically (a
hidden temporary file in the same folder, flushed to disk, then renamed), so a crash leaves either
the whole file or none of it; leftover temporary files are removed by the next pull.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from chainfix.api import library_dir, write_atomic

LIBRARY_NAME = "garmin-connect"
"""The library's folder name under :func:`chainfix.paths.library_dir`."""

MARKER = "chainfix-library.json"
"""The file that makes a folder a Garmin Connect library (``can_open`` looks for it)."""

FORMAT = "chainfix-garmin-connect"
SUMMARY_FORMAT = "chainfix-garmin-connect-summary"
VERSION = 1

FIT_NAME = re.compile(r"([1-9][0-9]{0,19})\.fit")
SUMMARY_NAME = re.compile(r"([1-9][0-9]{0,19})\.json")
TEMP_SUFFIX = ".tmp"
"""Temporary files of :func:`chainfix.atomic.write_atomic` are ``.<name>.<random>.tmp``."""

Original = Literal["fit", "none", "not_fit", "unreadable"]
"""What Garmin Connect had as the activity's original file:

* ``fit``: a FIT file, stored beside the summary;
* ``none``: nothing (a manual entry, or Connect answered 404);
* ``not_fit``: an original that is not FIT (an uploaded GPX or TCX), not stored;
* ``unreadable``: the download was not a readable zip or FIT file, not stored.
"""
ORIGINALS: tuple[str, ...] = Original.__args__  # type: ignore[attr-defined]


def default_library() -> Path:
    """``<chainfix user dir>/library/garmin-connect``."""
    return library_dir() / LIBRARY_NAME


def json_bytes(doc: Any) -> bytes:
    """Readable UTF-8 JSON, keeping Connect's own key order."""
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class Library:
    """A library folder (it need not exist yet)."""

    root: Path

    @property
    def marker(self) -> Path:
        return self.root / MARKER

    def fit_path(self, activity_id: int) -> Path:
        return self.root / f"{activity_id}.fit"

    def summary_path(self, activity_id: int) -> Path:
        return self.root / f"{activity_id}.json"

    def exists(self) -> bool:
        """True when the folder is a library (holds the marker)."""
        return self.marker.is_file()

    def has_fit(self, activity_id: int) -> bool:
        return self.fit_path(activity_id).is_file()

    def is_complete(self, activity_id: int) -> bool:
        """True when the activity is in the library (its summary is written last)."""
        return self.summary_path(activity_id).is_file()

    def account(self) -> str | None:
        """The Garmin Connect display name recorded in the marker, if any."""
        try:
            doc = json.loads(self.marker.read_bytes())
        except (OSError, ValueError):
            return None
        account = doc.get("account") if isinstance(doc, dict) else None
        return account if isinstance(account, str) and account else None

    def create(self, account: str | None) -> None:
        """Create the folder (private to the user) and its marker, when missing."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        if self.exists() and (account is None or self.account() is not None):
            return
        marker = {
            "format": FORMAT,
            "version": VERSION,
            "account": account,
            "about": "Activities pulled from Garmin Connect by `chainfix garmin pull`: "
            "<activityId>.fit is the original FIT file, <activityId>.json the activity's "
            "summary from Connect's activity list (seconds, metres). "
            "Read it with `chainfix analyze <this folder>`.",
        }
        write_atomic(self.marker, json_bytes(marker))

    def store_fit(self, activity_id: int, data: bytes) -> bool:
        """Write the original FIT file unless it is already there; True when written."""
        path = self.fit_path(activity_id)
        if path.exists():
            return False
        write_atomic(path, data)
        return True

    def store_summary(
        self,
        activity_id: int,
        activity: Mapping[str, Any],
        original: Original,
        note: str | None = None,
    ) -> None:
        """Write the activity's summary record; from then on the activity is complete."""
        record = {
            "format": SUMMARY_FORMAT,
            "version": VERSION,
            "activityId": activity_id,
            "original": original,
            "note": note,
            "activity": dict(activity),
        }
        write_atomic(self.summary_path(activity_id), json_bytes(record))

    def remove_temporary_files(self) -> int:
        """Delete temporary files a crashed pull left behind; returns how many."""
        removed = 0
        try:
            entries = list(os.scandir(self.root))
        except OSError:
            return 0
        for entry in entries:
            if entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX):
                try:
                    os.unlink(entry.path)
                    removed += 1
                except OSError:
                    pass
        return removed
