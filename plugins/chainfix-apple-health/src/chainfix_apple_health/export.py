"""The Apple Health export: ``export.zip``, the unzipped folder, or ``export.xml`` alone.

The main XML is found by its ``HealthData`` root, not by its name (phones in other languages
localise it), among the ``.xml`` files at the top of the export (``export_cda.xml`` is skipped).
It is read as a stream (:mod:`chainfix_apple_health.scan`), straight out of the zip when zipped,
so a multi-gigabyte export costs a few megabytes of memory. For that reason the archive limit on
one member's size (``--max-member-mb``) does not apply to the XML, which is never held whole; the
compression-ratio limit and the total limit (``--max-total-gb``) do. Route files are opened only for
outdoor walks, runs and hikes whose metadata lacks the climb.

Every workout becomes a summary activity (``from_summary=True``): when the same workout also
arrives as a FIT file (a Garmin watch that syncs into Health), chainfix keeps the FIT copy, which
has more detail, and drops this one. The whole export is one cached part (a
:class:`~chainfix.api.Container`), keyed by the file's identity and this plugin's code, so a
second run over an unchanged export does not open it.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import IO

from chainfix.api import (
    Activity,
    Container,
    Lap,
    Limits,
    Origin,
    PartsReader,
    ProblemKind,
    ReadOptions,
    ReadProblem,
    Severity,
    SourceItem,
)

from chainfix_apple_health import routes
from chainfix_apple_health.detect import folder_xml, zip_member
from chainfix_apple_health.scan import (
    ElementError,
    Found,
    ScanError,
    Trouble,
    XmlScan,
    parse_element,
)
from chainfix_apple_health.sitting import StandHours
from chainfix_apple_health.workouts import WorkoutError, activity_fields, read_workout

SOURCE = "apple-health"


GRADE_SPORTS = frozenset({"running", "walking", "hiking", "mountaineering"})
"""Sports whose load chainfix models from climb and descent (``modifiers.csv``): worth a route."""


TWIN_SECONDS = 60
"""Two workouts of one sport starting this close, with durations within :data:`TWIN_SHARE` of
each other, are one workout recorded by two apps (the watch, and Strava syncing into Health)."""


TWIN_SHARE = 0.8


PROBLEMS_SHOWN = 20
"""Problems of one sort reported one by one; the rest are counted in one more problem."""


@dataclass(slots=True)
class _Export:
    """Where the main XML and its routes are, and how to name them in problems."""

    file: str
    """The path problems and activities name: the zip, or the XML on disk."""
    member: str | None
    """The XML's member name inside the zip."""
    open_xml: Callable[[], IO[bytes]]
    xml_size: int
    disk_ratio: float
    """Bytes on disk per byte of XML (compression), for the progress bar."""
    route: Callable[[str], bytes]
    """Reads a route by its ``FileReference`` path (raises routes.RouteError)."""


def _zip_route(zf: zipfile.ZipFile, prefix: str, limits: Limits) -> Callable[[str], bytes]:
    names = {n.replace("\\", "/"): n for n in zf.namelist()}

    def load(ref: str) -> bytes:
        rel = ref.replace("\\", "/").lstrip("/")
        if ".." in rel.split("/"):
            raise routes.RouteError(f"the route path {ref!r} climbs out of the export; refused")
        name = names.get(prefix + rel) or names.get(rel)
        if name is None:
            raise routes.RouteError(f"{prefix + rel} is not in the export")
        info = zf.getinfo(name)
        if info.file_size > limits.max_member_bytes or (
            info.compress_size and info.file_size / info.compress_size > limits.max_ratio
        ):
            raise routes.RouteError(f"{name} breaks the archive size or ratio limits; not read")
        try:
            with zf.open(info) as fh:
                return fh.read(limits.max_member_bytes + 1)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as exc:
            raise routes.RouteError(f"{name} cannot be read: {exc}") from None

    return load


def _folder_route(root: Path, limits: Limits) -> Callable[[str], bytes]:
    base = root.resolve()

    def load(ref: str) -> bytes:
        rel = ref.replace("\\", "/").lstrip("/")
        file = (root / rel).resolve()
        if not file.is_relative_to(base):
            raise routes.RouteError(f"the route path {ref!r} leads out of the export; refused")
        try:
            if file.stat().st_size > limits.max_member_bytes:
                raise routes.RouteError(f"{file} is over the size limit; not read")
            return file.read_bytes()
        except OSError as exc:
            raise routes.RouteError(f"{root / rel} cannot be read: {exc.strerror}") from None

    return load


