"""Domain types shared by every layer: sources make them; analysis, planning and delivery use them.

All values are frozen dataclasses in SI units (seconds, metres, kilograms, metres per second) with
timezone-aware UTC datetimes. FIT sport, sub-sport and exercise names are the FIT profile's names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Literal

UNKNOWN = "unknown"
"""Name used for an exercise category the watch could not identify (FIT value 65534)."""

MUSCLE_GROUPS: tuple[str, ...] = (
    "quads",
    "hamstrings",
    "glute_max",
    "glute_med",
    "calves",
    "hip_flexors",
    "lower_back",
    "upper_back",
)
"""The muscle groups of the load model, in report order."""

LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced")
"""Athlete levels (rule R1), lowest first."""

POSTERIOR_CHAIN: tuple[str, ...] = (
    "upper_back",
    "lower_back",
    "glute_max",
    "glute_med",
    "hamstrings",
    "calves",
)
"""The posterior chain as chainfix defines it."""

ProblemKind = Literal[
    "empty",  # 0 bytes
    "not_fit",  # bytes are not a FIT file (e.g. an HTML page named .fit)
    "bad_header",  # FIT header present but invalid (size, CRC, data size)
    "bad_crc",  # file CRC does not match
    "truncated",  # file ends early
    "corrupt",  # the FIT structure is invalid (undefined local message, bad definition ...)
    "no_session",  # a valid FIT activity without any session message
    "not_activity",  # valid FIT that is not an activity (monitoring, sleep, settings ...): skipped
    "unsupported",  # a file type no source reads (e.g. a .tcx without its plugin)
    "bad_archive",  # a zip or gzip that cannot be read
    "unsafe_archive",  # a zip that breaks the safety limits or holds unsafe member names
    "bad_json",  # JSON that is invalid or of the wrong shape
    "bad_value",  # a record with absurd values (negative distance, year 2100 ...)
    "duplicate",  # the same activity seen twice; the second copy is ignored
    "io_error",  # the file could not be read from disk
    "plugin_error",  # a source plugin raised instead of reporting a problem
]
PROBLEM_KINDS: tuple[str, ...] = ProblemKind.__args__  # type: ignore[attr-defined]

Severity = Literal["error", "warning", "info"]
"""error: the file's activities are lost; warning: some was kept; info: skipped on purpose."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an activity came from: a path on disk, and the member path inside archives.

    Members of nested archives are joined with ``!/``, e.g.
    ``DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip!/123.fit``.
    """

    path: str
    member: str | None = None

    def __str__(self) -> str:
        return f"{self.path}!/{self.member}" if self.member else self.path


@dataclass(frozen=True, slots=True)
class StrengthSet:
    """One FIT ``set`` message (or one set of a JSON exercise summary)."""

    start: datetime | None
    duration_s: float | None
    reps: int | None
    weight_kg: float | None
    set_type: Literal["active", "rest"]
    categories: tuple[str, ...] = ()
    """Exercise-category candidates, most likely first, as profile names; 65534 is ``"unknown"``."""
    exercise: str | None = None
    """FIT exercise name of the first candidate (e.g. ``romanian_deadlift``), when resolvable."""
    workout_step_index: int | None = None

    @property
    def category(self) -> str:
        """The most likely exercise category, ``"unknown"`` when the watch did not know."""
        return self.categories[0] if self.categories else UNKNOWN

    @property
    def is_active(self) -> bool:
        return self.set_type == "active"


@dataclass(frozen=True, slots=True)
class Lap:
    """One lap of an activity, as much as hard-session detection needs (FIT ``lap`` totals)."""

    duration_s: float
    """Timer (moving) time of the lap."""
    distance_m: float | None = None
    ascent_m: float | None = None
    descent_m: float | None = None

    @property
    def speed_m_s(self) -> float | None:
        """Average speed over the lap, None without a distance."""
        return self.distance_m / self.duration_s if self.distance_m and self.duration_s else None


@lru_cache(maxsize=256)
def _zone(offset_s: int) -> timezone:
    """The fixed time zone of a UTC offset (one object per offset, not per activity)."""
    return timezone(timedelta(seconds=offset_s))


@dataclass(frozen=True, slots=True)
class Activity:
    """One activity, or one leg (session) of a multisport activity."""

    id: str
    source: str
    origin: Origin
    sport: str
    sub_sport: str
    start_utc: datetime
    utc_offset_s: int | None = None
    """Local offset (s), from FIT ``activity.local_timestamp`` or the export's local start."""
    elapsed_s: float | None = None
    timer_s: float | None = None
    distance_m: float | None = None
    ascent_m: float | None = None
    descent_m: float | None = None
    avg_speed_m_s: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    avg_power_w: float | None = None
    avg_cadence: float | None = None
    device: str | None = None
    sets: tuple[StrengthSet, ...] = ()
    leg: int = 0
    """Index of the session inside a multisport file (0 for single-sport files)."""
    from_summary: bool = False
    """True when the activity comes from a JSON summary rather than a recorded file."""
    summary_sets: tuple[ExerciseSummary, ...] = ()
    """Per-exercise strength totals from a JSON summary (``summarizedExerciseSets``)."""
    laps: tuple[Lap, ...] = ()
    """The laps in order, kept only when there are two or more and one has a distance (intervals
    show as repeated fast laps); empty otherwise."""
    local_date: date = field(init=False, repr=False, compare=False)
    """The local day the activity started: computed once, as the planner asks for it ~30 times
    per activity."""

    def __post_init__(self) -> None:
        try:
            day = self._local_day()
        except (AttributeError, TypeError, ValueError, OverflowError):
            day = None  # a malformed activity (the contract kit reports it), not a crash here
        object.__setattr__(self, "local_date", day)

    @property
    def start_local(self) -> datetime:
        """Start in the athlete's local time (UTC when the offset is unknown)."""
        if self.utc_offset_s is None:
            return self.start_utc
        return self.start_utc.astimezone(_zone(self.utc_offset_s))

    def _local_day(self) -> date:
        start, offset = self.start_utc, self.utc_offset_s
        if offset is None:
            return start.date()
        if start.tzinfo is UTC:
            return (start + timedelta(seconds=offset)).date()
        return self.start_local.date()

    @property
    def duration_s(self) -> float:
        """Moving (timer) time, falling back to elapsed time, else 0."""
        return self.timer_s if self.timer_s is not None else (self.elapsed_s or 0.0)

    @property
    def active_sets(self) -> tuple[StrengthSet, ...]:
        return tuple(s for s in self.sets if s.is_active)

    def lap_values(self) -> tuple[tuple[float | None, ...], ...]:
        """Each lap's fields, in field order: what a fingerprint hashes of the laps (an activity
        the cache remembered gives them from its text, without making its laps)."""
        return tuple(
            (lap.duration_s, lap.distance_m, lap.ascent_m, lap.descent_m) for lap in self.laps
        )


