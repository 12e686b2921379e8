"""The Strava bulk export, zipped or unzipped: ``activities.csv`` plus the files it links.

Layout: ``activities.csv`` at the root, and ``activities/`` with
``<number>.fit.gz``, ``.gpx``, ``.tcx.gz`` (sometimes plain ``.fit``, ``.tcx``, ``.gpx.gz``). The
number in a file name is not the Activity ID: rows and files are linked only through the CSV's
``Filename`` column. Other folders (``routes/``, ``media/``) and account CSVs are not activities.

What each row becomes:

- a linked FIT file: a :class:`~chainfix.sources.base.FitBlob` for chainfix's own reader, plus the
  row as a summary activity (``from_summary=True``) attached to that file's origin: chainfix
  links the two by the file (not by start time: older exports give ``Activity Date`` in local
  time, and edited activities differ), drops the row when the FIT gives the activity, and keeps
  it when the FIT cannot be read;
- a linked GPX/TCX file: one activity from the track (sport from the CSV's type; gaps in the
  track filled from the CSV), parsed in chainfix's worker pool and cached like a FIT file
  (:func:`decode_track`), plus the row's summary attached to the file as a stand-in; when the
  track cannot be read, a problem naming it and the row, and the summary is kept;
- no file (a manual entry) or a missing one: the row as a summary activity.

Files under ``activities/`` that no row links are read too, with the sport the file gives.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from chainfix.api import (
    Activity,
    BlobLoadError,
    FitBlob,
    Member,
    Origin,
    ProblemKind,
    ReadOptions,
    ReadProblem,
    Severity,
    SourceItem,
    gunzip_limited,
    walk_folder,
    walk_zip,
)

from chainfix_strava import activities_csv, tracks
from chainfix_strava.detect import CSV_NAME, FOLDER, TRACK_SUFFIXES, export_root, zip_prefix
from chainfix_strava.sports import GENERIC, sport_for, sport_from_file

SOURCE = "strava"


FIT_SUFFIXES = (".fit", ".fit.gz")


EARLIEST_YEAR = 1989


ROW_PROBLEMS_SHOWN = 20
"""Row problems of one sort reported one by one; the rest are counted in one more problem."""


SPEED_CAPS_M_S = {"running": 15.0, "walking": 15.0, "hiking": 15.0, "swimming": 5.0}


@dataclass(slots=True)
class Entry:
    """A file of the export (a zip member or a file on disk)."""

    rel: str
    """Path relative to the export root, ``/``-separated, as the CSV's Filename column has it."""
    origin: Origin
    size: int
    """Uncompressed size in bytes (for FitBlob progress)."""
    disk: int
    """Bytes on disk this file accounts for (progress bar)."""
    load: Callable[[], bytes]
    key: str | None
    """Cache key for FIT files."""


@dataclass(slots=True)
class Export:
    """The export's files, indexed by their path relative to the export root."""

    label: str
    csv_origin: Origin
    entries: dict[str, Entry] = field(default_factory=dict)
    problems: list[ReadProblem] = field(default_factory=list)

    def add(self, entry: Entry) -> None:
        self.entries.setdefault(entry.rel.casefold(), entry)

    def find(self, rel: str) -> Entry | None:
        return self.entries.get(rel.casefold())

    def problem(
        self, origin: Origin, kind: ProblemKind, message: str, severity: Severity = "error"
    ) -> ReadProblem:
        return ReadProblem(origin.path, origin.member, kind, message, severity)


def _zip_export(path: Path, zf: zipfile.ZipFile, options: ReadOptions, tmpdir: str) -> Export:
    label = str(path)
    prefix = zip_prefix(zf.namelist()) or ""
    on_disk = path.stat().st_size
    csv_member = None
    export = Export(label, Origin(label, prefix + CSV_NAME))
    for item in walk_zip(zf, label, options.limits, tmpdir):
        if isinstance(item, ReadProblem):
            export.problems.append(item)
            continue
        name = item.path.replace("\\", "/")
        if not name.lower().startswith(prefix):
            continue
        rel = name[len(prefix) :]
        entry = _member_entry(item, rel, label, on_disk)
        if rel.lower() == CSV_NAME and csv_member is None:
            csv_member = entry
            export.csv_origin = entry.origin
        export.add(entry)
    return export


def _member_entry(m: Member, rel: str, label: str, on_disk: int) -> Entry:
    base = rel.rsplit("/", 1)[-1].lower()
    return Entry(
        rel=rel,
        origin=Origin(label, m.path),
        size=m.size,
        disk=round(m.weight * on_disk),
        load=m.load,
        key=f"zipmember:{m.crc:08x}:{m.size}:{base}",
    )