def _identity(path: Path) -> str:
    """What a cached read of ``path`` depends on: the XML's (or zip's) identity, and the routes'."""
    parts = []
    target = path
    if path.is_dir():
        found = folder_xml(path)
        if found is not None:
            target = found
    stat = target.stat()
    parts.append(f"{stat.st_size}:{stat.st_mtime_ns}:{target.resolve()}")
    if target.suffix.lower() == ".xml":
        routes_dir = target.parent / "workout-routes"
        if routes_dir.is_dir():
            entries = [(e.name, e.stat(follow_symlinks=False)) for e in os.scandir(routes_dir)]
            listing = sorted((name, st.st_size, st.st_mtime_ns) for name, st in entries)
            parts.append(hashlib.sha1(repr(listing).encode()).hexdigest())
    return "|".join(parts)


@cache
def code_version() -> str:
    """A fingerprint of this plugin's code and tables: a new reader never trusts old results."""
    digest = hashlib.sha256()
    for entry in sorted(resources.files("chainfix_apple_health").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            digest.update(entry.name.encode() + entry.read_bytes())
    data = resources.files("chainfix_apple_health.data").joinpath("activity-types.csv")
    digest.update(data.read_bytes())
    return digest.hexdigest()[:12]


def part_key(path: Path, limits: Limits) -> str:
    """The cache key of a whole export."""
    lim = f"{limits.max_member_bytes}/{limits.max_total_bytes}/{limits.max_ratio!r}"
    return f"apple-health:{code_version()}:{lim}:{_identity(path)}"


class _Problems:
    """Per-workout problems: the first few of each sort one by one, the rest counted."""

    def __init__(self, export: _Export) -> None:
        self.export = export
        self.counts: Counter[str] = Counter()

    def __call__(
        self, kind: ProblemKind, message: str, severity: Severity = "error", sort: str = ""
    ) -> ReadProblem | None:
        self.counts[sort or kind] += 1
        if sort and self.counts[sort] > PROBLEMS_SHOWN:
            return None
        return ReadProblem(self.export.file, self.export.member, kind, message, severity)

    def summary(self) -> Iterator[ReadProblem]:
        for sort, count in sorted(self.counts.items()):
            if count > PROBLEMS_SHOWN:
                yield ReadProblem(
                    self.export.file,
                    self.export.member,
                    "bad_value",
                    f"{count - PROBLEMS_SHOWN:,} more workout(s) with the same problem ({sort})",
                    "warning",
                )


def _workout(
    found: Found, encoding: str, export: _Export, problem: _Problems, now: datetime
) -> Iterator[Activity | ReadProblem]:
    """The activity of one Workout element, with any problem it has (or the one that stops it)."""
    where = f"the Workout at byte {found.offset:,}"
    notes: list[ReadProblem | None] = []
    try:
        element = parse_element(found.data, encoding)
        workout = read_workout(element)
        fields = activity_fields(workout, now)
    except ElementError as exc:
        notes.append(problem("corrupt", f"{where} is skipped: {exc}", "error", "bad workouts"))
        yield from (n for n in notes if n is not None)
        return
    except WorkoutError as exc:
        notes.append(problem("bad_value", f"{where} is skipped: {exc}", "error", "bad dates"))
        yield from (n for n in notes if n is not None)
        return
    ascent, descent = fields.ascent_m, fields.descent_m
    outdoor = workout.indoor is not True and fields.sport[0] in GRADE_SPORTS
    if outdoor and workout.route and (ascent is None or descent is None):
        try:
            climb = routes.climb(export.route(workout.route))
        except routes.RouteError as exc:
            notes.append(
                problem(
                    "bad_value",
                    f"{where} ({fields.id}): its route is not used: {exc}; climb unknown",
                    "warning",
                    "unreadable routes",
                )
            )
        else:
            ascent = climb.ascent_m if ascent is None else ascent
            descent = climb.descent_m if descent is None else descent
    if fields.dropped:
        notes.append(
            problem(
                "bad_value",
                f"{where} ({fields.id}): left out {', '.join(fields.dropped)} (impossible)",
                "warning",
                "impossible values",
            )
        )
    yield Activity(
        id=fields.id,
        source=SOURCE,
        origin=Origin(export.file, export.member),
        sport=fields.sport[0],
        sub_sport=fields.sport[1],
        start_utc=fields.start_utc,
        utc_offset_s=fields.utc_offset_s,
        elapsed_s=fields.elapsed_s,
        timer_s=fields.timer_s,
        distance_m=fields.distance_m,
        ascent_m=ascent,
        descent_m=descent,
        avg_speed_m_s=fields.avg_speed_m_s,
        avg_hr=fields.avg_hr,
        max_hr=fields.max_hr,
        avg_power_w=fields.avg_power_w,
        avg_cadence=fields.avg_cadence,
        device=fields.device,
        from_summary=True,
        laps=tuple(Lap(d) for d in workout.lap_durations_s)
        if len(workout.lap_durations_s) >= 2
        else (),
    )
    yield from (n for n in notes if n is not None)


class _Progress:
    """Turns XML bytes read into bytes on disk for the progress bar."""

    def __init__(self, options: ReadOptions, ratio: float) -> None:
        self.options, self.ratio, self.carry = options, ratio, 0.0

    def __call__(self, nbytes: int) -> None:
        self.carry += nbytes * self.ratio
        whole = int(self.carry)
        if whole:
            self.carry -= whole
            self.options.advance(whole)


def _detail(a: Activity) -> int:
    """How much an activity says: the number of measured fields it has."""
    values = (a.distance_m, a.ascent_m, a.descent_m, a.avg_hr, a.max_hr, a.avg_power_w)
    return sum(v is not None for v in (*values, a.avg_cadence, a.timer_s))


def _twins(a: Activity, b: Activity) -> bool:
    if a.sport != b.sport or abs((a.start_utc - b.start_utc).total_seconds()) > TWIN_SECONDS:
        return False
    da, db = a.duration_s, b.duration_s
    return min(da, db) >= TWIN_SHARE * max(da, db)


def one_per_workout(acts: list[Activity]) -> tuple[list[Activity], list[Activity]]:
    """The activities with each workout once (the copy with more detail, else the first), and the
    copies dropped. Order is kept."""
    order = sorted(range(len(acts)), key=lambda i: (acts[i].start_utc, i))
    keep = set(range(len(acts)))
    for pos, i in enumerate(order):
        if i not in keep:
            continue
        for j in order[pos + 1 :]:
            if (acts[j].start_utc - acts[i].start_utc).total_seconds() > TWIN_SECONDS:
                break
            if j in keep and _twins(acts[i], acts[j]):
                loser = j if _detail(acts[i]) >= _detail(acts[j]) else i
                keep.discard(loser)
                if loser == i:
                    break
    return [acts[i] for i in sorted(keep)], [acts[i] for i in range(len(acts)) if i not in keep]


def read_export(export: _Export, options: ReadOptions) -> Iterator[SourceItem]:
    """Everything one export gives: problems as found, then the workouts in file order (each
    once), then notes about the whole."""
    problem = _Problems(export)
    kept: list[Activity] = []
    stand = StandHours()
    unknown: Counter[str] = Counter()
    truncated = False
    now = datetime.now(UTC)
    stream: IO[bytes] | None = None
    scan: XmlScan | None = None
    try:
        stream = export.open_xml()
        scan = XmlScan(stream, advance=_Progress(options, export.disk_ratio))
        for found in scan:
            if isinstance(found, Trouble):
                truncated = truncated or found.kind == "truncated"
                yield ReadProblem(
                    export.file,
                    export.member,
                    found.kind,
                    found.message,
                    found.severity,
                )
            elif found.kind == "stand":
                stand.add(found.data)
            else:
                for item in _workout(found, scan.encoding, export, problem, now):
                    if isinstance(item, Activity):
                        kept.append(item)
                    else:
                        yield item
    except ScanError as exc:
        yield ReadProblem(export.file, export.member, exc.kind, exc.message)
        return
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        yield ReadProblem(
            export.file,
            export.member,
            "bad_archive",
            f"the zip member cannot be read to its end ({exc}); the workouts before the damage "
            "are kept",
            "warning",
        )
        truncated = True
    except OSError as exc:
        yield ReadProblem(
            export.file, export.member, "io_error", f"cannot read: {exc.strerror or exc}"
        )
        truncated = True
    finally:
        if stream is not None:
            stream.close()
    if scan is not None and not scan.closed and not truncated:
        yield ReadProblem(
            export.file,
            export.member,
            "truncated",
            "the file ends before </HealthData>: it was cut short (an interrupted export or "
            "copy?); the workouts before the cut are read",
            "warning",
        )
    activities, dropped = one_per_workout(kept)
    yield from activities
    for copy in dropped:
        yield ReadProblem(
            export.file,
            export.member,
            "duplicate",
            f"the {copy.sport} workout at {copy.start_local:%Y-%m-%d %H:%M} is in the export twice "
            "(recorded by two apps); counted once, from the copy with more detail",
            "info",
        )
    for act in activities:
        if act.sport == "generic":
            unknown[act.id.split("-", 1)[1]] += 1
    yield from problem.summary()
    for name, count in sorted(unknown.items()):
        yield ReadProblem(
            export.file,
            export.member,
            "unsupported",
            f"Health workout type {name!r} has no FIT sport chainfix models: {count} "
            "workout(s) kept under that name and counted as unmodelled minutes (generic)",
            "info",
        )
    estimate = stand.estimate()
    if estimate is not None:
        yield ReadProblem(export.file, export.member, "unsupported", estimate.sentence(), "info")


def _zip_export(path: Path, zf: zipfile.ZipFile, limits: Limits) -> _Export | ReadProblem:
    label = str(path)
    member = zip_member(zf)
    if member is None:
        return ReadProblem(
            label, None, "unsupported", "the zip holds no export.xml with a <HealthData> root"
        )
    info = zf.getinfo(member)
    if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
        return ReadProblem(
            label,
            member,
            "unsafe_archive",
            f"member expands {info.file_size / info.compress_size:,.0f}:1, more than the ratio "
            f"limit of {limits.max_ratio:,.0f}:1 (a zip bomb?)",
        )
    if info.file_size > limits.max_total_bytes:
        return ReadProblem(
            label,
            member,
            "unsafe_archive",
            f"member declares {info.file_size:,} bytes, more than the total limit of "
            f"{limits.max_total_bytes:,}",
        )
    prefix = member.replace("\\", "/").rpartition("/")[0]
    return _Export(
        file=label,
        member=member,
        open_xml=lambda: zf.open(info),
        xml_size=info.file_size,
        disk_ratio=info.compress_size / info.file_size if info.file_size else 1.0,
        route=_zip_route(zf, prefix + "/" if prefix else "", limits),
    )


def _file_export(xml: Path, limits: Limits) -> _Export:
    return _Export(
        file=str(xml),
        member=None,
        open_xml=lambda: xml.open("rb"),
        xml_size=xml.stat().st_size,
        disk_ratio=1.0,
        route=_folder_route(xml.parent, limits),
    )


def _parts(path: Path, options: ReadOptions) -> Iterator[SourceItem | Container]:
    """Read an export (zip, folder or XML) as one cacheable part."""
    label = str(path)
    try:
        key = part_key(path, options.limits)
        size = path.stat().st_size if path.is_file() else 0
    except OSError as exc:
        yield ReadProblem(label, None, "io_error", f"cannot read: {exc.strerror or exc}")
        return
    mark = Container(key, label)
    yield mark
    if mark.skip:
        options.advance(size)
        return
    with ExitStack() as stack:
        export: _Export | ReadProblem
        try:
            if path.is_dir():
                xml = folder_xml(path)
                export = (
                    _file_export(xml, options.limits)
                    if xml is not None
                    else ReadProblem(
                        label, None, "unsupported", "the folder holds no Apple Health export.xml"
                    )
                )
            elif path.suffix.lower() == ".xml":
                export = _file_export(path, options.limits)
            else:
                zf = stack.enter_context(zipfile.ZipFile(path))
                export = _zip_export(path, zf, options.limits)
        except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError) as exc:
            export = ReadProblem(label, None, "bad_archive", f"not a readable zip archive: {exc}")
        except OSError as exc:
            export = ReadProblem(label, None, "io_error", f"cannot read: {exc.strerror or exc}")
        if isinstance(export, ReadProblem):
            yield export
        else:
            yield from read_export(export, options)
    yield mark.closing()


read = PartsReader(_parts)
"""The source's read: chainfix's engine also sees the part marks (``read.with_parts``)."""
