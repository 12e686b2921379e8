"""Built-in source: the Garmin Connect account export ("Export Your Data"), zipped or unzipped.

Folders are matched by name pattern, case-insensitively, never by fixed path: FIT files anywhere
(normally inside ``DI-Connect-Uploaded-Files/UploadedFiles_*_Part*.zip`` or the older
``DI-Connect-Fitness-Uploaded-Files``), and ``*summarizedActivities*.json`` summaries. FIT files are
streamed out of the nested zips; summaries are linked to them later by start time (±5 s), and those
with no FIT (manual entries, strength summaries) become activities of their own.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from chainfix.hookspecs import hookimpl
from chainfix.model import Origin, ReadProblem
from chainfix.sources.archive import Member, walk_zip
from chainfix.sources.base import FitBlob, ReadOptions, Source, SourceItem
from chainfix.sources.fitfiles import (
    FIT_SUFFIXES,
    TRACK_SUFFIXES,
    fit_file_item,
    gunzip_limited,
    has_suffix,
    walk_folder,
)
from chainfix.sources.garmin_json import parse_summaries

EXPORT_MARKERS = ("di_connect", "di-connect-", "summarizedactivities", "uploadedfiles_")


def is_summary_name(name: str) -> bool:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return "summarizedactivities" in base and base.endswith(".json")


def can_open_export(path: Path) -> bool:
    """A zip whose member names look like a Garmin export, or a folder holding ``DI_CONNECT``."""
    try:
        if path.is_dir():
            return any(child.name.lower() == "di_connect" for child in path.iterdir()) or (
                path.name.lower() == "di_connect"
            )
        if path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()[:5000]
            return any(marker in n.lower() for n in names for marker in EXPORT_MARKERS)
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    return False


def can_open_zip(path: Path) -> bool:
    try:
        return (
            path.is_file()
            and path.suffix.lower() == ".zip"
            or (path.is_file() and zipfile.is_zipfile(path))
        )
    except OSError:
        return False


def _member_items(
    members: Iterator[Member | ReadProblem], label: str, options: ReadOptions, on_disk: int
) -> Iterator[SourceItem]:
    """Turn archive members into FitBlobs, summary activities and problems."""
    tracks = 0
    for m in members:
        if isinstance(m, ReadProblem):
            yield m
            continue
        options.advance(round(m.weight * on_disk))
        lower = m.name.lower()
        if has_suffix(lower, FIT_SUFFIXES):
            key = f"zipmember:{m.crc:08x}:{m.size}:{lower.rsplit('/', 1)[-1]}"
            load = m.load
            if lower.endswith(".gz"):
                raw_load = m.load

                def load(raw_load=raw_load) -> bytes:  # type: ignore[no-untyped-def]
                    return gunzip_limited(raw_load(), options.limits.max_member_bytes)

            yield FitBlob(Origin(label, m.path), load, m.size, key, source="garmin-export")
        elif is_summary_name(m.name):
            try:
                data = m.load()
            except Exception as exc:  # BlobLoadError
                yield ReadProblem(label, m.path, getattr(exc, "kind", "bad_archive"), str(exc))
                continue
            yield from parse_summaries(data, label, m.path)
        elif has_suffix(lower, TRACK_SUFFIXES):
            tracks += 1
    if tracks:
        yield ReadProblem(
            label,
            None,
            "unsupported",
            f"{tracks} GPX/TCX upload(s) not read as files; their activities come from the JSON "
            "summaries",
            severity="info",
        )


def read_zip(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    """Every FIT member and summary JSON of a zip archive, nested zips included."""
    label = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        yield ReadProblem(label, None, "bad_archive", f"not a readable zip archive: {exc}")
        return
    with tempfile.TemporaryDirectory(prefix="chainfix-") as tmpdir, zf:
        on_disk = path.stat().st_size
        yield from _member_items(
            walk_zip(zf, label, options.limits, tmpdir), label, options, on_disk
        )


def read_export_folder(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    """An export already unzipped: FIT files, nested Part zips and summary JSON under the folder."""
    with tempfile.TemporaryDirectory(prefix="chainfix-") as tmpdir:
        for file in walk_folder(path):
            name = file.name.lower()
            size = file.stat().st_size
            if has_suffix(name, FIT_SUFFIXES):
                options.advance(size)
                item = fit_file_item(file, options)
                if isinstance(item, FitBlob):
                    item = FitBlob(item.origin, item.load, item.size, item.key, "garmin-export")
                yield item
            elif is_summary_name(name):
                options.advance(size)
                yield from parse_summaries(file.read_bytes(), str(file), None)
            elif name.endswith(".zip"):
                try:
                    zf = zipfile.ZipFile(file)
                except (zipfile.BadZipFile, OSError, ValueError) as exc:
                    yield ReadProblem(str(file), None, "bad_archive", f"not a readable zip: {exc}")
                    continue
                with zf:
                    members = walk_zip(zf, str(file), options.limits, tmpdir, depth=2)
                    yield from _member_items(members, str(file), options, size)


def read_export(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    if path.is_dir():
        yield from read_export_folder(path, options)
    else:
        yield from read_zip(path, options)


GARMIN_EXPORT = Source(
    name="garmin-export",
    description="Garmin Connect account export: the zip (nested zips, JSON summaries) or folder.",
    can_open=can_open_export,
    read=read_export,
    priority=20,
)
ZIP_ARCHIVE = Source(
    name="zip",
    description="Any zip archive of FIT files (nested zips included).",
    can_open=can_open_zip,
    read=read_zip,
    priority=-5,
)


@hookimpl
def register_sources(register):  # type: ignore[no-untyped-def]
    register(GARMIN_EXPORT)
    register(ZIP_ARCHIVE)