def _file_loader(file: Path, limit: int) -> Callable[[], bytes]:
    def load() -> bytes:
        try:
            with file.open("rb") as fh:
                data = fh.read(limit + 1)
        except OSError as exc:
            raise BlobLoadError("io_error", f"cannot read the file: {exc.strerror or exc}") from exc
        if len(data) > limit:
            raise BlobLoadError("unsafe_archive", f"the file is over the {limit:,}-byte limit")
        return data

    return load


def _folder_export(root: Path, options: ReadOptions) -> Export:
    export = Export(str(root), Origin(str(root / CSV_NAME)))
    for file in walk_folder(root):
        rel = file.relative_to(root).as_posix()
        try:
            if not file.is_file():  # dangling links, sockets, FIFOs
                if rel.lower().startswith(FOLDER) or rel.lower() == CSV_NAME:
                    export.problems.append(
                        ReadProblem(str(file), None, "io_error", "not a readable regular file")
                    )
                continue
            stat = file.stat()
        except OSError as exc:
            export.problems.append(
                ReadProblem(str(file), None, "io_error", f"cannot read the file: {exc.strerror}")
            )
            continue
        entry = Entry(
            rel=rel,
            origin=Origin(str(file)),
            size=stat.st_size,
            disk=stat.st_size,
            load=_file_loader(file, options.limits.max_member_bytes),
            key=f"file:{stat.st_size}:{stat.st_mtime_ns}:{file.resolve()}",
        )
        if rel.lower() == CSV_NAME:
            export.csv_origin = entry.origin
        export.add(entry)
    return export


def _gunzip(raw: bytes, limit: int) -> bytes:
    try:
        return gunzip_limited(raw, limit)
    except Exception as exc:  # OSError, EOFError, ValueError, zlib.error
        raise BlobLoadError("bad_archive", f"not a readable gzip file: {exc}") from exc


def _fit_blob(entry: Entry, options: ReadOptions) -> FitBlob:
    load = entry.load
    if entry.rel.lower().endswith(".gz"):
        raw_load = entry.load

        def load() -> bytes:
            return _gunzip(raw_load(), options.limits.max_member_bytes)

    return FitBlob(entry.origin, load, entry.size, entry.key, source=SOURCE)


LINKED_DECODER = "chainfix_strava.trackfile:decode_linked"


def _track_blob(entry: Entry, context: tuple[object, ...], options: ReadOptions) -> FitBlob:
    """A track file for chainfix's decoder pool: ``context`` is (row, sport, the "linked from"
    and "taken from the CSV" wording); a load that fails names the row too."""
    raw_load, suffix = entry.load, f"{context[2]}{context[3]}"

    def load() -> bytes:
        try:
            return raw_load()
        except BlobLoadError as exc:
            raise BlobLoadError(exc.kind, f"{exc.message}{suffix}") from exc

    limit = options.limits.max_member_bytes
    args = (entry.rel.lower(), limit, *context)
    return FitBlob(entry.origin, load, entry.size, entry.key, SOURCE, LINKED_DECODER, args)


def decode_track(
    data: bytes,
    origin: Origin,
    name: str,
    limit: int,
    row: activities_csv.Row | None,
    sport: tuple[str, str] | None,
    linked: str,
    kept: str,
) -> tuple[list[Activity], list[ReadProblem]]:
    """A linked (or unlinked) track file's bytes: its activity, or the problem naming the row."""
    severity: Severity = "warning" if kept else "error"
    try:
        if name.endswith(".gz"):
            data = _gunzip(data, limit)
        if name.endswith((".gpx", ".gpx.gz")):
            track = tracks.read_gpx(data)
        else:
            track = tracks.read_tcx(data)
    except (tracks.TrackError, BlobLoadError) as exc:
        message = f"{exc.message}{linked}{kept}"
        return [], [ReadProblem(origin.path, origin.member, exc.kind, message, severity)]
    if not _plausible_start(track.start):
        message = f"the track starts in {track.start.year}; skipped{linked}"
        return [], [ReadProblem(origin.path, origin.member, "bad_value", message)]
    return [track_activity(track, row, sport, origin)], []


def _plausible_start(start: datetime) -> bool:
    return EARLIEST_YEAR <= start.year <= datetime.now(UTC).year + 1


def _speed_ok(sport: str, distance: float | None, seconds: float | None) -> bool:
    if not distance or not seconds:
        return True
    return distance / seconds <= SPEED_CAPS_M_S.get(sport, 100.0)


