"""The ``garmin-connect`` source: reads the local library offline (never the network).

For every activity id in the library, in ascending id order: the original FIT file as a
:class:`~chainfix.api.FitBlob` (decoded by chainfix's own reader, in parallel and cached), then
the activity's Connect summary as an Activity with ``from_summary=True``. chainfix drops a summary
whose FIT activity starts within 5 s of it, so the summary only counts for activities without a
readable FIT file: manual entries, GPX/TCX uploads, a corrupt download.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from chainfix.api import FitBlob, ReadOptions, ReadProblem, SourceItem, fit_file_item

from chainfix_garmin_connect.library import (
    FIT_NAME,
    MARKER,
    ORIGINALS,
    SUMMARY_FORMAT,
    SUMMARY_NAME,
)
from chainfix_garmin_connect.summaries import summary_activity

NAME = "garmin-connect"
MAX_SUMMARY_BYTES = 8 * 1024**2
"""A Connect summary is a few kilobytes; anything this large is not one."""


def can_open(path: Path) -> bool:
    """A folder holding ``chainfix-library.json``. Two ``stat`` calls; never raises."""
    try:
        return path.is_dir() and (path / MARKER).is_file()
    except (OSError, ValueError):
        return False


def read(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    """FIT blobs and summary activities from a library; anything wrong becomes a ReadProblem."""
    where = str(path)
    try:
        if not path.is_dir():
            yield ReadProblem(where, None, "unsupported", _NOT_A_LIBRARY)
            return
        names = sorted(os.listdir(path))
    except (OSError, ValueError) as exc:
        yield ReadProblem(where, None, "io_error", f"cannot list the folder: {exc}")
        return
    if MARKER not in names:
        yield ReadProblem(where, None, "unsupported", _NOT_A_LIBRARY)
        return
    fits: dict[int, str] = {}
    summaries: dict[int, str] = {}
    others: list[str] = []
    for name in names:
        if name.startswith(".") or name == MARKER:
            continue  # temporary files of a running or crashed pull, hidden files
        if match := FIT_NAME.fullmatch(name):
            fits[int(match.group(1))] = name
        elif match := SUMMARY_NAME.fullmatch(name):
            summaries[int(match.group(1))] = name
        else:
            others.append(name)
    for activity_id in sorted(fits.keys() | summaries.keys()):
        fit_name = fits.get(activity_id)
        if fit_name is not None:
            yield _fit_item(path / fit_name, options)
        summary_name = summaries.get(activity_id)
        if summary_name is not None:
            yield from _summary_items(path / summary_name, fit_name is not None, options)
    for name in others:
        yield ReadProblem(
            str(path / name),
            None,
            "unsupported",
            "not part of the Garmin Connect library (only <id>.fit and <id>.json are); skipped",
            severity="info",
        )


_NOT_A_LIBRARY = (
    f"not a Garmin Connect library (a folder with {MARKER}, made by `chainfix garmin pull`)"
)


def _fit_item(file: Path, options: ReadOptions) -> SourceItem:
    item = fit_file_item(file, options)
    if isinstance(item, FitBlob):
        options.advance(item.size)
        return replace(item, source=NAME)
    return item


def _summary_items(file: Path, has_fit: bool, options: ReadOptions) -> Iterator[SourceItem]:
    where = str(file)
    try:
        size = file.stat().st_size
        if size > MAX_SUMMARY_BYTES:
            yield ReadProblem(where, None, "bad_json", f"{size:,} bytes: too large for a summary")
            return
        data = file.read_bytes()
    except OSError as exc:
        yield ReadProblem(where, None, "io_error", f"cannot read the file: {exc.strerror or exc}")
        return
    options.advance(len(data))
    try:
        record = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        yield ReadProblem(where, None, "bad_json", f"invalid JSON: {exc}")
        return
    if (
        not isinstance(record, dict)
        or record.get("format") != SUMMARY_FORMAT
        or not isinstance(record.get("activity"), dict)
    ):
        yield ReadProblem(where, None, "bad_json", "not an activity summary written by chainfix")
        return
    activity, problems = summary_activity(record["activity"], where)
    yield from problems
    if activity is None:
        return
    yield activity
    original = record.get("original")
    note = record.get("note") if isinstance(record.get("note"), str) else None
    if original == "fit" and not has_fit:
        yield ReadProblem(
            where,
            None,
            "io_error",
            "the activity's FIT file is missing from the library; its summary is used instead "
            f"(to download it again, delete {file.name} and run `chainfix garmin pull --since "
            f"{activity.start_utc:%Y-%m-%d}`)",
            severity="warning",
        )
    elif original == "not_fit":
        yield ReadProblem(
            where,
            None,
            "unsupported",
            f"{note or 'the original file is not a FIT file'}; the summary is used",
            severity="info",
        )
    elif original == "unreadable":
        yield ReadProblem(
            where,
            None,
            "corrupt",
            f"{note or 'the downloaded original was unreadable'}; the summary is used",
            severity="warning",
        )
    elif original not in ORIGINALS:
        yield ReadProblem(
            where,
            None,
            "bad_json",
            f"unknown original {original!r}; the summary is used",
            severity="warning",
        )
