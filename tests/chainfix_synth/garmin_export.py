"""Garmin Connect account exports ("Export Your Data") built from a persona's plan.

:func:`write_export` writes the export as a zip (or the same tree as a folder) and returns an
:class:`ExportManifest` that says exactly what went in, so tests compute their expectations from
the generator's inputs rather than from the files.

Layout (see ``shared/reference/exports.md``)::

    DI_CONNECT/DI-Connect-Fitness/<user>_0_summarizedActivities.json
    DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip   (nested; Part2 ...)
        <user>_<uploadId>.fit
    DI_CONNECT/DI-Connect-User/user_profile.json, DI-Connect-Wellness/..., ...   (noise)

JSON units follow the export: epoch milliseconds, durations in ms, distances and elevations in
cm, ``avgSpeed`` in tenths of m/s (m/s / 10), ``startTimeLocal`` shifted by the local offset,
strength ``maxWeight`` in grams and set ``duration`` in ms. ``duration`` is the timer time;
``movingDuration`` is a little shorter, as on Garmin Connect.

Member names in the manifest join nested archives with ``!/`` like :class:`chainfix.model.Origin`:
``DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip!/<user>_123.fit``.
"""

from __future__ import annotations

import json
import random
import shutil
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from chainfix_synth import corrupt
from chainfix_synth.fitfiles import activity_fit, monitoring_fit, planned_laps
from chainfix_synth.personas import Persona, PlannedActivity, PlannedSet, extra_activity

__all__ = [
    "ExportManifest",
    "ExportOptions",
    "ExportedActivity",
    "TYPE_KEYS",
    "ZIP_TIME",
    "summary_json",
    "write_export",
]

Layout = Literal["current", "legacy", "unpacked"]
CorruptKind = Literal["truncated", "bad_crc"]

ZIP_TIME = (2026, 1, 1, 0, 0, 0)
"""Timestamp of every zip member, so the bytes do not depend on when they were written."""

TYPE_KEYS: dict[tuple[str, str], tuple[str, str]] = {
    ("running", "generic"): ("running", "RUNNING"),
    ("running", "trail"): ("trail_running", "RUNNING"),
    ("running", "treadmill"): ("treadmill_running", "RUNNING"),
    ("running", "track"): ("track_running", "RUNNING"),
    ("cycling", "generic"): ("cycling", "CYCLING"),
    ("cycling", "road"): ("road_biking", "CYCLING"),
    ("cycling", "mountain"): ("mountain_biking", "CYCLING"),
    ("cycling", "indoor_cycling"): ("indoor_cycling", "CYCLING"),
    ("training", "strength_training"): ("strength_training", "TRAINING"),
    ("multisport", "generic"): ("multi_sport", "MULTISPORT"),
}
"""(FIT sport, FIT sub-sport) -> (export ``activityType`` typeKey, ``sportType``)."""

_UPLOADS_DIR: dict[str, str] = {
    "current": "DI_CONNECT/DI-Connect-Uploaded-Files",
    "legacy": "DI_CONNECT/DI-Connect-Fitness-Uploaded-Files",
    "unpacked": "DI_CONNECT/DI-Connect-Fitness",
}
_FITNESS_DIR = "DI_CONNECT/DI-Connect-Fitness"


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What to put in an export besides the persona's activities."""

    user: str | None = None
    """File-name prefix; the persona's ``user`` by default."""
    layout: Layout = "current"
    """``current`` (DI-Connect-Uploaded-Files/*.zip), ``legacy`` (DI-Connect-Fitness-Uploaded-
    Files/*.zip) or ``unpacked`` (DI-Connect-Fitness/UploadedFiles_0-_Part1/ folder, no nesting)."""
    parts: int = 1
    """Number of ``UploadedFiles_0-_PartN`` archives the FIT files are split across."""
    corrupt: tuple[CorruptKind, ...] = ("truncated",)
    """One extra upload per entry, damaged; its activity has no JSON summary (lost)."""
    monitoring: bool = True
    """Add a ``monitoring_b`` FIT (not an activity)."""
    json_only: bool = True
    """Add a manual treadmill run and a strength summary that exist only in the JSON."""
    duplicate: bool = True
    """Upload the first activity's FIT twice (same bytes, another upload id)."""
    multisport: bool = True
    """Add a ride + run multisport activity when the persona has none."""
    noise: bool = True
    """Add user profile, wellness, gear and metrics JSON files."""
    hz: float = 1.0
    """Record rate of the FIT files (``0.2``: one record every 5 s)."""
    compresslevel: int = 6
    """Deflate level of the members (FIT files inside the nested zips, JSON)."""
    json_chunk: int = 1000
    """Activities per ``summarizedActivities`` JSON file."""
    seed: int = 0