def row_activity(
    row: activities_csv.Row, sport: tuple[str, str], origin: Origin
) -> Activity | None:
    """The row as a summary activity (None without a readable, plausible start)."""
    if row.start is None or not _plausible_start(row.start):
        return None
    elapsed = row.elapsed_s
    timer = row.moving_s if row.moving_s is not None else elapsed
    if elapsed is not None and timer is not None and timer > elapsed:
        elapsed = timer
    distance = row.distance_m
    if not _speed_ok(sport[0], distance, timer):
        distance = None
    speed = distance / timer if distance and timer else row.avg_speed_m_s
    max_hr = row.max_hr if row.max_hr is None or row.avg_hr is None else max(row.max_hr, row.avg_hr)
    return Activity(
        id=f"{row.start:%Y%m%dT%H%M%SZ}-{sport[0]}",
        source=SOURCE,
        origin=origin,
        sport=sport[0],
        sub_sport=sport[1],
        start_utc=row.start,
        elapsed_s=elapsed,
        timer_s=timer,
        distance_m=distance,
        ascent_m=row.ascent_m,
        descent_m=row.descent_m,
        avg_speed_m_s=speed if speed is None or speed <= 100 else None,
        avg_hr=row.avg_hr,
        max_hr=max_hr,
        avg_power_w=row.avg_power_w,
        avg_cadence=row.avg_cadence,
        from_summary=True,
    )


def track_activity(
    track: tracks.Track,
    row: activities_csv.Row | None,
    sport: tuple[str, str] | None,
    origin: Origin,
) -> Activity:
    """The activity of a track file; the row (when linked) gives the sport and fills gaps."""
    pair = sport or sport_from_file(track.kind, track.sport_hint)

    def pick(mine: float | None, theirs: str) -> float | None:
        return mine if mine is not None or row is None else getattr(row, theirs)

    distance = pick(track.distance_m, "distance_m")
    timer = track.timer_s if track.timer_s > 0 else pick(None, "moving_s")
    if not _speed_ok(pair[0], distance, timer or track.elapsed_s):
        distance = None
    avg_hr, max_hr = pick(track.avg_hr, "avg_hr"), pick(track.max_hr, "max_hr")
    if avg_hr is not None and max_hr is not None:
        max_hr = max(max_hr, avg_hr)
    return Activity(
        id=f"{track.start:%Y%m%dT%H%M%SZ}-{pair[0]}",
        source=SOURCE,
        origin=origin,
        sport=pair[0],
        sub_sport=pair[1],
        start_utc=track.start,
        elapsed_s=max(track.elapsed_s, timer or 0.0),
        timer_s=timer,
        distance_m=distance,
        ascent_m=pick(track.ascent_m, "ascent_m"),
        descent_m=pick(track.descent_m, "descent_m"),
        avg_speed_m_s=distance / timer if distance and timer else None,
        avg_hr=avg_hr,
        max_hr=max_hr,
        avg_power_w=pick(track.avg_power_w, "avg_power_w"),
        avg_cadence=pick(track.avg_cadence, "avg_cadence"),
        device=track.device,
    )


class _Rows:
    """Row-level problems: the first few one by one, the rest counted."""

    def __init__(self, export: Export) -> None:
        self.export = export
        self.counts: Counter[str] = Counter()

    def problem(
        self, sort: str, kind: ProblemKind, message: str, severity: Severity
    ) -> ReadProblem | None:
        self.counts[sort] += 1
        if self.counts[sort] > ROW_PROBLEMS_SHOWN:
            return None
        return self.export.problem(self.export.csv_origin, kind, message, severity)

    def summary(self) -> Iterator[ReadProblem]:
        for sort, count in sorted(self.counts.items()):
            if count > ROW_PROBLEMS_SHOWN:
                yield self.export.problem(
                    self.export.csv_origin,
                    "bad_value",
                    f"{count - ROW_PROBLEMS_SHOWN} more row(s) with the same problem ({sort})",
                    "warning",
                )


def _entry_items(
    export: Export,
    entry: Entry,
    row: activities_csv.Row | None,
    sport: tuple[str, str] | None,
    options: ReadOptions,
) -> Iterator[SourceItem]:
    """Items for one linked (or unlinked) file, with the row's summary as a fallback."""
    options.advance(entry.disk)
    lower = entry.rel.lower()
    summary = row_activity(row, sport or GENERIC, export.csv_origin) if row else None
    linked = f" (linked from {CSV_NAME} {row.label})" if row else ""
    if lower.endswith(FIT_SUFFIXES):
        yield _fit_blob(entry, options)
        if summary is not None:
            # Attached to the FIT it links, so chainfix pairs the two by file, not by start
            # time: older exports give Activity Date in local time, and edited activities differ.
            yield replace(summary, origin=entry.origin)
        return
    if not lower.endswith(TRACK_SUFFIXES):
        kept = "; the activity is taken from the CSV" if summary else ""
        yield export.problem(
            entry.origin, "unsupported", f"not a FIT, GPX or TCX file{linked}{kept}", "info"
        )
        if summary is not None:
            yield summary
        return
    # Parsed in chainfix's worker pool and cached (trackfile.decode_linked); the row's summary,
    # attached to the file like a FIT file's, stands in when the track cannot be read.
    kept = "; the activity is taken from the CSV" if summary else ""
    yield _track_blob(entry, (row, sport, linked, kept), options)
    if summary is not None:
        yield replace(summary, origin=entry.origin)


