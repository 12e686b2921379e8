"""Single GPX and TCX files (``.gpx``, ``.tcx``, gzipped too) outside a Strava export: given on
the command line, or found in a folder chainfix walks (its folder source hands them over)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

from chainfix.api import Origin, ReadOptions, ReadProblem, SourceItem, gunzip_limited

from chainfix_strava import tracks
from chainfix_strava.export import track_activity


def read(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    """The one activity of a track file, or the problem that stopped it."""
    label = str(path)
    limit = options.limits.max_member_bytes
    try:
        size = path.stat().st_size
        if size > limit:
            yield ReadProblem(
                label, None, "unsupported", f"the file is {size:,} bytes, more than {limit:,}"
            )
            return
        data = path.read_bytes()
        options.advance(size)
        lower = path.name.lower()
        if lower.endswith(".gz"):
            data = gunzip_limited(data, limit)
        track = tracks.read_gpx(data) if ".gpx" in lower else tracks.read_tcx(data)
    except tracks.TrackError as exc:
        yield ReadProblem(label, None, exc.kind, exc.message)
        return
    except (EOFError, ValueError, zlib.error) as exc:
        yield ReadProblem(label, None, "corrupt", f"not a readable gzip file: {exc}")
        return
    except OSError as exc:
        yield ReadProblem(label, None, "io_error", f"cannot read the file: {exc}")
        return
    yield track_activity(track, None, None, Origin(label))