@dataclass(frozen=True, slots=True)
class ExportedActivity:
    """One activity listed in the export's JSON (a multisport parent carries its legs)."""

    activity_id: int
    planned: PlannedActivity
    fit_member: str | None
    """Where its FIT file is; ``None`` for JSON-only activities."""
    leg_ids: tuple[int, ...] = ()

    @property
    def json_only(self) -> bool:
        return self.fit_member is None


@dataclass(slots=True)
class ExportManifest:
    """Exactly what :func:`write_export` put in the export."""

    path: Path
    user: str
    layout: str
    activities: list[ExportedActivity] = field(default_factory=list)
    json_members: list[str] = field(default_factory=list)
    fit_members: list[str] = field(default_factory=list)
    """Every ``.fit`` member written: activities, duplicates, corrupt and monitoring files."""
    corrupt_members: dict[str, str] = field(default_factory=dict)
    """Member -> damage (``truncated``: cut before the first session; ``bad_crc``)."""
    lost: list[PlannedActivity] = field(default_factory=list)
    """Activities whose only trace is a corrupt upload (no JSON summary)."""
    duplicate_members: dict[str, str] = field(default_factory=dict)
    """Second copy -> first copy (identical bytes)."""
    non_activity_members: list[str] = field(default_factory=list)
    noise_members: list[str] = field(default_factory=list)
    bytes_fit: int = 0
    """Total size of the FIT files written (before compression)."""

    @property
    def parts(self) -> list[PlannedActivity]:
        """The activities a correct reader produces: multisport legs counted one by one."""
        return [p for a in self.activities for p in a.planned.parts]

    @property
    def expected_activity_count(self) -> int:
        return len(self.parts)

    @property
    def fit_activity_count(self) -> int:
        """Activities that come from valid, distinct FIT files."""
        return sum(len(a.planned.parts) for a in self.activities if not a.json_only)

    @property
    def json_only_ids(self) -> list[int]:
        return [a.activity_id for a in self.activities if a.json_only]

    @property
    def total_timer_s(self) -> float:
        return float(sum(p.timer_s for p in self.parts))

    @property
    def total_distance_m(self) -> float:
        return round(sum(p.distance_m or 0.0 for p in self.parts), 2)

    @property
    def timer_s_by_sport(self) -> dict[str, float]:
        """Timer seconds per FIT sport name (``running``, ``cycling``, ``training``)."""
        out: dict[str, float] = defaultdict(float)
        for p in self.parts:
            out[p.sport] += p.timer_s
        return dict(sorted(out.items()))

    @property
    def distance_m_by_sport(self) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for p in self.parts:
            out[p.sport] += p.distance_m or 0.0
        return {k: round(v, 2) for k, v in sorted(out.items())}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (for fixtures and benchmark logs)."""
        return {
            "path": self.path.name,
            "user": self.user,
            "layout": self.layout,
            "expected_activity_count": self.expected_activity_count,
            "fit_activity_count": self.fit_activity_count,
            "json_only_ids": self.json_only_ids,
            "total_timer_s": self.total_timer_s,
            "total_distance_m": self.total_distance_m,
            "timer_s_by_sport": self.timer_s_by_sport,
            "distance_m_by_sport": self.distance_m_by_sport,
            "strength_sessions_with_sets": sum(1 for p in self.parts if p.sets and p.device),
            "multisport_ids": [a.activity_id for a in self.activities if a.leg_ids],
            "corrupt_members": self.corrupt_members,
            "duplicate_members": self.duplicate_members,
            "non_activity_members": self.non_activity_members,
            "json_members": self.json_members,
            "fit_members": len(self.fit_members),
            "bytes_fit": self.bytes_fit,
        }


# ---------------------------------------------------------------------------------------------
# JSON summaries


def _ms(when: Any) -> int:
    return int(when.timestamp() * 1000)


def _exercise_sets(sets: list[PlannedSet]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for s in sets:
        if s.set_type != "active" or s.true_category is None:
            continue
        key = (s.true_category.upper(), (s.true_exercise or "").upper())
        g = groups.setdefault(
            key,
            {"category": key[0], "subCategory": key[1] or None, "reps": 0, "sets": 0,
             "volume": 0.0, "maxWeight": None, "duration": 0.0},
        )  # fmt: skip
        grams = round(s.weight_kg * 1000) if s.weight_kg else None
        g["reps"] += s.reps or 0
        g["sets"] += 1
        g["volume"] += float((grams or 0) * (s.reps or 0))
        if grams is not None:
            g["maxWeight"] = max(g["maxWeight"] or 0, grams)
        g["duration"] += round(s.duration_s * 1000, 3)
    return list(groups.values())


def summary_json(
    a: PlannedActivity,
    activity_id: int,
    user_profile_id: int,
    parent_id: int | None = None,
    child_ids: tuple[int, ...] = (),
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """One ``summarizedActivitiesExport`` entry for ``a``, in the export's units."""
    rng = rng or random.Random(activity_id)
    type_key, sport_type = TYPE_KEYS[(a.sport, a.sub_sport)]
    start_ms = _ms(a.start_utc)
    timer_ms = a.timer_s * 1000.0
    out: dict[str, Any] = {
        "activityId": activity_id,
        "uuidMsb": rng.getrandbits(63),
        "uuidLsb": rng.getrandbits(63),
        "name": a.name,
        "activityType": type_key,
        "userProfileId": user_profile_id,
        "timeZoneId": 124,
        "beginTimestamp": start_ms,
        "eventTypeId": 9,
        "rule": "subscribers",
        "sportType": sport_type,
        "startTimeGmt": start_ms,
        "startTimeLocal": start_ms + a.utc_offset_s * 1000,
        "duration": timer_ms,
        "elapsedDuration": a.elapsed_s * 1000.0,
        "movingDuration": max(0.0, timer_ms - rng.randint(0, 20) * 1000.0),
        "calories": float(a.calories),
        "bmrCalories": round(a.elapsed_s / 3600 * 70.0, 1),
        "manufacturer": "GARMIN" if a.device else None,
        "deviceId": a.device.device_id if a.device else None,
        "purposeful": False,
        "favorite": False,
        "pr": False,
        "autoCalcCalories": a.device is None,
        "parent": bool(child_ids),
        "lapCount": sum(planned_laps(p) for p in a.parts),
    }
    if a.distance_m is not None:
        out["distance"] = round(a.distance_m * 100, 1)
        out["avgSpeed"] = round(a.distance_m / a.timer_s / 10, 7)
    if a.ascent_m is not None:
        out["elevationGain"] = float(a.ascent_m * 100)
        out["elevationLoss"] = float((a.descent_m or 0) * 100)
    if a.start_lat is not None and a.start_lon is not None:
        out["startLatitude"] = a.start_lat
        out["startLongitude"] = a.start_lon
    if a.avg_hr is not None:
        out["avgHr"] = float(a.avg_hr)
        out["maxHr"] = float(a.max_hr or a.avg_hr)
    if a.sport == "running" and a.avg_cadence:
        out["avgRunCadence"] = float(a.avg_cadence)
        out["avgDoubleCadence"] = float(a.avg_cadence * 2)
        out["steps"] = round(a.avg_cadence * 2 * a.timer_s / 60)
    if a.avg_power_w:
        out["avgPower"] = float(a.avg_power_w)
        out["avgBikeCadence"] = float(a.avg_cadence or 0)
    if a.sets:
        active = [s for s in a.sets if s.set_type == "active"]
        out["totalSets"] = len(active)
        out["activeSets"] = len(active)
        out["totalReps"] = sum(s.reps or 0 for s in active)
        out["summarizedExerciseSets"] = _exercise_sets(a.sets)
    if parent_id is not None:
        out["parentId"] = parent_id
    if child_ids:
        out["childIds"] = list(child_ids)
    return out


