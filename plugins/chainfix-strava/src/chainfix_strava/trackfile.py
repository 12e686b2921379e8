"""Single GPX and TCX files (``.gpx``, ``.tcx``, gzipped too) outside a Strava export: given on
the command line, or found in a folder chainfix walks (its folder source hands them over).

``read`` hands each file to chainfix as a blob with :data:`DECODER`, so it is parsed in chainfix's
worker pool and its result cached like a FIT file's; :func:`decode` runs there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from chainfix.api import FitRead, Origin, ReadOptions, ReadProblem, SourceItem, file_blob

from chainfix_strava import activities_csv, tracks
from chainfix_strava.export import SOURCE, decode_track, track_activity

DECODER = "chainfix_strava.trackfile:decode"


def read(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    """The track file as a blob for chainfix's decoder pool, or the problem that stops it."""
    yield file_blob(path, options, decoder=DECODER, source=SOURCE)


def decode(data: bytes, origin: Origin) -> FitRead:
    """The one activity of a track file's bytes (gunzipped already), or the problem."""
    name = (origin.member or origin.path).replace("\\", "/").rsplit("/", 1)[-1].lower()
    try:
        track = tracks.read_gpx(data) if ".gpx" in name else tracks.read_tcx(data)
    except tracks.TrackError as exc:
        return FitRead(problems=[ReadProblem(origin.path, origin.member, exc.kind, exc.message)])
    kind = "gpx" if ".gpx" in name else "tcx"
    return FitRead(activities=[track_activity(track, None, None, origin)], reader=kind)


def decode_linked(
    data: bytes,
    origin: Origin,
    name: str,
    limit: int,
    row: activities_csv.Row | None,
    sport: tuple[str, str] | None,
    linked: str,
    kept: str,
) -> FitRead:
    """A track file of a Strava export (see ``export._track_blob``), in chainfix's pool."""
    activities, problems = decode_track(data, origin, name, limit, row, sport, linked, kept)
    kind = "gpx" if ".gpx" in name else "tcx"
    return FitRead(activities=activities, problems=problems, reader=kind)