def read_items(export: Export, options: ReadOptions) -> Iterator[SourceItem]:
    """Everything an indexed export gives: problems, then rows in CSV order, then unlinked files."""
    yield from export.problems
    csv_entry = export.find(CSV_NAME)
    rows: tuple[activities_csv.Row, ...] = ()
    if csv_entry is None:
        yield export.problem(
            export.csv_origin, "io_error", f"the export has no {CSV_NAME}; only its files are read"
        )
    else:
        options.advance(csv_entry.disk)
        try:
            table = activities_csv.parse(csv_entry.load())
        except BlobLoadError as exc:
            yield export.problem(csv_entry.origin, exc.kind, f"{CSV_NAME}: {exc.message}")
            table = activities_csv.Table((), {})
        if table.error:
            kind: ProblemKind = "empty" if table.error == "the file is empty" else "corrupt"
            yield export.problem(csv_entry.origin, kind, f"{CSV_NAME}: {table.error}")
        rows = table.rows
    used: set[str] = set()
    seen_ids: dict[str, int] = {}
    unknown: Counter[str] = Counter()
    row_problems = _Rows(export)
    for row in rows:
        if row.activity_id in seen_ids:
            problem = row_problems.problem(
                "duplicate rows",
                "duplicate",
                f"{row.label} repeats line {seen_ids[row.activity_id]}; counted once",
                "info",
            )
            if problem:
                yield problem
            continue
        if row.activity_id:
            seen_ids[row.activity_id] = row.line
        sport = sport_for(row.type)
        if sport is None and row.type:
            unknown[row.type] += 1
        entry = export.find(row.filename) if row.filename else None
        if row.filename and entry is None:
            problem = row_problems.problem(
                "missing files",
                "io_error",
                f"{row.label} links {row.filename}, which is not in the export; "
                "the activity is taken from the CSV",
                "warning",
            )
            if problem:
                yield problem
        if entry is not None and entry.rel.casefold() not in used:
            used.add(entry.rel.casefold())
            yield from _entry_items(export, entry, row, sport, options)
            continue
        summary = row_activity(row, sport or GENERIC, export.csv_origin)
        if summary is not None:
            yield summary
            continue
        reason = (
            f"the date {row.date_text!r} cannot be read"
            if row.start is None
            else f"the date {row.date_text!r} is impossible"
        )
        problem = row_problems.problem(
            "unreadable dates", "bad_value", f"{row.label}: {reason}; activity skipped", "error"
        )
        if problem:
            yield problem
    yield from row_problems.summary()
    for name, count in sorted(unknown.items()):
        yield export.problem(
            export.csv_origin,
            "unsupported",
            f"Strava activity type {name!r} is not in chainfix-strava's table: {count} "
            "activit(y/ies) counted as generic (FIT files keep their own sport)",
            "info",
        )
    for key in sorted(export.entries):
        entry = export.entries[key]
        if key in used or not key.startswith(FOLDER):
            continue
        yield from _entry_items(export, entry, None, None, options)


def read(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    """Read a Strava export: a zip, an unzipped folder, or its ``activities.csv``."""
    label = str(path)
    if path.is_dir() or path.name.lower() == CSV_NAME:
        root = export_root(path) or (path if path.is_dir() else None)
        if root is None:
            yield ReadProblem(label, None, "io_error", "not a readable folder or activities.csv")
            return
        yield from read_items(_folder_export(root, options), options)
        return
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        yield ReadProblem(label, None, "bad_archive", f"not a readable zip archive: {exc}")
        return
    # named after this process, like chainfix's own spill folders: a killed run's are removed
    # by the next run (chainfix.sources.spill.remove_stale_spills)
    spill = tempfile.TemporaryDirectory(prefix=f"chainfix-{os.getpid()}-strava")
    with spill as tmpdir, zf:
        try:
            export = _zip_export(path, zf, options, tmpdir)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            yield ReadProblem(label, None, "bad_archive", f"the zip cannot be listed: {exc}")
            return
        yield from read_items(export, options)