# ---------------------------------------------------------------------------------------------
# Output sinks: a zip or a folder, with deterministic members


def _zinfo(name: str, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    return info


class _Archive(Protocol):
    def write(self, name: str, data: bytes) -> None: ...


class _ZipArchive:
    """Members of a zip (which may itself be written into another zip as a stream)."""

    def __init__(self, zf: zipfile.ZipFile, level: int) -> None:
        self.zf, self.level = zf, level

    def write(self, name: str, data: bytes) -> None:
        self.zf.writestr(_zinfo(name, compress=True), data, compresslevel=self.level)


class _DirArchive:
    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, name: str, data: bytes) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


class _Sink:
    """The export's top level: a zip file or a folder."""

    def __init__(self, path: Path, folder: bool, level: int, big: bool) -> None:
        self.path, self.folder, self.level, self.big = path, folder, level, big
        self._zf: zipfile.ZipFile | None = None
        if folder:
            if path.exists():
                shutil.rmtree(path)
            path.mkdir(parents=True)
            self.top: _Archive = _DirArchive(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._zf = zipfile.ZipFile(path, "w", allowZip64=True)
            self.top = _ZipArchive(self._zf, level)

    @contextmanager
    def nested_zip(self, name: str) -> Iterator[_Archive]:
        """A zip inside the export, streamed member by member (not built in memory)."""
        if self._zf is None:
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(target, "w", allowZip64=True) as inner:
                yield _ZipArchive(inner, self.level)
            return
        stream: IO[bytes]
        with self._zf.open(_zinfo(name, compress=False), "w", force_zip64=self.big) as stream:
            with zipfile.ZipFile(stream, "w", allowZip64=True) as inner:
                yield _ZipArchive(inner, self.level)

    @contextmanager
    def folder_in(self, name: str) -> Iterator[_Archive]:
        """A plain folder inside the export (the ``unpacked`` layout)."""
        yield _Prefixed(self.top, name)

    def close(self) -> None:
        if self._zf is not None:
            self._zf.close()


class _Prefixed:
    def __init__(self, inner: _Archive, prefix: str) -> None:
        self.inner, self.prefix = inner, prefix

    def write(self, name: str, data: bytes) -> None:
        self.inner.write(f"{self.prefix}/{name}", data)


# ---------------------------------------------------------------------------------------------
# The export


@dataclass(slots=True, eq=False)
class _Upload:
    name: str
    """File name, then (once written) the member path."""
    make: Callable[[], bytes]
    """Returns the file's bytes; called while streaming, so only one file is in memory."""
    role: str
    """activity, duplicate, corrupt:<kind>, monitoring."""
    exported: ExportedActivity | None = None
    original: _Upload | None = None


def _ids(rng: random.Random, n: int, low: int, step: tuple[int, int]) -> list[int]:
    out, current = [], low
    for _ in range(n):
        current += rng.randint(*step)
        out.append(current)
    return out


def write_export(
    persona: Persona,
    path: str | Path,
    *,
    folder: bool = False,
    options: ExportOptions | None = None,
    **overrides: Any,
) -> ExportManifest:
    """Write ``persona``'s history as a Garmin Connect export zip (or a folder with
    ``folder=True``) and return its manifest. ``overrides`` set :class:`ExportOptions` fields."""
    opts = replace(options or ExportOptions(), **overrides)
    if opts.parts < 1:
        raise ValueError("parts must be at least 1")
    if opts.layout not in _UPLOADS_DIR:
        raise ValueError(f"layout must be one of {sorted(_UPLOADS_DIR)}, not {opts.layout!r}")
    if unknown := set(opts.corrupt) - {"truncated", "bad_crc"}:
        raise ValueError(f"unknown corrupt kinds {sorted(unknown)}: use truncated or bad_crc")
    path = Path(path)
    user = opts.user or persona.user
    rng = random.Random(f"{persona.key}:{opts.seed}")
    planned = list(persona.activities)
    json_only: list[PlannedActivity] = []
    if opts.multisport and not any(a.is_multisport for a in planned):
        planned.append(extra_activity(persona, "brick", 0.45, rng.getrandbits(32)))
    if opts.json_only:
        json_only.append(extra_activity(persona, "manual_run", 0.3, rng.getrandbits(32)))
        json_only.append(extra_activity(persona, "strength_summary", 0.6, rng.getrandbits(32)))
    lost = [
        (kind, extra_activity(persona, "run", 0.15 + 0.2 * i, rng.getrandbits(32)))
        for i, kind in enumerate(opts.corrupt)
    ]
    everything = sorted(planned + json_only, key=lambda a: a.start_utc)

    # Activity ids grow with time; legs follow their parent. Upload ids are unrelated.
    n_ids = sum(1 + len(a.legs) for a in everything)
    ids = iter(_ids(rng, n_ids, 17_000_000_000 + rng.randrange(10**8), (40_000, 900_000)))
    profile_id = 90_000_000 + rng.randrange(10**7)
    exported: list[ExportedActivity] = []
    entries: list[dict[str, Any]] = []
    for a in everything:
        activity_id = next(ids)
        leg_ids = tuple(next(ids) for _ in a.legs)
        exported.append(ExportedActivity(activity_id, a, None, leg_ids))
        entries.append(summary_json(a, activity_id, profile_id, child_ids=leg_ids))
        for leg, leg_id in zip(a.legs, leg_ids, strict=True):
            entries.append(summary_json(leg, leg_id, profile_id, parent_id=activity_id))
    entries.sort(key=lambda e: (-e["beginTimestamp"], e["activityId"]))

    uploads = _plan_uploads(rng, user, exported, lost, opts, persona)
    manifest = ExportManifest(path=path, user=user, layout=opts.layout, lost=[a for _, a in lost])
    big = len(uploads) * 120_000 > 1_500_000_000
    sink = _Sink(path, folder, opts.compresslevel, big)
    try:
        _write_json(sink, manifest, user, entries, opts.json_chunk)
        _write_uploads(sink, manifest, uploads, opts)
        if opts.noise:
            _write_noise(sink, manifest, persona, user, profile_id, everything)
    finally:
        sink.close()
    by_id = {e.activity_id: e for e in exported}
    for up in uploads:
        if up.exported is not None:
            by_id[up.exported.activity_id] = replace(up.exported, fit_member=up.name)
    manifest.activities = [by_id[e.activity_id] for e in exported]
    return manifest


def _plan_uploads(
    rng: random.Random,
    user: str,
    exported: list[ExportedActivity],
    lost: Sequence[tuple[str, PlannedActivity]],
    opts: ExportOptions,
    persona: Persona,
) -> list[_Upload]:
    hz = opts.hz
    uploads: list[_Upload] = []
    for e in exported:
        if e.planned.device is not None:
            uploads.append(_Upload("", partial(activity_fit, e.planned, hz=hz), "activity", e))
    if opts.duplicate and uploads:
        uploads.append(_Upload("", uploads[0].make, "duplicate", original=uploads[0]))
    for kind, a in lost:
        damage = corrupt.truncate_before if kind == "truncated" else corrupt.bad_crc
        uploads.append(_Upload("", partial(_damaged, a, hz, damage), f"corrupt:{kind}"))
    if opts.monitoring:
        watch = next((a.device for a in persona.activities if a.device), None)
        first_day = min((a.start_local.date() for a in persona.activities), default=None)
        if watch is not None and first_day is not None:
            day = first_day + timedelta(days=1)
            uploads.append(_Upload("", partial(monitoring_fit, day, watch, seed=7), "monitoring"))
    # Upload ids: random, unique, unrelated to activity ids or order.
    upload_ids = rng.sample(range(10**10, 10**11), len(uploads))
    for up, upload_id in zip(uploads, upload_ids, strict=True):
        up.name = f"{user}_{upload_id}.fit"
    rng.shuffle(uploads)
    return uploads


def _damaged(a: PlannedActivity, hz: float, damage: Callable[[bytes], bytes]) -> bytes:
    return damage(activity_fit(a, hz=hz))


def _write_json(
    sink: _Sink, manifest: ExportManifest, user: str, entries: list[dict[str, Any]], chunk: int
) -> None:
    for start in range(0, max(len(entries), 1), chunk):
        name = f"{_FITNESS_DIR}/{user}_{start}_summarizedActivities.json"
        body = [{"summarizedActivitiesExport": entries[start : start + chunk]}]
        sink.top.write(name, json.dumps(body, indent=1).encode())
        manifest.json_members.append(name)


def _write_uploads(
    sink: _Sink, manifest: ExportManifest, uploads: list[_Upload], opts: ExportOptions
) -> None:
    base = _UPLOADS_DIR[opts.layout]
    per_part = -(-len(uploads) // opts.parts) if uploads else 0
    for part in range(opts.parts):
        chunk = uploads[part * per_part : (part + 1) * per_part]
        if opts.layout == "unpacked":
            container = f"{base}/UploadedFiles_0-_Part{part + 1}"
            opener = sink.folder_in(container)
            sep = "/"
        else:
            container = f"{base}/UploadedFiles_0-_Part{part + 1}.zip"
            opener = sink.nested_zip(container)
            sep = "!/"
        with opener as archive:
            for up in chunk:
                data = up.make()
                archive.write(up.name, data)
                member = f"{container}{sep}{up.name}"
                up.name = member
                manifest.fit_members.append(member)
                manifest.bytes_fit += len(data)
                if up.role.startswith("corrupt:"):
                    manifest.corrupt_members[member] = up.role.split(":", 1)[1]
                elif up.role == "monitoring":
                    manifest.non_activity_members.append(member)
    for up in uploads:
        if up.original is not None:
            manifest.duplicate_members[up.name] = up.original.name


def _write_noise(
    sink: _Sink,
    manifest: ExportManifest,
    persona: Persona,
    user: str,
    profile_id: int,
    activities: list[PlannedActivity],
) -> None:
    first, last = activities[0].start_local.date(), activities[-1].start_local.date()
    first_name, _, last_name = persona.display_name.partition(" ")
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    rng = random.Random(profile_id)
    files: dict[str, Any] = {
        "DI_CONNECT/DI-Connect-User/user_profile.json": {
            "userName": user,
            "firstName": first_name,
            "lastName": last_name,
            "emailAddress": f"{user}@example.com",
            "gender": "FEMALE",
            "birthDate": "1990-04-12",
            "userProfileId": profile_id,
        },
        f"{_FITNESS_DIR}/{user}_gear.json": [
            {
                "gearModelName": "Road shoe",
                "displayName": "Daily trainer",
                "gearStatusName": "active",
            }
        ],
        f"DI_CONNECT/DI-Connect-Wellness/{user}_sleepData.json": [
            {
                "calendarDate": d.isoformat(),
                "deepSleepSeconds": rng.randint(3000, 7000),
                "lightSleepSeconds": rng.randint(12000, 16000),
                "remSleepSeconds": rng.randint(4000, 7000),
                "awakeSleepSeconds": rng.randint(200, 1500),
            }
            for d in days[:60]
        ],
        f"DI_CONNECT/DI-Connect-Aggregator/UDSFile_{first}_{last}.json": [
            {
                "calendarDate": d.isoformat(),
                "totalSteps": rng.randint(4000, 16000),
                "restingHeartRate": persona.resting_hr + rng.randint(-2, 3),
            }
            for d in days
        ],
        f"DI_CONNECT/DI-Connect-Metrics/MetricsMaxMetData_{first}_{last}.json": [
            {"calendarDate": days[-1].isoformat(), "vo2MaxValue": 54.0, "sport": "RUNNING"}
        ],
    }
    for name, content in files.items():
        sink.top.write(name, json.dumps(content, indent=1).encode())
        manifest.noise_members.append(name)