@dataclass(frozen=True, slots=True)
class ExerciseSummary:
    """One row of a Garmin JSON ``summarizedExerciseSets`` list, in SI units."""

    category: str
    """Garmin Connect exercise category key, lower-cased (e.g. ``squat``)."""
    exercise: str | None
    sets: int
    reps: int
    max_weight_kg: float | None
    duration_s: float | None


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """A file (or archive member) that could not be read completely."""

    file: str
    member: str | None
    kind: ProblemKind
    message: str
    severity: Severity = "error"

    @property
    def where(self) -> str:
        return f"{self.file}!/{self.member}" if self.member else self.file


@dataclass(frozen=True, slots=True)
class History:
    """Everything read from the paths the user gave, activities sorted by start time."""

    activities: tuple[Activity, ...]
    problems: tuple[ReadProblem, ...] = ()
    files_read: int = 0
    """How many files or archive members were looked at."""

    @property
    def errors(self) -> tuple[ReadProblem, ...]:
        return tuple(p for p in self.problems if p.severity != "info")

    @property
    def skipped(self) -> tuple[ReadProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "info")

    def __iter__(self) -> Iterator[Activity]:
        return iter(self.activities)

    def __len__(self) -> int:
        return len(self.activities)


# ---------------------------------------------------------------------------------------------
# Analysis results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MuscleScore:
    """The analysis verdict for one muscle group over the window."""

    group: str
    exposure: float
    """Endurance exposure, coefficient-minutes per week."""
    strength: float
    """Strength stimulus, credited hard sets per week."""
    target: float
    """Weekly hard-set target for the athlete's level."""
    priority: float
    """0..1, higher means it needs more strength work."""
    reasons: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# Planning results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkoutStep:
    """One exercise of a planned strength session: ``sets`` rounds of work and rest."""

    exercise_id: str
    name: str
    fit_exercise_category: str
    fit_exercise_name: str
    sets: int
    reps: int | None = None
    duration_s: int | None = None
    rest_s: int = 90
    load: str = ""
    """Load guidance in words, e.g. "RPE 7-8 (2-3 reps in reserve)" or "40 kg"."""
    weight_kg: float | None = None
    watch_title: str | None = None
    """Title sent to the watch when the FIT exercise name is only approximate."""
    garmin_category: str | None = None
    garmin_exercise_name: str | None = None
    per_side: bool = False
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Workout:
    """One planned strength session on a calendar day."""

    key: str
    """Stable id, e.g. ``2026-12-01-posterior-chain-a``; names files and keys the upload ledger."""
    title: str
    date: date
    steps: tuple[WorkoutStep, ...]
    week: int = 1
    kind: str = "strength"
    """``strength``, ``deload``, ``taper`` or ``snack``."""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """A programme of strength sessions over several weeks."""

    start: date
    weeks: int
    level: str
    workouts: tuple[Workout, ...]
    notes: tuple[str, ...] = field(default=())
