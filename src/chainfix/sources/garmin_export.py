"""Built-in source: the Garmin Connect account export ("Export Your Data"), zipped or unzipped.

Folders are matched by name pattern, case-insensitively, never by fixed path: FIT files anywhere
(normally inside ``DI-Connect-Uploaded-Files/UploadedFiles_*_Part*.zip`` or the older
``DI-Connect-Fitness-Uploaded-Files``), and ``*summarizedActivities*.json`` summaries. FIT files are
streamed out of the nested zips; summaries are linked to them later by start time (±5 s), and those
with no FIT (manual entries, strength summaries) become activities of their own.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from stat import S_ISREG

from chainfix.model import Origin, ReadProblem
from chainfix.sources.archive import Member, walk_zip
from chainfix.sources.base import (
    Container,
    FitBlob,
    Limits,
    PartsReader,
    PortableLoad,
    ReadOptions,
    Source,
    SourceItem,
)
from chainfix.sources.fitfiles import (
    FIT_SUFFIXES,
    TRACK_SUFFIXES,
    GunzipLoad,
    file_key,
    fit_file_item,
    gunzip_limited,
    has_suffix,
    walk_folder,
)
from chainfix.sources.garmin_json import parse_summaries
from chainfix.sources.spill import spill_dir
from chainfix.sources.zip_member import Backing, limits_tag

EXPORT_MARKERS = ("di_connect", "di-connect-", "summarizedactivities", "uploadedfiles_")


def is_summary_name(name: str) -> bool:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return "summarizedactivities" in base and base.endswith(".json")


def can_open_export(path: Path) -> bool:
    """A zip whose member names look like a Garmin export, or a folder holding ``DI_CONNECT``."""
    try:
        if path.is_dir():
            if path.name.lower() == "di_connect":
                return True
            with os.scandir(path) as entries:  # no Path per child: folders may hold thousands
                return any(entry.name.lower() == "di_connect" for entry in entries)
        if path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()[:5000]
            return any(marker in n.lower() for n in names for marker in EXPORT_MARKERS)
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError):
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


def _context(limits: Limits) -> str:
    """What a cached part's output depends on besides its bytes: the limits. (Results that depend
    on the clock are kept apart by the cache: see :func:`chainfix.cache.is_volatile`.)"""
    return limits_tag(limits)


def _member_items(
    members: Iterator[Member | ReadProblem | Container],
    label: str,
    options: ReadOptions,
    on_disk: int,
) -> Iterator[SourceItem | Container]:
    """Turn archive members into FitBlobs, summary activities and problems.

    Container marks pass through; a skipped part still advances the progress bar and hands back
    the number of track files it held.
    """
    tracks = 0
    open_marks: list[tuple[Container, int]] = []
    for m in members:
        if isinstance(m, Container):
            if m.end:
                if open_marks and open_marks[-1][0] is m.opening:
                    _, at_open = open_marks.pop()
                    m.state["tracks"] = tracks - at_open
                yield m
                continue
            yield m
            if m.skip:
                options.advance(round(m.weight * on_disk))
                tracks += m.state.get("tracks", 0)
            else:
                open_marks.append((m, tracks))
            continue
        if isinstance(m, ReadProblem):
            yield m
            continue
        options.advance(round(m.weight * on_disk))
        lower = m.name.lower()
        if has_suffix(lower, FIT_SUFFIXES):
            key = f"zipmember:{m.crc:08x}:{m.size}:{lower.rsplit('/', 1)[-1]}"
            load = m.load
            if lower.endswith(".gz"):
                if isinstance(m.load, PortableLoad):
                    load = GunzipLoad(m.load, options.limits.max_member_bytes)
                else:
                    raw_load = m.load

                    def load(raw_load: Callable[[], bytes] = raw_load) -> bytes:
                        return gunzip_limited(raw_load(), options.limits.max_member_bytes)

            yield FitBlob(Origin(label, m.path), load, m.size, key, source="garmin-export")
        elif is_summary_name(m.name):
            mark = Container(
                f"zipjson:{m.crc:08x}:{m.size}:{_context(options.limits)}:{m.path}", label
            )
            yield mark
            if mark.skip:
                continue
            try:
                data = m.load()
            except Exception as exc:  # BlobLoadError
                yield ReadProblem(label, m.path, getattr(exc, "kind", "bad_archive"), str(exc))
                yield mark.closing(complete=not isinstance(exc, OSError))
                continue
            yield from isolated(parse_summaries(data, label, m.path), label, m.path)
            yield mark.closing()
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


def _walk_archive(
    file: Path, label: str, options: ReadOptions, tmpdir: str, depth: int, unreadable: str
) -> Iterator[SourceItem | Container]:
    """One zip file on disk, as a cacheable part keyed by the file's identity.

    ``unreadable`` starts the problem's message when the file is not a readable zip.
    """
    try:
        stat = file.stat()
    except OSError as exc:
        yield ReadProblem(label, None, "bad_archive", f"{unreadable}: {exc}")
        return
    if not S_ISREG(stat.st_mode):
        yield ReadProblem(label, None, "io_error", "not a regular file (a pipe, a device); skipped")
        return
    mark = Container(
        f"zipfile:{depth}:{_context(options.limits)}:{file_key(file, stat)}",
        label,
        room=options.limits.max_total_bytes,
    )
    yield mark
    if mark.skip:
        options.advance(stat.st_size)
        return
    try:
        zf = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        yield ReadProblem(label, None, "bad_archive", f"{unreadable}: {exc}")
        yield mark.closing(complete=not isinstance(exc, OSError))
        return
    with zf:
        backing = Backing(os.path.abspath(file), 0, stat.st_size)
        members = walk_zip(
            zf, label, options.limits, tmpdir, depth=depth, backing=backing, containers=True
        )
        yield from _member_items(members, label, options, stat.st_size)
    yield mark.closing()


def _zip_parts(path: Path, options: ReadOptions) -> Iterator[SourceItem | Container]:
    """Every FIT member and summary JSON of a zip archive, nested zips included."""
    yield from read_zip_file(path, options)


def _folder_parts(path: Path, options: ReadOptions) -> Iterator[SourceItem | Container]:
    """An export already unzipped: FIT files, nested Part zips and summary JSON under the folder."""
    with spill_dir() as tmpdir:
        for file in walk_folder(path):
            name = file.name.lower()
            try:
                stat = file.stat()
            except OSError as exc:
                yield ReadProblem(str(file), None, "io_error", f"cannot read: {exc.strerror}")
                continue
            size = stat.st_size
            if not S_ISREG(stat.st_mode) and (
                is_summary_name(name) or has_suffix(name, (*FIT_SUFFIXES, ".zip"))
            ):
                yield ReadProblem(str(file), None, "io_error", "not a regular file; skipped")
                continue
            if has_suffix(name, FIT_SUFFIXES):
                options.advance(size)
                item = fit_file_item(file, options)
                if isinstance(item, FitBlob):
                    item = FitBlob(item.origin, item.load, item.size, item.key, "garmin-export")
                yield item
            elif is_summary_name(name):
                options.advance(size)
                yield from _summary_file(file, options)
            elif name.endswith(".zip"):
                yield from _walk_archive(file, str(file), options, tmpdir, 2, "not a readable zip")


def read_zip_file(path: Path, options: ReadOptions) -> Iterator[SourceItem | Container]:
    """A zip found inside a folder: read like a zip given on its own (an export, or FIT files)."""
    with spill_dir() as tmpdir:
        yield from _walk_archive(path, str(path), options, tmpdir, 1, "not a readable zip archive")


def _summary_file(file: Path, options: ReadOptions) -> Iterator[SourceItem | Container]:
    """One summarizedActivities JSON file on disk, as a cacheable part."""
    label = str(file)
    try:
        stat = file.stat()
    except OSError as exc:
        yield ReadProblem(label, None, "io_error", f"cannot read: {exc.strerror}")
        return
    limit = options.limits.max_member_bytes
    if stat.st_size > limit:
        yield ReadProblem(
            label,
            None,
            "unsupported",
            f"the file is {stat.st_size:,} bytes, more than the {limit:,}-byte limit "
            "(--max-member-mb)",
        )
        return
    mark = Container(f"jsonfile:{_context(options.limits)}:{file_key(file, stat)}", label)
    yield mark
    if mark.skip:
        return
    try:
        with file.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        yield ReadProblem(label, None, "io_error", f"cannot read: {exc.strerror}")
        yield mark.closing(complete=False)
        return
    if len(data) > limit:  # grew since stat
        yield ReadProblem(
            label, None, "unsupported", f"the file is larger than the {limit:,}-byte limit"
        )
        yield mark.closing()
        return
    yield from isolated(parse_summaries(data, label, None), label, None)
    yield mark.closing()


def isolated(items: Iterator[SourceItem], file: str, member: str | None) -> Iterator[SourceItem]:
    """``items``, with any exception they raise turned into a problem of that file or member: one
    unforeseen value costs that member, never the rest of the export."""
    try:
        yield from items
    except Exception as exc:  # noqa: BLE001
        yield ReadProblem(
            file, member, "bad_json", f"cannot be read ({type(exc).__name__}: {exc}); skipped"
        )


def _export_parts(path: Path, options: ReadOptions) -> Iterator[SourceItem | Container]:
    """A Garmin export, zipped or unzipped."""
    if path.is_dir():
        yield from _folder_parts(path, options)
    else:
        yield from _zip_parts(path, options)


read_zip = PartsReader(_zip_parts)
read_export = PartsReader(_export_parts)


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
