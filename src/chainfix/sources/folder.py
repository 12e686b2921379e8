"""Built-in source: a folder walked recursively. FIT files are read like a FIT file given on its
own, zips inside it like a zip given on its own (a Garmin export zip included), GPX/TCX files by an
installed plugin that reads them."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

from chainfix.model import ReadProblem
from chainfix.sources.base import Container, PartsReader, ReadOptions, Source
from chainfix.sources.fitfiles import (
    FIT_SUFFIXES,
    TRACK_SUFFIXES,
    fit_file_item,
    has_suffix,
    scan_folder,
)
from chainfix.sources.garmin_export import read_zip_file
from chainfix.sources.zip_member import limits_tag

RACY_NS = 2_000_000_000
"""A file modified this recently is not put in the folder's index (it is read through its
per-file, by-content entry): a change within the same clock tick as the run that indexed it could
otherwise leave size and mtime as they were (git's "racy" files)."""
TRACK_PLUGIN_HINT = (
    "The chainfix-strava plugin reads them: pip install chainfix-strava "
    "(from a checkout: pip install ./plugins/chainfix-strava)"
)


def track_reader(path: Path) -> Source | None:
    """An installed plugin source that reads this GPX/TCX file, highest priority first."""
    from chainfix import plugins

    for source in plugins.sources():  # chainfix's own FIT and folder sources open no GPX/TCX
        try:
            if source.can_open(path):
                return source
        except Exception:  # noqa: BLE001 - a plugin's can_open must not stop the walk
            continue
    return None


def _sources_tag() -> str:
    """What reading a GPX/TCX file depends on besides its bytes: the installed sources and
    their code (a plugin installed, removed or upgraded re-reads the track files)."""
    from chainfix import plugins
    from chainfix.sources.decoders import sources_fingerprint

    return sources_fingerprint(plugins.sources())


def _folder_parts(path: Path, options: ReadOptions) -> Iterator[object]:
    """FIT files anywhere under the folder, zips in it read like a zip given on its own (a Garmin
    export zip included), GPX/TCX files by the plugin that reads them (else reported).

    The folder is an *index* part: each file is a sub-part keyed by its path in the folder, size,
    mtime and ctime, so a warm run walks the folder once and opens no file that did not change
    (files modified in the last ``RACY_NS`` stay out of the index).
    """
    top = str(path)
    index = Container(
        f"folder:{limits_tag(options.limits)}:{os.path.abspath(top)}", top, index=True
    )
    yield index
    cut = len(top) + 1 if top != "." else 0
    racy = time.time_ns() - RACY_NS
    tracks_tag: str | None = None
    for file, entry in scan_folder(path):
        kind = file_kind(entry.name)
        if kind is None:
            continue
        if kind == "track":
            if tracks_tag is None:
                tracks_tag = _sources_tag()
            kind = f"track@{tracks_tag}"
        try:
            stat = entry.stat()
        except OSError as exc:
            yield ReadProblem(file, None, "io_error", f"cannot read the file: {exc.strerror}")
            continue
        if stat.st_mtime_ns > racy:
            yield from _file_items(Path(file), kind, stat, options)
            continue
        sub = Container(
            f"{kind}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{file[cut:]}", file
        )
        yield sub
        if sub.skip:
            if kind != "fit":  # the engine counts FIT files' bytes (advances_by_blobs)
                options.advance(stat.st_size)
            continue
        yield from _file_items(Path(file), kind, stat, options)
        yield sub.closing()
    yield index.closing()


def file_kind(name: str) -> str | None:
    """How a folder reads the file of this name: ``"fit"``, ``"zip"``, ``"track"`` (GPX/TCX,
    through a plugin), or None: not at all."""
    lower = name.lower()
    if has_suffix(lower, FIT_SUFFIXES):
        return "fit"
    if lower.endswith(".zip"):
        return "zip"
    if has_suffix(lower, TRACK_SUFFIXES):
        return "track"
    return None


def _file_items(
    file: Path, kind: str, stat: os.stat_result, options: ReadOptions
) -> Iterator[object]:
    """What one file in the folder gives."""
    if kind == "fit":
        yield fit_file_item(file, options, stat=stat)
    elif kind == "zip":
        yield from read_zip_file(file, options)
    else:
        reader = track_reader(file)
        if reader is not None:
            yield from reader.read(file, options)
        else:
            yield ReadProblem(
                str(file),
                None,
                "unsupported",
                f"no installed plugin reads GPX/TCX files; skipped. {TRACK_PLUGIN_HINT}",
                severity="info",
            )


read_folder = PartsReader(_folder_parts)


def can_open_folder(path: Path) -> bool:
    return path.is_dir()


FIT_FOLDER = Source(
    name="folder",
    description="A folder of FIT files, walked recursively (.fit, .fit.gz, any letter case).",
    can_open=can_open_folder,
    read=read_folder,
    priority=-10,
    advances_by_blobs=True,
)
