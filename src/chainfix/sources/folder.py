"""Built-in source: a folder walked recursively. FIT files are read like a FIT file given on its
own, zips inside it like a zip given on its own (a Garmin export zip included), GPX/TCX files by an
installed plugin that reads them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from chainfix.model import ReadProblem
from chainfix.sources.base import PartsReader, ReadOptions, Source
from chainfix.sources.fitfiles import (
    FIT_SUFFIXES,
    TRACK_SUFFIXES,
    fit_file_item,
    has_suffix,
    walk_folder,
)
from chainfix.sources.garmin_export import read_zip_file

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


def _folder_parts(path: Path, options: ReadOptions) -> Iterator[object]:
    """FIT files anywhere under the folder, zips in it read like a zip given on its own (a Garmin
    export zip included); track files are reported as unsupported."""
    for file in walk_folder(path):
        if has_suffix(file.name, FIT_SUFFIXES):
            yield fit_file_item(file, options)
        elif has_suffix(file.name, (".zip",)):
            yield from read_zip_file(file, options)
        elif has_suffix(file.name, TRACK_SUFFIXES):
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
